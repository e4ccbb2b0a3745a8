// The mel scale (Slaney, librosa's default, and HTK) at known frequencies, mel_frequencies as numpy.linspace on that
// scale, the filterbank against librosa.filters.mel's definition (triangles between neighbouring mel points, Slaney
// area normalisation, float32 weights) for band counts odd and even, and the mel spectrogram by each path against a
// dense product and against librosa 0.10.2's mel_power.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadAudio } from '../../src-main/core/audio/load';
import {
  applyMelFilterbank,
  hzToMel,
  melFilterbank,
  melFrame,
  melFrequencies,
  melSpectrogram,
  melSpectrogramJs,
  melToHz,
  type MelFilterbank,
} from '../../src-main/core/features/mel';
import { centredFrameCount, powerSpectrogram } from '../../src-main/core/features/stft';
import { RAVDESS_16K, REFERENCE_DIR, SHARED_DIR } from '../helpers/shared';

describe('mel scale', () => {
  it("Slaney: linear 3 mel per 200 Hz below 1 kHz, then 27 mel per factor 6.4 (librosa's documented values)", () => {
    expect(hzToMel(0)).toBe(0);
    expect(hzToMel(60)).toBeCloseTo(0.9, 12);
    expect([110, 220, 440].map((f) => hzToMel(f))).toEqual([1.65, 3.3, 6.6].map((m) => expect.closeTo(m, 12)));
    expect(hzToMel(200)).toBeCloseTo(3, 12);
    expect(hzToMel(1000)).toBeCloseTo(15, 12);
    expect(hzToMel(6400)).toBeCloseTo(42, 12);
    expect(hzToMel(40960)).toBeCloseTo(69, 12);
    expect(hzToMel(2000)).toBeCloseTo(15 + (27 * Math.log(2)) / Math.log(6.4), 12);
    expect(melToHz(3)).toBeCloseTo(200, 10);
    expect(melToHz(15)).toBeCloseTo(1000, 10);
    expect(melToHz(42)).toBeCloseTo(6400, 9);
    expect(melToHz(69)).toBeCloseTo(40960, 8);
    // Continuous at the 1 kHz knee, from both sides.
    expect(hzToMel(999.999)).toBeCloseTo(15, 4);
    expect(hzToMel(1000.001)).toBeCloseTo(15, 4);
    expect(melToHz(14.99999)).toBeCloseTo(1000, 2);
    expect(melToHz(15.00001)).toBeCloseTo(1000, 2);
  });

  it('HTK: 1127.01 ln(1 + f / 700), so 1000 Hz is ~1000 mel and 440 Hz 549.64 mel', () => {
    const htk = (f: number) => (2595 / Math.LN10) * Math.log1p(f / 700);
    for (const f of [0, 60, 440, 700, 1000, 4000, 8000, 11025]) {
      expect(hzToMel(f, true)).toBeCloseTo(htk(f), 9);
      expect(melToHz(htk(f), true)).toBeCloseTo(f, 7);
    }
    expect(hzToMel(440, true)).toBeCloseTo(549.6387, 4);
    expect(hzToMel(1000, true)).toBeCloseTo(999.9855, 4);
    expect(hzToMel(700, true)).toBeCloseTo(2595 * Math.log10(2), 10);
    expect(melToHz(2595 * Math.log10(2), true)).toBeCloseTo(700, 9);
  });

  it('each scale is increasing and melToHz inverts hzToMel (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 48000, noNaN: true }), fc.double({ min: 0, max: 48000, noNaN: true }), fc.boolean(), (a, b, htk) => {
        expect(melToHz(hzToMel(a, htk), htk)).toBeCloseTo(a, 6);
        if (b - a > 1e-9) expect(hzToMel(a, htk)).toBeLessThan(hzToMel(b, htk));
      }),
      { seed: 31337, numRuns: 300 },
    );
  });
});

