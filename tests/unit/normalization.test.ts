import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyNormalization,
  applySpeakerStats,
  fitSpeakerStats,
  fitFrames,
  fitNormalization,
  normalizeBySpeaker,
  normalizeSpeaker,
  type NormalizationStats,
} from '../../src-main/core/training/normalization';
import { REFERENCE_DIR } from '../helpers/shared';

const f32 = (v: number[]) => Float32Array.from(v);
const arr = (x: Float32Array) => Array.from(x);
const matrix = (rows: number, data: number[], fileId = 0) => ({ shape: [rows, data.length / rows] as [number, number], data: f32(data), fileId });

/** Per-row mean and population std of a [rows, cols] matrix (float64). */
function rowMoments(x: Float32Array, rows: number): { mean: number; std: number }[] {
  const cols = x.length / rows;
  return Array.from({ length: rows }, (_, r) => {
    const row = Array.from(x.subarray(r * cols, (r + 1) * cols));
    const mean = row.reduce((a, b) => a + b, 0) / cols;
    return { mean, std: Math.sqrt(row.reduce((a, b) => a + (b - mean) ** 2, 0) / cols) };
  });
}

// Two training items of 2 bands and different frame counts (2 and 3 frames):
// band 0 = 1, 3 | 5, 7, 9 (mean 5, variance 8); band 1 = 10, 10 | 20, 40, 60 (mean 28, variance 376).
// All ten values: mean 16.5, mean square 596.5, variance 596.5 - 16.5² = 324.25. Every step is exact in float64.
const train = [f32([1, 3, 10, 10]), f32([5, 7, 9, 20, 40, 60])];

