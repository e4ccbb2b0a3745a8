import { inputSamplesFor } from '../../../src-shared/audio/resample';
import type { FeatureConfig, LengthSpec } from '../../../src-shared/config/features';

/** Samples trimmed or zero-padded at the end to exactly n (the seeds' 3 s inputs). */
export function fixLength(x: Float32Array, n: number): Float32Array {
  if (x.length === n) return x;
  if (x.length > n) return x.subarray(0, n);
  const out = new Float32Array(n);
  out.set(x);
  return out;
}

/**
 * librosa.effects.trim(y, top_db, ref=np.max, frame_length=2048, hop_length=512): the span from the first to the last
 * frame whose centred, zero-padded RMS is within topDb of the loudest frame. Returns [start, end) in samples.
 */
export function trimBounds(x: Float32Array, topDb: number, frameLength = 2048, hop = 512): [number, number] {
  if (x.length === 0) return [0, 0];
  // Prefix sums of squares in float64: each frame's mean square is one subtraction.
  const prefix = new Float64Array(x.length + 1);
  for (let i = 0; i < x.length; i++) prefix[i + 1] = prefix[i] + x[i] * x[i];
  const frames = 1 + Math.floor(x.length / hop);
  const half = Math.floor(frameLength / 2);
  const power = new Float64Array(frames);
  let peak = 0;
  for (let t = 0; t < frames; t++) {
    const lo = Math.max(0, t * hop - half);
    const hi = Math.min(x.length, t * hop - half + frameLength);
    power[t] = hi > lo ? (prefix[hi] - prefix[lo]) / frameLength : 0;
    if (power[t] > peak) peak = power[t];
  }
  // power_to_db with amin 1e-10, relative to the loudest frame.
  const amin = 1e-10;
  const refDb = 10 * Math.log10(Math.max(amin, peak));
  const loud = (t: number) => 10 * Math.log10(Math.max(amin, power[t])) - refDb > -topDb;
  let first = 0;
  while (first < frames && !loud(first)) first++;
  if (first === frames) return [0, 0];
  let last = frames - 1;
  while (!loud(last)) last--;
  return [first * hop, Math.min(x.length, (last + 1) * hop)];
}

/** Applies a length spec at a sample rate (Hz): fixed -> exactly round(seconds * sr) samples; variable -> at most maxSeconds. */
export function applyLength(x: Float32Array, sampleRate: number, spec: LengthSpec): Float32Array {
  if (spec.mode === 'fixed') return fixLength(x, Math.round(spec.seconds * sampleRate));
  const max = Math.round(spec.maxSeconds * sampleRate);
  return x.length > max ? x.subarray(0, max) : x;
}

/**
 * Samples at config.sampleRate that a config's features read from the start of a file (the fixed window, or
 * maxSeconds), so a decoder can stop there; null when trimming is on, since its threshold is relative to the
 * loudest frame of the whole file.
 */
export function samplesUsed(c: FeatureConfig): number | null {
  if (c.trim) return null;
  return Math.round((c.length.mode === 'fixed' ? c.length.seconds : c.length.maxSeconds) * c.sampleRate);
}

/**
 * samplesUsed for audio at `rate` Hz that feeds several configs, each resampling it to its own rate (a model's
 * features and aux features): the most any of them reads, or null when one reads everything.
 */
export function samplesUsedAt(rate: number, configs: FeatureConfig[]): number | null {
  let most = 0;
  for (const c of configs) {
    const n = samplesUsed(c);
    if (n === null) return null;
    most = Math.max(most, inputSamplesFor(n, rate, c.sampleRate));
  }
  return most;
}

/** Variable-length [dims x frames] matrices padded with zeros to a common frame count, with a 1/0 validity mask per frame. */
export interface PaddedBatch {
  dims: number;
  frames: number;
  /** [items x dims x frames] row-major */
  data: Float32Array;
  /** [items x frames]: 1 where the frame is real, 0 where it is padding */
  mask: Uint8Array;
}

/** Pads (or trims) each [dims x frames_i] matrix to maxFrames (default: the longest) and returns the batch with its mask. */
export function padBatch(items: { shape: [number, number]; data: Float32Array }[], maxFrames?: number): PaddedBatch {
  if (items.length === 0) return { dims: 0, frames: maxFrames ?? 0, data: new Float32Array(0), mask: new Uint8Array(0) };
  const dims = items[0].shape[0];
  const frames = maxFrames ?? Math.max(...items.map((m) => m.shape[1]));
  const data = new Float32Array(items.length * dims * frames);
  const mask = new Uint8Array(items.length * frames);
  items.forEach((m, i) => {
    if (m.shape[0] !== dims) throw new Error(`padBatch: item ${i} has ${m.shape[0]} rows, expected ${dims}`);
    const f = m.shape[1];
    const keep = Math.min(f, frames);
    for (let d = 0; d < dims; d++) data.set(m.data.subarray(d * f, d * f + keep), (i * dims + d) * frames);
    mask.fill(1, i * frames, i * frames + keep);
  });
  return { dims, frames, data, mask };
}