describe('melFrequencies (librosa.mel_frequencies)', () => {
  it.each([false, true])('is evenly spaced on the mel scale from fmin to fmax (htk %s)', (htk) => {
    for (const [n, fmin, fmax] of [
      [66, 0, 8000],
      [28, 0, 8000],
      [35, 300, 7600],
      [130, 0, 11025],
    ]) {
      const f = melFrequencies(n, fmin, fmax, htk);
      expect(f.length).toBe(n);
      expect(f[0]).toBeCloseTo(fmin, 9);
      // numpy.linspace pins the last point to stop exactly.
      expect(f[n - 1]).toBe(melToHz(hzToMel(fmax, htk), htk));
      const step = (hzToMel(fmax, htk) - hzToMel(fmin, htk)) / (n - 1);
      for (let i = 1; i < n; i++) expect(hzToMel(f[i], htk) - hzToMel(f[i - 1], htk)).toBeCloseTo(step, 9);
    }
  });

  it('puts the seed layout (66 points to 8 kHz) where the Slaney formula says, and handles one or two points like numpy', () => {
    // hzToMel(8000) = 15 + 27 ln 8 / ln 6.4; 65 equal steps; below 1 kHz a mel is 200/3 Hz.
    const top = 15 + (27 * Math.log(8)) / Math.log(6.4);
    const f = melFrequencies(66, 0, 8000);
    expect(f[1]).toBeCloseTo(((200 / 3) * top) / 65, 9);
    expect(f[65]).toBeCloseTo(8000, 9);
    expect(f[64]).toBeCloseTo(1000 * 6.4 ** ((top * (64 / 65) - 15) / 27), 8);
    expect(Array.from(melFrequencies(1, 100, 8000))).toEqual([expect.closeTo(100, 9)]);
    expect(Array.from(melFrequencies(2, 100, 8000))).toEqual([expect.closeTo(100, 9), expect.closeTo(8000, 9)]);
    expect(melFrequencies(0, 0, 8000).length).toBe(0);
  });
});

/** librosa.filters.mel (norm='slaney') written out densely: [nMels][bins]. */
function denseMel(sr: number, nFft: number, nMels: number, fmin: number, fmax: number, htk: boolean): Float64Array[] {
  const f = melFrequencies(nMels + 2, fmin, fmax, htk);
  const bins = nFft / 2 + 1;
  return Array.from({ length: nMels }, (_, m) =>
    Float64Array.from({ length: bins }, (_, k) => {
      const fk = (k * sr) / nFft;
      const tri = Math.max(0, Math.min((fk - f[m]) / (f[m + 1] - f[m]), (f[m + 2] - fk) / (f[m + 2] - f[m + 1])));
      return (tri * 2) / (f[m + 2] - f[m]);
    }),
  );
}

/** The filterbank's weights laid out densely. */
function unpack(fb: MelFilterbank): Float64Array[] {
  return Array.from({ length: fb.nMels }, (_, m) => {
    const row = new Float64Array(fb.bins);
    for (let j = 0; j < fb.length[m]; j++) row[fb.start[m] + j] = fb.weights[fb.offset[m] + j];
    return row;
  });
}

// Consecutive entries differ in one setting each, so a filterbank served for the wrong setting shows.
const CONFIGS: [number, number, number, number, number, boolean][] = [
  [16000, 1024, 64, 0, 8000, false],
  [22050, 1024, 64, 0, 8000, false],
  [16000, 2048, 64, 0, 8000, false],
  [16000, 2048, 40, 0, 8000, false],
  [16000, 2048, 40, 133, 8000, false],
  [16000, 2048, 40, 133, 4000, false],
  [16000, 2048, 40, 133, 4000, true],
  [16000, 512, 26, 0, 8000, true],
  [16000, 512, 26, 0, 8000, false],
  [16000, 1024, 30, 0, 8000, false],
  [16000, 1024, 33, 300, 7600, true],
  [16000, 1024, 13, 0, 8000, false],
  [16000, 1024, 13, -200, 8000, false], // librosa takes any fmin: below 0 Hz the first band holds the 0 Hz bin
  [22050, 2048, 128, 0, 11025, false],
  [16000, 256, 128, 0, 8000, false], // more bands than bins in the low range: some bands are empty
];

