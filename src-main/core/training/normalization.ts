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

/** float32 machine epsilon (2^-23): the features are stored as float32. */
const FLOAT32_EPSILON = 2 ** -23;

/**
 * The std a row is divided by, from the sum of its squared deviations over n values and its largest magnitude: 1 when
 * the row is constant (silence floor, a fixed dimension), i.e. its spread is at float32 rounding level of its own
 * values; it is then only shifted to 0. The rule is relative on purpose: functionals on tiny physical scales (band
 * energies near 1e-7) vary for real, and an absolute floor scaled them in some groups but not others, which blew
 * those dimensions up by 1e7 downstream. One rule for every normalisation here.
 */
function rowStd(squaredDeviations: number, n: number, maxAbs: number): number {
  const std = Math.sqrt(squaredDeviations / n);
  return std > FLOAT32_EPSILON * maxAbs ? std : 1;
}

/**
 * Statistics over every column of every training example (so per-band for spectrograms),
 * computed on the training split only: val/test statistics would leak into training.
 * Two passes (mean, then deviations): one-pass sums of squares cancel for rows with a large mean.
 */
export function fitNormalization(items: Float32Array[], rows: number, mode: NormalizationStats['mode']): NormalizationStats {
  if (mode === 'none' || mode === 'utterance' || items.length === 0) {
    return { mode: items.length === 0 ? 'none' : mode, mean: new Array(rows).fill(0), std: new Array(rows).fill(1) };
  }
  const sum = new Float64Array(rows);
  const maxAbs = new Float64Array(rows);
  let cols = 0;
  for (const x of items) {
    const c = x.length / rows;
    cols += c;
    for (let r = 0; r < rows; r++) {
      for (let j = r * c; j < (r + 1) * c; j++) {
        sum[r] += x[j];
        maxAbs[r] = Math.max(maxAbs[r], Math.abs(x[j]));
      }
    }
  }
  const global = mode === 'global';
  const mean = global ? new Array<number>(rows).fill(sum.reduce((a, b) => a + b, 0) / (cols * rows)) : Array.from(sum, (s) => s / cols);
  const dev = new Float64Array(rows);
  for (const x of items) {
    const c = x.length / rows;
    for (let r = 0; r < rows; r++) {
      for (let j = r * c; j < (r + 1) * c; j++) dev[r] += (x[j] - mean[r]) ** 2;
    }
  }
  if (global) {
    const s = rowStd(
      dev.reduce((a, b) => a + b, 0),
      cols * rows,
      Math.max(...maxAbs),
    );
    return { mode, mean, std: new Array(rows).fill(s) };
  }
  return { mode, mean, std: Array.from(dev, (d, r) => rowStd(d, cols, maxAbs[r])) };
}

/** (x - mean) / std per row (per-utterance statistics in 'utterance' mode); returns a new array. */
export function applyNormalization(x: Float32Array, stats: NormalizationStats): Float32Array {
  const rows = stats.mean.length;
  const cols = x.length / rows;
  const y = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    let m = stats.mean[r];
    let std = stats.std[r];
    if (stats.mode === 'utterance') {
      let s = 0;
      let maxAbs = 0;
      for (let j = r * cols; j < (r + 1) * cols; j++) {
        s += x[j];
        maxAbs = Math.max(maxAbs, Math.abs(x[j]));
      }
      m = s / cols;
      let d = 0;
      for (let j = r * cols; j < (r + 1) * cols; j++) d += (x[j] - m) ** 2;
      std = rowStd(d, cols, maxAbs);
    }
    const inv = 1 / std;
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

/** One speaker's per-row mean and 1/std (see fitSpeakerStats): what a speaker profile stores per model. */
export interface SpeakerStats {
  mean: number[];
  inv: number[];
}

/**
 * Speaker normalisation's statistics: per row, the mean and 1/std over all frames of one speaker's feature matrices
 * ([rows, frames] each, any frame counts). No labels are used.
 */
export function fitSpeakerStats(matrices: { shape: [number, number]; data: Float32Array }[]): SpeakerStats {
  if (matrices.length === 0) throw new Error('speaker normalisation: no matrices to take statistics from');
  const rows = matrices[0].shape[0];
  const sum = new Float64Array(rows);
  let frames = 0;
  for (const m of matrices) {
    if (m.shape[0] !== rows) throw new Error(`speaker normalisation: matrices of ${m.shape[0]} and ${rows} rows in one group`);
    const cols = m.shape[1];
    frames += cols;
    for (let r = 0; r < rows; r++) for (let j = r * cols; j < (r + 1) * cols; j++) sum[r] += m.data[j];
  }
  const mean = Array.from(sum, (s) => s / frames);
  // Second pass over deviations: the one-pass sum of squares minus the squared mean cancels for rows with a large mean.
  const dev = new Float64Array(rows);
  const maxAbs = new Float64Array(rows);
  for (const m of matrices) {
    const cols = m.shape[1];
    for (let r = 0; r < rows; r++) {
      for (let j = r * cols; j < (r + 1) * cols; j++) {
        const d = m.data[j] - mean[r];
        dev[r] += d * d;
        maxAbs[r] = Math.max(maxAbs[r], Math.abs(m.data[j]));
      }
    }
  }
  return { mean, inv: Array.from(dev, (d, r) => 1 / rowStd(d, frames, maxAbs[r])) };
}

/** A feature matrix standardised per row with a speaker's statistics (fitSpeakerStats); returns a new matrix. */
export function applySpeakerStats<M extends { shape: [number, number]; data: Float32Array }>(m: M, stats: SpeakerStats): M {
  const [rows, cols] = m.shape;
  if (stats.mean.length !== rows) throw new Error(`speaker statistics have ${stats.mean.length} rows; the features have ${rows}`);
  const data = new Float32Array(m.data.length);
  for (let r = 0; r < rows; r++) {
    for (let j = r * cols; j < (r + 1) * cols; j++) data[j] = (m.data[j] - stats.mean[r]) * stats.inv[r];
  }
  return { ...m, data };
}

/**
 * Speaker normalisation: one speaker's feature matrices, standardised per row with that speaker's own mean and std
 * over all of their frames. It removes what is constant about a voice and a recording set-up (pitch range, timbre,
 * level, channel), which in speaker-independent tests otherwise dominates the emotion cues. At test time it needs
 * several unlabelled utterances of each speaker (or a speaker profile that holds them).
 */
export function normalizeSpeaker<M extends { shape: [number, number]; data: Float32Array }>(matrices: M[]): M[] {
  if (matrices.length === 0) return [];
  const stats = fitSpeakerStats(matrices);
  return matrices.map((m) => applySpeakerStats(m, stats));
}

/**
 * Speaker normalisation over a set of files: groups by speaker (files without one are each their own group, i.e.
 * normalised on their own) and returns the normalised matrix of every file id.
 */
export function normalizeBySpeaker<M extends { shape: [number, number]; data: Float32Array }>(
  items: Map<number, M>,
  speakerOf: (fileId: number) => string | null,
): Map<number, M> {
  const groups = new Map<string, number[]>();
  for (const id of items.keys()) {
    const speaker = speakerOf(id);
    const key = speaker === null ? `file:${id}` : `speaker:${speaker}`;
    const group = groups.get(key);
    if (group) group.push(id);
    else groups.set(key, [id]);
  }
  const out = new Map<number, M>();
  for (const ids of groups.values()) {
    const normalized = normalizeSpeaker(ids.map((id) => items.get(id)!));
    ids.forEach((id, i) => out.set(id, normalized[i]));
  }
  return out;
}
