import { resample } from '../../../src-shared/audio/resample';
import type { CaptureEvent } from './captureMessages';
import { describeExit, spawnCapture, type CaptureChild, type SpawnCaptureOptions } from './captureProcess';
import { NoInputDeviceError, type DeviceChoice } from './devices';
import { measureLevel } from '../../../src-shared/audio/levels';
import type { RecorderLevel } from '../../../src-shared/api/contract';
import { CaptureUnavailableError } from './portaudio';

/** Seconds of audio per chunk from the device: the level meter updates this often. */
const CHUNK_SECONDS = 0.05;
const DEFAULT_STALL_MS = 3000;
const START_TIMEOUT_MS = 20_000;

/** The device a capture stream actually opened. */
export interface CaptureInfo {
  deviceId: number;
  deviceName: string;
  /** Hz, as captured (the device's rate unless one was asked for). */
  sampleRate: number;
  /** Channels opened on the device (downmixed to mono here). */
  channels: number;
  /** The capture process. */
  pid: number | undefined;
}

/** One level-meter update: the level of the latest chunk and its extremes (one waveform column); the API sends it as is. */
export type LevelReading = RecorderLevel;

export interface CaptureOptions extends DeviceChoice, SpawnCaptureOptions {
  /** PortAudio device id (same as `device: id`). */
  deviceId?: number;
  /** Hz asked of the device; omitted = its default rate. */
  captureRate?: number;
  /** The device stops after this many seconds; omitted = until stop(). */
  maxSeconds?: number;
  onLevel?: (reading: LevelReading) => void;
  /** Called once the device is open and audio flows. */
  onStart?: (info: CaptureInfo) => void;
  /** Aborting stops the capture; what was captured is kept. */
  signal?: AbortSignal;
  /** No audio for this long (ms) counts as the device being lost. */
  stallTimeoutMs?: number;
}

/** How a capture ended: `lost` = the device or its process failed; what came before is kept. */
export interface CaptureEnd {
  reason: 'complete' | 'stopped' | 'lost';
  /** Mono frames delivered. */
  frames: number;
  detail?: string;
}

/** A running capture: mono float chunks at info.sampleRate, until the limit, stop() or a failure. */
export interface CaptureStream {
  info: CaptureInfo;
  chunks: AsyncIterable<Float32Array>;
  stop(): void;
  ended: Promise<CaptureEnd>;
}

/** Interleaved 16-bit PCM bytes to mono float (mean of channels, int/32768 like the WAV reader). */
export function pcm16ToMono(bytes: Uint8Array, channels: number): Float32Array {
  const frames = Math.floor(bytes.length / (2 * channels));
  const src =
    bytes.byteOffset % 2 === 0
      ? new Int16Array(bytes.buffer, bytes.byteOffset, frames * channels)
      : new Int16Array(bytes.slice(0, frames * channels * 2).buffer);
  const out = new Float32Array(frames);
  if (channels === 1) {
    for (let i = 0; i < frames; i++) out[i] = src[i] / 32768;
    return out;
  }
  for (let i = 0, k = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += src[k++];
    out[i] = sum / channels / 32768;
  }
  return out;
}

/** Single-consumer async queue of chunks that can be ended. */
class ChunkQueue implements AsyncIterable<Float32Array> {
  private items: Float32Array[] = [];
  private waiting: ((r: IteratorResult<Float32Array>) => void) | null = null;
  private closed = false;

  push(chunk: Float32Array): void {
    if (this.closed) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w({ value: chunk, done: false });
    } else this.items.push(chunk);
  }

  close(): void {
    this.closed = true;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Float32Array> {
    return {
      next: () => {
        const item = this.items.shift();
        if (item) return Promise.resolve({ value: item, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiting = resolve));
      },
    };
  }
}

function startError(event: Extract<CaptureEvent, { type: 'error' }>): Error {
  if (event.kind === 'no-device') return new NoInputDeviceError(event.message);
  if (event.kind === 'unavailable') return new CaptureUnavailableError(event.message, event.message);
  return new Error(event.message);
}