describe('melFilterbank (librosa.filters.mel, norm slaney)', () => {
  it.each(CONFIGS)(
    'sr %i, n_fft %i, %i mels, %i..%i Hz, htk %s: librosa weights, one run of non-zero bins per band',
    (sr, nFft, nMels, fmin, fmax, htk) => {
      const fb = melFilterbank(sr, nFft, nMels, fmin, fmax, htk);
      expect([fb.nMels, fb.bins]).toEqual([nMels, nFft / 2 + 1]);
      const want = denseMel(sr, nFft, nMels, fmin, fmax, htk);
      const got = unpack(fb);
      let at = 0;
      let offDefinition = 0;
      let notFloat32 = 0;
      for (let m = 0; m < nMels; m++) {
        const nonZero = want[m].reduce<number[]>((ks, w, k) => (w > 0 ? [...ks, k] : ks), []);
        // The run is exactly the band's non-zero bins (a triangle is contiguous), stored back to back.
        expect(fb.length[m]).toBe(nonZero.length);
        expect(fb.start[m]).toBe(nonZero.length ? nonZero[0] : 0);
        expect(fb.offset[m]).toBe(at);
        at += fb.length[m];
        for (let k = 0; k < fb.bins; k++) {
          // librosa keeps float32 weights: the value is float32-exact and within float32 rounding of the definition.
          if (Math.abs(got[m][k] - want[m][k]) > want[m][k] * 2.5e-7) offDefinition++;
          if (Math.fround(got[m][k]) !== got[m][k]) notFloat32++;
        }
      }
      expect([offDefinition, notFloat32]).toEqual([0, 0]);
      expect(fb.weights.length).toBe(at);
      expect(fb.weights.every((w) => w > 0)).toBe(true);
      // Asked again, the same filterbank comes back from the cache.
      expect(melFilterbank(sr, nFft, nMels, fmin, fmax, htk)).toBe(fb);
    },
  );

  it('leaves a band with no FFT bin inside it empty (a zero row, as librosa does)', () => {
    const fb = melFilterbank(16000, 256, 128, 0, 8000);
    const empty = [...fb.length.keys()].filter((m) => fb.length[m] === 0);
    expect(empty.length).toBeGreaterThan(5);
    expect(empty.every((m) => fb.start[m] === 0)).toBe(true);
    const power = new Float64Array(fb.bins).fill(1);
    const out = new Float64Array(fb.nMels).fill(NaN);
    melFrame(power, fb, out, 0);
    for (const m of empty) expect(out[m]).toBe(0);
    // The native kernels (when built) accept the layout and give zero rows there too.
    const x = Float32Array.from({ length: 4000 }, (_, i) => Math.sin(i / 5));
    const spec = melSpectrogram(x, 256, 128, fb);
    for (let t = 0; t < spec.frames; t++) for (const m of empty) expect(spec.data[t * fb.nMels + m]).toBe(0);
  });

  it.each([
    [26, false],
    [30, false],
    [33, false],
    [26, true],
    [33, true],
  ] as const)('%i bands (htk %s), fine FFT: each triangle has unit area in Hz and peaks at its mel centre', (nMels, htk) => {
    const sr = 16000;
    const nFft = 16384;
    const df = sr / nFft;
    const fb = melFilterbank(sr, nFft, nMels, 0, 8000, htk);
    const f = melFrequencies(nMels + 2, 0, 8000, htk);
    const rows = unpack(fb);
    for (let m = 0; m < nMels; m++) {
      // Slaney normalisation: height 2 / (f[m+2] - f[m]) over a base f[m+2] - f[m], so the area is 1.
      const area = rows[m].reduce((a, w) => a + w, 0) * df;
      expect(area).toBeCloseTo(1, 2);
      const peak = rows[m].indexOf(Math.max(...rows[m]));
      expect(Math.abs(peak * df - f[m + 1])).toBeLessThanOrEqual(df);
      expect(rows[m][peak]).toBeLessThanOrEqual(Math.fround(2 / (f[m + 2] - f[m])) * (1 + 1e-6));
      expect(rows[m][peak]).toBeGreaterThan((2 / (f[m + 2] - f[m])) * 0.99);
      // Neighbouring bands overlap by half: band m ends where band m + 2 starts.
      if (m + 2 < nMels) expect(fb.start[m] + fb.length[m]).toBeLessThanOrEqual(fb.start[m + 2] + 1);
    }
  });

  it('starts above fmin and ends below fmax', () => {
    const fb = melFilterbank(16000, 1024, 40, 300, 3400);
    expect(fb.start[0] * (16000 / 1024)).toBeGreaterThan(300);
    expect((fb.start[39] + fb.length[39] - 1) * (16000 / 1024)).toBeLessThan(3400);
  });
});

/** Mel power by dense matrix product: [frames x nMels]. */
function denseProduct(power: Float64Array, bins: number, rows: Float64Array[]): Float64Array {
  const frames = power.length / bins;
  const out = new Float64Array(frames * rows.length);
  for (let t = 0; t < frames; t++) {
    for (let m = 0; m < rows.length; m++) {
      let s = 0;
      for (let k = 0; k < bins; k++) s += rows[m][k] * power[t * bins + k];
      out[t * rows.length + m] = s;
    }
  }
  return out;
}

function worstRelative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let peak = 0;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    peak = Math.max(peak, Math.abs(b[i]));
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  return worst / peak;
}

