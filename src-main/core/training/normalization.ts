/**
 * Mean/std per row of [rows, cols] features (bands for spectrograms, dimensions for vectors).
 * 'utterance' is cepstral-style mean/variance normalisation of each band within each utterance:
 * it keeps no statistics and removes the speaker's and channel's fixed spectral tilt.
 */
export interface NormalizationStats {
  mode: 'per-band' | 'global' | 'utterance' | 'none';
  mean: number[];
  std: number[];
}

/**
 * Statistics over every column of every training example (so per-band for spectrograms),
 * computed on the training split only: val/test statistics would leak into training.
 */
export function fitNormalization(items: Float32Array[], rows: number, mode: NormalizationStats['mode']): NormalizationStats {
  if (mode === 'none' || mode === 'utterance' || items.length === 0) {
    return { mode: items.length === 0 ? 'none' : mode, mean: new Array(rows).fill(0), std: new Array(rows).fill(1) };
  }
  const sum = new Float64Array(rows);
  const sq = new Float64Array(rows);
  let cols = 0;
  for (const x of items) {
    const c = x.length / rows;
    cols += c;
    for (let r = 0; r < rows; r++) {
      let s = 0;
      let q = 0;
      for (let j = r * c; j < (r + 1) * c; j++) {
        s += x[j];
        q += x[j] * x[j];
      }
      sum[r] += s;
      sq[r] += q;
    }
  }
  if (mode === 'global') {
    const n = cols * rows;
    const m = sum.reduce((a, b) => a + b, 0) / n;
    const v = sq.reduce((a, b) => a + b, 0) / n - m * m;
    const s = Math.sqrt(Math.max(v, 0)) || 1;
    return { mode, mean: new Array(rows).fill(m), std: new Array(rows).fill(s) };
  }
  const mean: number[] = [];
  const std: number[] = [];
  for (let r = 0; r < rows; r++) {
    const m = sum[r] / cols;
    const v = sq[r] / cols - m * m;
    mean.push(m);
    // A constant band (e.g. silent padding) would divide by 0; leave its scale alone.
    std.push(v > 1e-12 ? Math.sqrt(v) : 1);
  }
  return { mode, mean, std };
}

/** (x - mean) / std per row (per-utterance statistics in 'utterance' mode); returns a new array. */
export function applyNormalization(x: Float32Array, stats: NormalizationStats): Float32Array {
  const rows = stats.mean.length;
  const cols = x.length / rows;
  const y = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    let m = stats.mean[r];
    let inv = 1 / stats.std[r];
    if (stats.mode === 'utterance') {
      let s = 0;
      let q = 0;
      for (let j = r * cols; j < (r + 1) * cols; j++) {
        s += x[j];
        q += x[j] * x[j];
      }
      m = s / cols;
      const v = q / cols - m * m;
      inv = v > 1e-12 ? 1 / Math.sqrt(v) : 1;
    }
    for (let j = r * cols; j < (r + 1) * cols; j++) y[j] = (x[j] - m) * inv;
  }
  return y;
}

/** Crops or pads a [rows, cols] matrix to `frames` columns; padding uses its minimum (the silence floor of log features). */
export function fitFrames(x: Float32Array, rows: number, frames: number): Float32Array {
  const cols = x.length / rows;
  if (cols === frames) return x;
  let min = Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] < min) min = x[i];
  const y = new Float32Array(rows * frames).fill(Number.isFinite(min) ? min : 0);
  const n = Math.min(cols, frames);
  for (let r = 0; r < rows; r++) y.set(x.subarray(r * cols, r * cols + n), r * frames);
  return y;
}
