// MFCC = orthonormal DCT-II of the log-mel dB matrix (librosa.feature.mfcc, scipy.fft.dct type 2, norm 'ortho').
// Both paths (native when built, and the TypeScript fallback) against a direct O(n^2) sum computed here, for band
// counts odd and even, multiples of 8 or not (13, 26 = HTK / python_speech_features, 30, 33, 40, 64, 128), and against
// librosa 0.10.2's mfcc13 / mfcc40 from its own log_mel_db.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAudio } from '../../src-main/core/audio/load';
import { computeFeatures } from '../../src-main/core/features/compute';
import { fromBandMajor, type FrameMatrix } from '../../src-main/core/features/frameMatrix';
import { dctBasis, mfccFromLogMel, mfccFromLogMelJs } from '../../src-main/core/features/mfcc';
import { parseFeatureConfig } from '../../src-shared/config/features';
import { REFERENCE_DIR, SHARED_DIR } from '../helpers/shared';

/** scipy.fft.dct(x, type=2, norm='ortho')[k], summed term by term. */
function directDct(x: ArrayLike<number>, k: number): number {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * n));
  return s * (k === 0 ? Math.sqrt(1 / n) : Math.sqrt(2 / n));
}

/** Deterministic pseudo-random log-mel-like values (dB, -100 .. 0). */
function pseudoLogMel(frames: number, dims: number, seed: number): FrameMatrix {
  let s = seed >>> 0;
  const data = new Float64Array(frames * dims).map(() => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return -100 * (s / 2 ** 32);
  });
  return { frames, dims, data };
}

/** Largest |mfcc(t, k) - directDct(logMel row t)[k]|. */
function worstAgainstDirect(logMel: FrameMatrix, mfcc: FrameMatrix): number {
  expect([mfcc.frames, mfcc.dims]).toEqual([logMel.frames, mfcc.dims]);
  let worst = 0;
  for (let t = 0; t < logMel.frames; t++) {
    const row = logMel.data.subarray(t * logMel.dims, (t + 1) * logMel.dims);
    for (let k = 0; k < mfcc.dims; k++) worst = Math.max(worst, Math.abs(mfcc.data[t * mfcc.dims + k] - directDct(row, k)));
  }
  return worst;
}

const paths = [
  ['TypeScript', mfccFromLogMelJs],
  ['active (native when built)', mfccFromLogMel],
] as const;

describe('dctBasis (DCT-II, orthonormal)', () => {
  it('matches scipy.fft.dct([1, 2, 3, 4], norm="ortho") and maps a constant to c0 = c sqrt(n)', () => {
    const b = dctBasis(4, 4);
    const x = [1, 2, 3, 4];
    const X = [0, 1, 2, 3].map((k) => x.reduce((s, v, i) => s + v * b[k * 4 + i], 0));
    expect(X).toEqual([expect.closeTo(5, 12), expect.closeTo(-2.2304424973876, 10), expect.closeTo(0, 12), expect.closeTo(-0.15851266778110726, 10)]);
    for (const n of [1, 7, 26]) {
      const c = dctBasis(n, n);
      for (let k = 0; k < n; k++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += 3 * c[k * n + i];
        expect(s).toBeCloseTo(k === 0 ? 3 * Math.sqrt(n) : 0, 10);
      }
    }
  });

  it.each([1, 2, 3, 5, 8, 13, 26, 30, 33, 40, 64])('has orthonormal rows for n = %i (B B^T = I), so the full transform inverts', (n) => {
    const b = dctBasis(n, n);
    expect(b.length).toBe(n * n);
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < n; k++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += b[j * n + i] * b[k * n + i];
        expect(dot).toBeCloseTo(j === k ? 1 : 0, 12);
      }
    }
  });

  it('keeps the first nOut rows of the full basis, cached per (n, nOut)', () => {
    const full = dctBasis(33, 33);
    const part = dctBasis(33, 13);
    expect(part.length).toBe(13 * 33);
    expect(Array.from(part)).toEqual(Array.from(full.subarray(0, 13 * 33)));
    expect(dctBasis(33, 13)).toBe(part);
    expect(dctBasis(30, 13).length).toBe(13 * 30);
  });
});

