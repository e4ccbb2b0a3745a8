import { constants } from 'node:os';

/**
 * The signals that ask a process to stop, all handled the way Ctrl-C is: SIGINT (Ctrl-C), SIGTERM (`kill <pid>`,
 * `timeout`, service managers) and SIGHUP (the terminal closed).
 */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

let received: StopSignal | undefined;

/** The exit status a shell shows for a process stopped by `signal`: 128 + its number (130, 143, 129). */
export function stopExitStatus(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}

/** The first stop signal that reached a handler in this process, if any. */
export function receivedStopSignal(): StopSignal | undefined {
  return received;
}

/** A stop signal as a user names it: "Ctrl-C" for SIGINT, else the signal's name. */
export function describeStopSignal(signal: StopSignal): string {
  return signal === 'SIGINT' ? 'Ctrl-C' : signal;
}

/**
 * Stops gracefully instead of dying on a stop signal: the first one calls onStop (cancel the work in hand, keep what is
 * done); a second one, the user insisting, exits at once with 128 + its number. Returns release(), which gives the
 * signals back their default action (exit) once the work is over. With `endsWork`, the signal is the user's way of
 * finishing (a recording stopped early keeps its audio), so it does not make the exit status 128 + its number.
 */
export function onStopSignals(onStop: (signal: StopSignal) => void, opts: { endsWork?: boolean } = {}): () => void {
  let stopping = false;
  const listener = (signal: StopSignal) => {
    if (!opts.endsWork) received ??= signal;
    if (stopping) process.exit(stopExitStatus(signal));
    stopping = true;
    onStop(signal);
  };
  for (const s of STOP_SIGNALS) process.on(s, listener);
  return () => {
    for (const s of STOP_SIGNALS) process.off(s, listener);
  };
}
