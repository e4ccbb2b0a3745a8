import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STOP_SIGNALS } from './stopSignals';

/** The worker entry points under src-main/workers/. */
export type WorkerName = 'featureWorker' | 'trainWorker';

/** A running worker process, whatever started it (child_process or Electron utilityProcess). */
export interface WorkerHandle {
  readonly pid: number | undefined;
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once with the exit code (null when killed by a signal). */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

export type WorkerLauncher = (name: WorkerName, env?: Record<string, string>) => WorkerHandle;

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** Default launcher: Node child process running the TypeScript entry through tsx. */
export const childProcessLauncher: WorkerLauncher = (name, env) => {
  const entry = join(here, '..', 'workers', `${name}.ts`);
  const child = fork(entry, [], {
    execArgv: ['--import', require.resolve('tsx')],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced', // typed arrays cross the pipe without JSON number lists
  });
  // A send() racing a worker's death emits EPIPE here; the exit listener reports the death itself.
  child.on('error', () => {});
  return {
    pid: child.pid,
    send: (m) => {
      if (child.connected) child.send(m as never);
    },
    onMessage: (l) => void child.on('message', l),
    onExit: (l) => void child.once('exit', (code, signal) => l(code, signal)),
    kill: () => void child.kill('SIGKILL'),
  };
};

let launcher: WorkerLauncher = childProcessLauncher;

/** The Electron shell swaps in a utilityProcess launcher; everything else uses child processes. */
export function setWorkerLauncher(next: WorkerLauncher): void {
  launcher = next;
}

/** Starts a worker process by entry name. */
export function forkWorker(name: WorkerName, env?: Record<string, string>): WorkerHandle {
  return launcher(name, env);
}

/** How often a worker checks that its parent is still alive (ms); the IPC channel's 'disconnect' is usually first. */
const PARENT_CHECK_MS = 1000;

/**
 * For a worker's entry point: its parent owns its lifetime. It exits as soon as the parent is gone, SIGKILL included:
 * the IPC channel closes ('disconnect'), or it finds itself re-parented (an Electron utility process has no channel to
 * close). Under child_process a stop signal sent to the whole process group (Ctrl-C in a terminal, `timeout`, a service
 * manager) does not kill it: the parent turns that signal into a cancel, and onStop, when given, cancels here too.
 */
export function exitWithParent(onStop: () => void = () => {}): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, PARENT_CHECK_MS).unref();
  // No process.send: an Electron utility process, whose kill() is a SIGTERM that must keep working.
  if (!process.send) return;
  if (!process.connected) process.exit(0);
  process.on('disconnect', () => process.exit(0));
  for (const s of STOP_SIGNALS) process.on(s, onStop);
}
