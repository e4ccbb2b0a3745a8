import { measureLevel } from '../audio/levels';
import { StreamResampler } from '../audio/streamResampler';

// Live mode: classify the latest `inputSeconds` of audio every `hop` seconds and smooth the
// probabilities over time, so the label does not flicker between neighbouring windows.

/** Seconds between live decisions by default: `ser record --live` and the workbench's live mode both use it. */
export const LIVE_HOP_SECONDS = 0.5;
/**
 * Live window for models that take utterances of any length (functionals, prosody) and so have no input length of
 * their own: about one RAVDESS sentence. The core's classifier and the renderer's live mode both use it.
 */
export const UTTERANCE_WINDOW_SECONDS = 3;

/** The live window of a model from its feature length: a fixed input length, else UTTERANCE_WINDOW_SECONDS. */
export function liveWindowSeconds(length: { mode?: string; seconds?: number } | undefined): number {
  return length?.mode === 'fixed' && typeof length.seconds === 'number' ? length.seconds : UTTERANCE_WINDOW_SECONDS;
}
/** Default time constant (s) of the exponential probability smoothing, shared like the hop so both show the same numbers. */
export const LIVE_SMOOTHING_SECONDS = 1;

/** A label and a probability per label (summing to 1). */
export interface Classification {
  label: string;
  probabilities: Record<string, number>;
}

/** What live mode needs from a model (see classifier.ts for a saved model's adapter). */
export interface WindowClassifier {
  /** Seconds of audio per decision (the model's input length). */
  inputSeconds: number;
  /** Hz the classifier expects; the stream is resampled to it before windowing. */
  sampleRate: number;
  classify(samples: Float32Array, sampleRate: number): Promise<Classification> | Classification;
}

/** Mono audio arriving in chunks (a capture stream, or a file for tests and benches). */
export interface AudioSource {
  /** Hz */
  sampleRate: number;
  chunks: AsyncIterable<Float32Array>;
}

/** One full window, copied out of the stream. */
export interface WindowSpan {
  index: number;
  /** Sample index (from the stream start) one past the window's last sample. */
  end: number;
  samples: Float32Array;
}

/** Cuts a stream into windows of `length` samples every `hop` samples; the first ends at sample `length`. */
export class SlidingWindow {
  private readonly ring: Float32Array;
  private write = 0;
  private total = 0;
  private nextEnd: number;
  private index = 0;

  constructor(
    readonly length: number,
    readonly hop: number,
  ) {
    if (!Number.isInteger(length) || length <= 0) throw new RangeError(`SlidingWindow: length must be a positive number of samples (got ${length})`);
    if (!Number.isInteger(hop) || hop <= 0) throw new RangeError(`SlidingWindow: hop must be a positive number of samples (got ${hop})`);
    this.ring = new Float32Array(length);
    this.nextEnd = length;
  }

  /** Samples pushed so far. */
  get received(): number {
    return this.total;
  }

  /** Appends a chunk; returns the windows it completed, oldest first. */
  push(chunk: Float32Array): WindowSpan[] {
    const out: WindowSpan[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(chunk.length - offset, this.nextEnd - this.total);
      this.append(chunk.subarray(offset, offset + take));
      offset += take;
      if (this.total === this.nextEnd) {
        out.push({ index: this.index++, end: this.total, samples: this.snapshot() });
        this.nextEnd += this.hop;
      }
    }
    return out;
  }

  private append(part: Float32Array): void {
    const n = this.ring.length;
    // Only the last n samples of a long part can survive in the ring.
    const src = part.length > n ? part.subarray(part.length - n) : part;
    const first = Math.min(src.length, n - this.write);
    this.ring.set(src.subarray(0, first), this.write);
    this.ring.set(src.subarray(first), 0);
    this.write = (this.write + src.length) % n;
    this.total += part.length;
  }

  /** The ring in time order (the oldest sample sits at the write position once full). */
  private snapshot(): Float32Array {
    const out = new Float32Array(this.ring.length);
    out.set(this.ring.subarray(this.write));
    out.set(this.ring.subarray(0, this.write), this.ring.length - this.write);
    return out;
  }
}

/** Exponential-smoothing weight of the newest window for a time constant of `tau` s at `hop` s per window. */
export function smoothingAlpha(hop: number, tau: number): number {
  return tau <= 0 ? 1 : 1 - Math.exp(-hop / tau);
}

/** prev·(1−alpha) + next·alpha per label (labels missing on one side count as 0); prev null = next. */
export function smoothProbabilities(prev: Record<string, number> | null, next: Record<string, number>, alpha: number): Record<string, number> {
  if (!prev) return { ...next };
  const out: Record<string, number> = {};
  for (const k of new Set([...Object.keys(prev), ...Object.keys(next)])) out[k] = (prev[k] ?? 0) * (1 - alpha) + (next[k] ?? 0) * alpha;
  return out;
}

/** The label with the highest probability (first in key order on ties). */
export function argmaxLabel(probabilities: Record<string, number>): string {
  let best = '';
  let bestP = -Infinity;
  for (const [k, p] of Object.entries(probabilities)) {
    if (p > bestP) {
      best = k;
      bestP = p;
    }
  }
  return best;
}

