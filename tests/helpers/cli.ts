import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './shared';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI's entry as node arguments: bin/ser.mjs, what `npx ser` runs (the CLI in that same process, so signals reach it). */
export const CLI_ARGS = [join(REPO_ROOT, 'bin', 'ser.mjs')];

/** Runs `ser <args>` to the end; env entries are added to this process's environment. */
export function ser(args: string[], opts: { env?: Record<string, string>; timeout?: number } = {}): CliResult {
  const r = spawnSync(process.execPath, [...CLI_ARGS, ...args], {
    encoding: 'utf8',
    timeout: opts.timeout ?? 120_000,
    env: { ...process.env, ...opts.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `ser <args>` in the background; `log()` is everything it printed so far, and each line goes to onLine. */
export function startSer(args: string[], onLine?: (line: string) => void): ChildProcess & { log: () => string } {
  const child = spawn(process.execPath, [...CLI_ARGS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const take = (d: Buffer) => {
    log += d.toString();
    for (const line of d.toString().split('\n')) if (line) onLine?.(line);
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  return Object.assign(child, { log: () => log });
}
