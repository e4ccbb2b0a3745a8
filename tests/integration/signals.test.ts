// Stop signals and orphans, on real RAVDESS audio through `node bin/ser.mjs` (the command users run): SIGTERM and
// SIGHUP cancel a training run exactly as Ctrl-C does, and no worker outlives the process that started it, SIGKILL included.
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../src-main/core/datasets/import';
import { openStore } from '../../src-main/core/store/db';
import { makeTempDir, removeDir } from '../helpers/fixtures';
import { REPO_ROOT, RAVDESS_16K } from '../helpers/shared';

const SER_BIN = join(REPO_ROOT, 'bin', 'ser.mjs');
/** How long a process tree may take to disappear once its root has exited or been killed (ms). */
const GONE_WITHIN_MS = 5000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Live processes by parent, from /proc (zombies count as gone: they hold no resources and run no code). */
function childrenByParent(): Map<number, number[]> {
  const byParent = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z') continue;
    const list = byParent.get(Number(ppid)) ?? [];
    list.push(Number(name));
    byParent.set(Number(ppid), list);
  }
  return byParent;
}

/** Every live descendant of pid: children, their children, and so on. */
function descendants(pid: number): number[] {
  const byParent = childrenByParent();
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of byParent.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Waits until none of pids is alive; returns how long that took (ms), or throws naming the survivors. */
async function allGone(pids: number[], since: number): Promise<number> {
  while (pids.some(alive)) {
    if (Date.now() - since > GONE_WITHIN_MS) {
      const left = pids.filter(alive).map((p) => `${p} ${commandLine(p)}`);
      throw new Error(`still running ${GONE_WITHIN_MS} ms later:\n${left.join('\n')}`);
    }
    await sleep(20);
  }
  return Date.now() - since;
}

interface Cli {
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Process groups started here: afterEach kills what is left of them, so a failed test leaves no orphans behind. */
const groups: number[] = [];

/** `node bin/ser.mjs train` of the tiny config, in a process group of its own. */
function startTrain(cacheDir: string): Cli {
  const args = ['train', '--dataset', dataset, '--config', config, '--db', db, '--json'];
  const child = spawn(process.execPath, [SER_BIN, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SER_CACHE_DIR: cacheDir },
  });
  groups.push(child.pid!);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );
  return { child, pid: child.pid!, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Polls until ready() holds; fails with the CLI's log when it does not in time or the CLI ends first. */
async function until(cli: Cli, what: string, ready: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (cli.child.exitCode !== null || cli.child.signalCode !== null) throw new Error(`ser train ended before ${what}:\n${cli.stderr()}`);
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms / 1000} s:\n${cli.stderr()}`);
    await sleep(50);
  }
}

let dir: string;
let db: string;
let config: string;
let cache: string;
let dataset: string;

beforeAll(async () => {
  dir = makeTempDir('ser-signals-');
  const data = join(dir, 'ravdess');
  mkdirSync(data);
  for (const a of ['Actor_01', 'Actor_02']) symlinkSync(join(RAVDESS_16K, a), join(data, a));
  db = join(dir, 'workbench.sqlite');
  const store = openStore(db);
  dataset = String((await importDataset(store, { folder: data })).datasetId);
  store.close();
  // Tiny SimpleCNN, batches of 20 (milliseconds each), and more epochs than any test waits for.
  config = join(dir, 'run.json');
  writeFileSync(
    config,
    JSON.stringify({
      model: { preset: 'simplecnn', params: { filters: [4, 8, 8, 8], denseUnits: 16 } },
      split: { kind: 'speaker', testSpeakers: ['02'], seed: 1 },
      epochs: 500,
      batchSize: 20,
      seed: 7,
    }),
  );
  cache = join(dir, 'cache');
});

afterEach(() => {
  for (const pgid of groups.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // the whole group is gone already
    }
  }
});

afterAll(() => {
  if (dir) removeDir(dir);
});

const runStatus = (runId: number) => {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (conn.prepare('SELECT status FROM runs WHERE id = ?').get(runId) as { status: string } | undefined)?.status;
  } finally {
    conn.close();
  }
};

describe.skipIf(process.platform !== 'linux')('stop signals and orphans (ser train)', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)(
    '%s to the pid of `node bin/ser.mjs train` cancels the run like Ctrl-C: exit %i, run cancelled, no process left',
    async (signal, status) => {
      const cli = startTrain(cache);
      await until(cli, 'first epoch', () => /^epoch 1: /m.test(cli.stderr()));
      const tree = descendants(cli.pid);
      expect(tree.map(commandLine).some((c) => c.includes('trainWorker'))).toBe(true);

      const t0 = Date.now();
      process.kill(cli.pid, signal);
      const { code } = await cli.exited;
      const exitMs = Date.now() - t0;
      expect(code, cli.stderr()).toBe(status);
      expect(exitMs).toBeLessThan(15_000);
      const out = JSON.parse(cli.stdout()) as { runId: number; status: string; epochs: number };
      expect(out.status).toBe('cancelled');
      expect(out.epochs).toBeGreaterThanOrEqual(1);
      expect(cli.stderr()).toMatch(/cancelling run \d+ after the current batch/);
      expect(runStatus(out.runId)).toBe('cancelled');
      const goneMs = await allGone(tree, t0);
      process.stderr.write(`${signal}: exit ${code} ${exitMs} ms after the signal, every worker gone after ${goneMs} ms\n`);
    },
  );

  it('SIGKILL of the CLI mid-training: the train worker exits by itself, and the next open marks the run interrupted', async () => {
    const cli = startTrain(cache);
    await until(cli, 'first epoch', () => /^epoch 1: /m.test(cli.stderr()));
    const runId = Number(/^run (\d+): training on/m.exec(cli.stderr())?.[1]);
    const tree = descendants(cli.pid);
    expect(tree.map(commandLine).some((c) => c.includes('trainWorker'))).toBe(true);

    const t0 = Date.now();
    process.kill(cli.pid, 'SIGKILL');
    expect((await cli.exited).signal).toBe('SIGKILL');
    const goneMs = await allGone(tree, t0);
    process.stderr.write(`SIGKILL of the CLI while training: every worker gone after ${goneMs} ms\n`);

    expect(runStatus(runId)).toBe('running'); // nobody was left to say otherwise
    const store = openStore(db);
    try {
      expect(store.interruptedRunIds).toContain(runId);
    } finally {
      store.close();
    }
    expect(runStatus(runId)).toBe('interrupted');
  });

  it.each(['the CLI', 'the train worker'] as const)(
    'SIGKILL of %s while feature workers extract (cache cleared): the feature workers exit too',
    async (victim) => {
      const fresh = join(dir, `cache-${victim.replaceAll(' ', '-')}`);
      const cli = startTrain(fresh);
      // Killed while they extract (a progress line is out), not while they are still loading their code. The process
      // tree is read once, in the same poll that sees the workers: read again later, it can find extraction finished.
      let tree: number[] = [];
      let extracting: number[] = [];
      await until(cli, 'feature extraction', () => {
        if (!/^features: \d+\/\d+/m.test(cli.stderr())) return false;
        tree = descendants(cli.pid);
        extracting = tree.filter((p) => commandLine(p).includes('featureWorker'));
        return extracting.length > 0;
      });
      const trainWorker = tree.find((p) => commandLine(p).includes('trainWorker'));
      expect(trainWorker).toBeDefined();
      expect(extracting.length).toBeGreaterThan(0);

      const t0 = Date.now();
      process.kill(victim === 'the CLI' ? cli.pid : trainWorker!, 'SIGKILL');
      const goneMs = await allGone(victim === 'the CLI' ? tree : [trainWorker!, ...extracting], t0);
      process.stderr.write(`SIGKILL of ${victim} while ${extracting.length} feature workers extract: all gone after ${goneMs} ms\n`);
      const { code } = await cli.exited;
      // Its train worker killed, the CLI itself lives on to report the run failed.
      if (victim === 'the train worker') {
        expect(code).toBe(1);
        expect(cli.stderr()).toMatch(/training worker stopped unexpectedly \(signal SIGKILL\)/);
      }
    },
  );
});
