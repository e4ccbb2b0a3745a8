import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../projectRoot';
import { CaptureEventSchema, type CaptureCommand, type CaptureControl, type CaptureEvent } from './captureMessages';

// PortAudio runs in a child process of its own, for three reasons: naudiodon printf()s to
// stdout (which would corrupt `--json` output), PortAudio reads the ALSA configuration once
// per process (so a test device is chosen by the child's environment), and a native crash
// when a device vanishes must cost the recording, not the app.

const require = createRequire(import.meta.url);
const STDERR_TAIL_LINES = 12;

/** A running capture process. */
export interface CaptureChild {
  readonly pid: number | undefined;
  onEvent(listener: (event: CaptureEvent) => void): void;
  /** Called once; `detail` is the tail of its stderr (ALSA/PortAudio diagnostics). */
  onExit(listener: (code: number | null, signal: string | null, detail: string) => void): void;
  send(message: CaptureControl): void;
  kill(): void;
}

export interface SpawnCaptureOptions {
  /** Extra environment for the child (e.g. ALSA_CONFIG_PATH for a file-backed device). */
  env?: Record<string, string | undefined>;
}

/**
 * The Node that runs the capture process. npm builds naudiodon for the system Node's ABI, which
 * Electron's embedded Node cannot load, so inside Electron the system `node` (or SER_NODE_BINARY)
 * runs it; elsewhere the current Node does.
 */
function nodeBinary(): string {
  if (process.env.SER_NODE_BINARY) return process.env.SER_NODE_BINARY;
  return process.versions.electron ? 'node' : process.execPath;
}

/** Starts the capture process for one command; messages that fail validation end it. */
export function spawnCapture(command: CaptureCommand, opts: SpawnCaptureOptions = {}): CaptureChild {
  // From the project folder, not from this module's: inside the Electron bundle this module lives in out/main.
  const child = fork(join(projectRoot(), 'src-main', 'core', 'recorder', 'captureChild.ts'), [JSON.stringify(command)], {
    execPath: nodeBinary(),
    execArgv: ['--import', require.resolve('tsx')],
    env: { ...process.env, ...opts.env },
    // naudiodon's segfault handler writes crash.log into the working directory.
    cwd: tmpdir(),
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced', // PCM crosses as bytes, not as JSON number lists
  });
  const stderrLines: string[] = [];
  let partial = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) stderrLines.push(line.trim());
    if (stderrLines.length > STDERR_TAIL_LINES) stderrLines.splice(0, stderrLines.length - STDERR_TAIL_LINES);
  });
  const eventListeners: ((event: CaptureEvent) => void)[] = [];
  child.on('message', (raw) => {
    const parsed = CaptureEventSchema.safeParse(raw);
    const event: CaptureEvent = parsed.success
      ? parsed.data
      : { type: 'error', kind: 'stream', message: `capture process sent a malformed message: ${parsed.error.issues[0]?.message ?? 'unknown'}` };
    for (const l of eventListeners) l(event);
    if (!parsed.success) child.kill('SIGKILL');
  });
  // An 'error' event (spawn failure) is followed by 'exit' or nothing; report it as an exit.
  let exited = false;
  const exitListeners: ((code: number | null, signal: string | null, detail: string) => void)[] = [];
  const finish = (code: number | null, signal: string | null, extra?: string) => {
    if (exited) return;
    exited = true;
    const detail = [...stderrLines, partial.trim(), extra ?? ''].filter(Boolean).join('\n');
    for (const l of exitListeners) l(code, signal, detail);
  };
  child.on('error', (err) => finish(null, null, `could not start the capture process: ${err.message}`));
  // 'close' comes after the exit *and* after the IPC and stderr pipes are drained, so the last
  // messages (a final chunk, 'end') are never overtaken by the exit report.
  child.on('close', (code, signal) => finish(code, signal));
  return {
    pid: child.pid,
    onEvent: (l) => void eventListeners.push(l),
    onExit: (l) => void exitListeners.push(l),
    send: (m) => {
      if (child.connected) child.send(m);
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

// ALSA's complaints about absent sound cards, and Node's version footer after an uncaught error.
const NOISE = /^(ALSA lib .*(cannot find card|Unknown PCM|returned error|error evaluating|Evaluate error)|Node\.js v\d)/;

/** A short human description of how a capture process ended. */
export function describeExit(code: number | null, signal: string | null, detail: string): string {
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  const lines = detail.split('\n').filter((l) => !NOISE.test(l));
  const lastLine = [...lines].reverse().find((l) => /error/i.test(l)) ?? lines.pop();
  return `the capture process ${how}${lastLine ? ` (${lastLine})` : ''}`;
}