/** Opens an input device in a capture process; resolves once audio is flowing, rejects with a readable error otherwise. */
export function openCapture(opts: CaptureOptions = {}): Promise<CaptureStream> {
  const device = opts.device ?? opts.deviceId;
  let child: CaptureChild;
  try {
    child = spawnCapture(
      { cmd: 'record', device, preferred: opts.preferred, sampleRate: opts.captureRate, seconds: opts.maxSeconds, chunkSeconds: CHUNK_SECONDS },
      { env: opts.env },
    );
  } catch (err) {
    return Promise.reject(err);
  }
  const stallMs = opts.stallTimeoutMs ?? DEFAULT_STALL_MS;
  const queue = new ChunkQueue();
  let info: CaptureInfo | undefined;
  let frames = 0;
  let stopping = false;
  let end: CaptureEnd | undefined;
  let resolveEnded!: (e: CaptureEnd) => void;
  const ended = new Promise<CaptureEnd>((r) => (resolveEnded = r));
  let lastDataAt = Date.now();
  let lastTickAt = Date.now();
  let watchdog: NodeJS.Timeout | undefined;
  let killTimer: NodeJS.Timeout | undefined;

  const finish = (e: Omit<CaptureEnd, 'frames'>) => {
    if (end) return;
    end = { ...e, frames };
    clearInterval(watchdog);
    opts.signal?.removeEventListener('abort', stop);
    queue.close();
    resolveEnded(end);
    // The child exits by itself after 'end'; make sure it does not linger otherwise.
    killTimer = setTimeout(() => child.kill(), e.reason === 'lost' ? 0 : 2000);
    killTimer.unref();
  };
  const stop = () => {
    if (end || stopping) return;
    stopping = true;
    child.send({ type: 'stop' });
    // A child stuck in native code never answers; do not wait on it forever.
    setTimeout(() => finish({ reason: 'stopped' }), 2000).unref();
  };

  return new Promise<CaptureStream>((resolve, reject) => {
    const startTimer = setTimeout(() => {
      if (info) return;
      child.kill();
      reject(new Error(`the audio device did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);

    child.onEvent((event) => {
      switch (event.type) {
        case 'started': {
          clearTimeout(startTimer);
          info = { deviceId: event.deviceId, deviceName: event.deviceName, sampleRate: event.sampleRate, channels: event.channels, pid: child.pid };
          lastDataAt = lastTickAt = Date.now();
          watchdog = setInterval(
            () => {
              const now = Date.now();
              // A late tick means our own event loop was busy: data may be queued unread, so it is no evidence of a stall.
              if (now - lastTickAt > 1000) lastDataAt = now;
              lastTickAt = now;
              if (!stopping && now - lastDataAt > stallMs) {
                finish({
                  reason: 'lost',
                  detail: `no audio from "${info?.deviceName}" for ${(stallMs / 1000).toFixed(1)} s (device unplugged or stopped?)`,
                });
              }
            },
            Math.min(250, stallMs / 4),
          );
          watchdog.unref();
          if (opts.signal?.aborted) stop();
          else opts.signal?.addEventListener('abort', stop, { once: true });
          opts.onStart?.(info);
          resolve({ info, chunks: queue, stop, ended });
          break;
        }
        case 'data': {
          if (!info || end) return;
          lastDataAt = Date.now();
          const mono = pcm16ToMono(event.pcm, info.channels);
          if (mono.length === 0) return;
          frames += mono.length;
          queue.push(mono);
          if (opts.onLevel) {
            const level = measureLevel(mono);
            let min = Infinity;
            let max = -Infinity;
            for (const v of mono) {
              if (v < min) min = v;
              if (v > max) max = v;
            }
            opts.onLevel({ ...level, seconds: frames / info.sampleRate, min, max });
          }
          break;
        }
        case 'end':
          finish({ reason: stopping ? 'stopped' : 'complete' });
          break;
        case 'error':
          if (!info) {
            clearTimeout(startTimer);
            reject(startError(event));
          } else finish({ reason: 'lost', detail: event.message });
          break;
      }
    });
    child.onExit((code, signal, detail) => {
      clearTimeout(startTimer);
      clearTimeout(killTimer);
      if (!info) reject(new Error(`could not start audio capture: ${describeExit(code, signal, detail)}`));
      else finish({ reason: 'lost', detail: `${describeExit(code, signal, detail)} while recording from "${info.deviceName}"` });
    });
  });
}

export interface RecordOptions extends Omit<CaptureOptions, 'maxSeconds'> {
  /** Seconds to record. */
  seconds: number;
  /** Hz of the returned samples (e.g. the model's); omitted = the capture rate. */
  sampleRate?: number;
}

export interface Recording {
  /** Mono, -1..1, at sampleRate. */
  samples: Float32Array;
  /** Hz */
  sampleRate: number;
  /** Hz the device delivered before resampling. */
  captureRate: number;
  deviceName: string;
  /** True when the recording is shorter than asked (device lost, or stopped early). */
  truncated?: boolean;
  reason?: string;
}

/** Records `seconds` of mono audio; a device lost mid-way returns what was captured with truncated: true. */
export async function record(opts: RecordOptions): Promise<Recording> {
  if (!(opts.seconds > 0)) throw new RangeError(`record: seconds must be > 0 (got ${opts.seconds})`);
  const stream = await openCapture({ ...opts, maxSeconds: opts.seconds });
  const { sampleRate: captureRate, deviceName } = stream.info;
  const wanted = Math.round(opts.seconds * captureRate);
  const buffer = new Float32Array(wanted);
  let n = 0;
  for await (const chunk of stream.chunks) {
    const take = Math.min(chunk.length, wanted - n);
    buffer.set(take === chunk.length ? chunk : chunk.subarray(0, take), n);
    n += take;
    if (n >= wanted) stream.stop();
  }
  const end = await stream.ended;
  const truncated = n < wanted;
  const reason = !truncated
    ? undefined
    : end.reason === 'stopped'
      ? `stopped after ${(n / captureRate).toFixed(2)} s of ${opts.seconds} s`
      : `${end.detail ?? 'the device stopped'}; kept the first ${(n / captureRate).toFixed(2)} s of ${opts.seconds} s`;
  if (n === 0) throw new Error(`nothing was recorded from "${deviceName}": ${end.detail ?? end.reason}`);
  const captured = buffer.subarray(0, n);
  const sampleRate = opts.sampleRate ?? captureRate;
  const samples = sampleRate === captureRate ? captured.slice() : resample(captured, captureRate, sampleRate);
  return { samples, sampleRate, captureRate, deviceName, ...(truncated ? { truncated, reason } : {}) };
}