describe.each(paths)('mfccFromLogMel, %s path', (_, mfcc) => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 17, 26, 30, 33, 40, 64, 128])(
    'n_mels %i: every coefficient equals the direct DCT-II sum',
    (n) => {
      const logMel = pseudoLogMel(7, n, n * 7919);
      for (const nMfcc of new Set([1, 2, 3, 4, 5, Math.min(13, n), n].filter((k) => k <= n))) {
        const out = mfcc(logMel, nMfcc);
        expect(out.dims).toBe(nMfcc);
        expect(out.data.length).toBe(7 * nMfcc);
        expect(out.data.every(Number.isFinite)).toBe(true);
        expect(worstAgainstDirect(logMel, out)).toBeLessThan(1e-10);
      }
    },
  );

  it('is linear and puts a band-constant frame entirely into c0 (odd and even band counts)', () => {
    for (const n of [26, 33]) {
      const data = new Float64Array(2 * n);
      data.fill(-40, 0, n); // frame 0: flat -40 dB
      for (let i = 0; i < n; i++) data[n + i] = Math.cos((Math.PI * 3 * (2 * i + 1)) / (2 * n)); // frame 1: basis row 3
      const out = mfcc({ frames: 2, dims: n, data }, 13);
      expect(out.data[0]).toBeCloseTo(-40 * Math.sqrt(n), 10);
      for (let k = 1; k < 13; k++) expect(out.data[k]).toBeCloseTo(0, 10);
      for (let k = 0; k < 13; k++) expect(out.data[13 + k]).toBeCloseTo(k === 3 ? Math.sqrt(n / 2) : 0, 10);
    }
  });

  it('handles zero frames and refuses more coefficients than bands', () => {
    expect(mfcc({ frames: 0, dims: 26, data: new Float64Array(0) }, 13)).toEqual({ frames: 0, dims: 13, data: new Float64Array(0) });
    expect(() => mfcc(pseudoLogMel(2, 26, 1), 27)).toThrow('nMfcc (27) must not exceed the number of mel bands (26)');
    expect(() => mfcc(pseudoLogMel(2, 26, 1), 26)).not.toThrow();
  });
});

interface RefArray {
  shape: number[];
  data: number[];
}

describe('TypeScript MFCC against librosa 0.10.2', () => {
  const index = JSON.parse(readFileSync(join(REFERENCE_DIR, 'index.json'), 'utf8')) as { file: string; reference: string }[];

  it.each(index)('mfcc13 and mfcc40 of $file from librosa log_mel_db (64 and 128 bands)', ({ reference }) => {
    const ref = JSON.parse(readFileSync(join(SHARED_DIR, reference), 'utf8')) as {
      features: Record<string, { log_mel_db: RefArray; mfcc13: RefArray; mfcc40: RefArray }>;
    };
    for (const F of Object.values(ref.features)) {
      const [bands, frames] = F.log_mel_db.shape;
      const logMel = fromBandMajor(F.log_mel_db.data, bands, frames);
      for (const [nMfcc, want] of [
        [13, F.mfcc13],
        [40, F.mfcc40],
      ] as const) {
        for (const [, mfcc] of paths) {
          const out = mfcc(logMel, nMfcc);
          let worst = 0;
          for (let k = 0; k < nMfcc; k++)
            for (let t = 0; t < frames; t++) worst = Math.max(worst, Math.abs(out.data[t * nMfcc + k] - want.data[k * frames + t]));
          // log_mel_db is stored to 7 significant digits (up to 1e-5 dB per band).
          expect(worst).toBeLessThan(1e-3);
        }
      }
    }
  });
});

describe('MFCC features on real speech at band counts without a librosa reference', () => {
  it.each([13, 26, 30, 33, 40])('%i mels: finite, and the DCT of the log-mel computed alongside', async (nMels) => {
    const file = join(SHARED_DIR, 'data/ravdess-16k/Actor_08/03-01-04-01-02-02-08.wav');
    const { samples } = await loadAudio(file, { sampleRate: 16000 });
    const nMfcc = Math.min(13, nMels);
    const logMel = computeFeatures(samples, 16000, parseFeatureConfig({ kind: 'logmel', nMels }));
    const m = computeFeatures(samples, 16000, parseFeatureConfig({ kind: 'mfcc', nMels, nMfcc }));
    const frames = logMel.shape[1];
    expect(m.shape).toEqual([nMfcc, frames]);
    expect(m.data.every(Number.isFinite)).toBe(true);
    const lm = fromBandMajor(logMel.data, nMels, frames);
    let worst = 0;
    for (let t = 0; t < frames; t++) {
      const row = lm.data.subarray(t * nMels, (t + 1) * nMels);
      for (let k = 0; k < nMfcc; k++)
        worst = Math.max(worst, Math.abs(m.data[k * frames + t] - directDct(row, k)) / (1 + Math.abs(directDct(row, k))));
    }
    // Both sides went through float32 output (7 digits); c0 of 33 bands at -60 dB is ~ -350.
    expect(worst).toBeLessThan(1e-5);
    // The TypeScript path gives the same numbers from the same log-mel.
    expect(worstAgainstDirect(lm, mfccFromLogMelJs(lm, nMfcc))).toBeLessThan(1e-9);
  });
});