describe('fitNormalization', () => {
  it('per-band: mean and population std of each band over every frame of every training item', () => {
    const s = fitNormalization(train, 2, 'per-band');
    expect(s).toEqual({ mode: 'per-band', mean: [5, 28], std: [Math.sqrt(8), Math.sqrt(376)] });
  });

  it('global: one mean and one population std over all bands and frames, repeated per band', () => {
    const s = fitNormalization(train, 2, 'global');
    expect(s).toEqual({ mode: 'global', mean: [16.5, 16.5], std: [Math.sqrt(324.25), Math.sqrt(324.25)] });
  });

  it("mode 'none' keeps no statistics (mean 0, std 1) whatever the items, and applying it is the identity on a copy", () => {
    const s = fitNormalization(train, 2, 'none');
    expect(s).toEqual({ mode: 'none', mean: [0, 0], std: [1, 1] });
    const x = f32([-80, 0.1, 3.5, 1e6, -2, 7]);
    const y = applyNormalization(x, s);
    expect(arr(y)).toEqual(arr(x));
    expect(y).not.toBe(x);
  });

  it("mode 'utterance' keeps no statistics either: each utterance brings its own", () => {
    expect(fitNormalization(train, 2, 'utterance')).toEqual({ mode: 'utterance', mean: [0, 0], std: [1, 1] });
  });

  it("no training items: mode 'none' with the identity statistics, whatever mode was asked for", () => {
    for (const mode of ['per-band', 'global', 'utterance', 'none'] as const) {
      expect(fitNormalization([], 3, mode)).toEqual({ mode: 'none', mean: [0, 0, 0], std: [1, 1, 1] });
    }
  });

  it('vectors (one column per item): per-dimension statistics across items', () => {
    // Three 2-dimensional vectors: dimension 0 = 1, 2, 3 (mean 2, variance 2/3); dimension 1 = 10, 10, 40 (mean 20, variance 200).
    const s = fitNormalization([f32([1, 10]), f32([2, 10]), f32([3, 40])], 2, 'per-band');
    expect(s.mean).toEqual([2, 20]);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(2 / 3), 12);
    expect(s.std[1]).toBeCloseTo(Math.sqrt(200), 12);
  });

  it('a band constant across the training items (the silence floor) gets std 1, so applying stays finite: shifted to 0, not scaled', () => {
    for (const c of [-80, 0, 0.1, 1234.5]) {
      const items = [f32([1, 3, c, c]), f32([5, 7, c, c])];
      const s = fitNormalization(items, 2, 'per-band');
      expect(s.mean[1]).toBeCloseTo(Math.fround(c), 9);
      expect(s.std).toEqual([Math.sqrt(5), 1]);
      const y = applyNormalization(items[0], s);
      expect(arr(y).every(Number.isFinite)).toBe(true);
      expect(arr(y.subarray(2))).toEqual([0, 0]);
      // A later file with another value in that band is shifted by the training constant, at unit scale.
      expect(applyNormalization(f32([5, 5, c + 2, c - 1]), s)[2]).toBeCloseTo(2, 4);
    }
  });

  it('global mode: every value constant gives std 1 (not 0, which would give NaN / Infinity)', () => {
    for (const c of [-80, 0, 0.1]) {
      const s = fitNormalization([f32([c, c, c, c]), f32([c, c])], 2, 'global');
      expect(s.mean[0]).toBeCloseTo(Math.fround(c), 9);
      expect(s.std).toEqual([1, 1]);
      expect(arr(applyNormalization(f32([c, c, c, c]), s)).every((v) => Math.abs(v) < 1e-6)).toBe(true);
    }
  });

  it('per-band: a dimension on a tiny physical scale is standardised, not taken for a constant (hybrid models on ComParE-scale functionals)', () => {
    // Dimension 1 varies by 1e-7: an absolute variance floor of 1e-12 left it unscaled, i.e. invisible to the network.
    const items = [f32([1, 1e-7]), f32([2, 2e-7]), f32([3, 3e-7])];
    const s = fitNormalization(items, 2, 'per-band');
    expect(s.std[1] / 1e-7).toBeCloseTo(Math.sqrt(2 / 3), 6); // float32 inputs: 1e-7 is not exact
    expect(applyNormalization(items[2], s)[1]).toBeCloseTo(Math.sqrt(1.5), 5);
  });

  it('per-band: a dimension constant at a large value is exactly 0 after applying (two passes), and 1-ulp jitter counts as constant', () => {
    const big = Math.fround(12345.678);
    const ulp = Math.fround(big * (1 + 2 ** -23)) - big;
    const items = [f32([1, big, big]), f32([2, big, big + ulp]), f32([3, big, big])];
    const s = fitNormalization(items, 3, 'per-band');
    expect(s.std.slice(1)).toEqual([1, 1]);
    expect(applyNormalization(items[0], s)[1]).toBe(0);
    for (const x of items) expect(Math.abs(applyNormalization(x, s)[2])).toBeLessThan(ulp);
  });

  it('global mode: values on a tiny scale are standardised; a large constant gives std 1 and exact zeros', () => {
    const tiny = fitNormalization([f32([1e-7, 3e-7])], 2, 'global');
    expect(tiny.std[0] / 1e-7).toBeCloseTo(1, 6);
    const big = Math.fround(-12345.678);
    const s = fitNormalization([f32([big, big]), f32([big, big])], 2, 'global');
    expect(s.std).toEqual([1, 1]);
    expect(arr(applyNormalization(f32([big, big]), s))).toEqual([0, 0]);
  });

  it('global mode: one constant band among varying ones does not need a guard (the pooled variance is positive)', () => {
    const s = fitNormalization([f32([-80, -80, 0, 4])], 2, 'global');
    // Values -80, -80, 0, 4: mean -39, mean square 3204, variance 3204 - 1521 = 1683.
    expect(s.mean).toEqual([-39, -39]);
    expect(s.std).toEqual([Math.sqrt(1683), Math.sqrt(1683)]);
  });
});