describe('mel spectrogram', () => {
  it.each(CONFIGS.slice(0, 13))('melFrame is the dense product with the filterbank (config %#)', (sr, nFft, nMels, fmin, fmax, htk) => {
    const fb = melFilterbank(sr, nFft, nMels, fmin, fmax, htk);
    const rows = unpack(fb);
    let s = nMels;
    const power = Float64Array.from({ length: fb.bins }, () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 2 ** 32;
    });
    const out = new Float64Array(nMels + 7).fill(-1);
    melFrame(power, fb, out, 3);
    expect(Array.from(out.subarray(0, 3))).toEqual([-1, -1, -1]);
    expect(Array.from(out.subarray(3 + nMels))).toEqual([-1, -1, -1, -1]);
    expect(worstRelative(out.subarray(3, 3 + nMels), denseProduct(power, fb.bins, rows))).toBeLessThan(1e-14);
  });

  it.each([
    [1024, 512, 64],
    [512, 160, 26],
    [1024, 256, 33],
    [2048, 512, 30],
  ])('n_fft %i, hop %i, %i mels on real speech: both paths and the spectrogram route agree with the dense product', async (nFft, hop, nMels) => {
    const { samples } = await loadAudio(join(RAVDESS_16K, 'Actor_05', '03-01-02-01-01-01-05.wav'), { sampleRate: 16000 });
    const fb = melFilterbank(16000, nFft, nMels, 0, 8000);
    const spec = powerSpectrogram(samples, nFft, hop);
    const want = denseProduct(spec.data, spec.bins, unpack(fb));
    const frames = centredFrameCount(samples.length, nFft, hop);
    for (const m of [melSpectrogramJs(samples, nFft, hop, fb), melSpectrogram(samples, nFft, hop, fb), applyMelFilterbank(spec, fb)]) {
      expect([m.frames, m.dims]).toEqual([frames, nMels]);
      expect(m.data.length).toBe(frames * nMels);
      expect(worstRelative(m.data, want)).toBeLessThan(1e-12);
    }
  });

  it('refuses a filterbank made for another FFT size, naming both', () => {
    const fb = melFilterbank(16000, 1024, 64, 0, 8000);
    const x = new Float32Array(4096);
    expect(() => melSpectrogramJs(x, 512, 256, fb)).toThrow('mel filterbank expects 513 FFT bins, nFft 512 gives 257');
    expect(() => melSpectrogram(x, 2048, 256, fb)).toThrow('mel filterbank expects 513 FFT bins, nFft 2048 gives 1025');
    expect(() => applyMelFilterbank(powerSpectrogram(x, 512, 256), fb)).toThrow('mel filterbank expects 513 FFT bins, spectrogram has 257');
  });
});

interface RefArray {
  shape: number[];
  data: number[];
}

describe('mel power against librosa 0.10.2, TypeScript and active paths', () => {
  const index = JSON.parse(readFileSync(join(REFERENCE_DIR, 'index.json'), 'utf8')) as { file: string; reference: string }[];

  it.each(index.filter((r) => r.file.includes('ravdess-16k')))('$file within 1e-4 relative', async ({ file, reference }) => {
    const ref = JSON.parse(readFileSync(join(SHARED_DIR, reference), 'utf8')) as {
      features: Record<
        string,
        { mel_power: RefArray; params: { n_fft: number; hop_length: number; n_mels: number; fmax: number | null; htk: boolean } }
      >;
    };
    const { samples, sampleRate } = await loadAudio(join(SHARED_DIR, file));
    for (const F of Object.values(ref.features)) {
      const p = F.params;
      const fb = melFilterbank(sampleRate, p.n_fft, p.n_mels, 0, p.fmax ?? sampleRate / 2, p.htk);
      const [bands, frames] = F.mel_power.shape;
      const floor = Math.max(...F.mel_power.data) * 1e-12;
      for (const m of [melSpectrogramJs(samples, p.n_fft, p.hop_length, fb), melSpectrogram(samples, p.n_fft, p.hop_length, fb)]) {
        expect([m.dims, m.frames]).toEqual([bands, frames]);
        let worst = 0;
        for (let b = 0; b < bands; b++) {
          for (let t = 0; t < frames; t++) {
            const r = F.mel_power.data[b * frames + t];
            worst = Math.max(worst, Math.abs(m.data[t * bands + b] - r) / Math.max(Math.abs(r), floor));
          }
        }
        expect(worst).toBeLessThan(1e-4);
      }
    }
  });
});
