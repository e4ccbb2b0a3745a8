// Level meter and waveform overview for a recording in progress. Pure functions over float
// samples in -1..1 (full scale = 1.0).

/** Floor of the dB scale: digital silence reads this instead of -Infinity. */
export const SILENCE_DB = -120;
/** |sample| at or above this counts as clipping (one 16-bit step below full scale). */
export const CLIP_THRESHOLD = 32767 / 32768;

export interface Level {
  /** Root mean square, linear 0..1 */
  rms: number;
  /** Largest |sample|, linear 0..1 */
  peak: number;
  /** dBFS, >= SILENCE_DB */
  rmsDb: number;
  /** dBFS, >= SILENCE_DB */
  peakDb: number;
  clipped: boolean;
}

/** Linear amplitude to dBFS (20·log10), floored at SILENCE_DB. */
export function toDbfs(amplitude: number): number {
  return amplitude > 0 ? Math.max(SILENCE_DB, 20 * Math.log10(amplitude)) : SILENCE_DB;
}

/** RMS and peak of samples[start, end). */
export function measureLevel(samples: Float32Array, start = 0, end = samples.length): Level {
  let sumSq = 0;
  let peak = 0;
  for (let i = start; i < end; i++) {
    const v = samples[i];
    sumSq += v * v;
    const a = v < 0 ? -v : v;
    if (a > peak) peak = a;
  }
  const n = end - start;
  const rms = n > 0 ? Math.sqrt(sumSq / n) : 0;
  return { rms, peak, rmsDb: toDbfs(rms), peakDb: toDbfs(peak), clipped: peak >= CLIP_THRESHOLD };
}

/** Min/max envelope of a signal in `buckets` equal spans: what a waveform view draws. */
export interface WaveformOverview {
  min: Float32Array;
  max: Float32Array;
}

/** Decimates samples to `buckets` min/max pairs (fewer when there are fewer samples than buckets). */
export function decimateWaveform(samples: Float32Array, buckets: number): WaveformOverview {
  if (!Number.isInteger(buckets) || buckets <= 0) throw new RangeError(`decimateWaveform: buckets must be a positive integer (got ${buckets})`);
  const n = Math.min(buckets, samples.length);
  const min = new Float32Array(n);
  const max = new Float32Array(n);
  for (let b = 0; b < n; b++) {
    // Integer bucket edges so every sample lands in exactly one bucket.
    const start = Math.floor((b * samples.length) / n);
    const end = Math.floor(((b + 1) * samples.length) / n);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = start; i < end; i++) {
      const v = samples[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    min[b] = lo;
    max[b] = hi;
  }
  return { min, max };
}