describe('applyNormalization', () => {
  it('per-band: (x - mean) / std of each band with the training statistics, on any frame count', () => {
    const s = fitNormalization(train, 2, 'per-band');
    const x = f32([5, 9, 13, 28, 28 + Math.sqrt(376), 0]); // a test item: 3 frames
    const y = applyNormalization(x, s);
    const expected = [0, 4 / Math.sqrt(8), 8 / Math.sqrt(8), 0, 1, -28 / Math.sqrt(376)];
    expected.forEach((v, i) => expect(y[i]).toBeCloseTo(v, 5));
    expect(arr(x)).toEqual(arr(f32([5, 9, 13, 28, 28 + Math.sqrt(376), 0]))); // input untouched
  });

  it('global: the same shift and scale for every band', () => {
    const s = fitNormalization(train, 2, 'global');
    const y = applyNormalization(f32([16.5, 16.5 + Math.sqrt(324.25), 16.5 - Math.sqrt(324.25), 0]), s);
    [0, 1, -1, -16.5 / Math.sqrt(324.25)].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 5));
  });

  it("stats given by hand (e.g. a saved model's) are applied as they are", () => {
    const s: NormalizationStats = { mode: 'per-band', mean: [1, -2, 10], std: [2, 0.5, 4] };
    expect(arr(applyNormalization(f32([1, 3, -2, -1, 2, 18]), s))).toEqual([0, 1, 0, 2, -2, 2]);
  });

  it('utterance: each band of each utterance standardised with its own mean and std, whatever stats it carries', () => {
    const s: NormalizationStats = { mode: 'utterance', mean: [100, 100], std: [7, 7] };
    // Band 0: 2, 4, 6, 8 (mean 5, std sqrt 5); band 1: 10, 30, 10, 30 (mean 20, std 10).
    const y = applyNormalization(f32([2, 4, 6, 8, 10, 30, 10, 30]), s);
    const s5 = Math.sqrt(5);
    [-3 / s5, -1 / s5, 1 / s5, 3 / s5, -1, 1, -1, 1].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 6));
  });

  it('utterance: a band constant within the utterance becomes 0, not NaN', () => {
    const s = fitNormalization([f32([0, 0])], 2, 'utterance');
    // Band 1: 1, 2, 3 (mean 2, std sqrt(2/3)).
    const y = applyNormalization(f32([-80, -80, -80, 1, 2, 3]), s);
    expect(arr(y.subarray(0, 3))).toEqual([0, 0, 0]);
    [-Math.sqrt(1.5), 0, Math.sqrt(1.5)].forEach((v, i) => expect(y[3 + i]).toBeCloseTo(v, 6));
  });
});

describe('applyNormalization, utterance mode: the same constant-row rule', () => {
  const u = fitNormalization([f32([0, 0])], 2, 'utterance');
  it('a band on a tiny scale is standardised; a band constant at a large value is exactly 0', () => {
    const big = Math.fround(4321.5);
    const y = applyNormalization(f32([1e-7, 2e-7, 3e-7, big, big, big]), u);
    [-Math.sqrt(1.5), 0, Math.sqrt(1.5)].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 5));
    expect(arr(y.subarray(3))).toEqual([0, 0, 0]);
  });

  it('1-ulp jitter on a large value counts as constant: shifted, not scaled up to unit variance', () => {
    const big = Math.fround(4321.5);
    const ulp = Math.fround(big * (1 + 2 ** -23)) - big;
    for (const v of applyNormalization(f32([big, big + ulp, big, big + ulp]), u)) expect(Math.abs(v)).toBeLessThan(ulp);
  });
});

