import { randomUUID } from 'node:crypto';
import type { ApiEvent, RecorderLevel, RecorderStreamEnd } from '../../../src-shared/api/contract';
import { ApiError } from '../../../src-shared/api/errors';
import { float32ToBase64 } from '../../../src-shared/audio/pcmBase64';
import { openCapture, type CaptureInfo, type CaptureOptions, type CaptureStream } from './capture';

// Capture streams opened through the API (recorder.start): each runs until recorder.stop, its time
// limit or a failure, and its audio goes to the clients as events. Each holds a device and a
// process, so only a few may be open, and all stop when the workbench shuts down.

/** Streams open at once. */
export const MAX_OPEN_STREAMS = 2;

export interface StreamOptions extends Pick<CaptureOptions, 'device' | 'preferred' | 'captureRate' | 'env'> {
  /** The stream ends by itself (reason 'complete') after this many seconds. */
  maxSeconds: number;
}

interface OpenStream {
  stream: CaptureStream;
  startedAt: number;
  /** Settles once the stream's last chunk and its `recorder.end` were emitted. */
  done: Promise<RecorderStreamEnd>;
}

/** The open API capture streams of one workbench, sending chunks, levels and the end through `emit`. */
export class CaptureStreams {
  private readonly open = new Map<string, OpenStream>();
  /** Starts between the limit check and the device opening count against the limit too. */
  private opening = 0;

  /** `shutdown` aborting stops every stream and refuses new ones; `clients` firing 'gone' stops every stream. */
  constructor(
    private readonly emit: (event: ApiEvent) => void,
    private readonly shutdown?: AbortSignal,
    clients?: EventTarget,
  ) {
    clients?.addEventListener('gone', () => this.stopAll());
  }

  /** Opens a device; resolves with the stream's id once audio flows (its events follow, never precede, this). */
  async start(opts: StreamOptions): Promise<{ streamId: string; info: CaptureInfo }> {
    if (this.shutdown?.aborted) throw new ApiError('The workbench is shutting down; no recording can start.', 'failed');
    if (this.open.size + this.opening >= MAX_OPEN_STREAMS) throw new ApiError(this.limitMessage(), 'failed');
    const streamId = randomUUID();
    // A chunk and its reading are made together in capture.ts; they are sent together, chunk first.
    const levels: RecorderLevel[] = [];
    this.opening++;
    let stream: CaptureStream;
    try {
      stream = await openCapture({ ...opts, signal: this.shutdown, onLevel: (l) => levels.push(l) });
    } finally {
      this.opening--;
    }
    const done = this.forward(streamId, stream, levels);
    // Awaited only by recorder.stop; an end that could not be sent must not become an unhandled rejection.
    done.catch(() => {});
    this.open.set(streamId, { stream, startedAt: Date.now(), done });
    return { streamId, info: stream.info };
  }

  /** Stops a stream; resolves once its last chunk and `recorder.end` were sent. */
  stop(streamId: string): Promise<RecorderStreamEnd> {
    const entry = this.open.get(streamId);
    if (!entry) throw new ApiError(`No recording stream "${streamId}" is open: it has ended, or never existed.`, 'not_found');
    entry.stream.stop();
    return entry.done;
  }

  /** Stops every open stream (they end with reason 'stopped'). */
  stopAll(): void {
    for (const { stream } of this.open.values()) stream.stop();
  }

  private async forward(streamId: string, stream: CaptureStream, levels: RecorderLevel[]): Promise<RecorderStreamEnd> {
    // Deferred so the caller can hand the id to the client before the first chunk arrives.
    await new Promise((resolve) => setImmediate(resolve));
    let seq = 0;
    let offset = 0;
    try {
      for await (const chunk of stream.chunks) {
        this.emit({ type: 'recorder.chunk', streamId, seq: seq++, offset, samples: float32ToBase64(chunk) });
        offset += chunk.length;
        const level = levels.shift();
        if (level) this.emit({ type: 'recorder.level', streamId, ...level });
      }
    } catch {
      // Sending failed (e.g. the window is gone): nobody hears this stream, so free the device.
      stream.stop();
    }
    const { reason, frames, detail } = await stream.ended;
    this.open.delete(streamId);
    const end: RecorderStreamEnd = { reason, frames, ...(detail ? { detail } : {}) };
    this.emit({ type: 'recorder.end', streamId, ...end });
    return end;
  }

  private limitMessage(): string {
    const now = Date.now();
    const list = [...this.open].map(([id, s]) => `${id} (open ${Math.round((now - s.startedAt) / 1000)} s)`);
    return (
      `At most ${MAX_OPEN_STREAMS} recording streams may be open at once` +
      (list.length ? `; open now: ${list.join(', ')}` : '') +
      '. Stop one (recorder.stop), or wait until it reaches its time limit.'
    );
  }
}