/** One live decision. */
export interface LiveWindow {
  index: number;
  /** Seconds from the stream start. */
  start: number;
  end: number;
  label: string;
  probabilities: Record<string, number>;
  smoothed: Record<string, number>;
  smoothedLabel: string;
  /** dBFS of the window (low values: silence, the label means little). */
  rmsDb: number;
  /** Milliseconds the classifier took for this window. */
  latencyMs: number;
}

export interface LiveSummary {
  windows: number;
  /** Windows dropped because classification fell behind a real-time source. */
  skipped: number;
  /** Seconds of audio consumed. */
  audioSeconds: number;
  /** Wall-clock seconds from start to end. */
  wallSeconds: number;
  /** Processing time (resampling + classifying) / audio time: below 1 keeps up with real time. */
  realTimeFactor: number;
  meanLatencyMs: number;
  maxLatencyMs: number;
}

export interface LiveOptions {
  classifier: WindowClassifier;
  source: AudioSource;
  /** Seconds between decisions (default LIVE_HOP_SECONDS, 0.5). */
  hop?: number;
  /** Time constant of the probability smoothing in seconds (default LIVE_SMOOTHING_SECONDS, 1; 0 = none). */
  smoothingSeconds?: number;
  onWindow?: (window: LiveWindow) => void;
  signal?: AbortSignal;
  /**
   * Drop a window whose end is more than one hop behind the wall clock (default true), so a slow
   * classifier shows the present rather than an ever-growing backlog. Sources faster than real
   * time (files) are never behind, so nothing is dropped for them.
   */
  skipLate?: boolean;
}

/** Classifies a stream on a sliding window until the source ends or `signal` aborts. */
export async function liveClassify(opts: LiveOptions): Promise<LiveSummary> {
  const { classifier, source } = opts;
  const hop = opts.hop ?? LIVE_HOP_SECONDS;
  if (!(hop > 0)) throw new RangeError(`liveClassify: hop must be > 0 s (got ${hop})`);
  if (!(classifier.inputSeconds > 0)) throw new RangeError(`liveClassify: the model's input length must be > 0 s (got ${classifier.inputSeconds})`);
  // Resample the stream once, then cut windows at the model's rate: each window is then exactly a
  // slice of the whole recording resampled, with no edge effects at window boundaries.
  const rate = classifier.sampleRate;
  const resampler = source.sampleRate === rate ? null : new StreamResampler(source.sampleRate, rate);
  const window = new SlidingWindow(Math.round(classifier.inputSeconds * rate), Math.max(1, Math.round(hop * rate)));
  const alpha = smoothingAlpha(hop, opts.smoothingSeconds ?? LIVE_SMOOTHING_SECONDS);
  const skipLate = opts.skipLate ?? true;

  const startedAt = performance.now();
  let streamT0: number | undefined; // wall time (ms) of sample 0, from the first chunk
  let smoothed: Record<string, number> | null = null;
  let windows = 0;
  let skipped = 0;
  let busyMs = 0;
  let classifyMs = 0;
  let maxLatencyMs = 0;

  const consume = async (samples: Float32Array): Promise<void> => {
    for (const span of window.push(samples)) {
      if (opts.signal?.aborted) return;
      const endMs = (span.end / rate) * 1000;
      if (skipLate && streamT0 !== undefined && performance.now() - (streamT0 + endMs) > hop * 1000) {
        skipped++;
        continue;
      }
      const t = performance.now();
      const result = await classifier.classify(span.samples, rate);
      const latencyMs = performance.now() - t;
      busyMs += latencyMs;
      classifyMs += latencyMs;
      maxLatencyMs = Math.max(maxLatencyMs, latencyMs);
      smoothed = smoothProbabilities(smoothed, result.probabilities, alpha);
      windows++;
      opts.onWindow?.({
        index: span.index,
        start: (span.end - window.length) / rate,
        end: span.end / rate,
        label: result.label,
        probabilities: result.probabilities,
        smoothed,
        smoothedLabel: argmaxLabel(smoothed),
        rmsDb: measureLevel(span.samples).rmsDb,
        latencyMs,
      });
    }
  };

  let inputSamples = 0;
  for await (const chunk of source.chunks) {
    if (opts.signal?.aborted) break;
    if (streamT0 === undefined) streamT0 = performance.now() - (chunk.length / source.sampleRate) * 1000;
    inputSamples += chunk.length;
    const t = performance.now();
    const samples = resampler ? resampler.push(chunk) : chunk;
    busyMs += performance.now() - t;
    await consume(samples);
  }
  if (resampler && !opts.signal?.aborted) await consume(resampler.flush());
  const audioSeconds = inputSamples / source.sampleRate;
  return {
    windows,
    skipped,
    audioSeconds,
    wallSeconds: (performance.now() - startedAt) / 1000,
    realTimeFactor: audioSeconds > 0 ? busyMs / 1000 / audioSeconds : 0,
    meanLatencyMs: windows ? classifyMs / windows : 0,
    maxLatencyMs,
  };
}

/** A source over samples already in memory, in chunks of `chunkSeconds` (as fast as it is read). */
export function arraySource(samples: Float32Array, sampleRate: number, chunkSeconds = 0.05): AudioSource {
  const step = Math.max(1, Math.round(chunkSeconds * sampleRate));
  return {
    sampleRate,
    chunks: (async function* () {
      for (let i = 0; i < samples.length; i += step) yield samples.subarray(i, i + step);
    })(),
  };
}
