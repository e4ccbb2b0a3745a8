import type { LengthSpec } from './config';

/** Samples trimmed or zero-padded at the end to exactly n (the seeds' 3 s inputs). */
export function fixLength(x: Float32Array, n: number): Float32Array {
  if (x.length === n) return x;
  if (x.length > n) return x.subarray(0, n);
  const out = new Float32Array(n);
  out.set(x);
  return out;
}

/** Applies a length spec at a sample rate (Hz): fixed -> exactly round(seconds * sr) samples; variable -> at most maxSeconds. */
export function applyLength(x: Float32Array, sampleRate: number, spec: LengthSpec): Float32Array {
  if (spec.mode === 'fixed') return fixLength(x, Math.round(spec.seconds * sampleRate));
  const max = Math.round(spec.maxSeconds * sampleRate);
  return x.length > max ? x.subarray(0, max) : x;
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