describe('fitFrames', () => {
  it('returns a matrix of the right length unchanged', () => {
    const x = f32([1, 2, 3, 4, 5, 6]);
    expect(arr(fitFrames(x, 2, 3))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('crops each row to its first frames', () => {
    expect(arr(fitFrames(f32([1, 2, 3, 4, 5, 6, 7, 8]), 2, 1))).toEqual([1, 5]);
  });

  it('pads every row with the minimum of the whole matrix (the silence floor), not of the row', () => {
    expect(arr(fitFrames(f32([-20, -30, 4, 5]), 2, 3))).toEqual([-20, -30, -30, 4, 5, -30]);
  });

  it('an empty matrix (no frames) pads with 0, not Infinity', () => {
    expect(arr(fitFrames(new Float32Array(0), 2, 3))).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('normalizeSpeaker', () => {
  it("standardises each row over all of one speaker's frames, whatever each matrix's frame count", () => {
    // Row 0: 1, 3 | 5, 7, 9 (mean 5, variance 8); row 1: 10, 10 | 20, 40, 60 (mean 28, variance 376).
    const out = normalizeSpeaker([matrix(2, [1, 3, 10, 10], 7), matrix(2, [5, 7, 9, 20, 40, 60], 8)]);
    const s8 = Math.sqrt(8);
    const s376 = Math.sqrt(376);
    [-4 / s8, -2 / s8, -18 / s376, -18 / s376].forEach((v, i) => expect(out[0].data[i]).toBeCloseTo(v, 6));
    [0, 2 / s8, 4 / s8, -8 / s376, 12 / s376, 32 / s376].forEach((v, i) => expect(out[1].data[i]).toBeCloseTo(v, 6));
    // The rest of each item (its shape, its file id) is carried over.
    expect(out.map((m) => [m.fileId, m.shape])).toEqual([
      [7, [2, 2]],
      [8, [2, 3]],
    ]);
  });

  it('a row constant for the speaker is shifted to 0, not scaled (no NaN)', () => {
    const out = normalizeSpeaker([matrix(2, [-80, -80, 1, 3]), matrix(2, [-80, -80, 5, 7])]);
    expect(arr(out[0].data.subarray(0, 2))).toEqual([0, 0]);
    expect(arr(out[1].data.subarray(0, 2))).toEqual([0, 0]);
    expect(out[0].data[2]).toBeCloseTo(-3 / Math.sqrt(5), 6);
  });

  it('a row on a tiny physical scale is standardised, not taken for a constant (ComParE band energies near 1e-7)', () => {
    // Spread 1.1e-7: under the old absolute variance floor of 1e-12 this row was only shifted for one speaker and
    // scaled for another, and a standardiser fitted on the first multiplied the second by ~1e7.
    const out = normalizeSpeaker([matrix(1, [1e-7, 2e-7]), matrix(1, [3e-7, 4e-7])]);
    const s = Math.sqrt(1.25e-14);
    [-1.5e-7 / s, -0.5e-7 / s, 0.5e-7 / s, 1.5e-7 / s].forEach((v, i) => expect([...out[0].data, ...out[1].data][i]).toBeCloseTo(v, 5));
  });

  it('a row constant at a large value is exactly 0 (two passes: no cancellation residue), and 1-ulp jitter counts as constant', () => {
    const big = Math.fround(12345.678);
    const ulp = Math.fround(big * (1 + 2 ** -23)) - big;
    const out = normalizeSpeaker([matrix(2, [big, big, big, big + ulp]), matrix(2, [big, big, big + ulp, big])]);
    expect(arr(out[0].data.subarray(0, 2))).toEqual([0, 0]);
    expect(arr(out[1].data.subarray(0, 2))).toEqual([0, 0]);
    // The jittered row is shifted by its mean but not scaled up to unit variance.
    for (const m of out) for (const v of m.data.subarray(2)) expect(Math.abs(v)).toBeLessThan(ulp);
  });

  it('a row of zeros (padding, a silent band) stays 0, not NaN: no spread and no magnitude is still constant', () => {
    const out = normalizeSpeaker([matrix(2, [0, 0, 1, 3]), matrix(2, [0, 0, 5, 7])]);
    expect(arr(out[0].data.subarray(0, 2))).toEqual([0, 0]);
    expect(arr(out[1].data.subarray(0, 2))).toEqual([0, 0]);
  });

  it('no matrices: nothing to do', () => {
    expect(normalizeSpeaker([])).toEqual([]);
  });

  it('matrices of different row counts in one group are an error that says so', () => {
    expect(() => normalizeSpeaker([matrix(2, [1, 2, 3, 4]), matrix(3, [1, 2, 3])])).toThrow(
      'speaker normalisation: matrices of 3 and 2 rows in one group',
    );
  });
});

describe('speaker statistics (fitSpeakerStats / applySpeakerStats: what a speaker profile stores and applies)', () => {
  it('fitted on some matrices and applied to others: the same standardisation normalizeSpeaker gives those matrices', () => {
    const group = [matrix(2, [1, 3, 10, 10], 7), matrix(2, [5, 7, 9, 20, 40, 60], 8)];
    const stats = fitSpeakerStats(group);
    // Row 0 over 1, 3, 5, 7, 9: mean 5, population std √8; row 1 over 10, 10, 20, 40, 60: mean 28, std √376.
    expect(stats.mean).toEqual([5, 28]);
    expect(stats.inv[0]).toBeCloseTo(1 / Math.sqrt(8), 12);
    expect(stats.inv[1]).toBeCloseTo(1 / Math.sqrt(376), 12);
    expect(group.map((m) => applySpeakerStats(m, stats))).toEqual(normalizeSpeaker(group));
    // A later take of the speaker, alone: standardised with the enrolled statistics, not its own.
    const later = applySpeakerStats(matrix(2, [5, 13, 28, 28]), stats);
    expect(Array.from(later.data)).toEqual([0, Math.fround(8 / Math.sqrt(8)), 0, 0]);
  });

  it('no matrices, or statistics of another row count, are errors that say so', () => {
    expect(() => fitSpeakerStats([])).toThrow('speaker normalisation: no matrices to take statistics from');
    const stats = fitSpeakerStats([matrix(2, [1, 2, 3, 4])]);
    expect(() => applySpeakerStats(matrix(3, [1, 2, 3]), stats)).toThrow('speaker statistics have 2 rows; the features have 3');
  });
});

describe('normalizeBySpeaker', () => {
  it('files without a speaker are each normalised on their own, never pooled together', () => {
    const items = new Map([
      [1, matrix(1, [0, 2])],
      [2, matrix(1, [10, 30])],
      [3, matrix(1, [5, 5])],
    ]);
    const out = normalizeBySpeaker(items, () => null);
    expect(arr(out.get(1)!.data)).toEqual([-1, 1]);
    expect(arr(out.get(2)!.data)).toEqual([-1, 1]);
    expect(arr(out.get(3)!.data)).toEqual([0, 0]);
  });

  it("a speaker called like a file id is still a speaker: it does not pick up that file's frames", () => {
    const items = new Map([
      [1, matrix(1, [0, 2])],
      [2, matrix(1, [10, 30])],
      [3, matrix(1, [100, 300])],
    ]);
    const speakers: Record<number, string | null> = { 1: null, 2: '1', 3: '1' };
    const out = normalizeBySpeaker(items, (id) => speakers[id]);
    expect(arr(out.get(1)!.data)).toEqual([-1, 1]);
    // Speaker '1': 10, 30, 100, 300 (mean 110, variance 13150).
    const s = Math.sqrt(13150);
    [-100 / s, -80 / s].forEach((v, i) => expect(out.get(2)!.data[i]).toBeCloseTo(v, 6));
    [-10 / s, 190 / s].forEach((v, i) => expect(out.get(3)!.data[i]).toBeCloseTo(v, 6));
  });

  it('returns every file id, each with its own normalised matrix', () => {
    const items = new Map([
      [4, matrix(1, [1, 2, 3], 4)],
      [9, matrix(1, [3, 2, 1], 9)],
      [5, matrix(1, [7, 7, 8], 5)],
    ]);
    const out = normalizeBySpeaker(items, (id) => (id === 5 ? 'b' : 'a'));
    expect([...out.keys()].sort()).toEqual([4, 5, 9]);
    for (const [id, m] of out) expect(m.fileId).toBe(id);
    expect(normalizeBySpeaker(new Map(), () => 'a').size).toBe(0);
  });
});

describe('normalisation of real log-mel spectrograms (librosa references of four RAVDESS actors)', () => {
  const index = JSON.parse(readFileSync(resolve(REFERENCE_DIR, 'index.json'), 'utf8')) as { file: string; reference: string }[];
  const mels = index
    .filter((e) => e.file.startsWith('data/ravdess-16k/'))
    .map((e) => {
      const ref = JSON.parse(readFileSync(resolve(REFERENCE_DIR, '..', e.reference), 'utf8'));
      const m = ref.features.seed.log_mel_db as { shape: [number, number]; data: number[] };
      return { shape: m.shape, data: Float32Array.from(m.data) };
    });

  it('training on three actors: every band of the training spectrograms has mean 0 and std 1; the held-out actor stays finite', () => {
    expect(mels.length).toBe(4);
    const rows = mels[0].shape[0];
    const frames = 100;
    const fitted = mels.map((m) => fitFrames(m.data, rows, frames));
    const s = fitNormalization(fitted.slice(0, 3), rows, 'per-band');
    const normalised = fitted.slice(0, 3).map((x) => applyNormalization(x, s));
    const pooled = new Float32Array(rows * frames * 3);
    // Band-major concatenation of the three items, to take each band's moments over all training frames.
    for (let r = 0; r < rows; r++) {
      normalised.forEach((x, i) => pooled.set(x.subarray(r * frames, (r + 1) * frames), r * frames * 3 + i * frames));
    }
    for (const { mean, std } of rowMoments(pooled, rows)) {
      expect(Math.abs(mean)).toBeLessThan(1e-4);
      expect(Math.abs(std - 1)).toBeLessThan(1e-4);
    }
    expect(arr(applyNormalization(fitted[3], s)).every(Number.isFinite)).toBe(true);
  });

  it('one actor normalised on their own: every band has mean 0 and std 1 over their frames', () => {
    const [out] = normalizeSpeaker([mels[0]]);
    for (const { mean, std } of rowMoments(out.data, mels[0].shape[0])) {
      expect(Math.abs(mean)).toBeLessThan(1e-4);
      expect(Math.abs(std - 1)).toBeLessThan(1e-4);
    }
  });
});
