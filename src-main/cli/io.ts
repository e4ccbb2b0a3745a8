import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { defaultDbPath, openStore, type Store } from '../core/store/db';
import { errorMessage } from '../../src-shared/api/errors';
import { resolve } from 'node:path';
import { findAudioFiles } from '../core/datasets/scan';
import { receivedStopSignal, stopExitStatus } from '../core/stopSignals';

export interface CommonOptions {
  db?: string;
  json?: boolean;
}

/** (done, total, detail) progress callback, drawn as a bar on stderr. */
export type ProgressFn = (done: number, total: number, detail?: string) => void;

export interface ActionContext {
  json: boolean;
  /** Opens the DB named by --db / SER_DB / the default, once; closed when the action ends. */
  openStore(): Store;
  progress(label: string): ProgressFn;
  log(message: string): void;
}

/** Adds the options every subcommand takes: --db and --json. */
export function withCommonOptions(cmd: Command): Command {
  return cmd
    .option('--db <path>', 'workbench database (default: $SER_DB or ~/.config/ser-workbench/workbench.sqlite)')
    .option('--json', 'print one JSON object on stdout; logs go to stderr');
}

/** Backends a CLI command may name: the ones this install can have (the tfjs-node packages cannot be installed here). */
export type CliBackend = 'auto' | 'native' | 'wasm' | 'cpu';

/** --backend, checked against CliBackend at parse time. */
export function backendOption(description: string): Option {
  return new Option('--backend <name>', description).choices(['auto', 'native', 'wasm', 'cpu'] satisfies CliBackend[]);
}

/** --speed-perturbation, shared by `ser train` and `ser study run`. */
export function speedPerturbationOption(): Option {
  return new Option(
    '--speed-perturbation <speeds>',
    'classical models: add every training file played this many times faster, e.g. 0.9,1.1 ("none" for no copies)',
  );
}

/**
 * Applies --speed-perturbation to a run config: "none" clears a recipe's copies, a list replaces them. The numbers are
 * the run schema's to judge (range, 1, repeats), so its messages name the field.
 */
export function applySpeedPerturbation(config: Record<string, unknown>, flag: string | undefined): void {
  if (flag === undefined) return;
  if (flag.trim() === 'none') delete config.speedPerturbation;
  else config.speedPerturbation = listArg(flag).map(Number);
}

/** A comma-separated option value as its items: "01, 02," → ["01", "02"]. */
export function listArg(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Thrown for user errors whose message is the whole story (no stack trace). */
export class CliError extends Error {}

/** The audio files in command-line paths (files and folders, searched recursively); none, or a bad path, is a CLI error. */
export function audioFilesIn(paths: string[]): string[] {
  let files: string[];
  try {
    files = findAudioFiles(paths.map((p) => resolve(p)));
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  if (files.length === 0) throw new CliError(`no audio files in ${paths.join(', ')}`);
  return files;
}

/**
 * Runs a subcommand body: prints its result as one JSON object (--json) or readable text,
 * and turns any error into a one-line message on stderr with exit code 1. Work stopped by
 * Ctrl-C, SIGTERM or SIGHUP exits 128 + the signal's number (130, 143, 129), whatever it printed.
 */
export async function runAction<T>(opts: CommonOptions, body: (ctx: ActionContext) => Promise<T>, human?: (result: T) => string): Promise<void> {
  let store: Store | undefined;
  const bars: cliProgress.SingleBar[] = [];
  const ctx: ActionContext = {
    json: Boolean(opts.json),
    openStore() {
      store ??= openStore(opts.db ?? defaultDbPath());
      return store;
    },
    progress(label) {
      let bar: cliProgress.SingleBar | undefined;
      return (done, total, detail) => {
        if (!process.stderr.isTTY) {
          // Non-interactive: one line per ~10 %, enough to follow a CI log.
          const step = Math.max(1, Math.floor(total / 10));
          if (done === total || done % step === 0) process.stderr.write(`${label}: ${done}/${total}${detail ? ` ${detail}` : ''}\n`);
          return;
        }
        if (!bar) {
          bar = new cliProgress.SingleBar(
            { format: `${label} [{bar}] {value}/{total} {detail}`, stream: process.stderr, hideCursor: true, clearOnComplete: false },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total, 0, { detail: '' });
          bars.push(bar);
        }
        bar.setTotal(total);
        bar.update(done, { detail: detail ?? '' });
      };
    },
    log(message) {
      process.stderr.write(`${message}\n`);
    },
  };
  try {
    const result = await body(ctx);
    for (const b of bars) b.stop();
    if (ctx.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(`${human ? human(result) : JSON.stringify(result, null, 2)}\n`);
  } catch (err) {
    for (const b of bars) b.stop();
    const message = errorMessage(err);
    if (ctx.json) process.stdout.write(`${JSON.stringify({ error: message })}\n`);
    process.stderr.write(`error: ${message}\n`);
    if (process.env.SER_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 1;
  } finally {
    store?.close();
    const stopped = receivedStopSignal();
    if (stopped) process.exitCode = stopExitStatus(stopped);
  }
}
