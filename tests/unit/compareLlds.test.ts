// ComParE 2016 low-level descriptors (src-main/core/features/compare/): windows, FFT power, the openSMILE mel bank,
// MFCC, RASTA and the spectral-shape descriptors against numpy/scipy on a real RAVDESS frame
// (tests/reference/compareReference.py), and each descriptor on signals whose answer is known by hand.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAudio } from '../../src-main/core/audio/load';
import { auditoryBands, equalLoudnessWeight, melBands, RastaFilter, triangularMelBank } from '../../src-main/core/features/compare/auditorySpectrum';
import { liftedDctBasis, mfccFrame } from '../../src-main/core/features/compare/cepstrum';
import { deltaRegression, deltaRegressionInSegments, smooth3, smooth3NonZero } from '../../src-main/core/features/compare/contours';
import { rmsEnergy, zeroCrossingRate } from '../../src-main/core/features/compare/energy';
import { gaussWindow, hammingWindow, leftFrameCount } from '../../src-main/core/features/compare/framing';
import { compareLlds, type VoiceTrackSource } from '../../src-main/core/features/compare/llds';
import { powerSpectra } from '../../src-main/core/features/compare/powerSpectra';
import {
  hzToBark,
  SPECTRAL_SHAPE_NAMES,
  sharpnessWeight,
  spectralShapeFrame,
  spectralShapePlan,
} from '../../src-main/core/features/compare/spectralShape';
import { RAVDESS_16K, REPO_ROOT } from '../helpers/shared';

const ref = JSON.parse(readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'compareReference.json'), 'utf8')) as {
  windows: { hamming320: number[]; gauss960: number[] };
  spectral: {
    frame: number[];
    power: number[];
    centroid: number;
    variance: number;
    skewness: number;
    kurtosis: number;
    entropy: number;
    slope: number;
    rolloff: number[];
    melBands: number[];
    melCentres: number[];
    mfcc: number[];
  };
  rasta: { x: number[]; y: number[] };
};

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
const idx = (name: (typeof SPECTRAL_SHAPE_NAMES)[number]) => SPECTRAL_SHAPE_NAMES.indexOf(name);

function shapeOf(power: ArrayLike<number>, prev?: ArrayLike<number>): Float64Array {
  const plan = spectralShapePlan(16000, 512);
  const out = new Float64Array(SPECTRAL_SHAPE_NAMES.length);
  const prevMag = new Float64Array(257);
  if (prev) spectralShapeFrame(plan, Float64Array.from(prev), 0, prevMag, true, out, 0);
  spectralShapeFrame(plan, Float64Array.from(power), 0, prevMag, !prev, out, 0);
  return out;
}

function sine(freq: number, seconds: number, amp = 0.5, sr = 16000, phase = 0.3): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * sr) }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / sr + phase));
}

describe('ComParE framing and windows', () => {
  it('Hamming and Gaussian windows equal scipy (symmetric hamming, gaussian with std 0.4 (N-1)/2)', () => {
    const h = hammingWindow(320);
    ref.windows.hamming320.forEach((v, i) => expect(h[i]).toBeCloseTo(v, 14));
    const g = gaussWindow(960, 0.4);
    ref.windows.gauss960.forEach((v, i) => expect(g[i]).toBeCloseTo(v, 14));
  });

  it('left-aligned frame counts: complete frames only', () => {
    expect(leftFrameCount(320, 320, 160)).toBe(1);
    expect(leftFrameCount(319, 320, 160)).toBe(0);
    expect(leftFrameCount(16000, 320, 160)).toBe(99);
    expect(leftFrameCount(16000, 960, 160)).toBe(95);
  });
});

describe('ComParE spectra on a RAVDESS frame against numpy/scipy', () => {
  const s = ref.spectral;
  const spec = powerSpectra(Float32Array.from(s.frame), hammingWindow(320), 160, 1, 512);

  it('the 512-point power spectrum of the Hamming frame equals numpy.fft.rfft', () => {
    expect(spec.bins).toBe(257);
    s.power.forEach((v, k) => expect(Math.abs(spec.data[k] - v)).toBeLessThan(1e-9 * Math.max(...s.power)));
  });

  it('spectral shape: centroid, variance, skewness, kurtosis, entropy, slope and roll-offs from their definitions', () => {
    const v = shapeOf(s.power);
    expect(rel(v[idx('spectralCentroid')], s.centroid)).toBeLessThan(1e-12);
    expect(rel(v[idx('spectralVariance')], s.variance)).toBeLessThan(1e-12);
    expect(rel(v[idx('spectralSkewness')], s.skewness)).toBeLessThan(1e-10);
    expect(rel(v[idx('spectralKurtosis')], s.kurtosis)).toBeLessThan(1e-10);
    expect(rel(v[idx('spectralEntropy')], s.entropy)).toBeLessThan(1e-12);
    expect(rel(v[idx('spectralSlope')], s.slope)).toBeLessThan(1e-9);
    ['spectralRollOff25.0', 'spectralRollOff50.0', 'spectralRollOff75.0', 'spectralRollOff90.0'].forEach((n, i) =>
      expect(v[SPECTRAL_SHAPE_NAMES.indexOf(n as (typeof SPECTRAL_SHAPE_NAMES)[number])]).toBe(s.rolloff[i]),
    );
  });

  it('the 26-band mel bank (peak-1 triangles on 1127 ln(1 + f/700), 20 Hz - 8 kHz) and its centre frequencies', () => {
    const bank = triangularMelBank(16000, 512, 26, 20, 8000);
    const mel = new Float64Array(26);
    melBands(Float64Array.from(s.power), 0, bank, mel);
    s.melBands.forEach((v, m) => expect(rel(mel[m], v)).toBeLessThan(1e-12));
    s.melCentres.forEach((v, m) => expect(bank.centres[m]).toBeCloseTo(v, 9));
  });

  it('MFCC 1-14: orthonormal DCT-II of log(max(32767² mel, 1)) with the HTK lifter 22 (scipy.fft.dct)', () => {
    const out = new Float64Array(14);
    mfccFrame(Float64Array.from(s.melBands), liftedDctBasis(26, 1, 14, 22), new Float64Array(26), out, 0);
    s.mfcc.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 10));
  });
});

describe('ComParE auditory spectrum', () => {
  it('RASTA: FIR numerator then the 0.937 pole from frame 5 (scipy.signal.lfilter), zeros before', () => {
    const f = new RastaFilter(1, 0.01);
    const v = new Float64Array(1);
    ref.rasta.x.forEach((x, t) => {
      v[0] = x;
      f.process(v);
      expect(v[0]).toBeCloseTo(ref.rasta.y[t], 12);
    });
  });

  it('RASTA removes a constant log level (band-pass: no DC) and bands are filtered independently', () => {
    const f = new RastaFilter(2, 0.01);
    const v = new Float64Array(2);
    let last = [0, 0];
    for (let t = 0; t < 400; t++) {
      v[0] = 5;
      v[1] = -3 + Math.sin(t / 3);
      f.process(v);
      last = [v[0], v[1]];
    }
    expect(Math.abs(last[0])).toBeLessThan(1e-9);
    expect(Math.abs(last[1])).toBeGreaterThan(1e-3);
  });

  it('equal-loudness weight rises through the speech range and auditory bands are the cube-root-compressed weighted power', () => {
    const w = [100, 500, 1000, 2000].map(equalLoudnessWeight);
    for (let i = 1; i < w.length; i++) expect(w[i]).toBeGreaterThan(w[i - 1]);
    const mel = Float64Array.of(2, 0);
    auditoryBands(mel, Float64Array.of(0.5, 0.5));
    expect(mel[0]).toBeCloseTo(1, 15);
    // a silent band is floored at 9.3e-10 before weighting, so its loudness is small but not 0
    expect(mel[1]).toBeCloseTo((0.00000000093 * 0.5) ** 0.33, 15);
  });

  it('a 1 kHz tone puts its mel energy in the band centred nearest 1 kHz', () => {
    const x = sine(1000, 0.05);
    const spec = powerSpectra(x, hammingWindow(320), 160, 1, 512);
    const bank = triangularMelBank(16000, 512, 26, 20, 8000);
    const mel = new Float64Array(26);
    melBands(spec.data, 0, bank, mel);
    const top = mel.indexOf(Math.max(...mel));
    const nearest = bank.centres.reduce((b, c, m) => (Math.abs(c - 1000) < Math.abs(bank.centres[b] - 1000) ? m : b), 0);
    expect(top).toBe(nearest);
  });
});

describe('ComParE spectral shape on spectra with known answers', () => {
  it('band energies integrate 250-650 Hz and 1-4 kHz with openSMILE edge weights, over the 256 bins of the range', () => {
    const v = shapeOf(new Float64Array(257).fill(1));
    // 250 Hz is bin 8 (weight 1), 650 Hz falls in bin 20 at 0.8; 1 kHz and 4 kHz are bins 32 and 128 exactly
    expect(v[idx('fband250-650')]).toBeCloseTo((1 + 11 + 0.8) / 256, 15);
    expect(v[idx('fband1000-4000')]).toBeCloseTo((1 + 95 + 1) / 256, 15);
    // a flat spectrum: centroid at the mean frequency of bins 1..256, entropy log2(256), no slope, no skew
    expect(v[idx('spectralCentroid')]).toBeCloseTo((257 / 2) * 31.25, 9);
    expect(v[idx('spectralEntropy')]).toBeCloseTo(8, 12);
    expect(v[idx('spectralSlope')]).toBeCloseTo(0, 12);
    expect(v[idx('spectralSkewness')]).toBeCloseTo(0, 12);
    expect(v[idx('spectralHarmonicity')]).toBe(0);
    expect(v[idx('spectralRollOff50.0')]).toBe(128 * 31.25);
  });

  it('a single line at bin 64 (2 kHz): centroid and every roll-off at 2 kHz, zero spread, sharpness 0.11 z g(z), entropy ~0', () => {
    const p = new Float64Array(257);
    p[64] = 4;
    const v = shapeOf(p);
    expect(v[idx('spectralCentroid')]).toBe(2000);
    for (const r of ['spectralRollOff25.0', 'spectralRollOff90.0'] as const) expect(v[idx(r)]).toBe(2000);
    expect(v[idx('spectralVariance')]).toBe(0);
    expect(v[idx('spectralSkewness')]).toBe(0);
    expect(v[idx('spectralKurtosis')]).toBe(0);
    const z = hzToBark(2000);
    expect(v[idx('psySharpness')]).toBeCloseTo(0.11 * z * sharpnessWeight(z), 12);
    expect(v[idx('spectralEntropy')]).toBeLessThan(1e-3); // the other bins are floored at 1e-7, not 0
    expect(v[idx('fband1000-4000')]).toBe(4 / 256);
    expect(v[idx('fband250-650')]).toBe(0);
  });

  it('flux is the RMS magnitude change from the previous frame (0 on the first frame)', () => {
    const a = new Float64Array(257).fill(4);
    const b = new Float64Array(257).fill(9);
    expect(shapeOf(a)[idx('spectralFlux')]).toBe(0);
    expect(shapeOf(b, a)[idx('spectralFlux')]).toBeCloseTo(1, 14); // |3 - 2| in every bin
  });

  it('harmonicity: half the summed jumps between strict ±2-bin extrema, per bin', () => {
    const p = new Float64Array(257).fill(1);
    // two peaks of height 5 at bins 20 and 40 with a valley of 0 at 30
    p[20] = 5;
    p[30] = 0;
    p[40] = 5;
    const v = shapeOf(p);
    expect(v[idx('spectralHarmonicity')]).toBeCloseTo((5 + 5) / 2 / 256, 15);
  });

  it('Bark scale: Traunmüller with his corrections below 2 and above 20.1 Bark; sharpness weight 1 up to 16 Bark', () => {
    expect(hzToBark(1000)).toBeCloseTo(26.81 / (1 + 1.96) - 0.53, 12);
    const zLow = 26.81 / (1 + 1960 / 100) - 0.53;
    expect(hzToBark(100)).toBeCloseTo(0.85 * zLow + 0.3, 12);
    const zHigh = 26.81 / (1 + 1960 / 7900) - 0.53;
    expect(hzToBark(7900)).toBeCloseTo(1.22 * zHigh - 0.22 * 20.1, 12);
    expect(sharpnessWeight(15)).toBe(1);
    expect(sharpnessWeight(20)).toBeCloseTo(2, 6);
  });
});

describe('ComParE time-domain descriptors and contours', () => {
  it('RMS energy of a sine is A/√2; ZCR of a 1 kHz sine is 2 kHz / 16 kHz per sample', () => {
    const x = sine(1000, 0.5, 0.8);
    const rms = rmsEnergy(x, 320, 160, 10);
    for (const v of rms) expect(v).toBeCloseTo(0.8 / Math.SQRT2, 3);
    const zcr = zeroCrossingRate(x, 960, 160, 10);
    // 120 crossings in 60 ms; the first and last sample cannot count, so 119 or 120
    for (const v of zcr) expect([119 / 960, 120 / 960]).toContain(v);
  });

  it('RMS energy and ZCR equal their per-frame definitions bit for bit (RMS four frames at a time, windowed or not; ZCR sliding)', async () => {
    const x = (await loadAudio(join(RAVDESS_16K, 'Actor_02', '03-01-04-01-02-01-02.wav'), { sampleRate: 16000 })).samples;
    const plain = (size: number, frames: number, w?: Float64Array) =>
      Array.from({ length: frames }, (_, t) => {
        let e = 0;
        for (let i = 0; i < size; i++) {
          const v = w ? x[t * 160 + i] * w[i] : x[t * 160 + i];
          e += v * v;
        }
        return Math.sqrt(e / size);
      });
    // the ZCR by its per-frame definition (frames overlapping, or not when the step reaches the frame)
    const zcrPlain = (size: number, step: number, frames: number) =>
      Array.from({ length: frames }, (_, t) => {
        let c = 0;
        for (let i = t * step + 1; i <= t * step + size - 2; i++) if ((x[i - 1] * x[i + 1] <= 0 && x[i] === 0) || x[i - 1] * x[i] < 0) c++;
        return c / size;
      });
    expect(Array.from(zeroCrossingRate(x, 960, 160, 300))).toEqual(zcrPlain(960, 160, 300));
    expect(Array.from(zeroCrossingRate(x, 320, 400, 100))).toEqual(zcrPlain(320, 400, 100));
    for (const frames of [1, 3, 4, 5, 7, 150]) {
      expect(Array.from(rmsEnergy(x, 320, 160, frames))).toEqual(plain(320, frames));
      expect(Array.from(rmsEnergy(x, 960, 160, frames, gaussWindow(960, 0.4)))).toEqual(plain(960, frames, gaussWindow(960, 0.4)));
    }
  });

  it('spectral entropy and harmonicity equal their definitions bit for bit on real spectra (floored bins, ties)', async () => {
    const x = (await loadAudio(join(RAVDESS_16K, 'Actor_02', '03-01-04-01-02-01-02.wav'), { sampleRate: 16000 })).samples;
    const frames = leftFrameCount(x.length, 320, 160);
    const spec = powerSpectra(x, hammingWindow(320), 160, frames, 512);
    const plan = spectralShapePlan(16000, 512);
    const out = new Float64Array(SPECTRAL_SHAPE_NAMES.length);
    const prevMag = new Float64Array(257);
    let floored = 0;
    for (let t = 0; t < frames; t++) {
      const p = spec.data.slice(t * 257, (t + 1) * 257);
      if (t % 7 === 0) p.fill(p[100], 90, 110); // a plateau: equal neighbours are no extrema
      spectralShapeFrame(plan, p, 0, prevMag, t === 0, out, 0);
      let sum = 0;
      let sumV = 0;
      let sumVLogV = 0;
      for (let j = 1; j < 257; j++) {
        sum += p[j];
        const v = p[j] > 1e-7 ? p[j] : 1e-7;
        if (p[j] <= 1e-7) floored++;
        sumV += v;
        sumVLogV += v * Math.log2(v);
      }
      const dn = Math.max(sum, 1e-7);
      expect(out[idx('spectralEntropy')]).toBe(-(sumVLogV - Math.log2(dn) * sumV) / dn);
      let ptp = 0;
      let last = -99;
      for (let j = 3; j < 255; j++) {
        const v = p[j];
        const isMax = p[j - 2] < v && p[j - 1] < v && v > p[j + 1] && v > p[j + 2];
        const isMin = p[j - 2] > v && p[j - 1] > v && v < p[j + 1] && v < p[j + 2];
        if (isMax || isMin) {
          if (last !== -99) ptp += Math.abs(v - last);
          last = v;
        }
      }
      expect(out[idx('spectralHarmonicity')]).toBe(ptp / 2 / 256);
    }
    expect(floored).toBeGreaterThan(1000);
  });

  it("digital silence: RMS 0, and openSMILE's ZCR rule counts every inner sample", () => {
    const x = new Float32Array(1600);
    expect(Array.from(rmsEnergy(x, 320, 160, 3))).toEqual([0, 0, 0]);
    expect(Array.from(zeroCrossingRate(x, 960, 160, 2))).toEqual([958 / 960, 958 / 960]);
  });

  it('smoothing and deltas: 3-frame mean, non-zero-only mean, ±2-frame regression, in-segment regression; ends continue the edge values', () => {
    const x = Float64Array.of(3, 6, 9, 0, 12);
    expect(Array.from(smooth3(x))).toEqual([4, 6, 5, 7, 8]);
    expect(Array.from(smooth3NonZero(x))).toEqual([4, 6, 7.5, 0, 12]);
    const ramp = Float64Array.from({ length: 9 }, (_, i) => 2 * i + 1);
    const d = deltaRegression(ramp);
    for (let t = 2; t < 7; t++) expect(d[t]).toBeCloseTo(2, 14);
    expect(d[0]).toBeCloseTo((3 - 1 + 2 * (5 - 1)) / 10, 14); // x[-1] = x[-2] = x[0]
    expect(d[8]).toBeCloseTo((17 - 15 + 2 * (17 - 13)) / 10, 14);
    // in segments: a pair touching a zero frame does not count, the norm shrinks with it
    const v = Float64Array.of(0, 10, 12, 14, 16, 0);
    const ds = deltaRegressionInSegments(v);
    expect(ds[2]).toBeCloseTo((14 - 10) / 2, 14); // only i = 1 counts (x[0] is 0)
    expect(ds[3]).toBeCloseTo((16 - 12) / 2, 14); // x[5] is 0, so i = 2 does not count
    expect(ds[0]).toBe(0);
    const w = Float64Array.of(10, 12, 14);
    expect(deltaRegressionInSegments(w)[0]).toBeCloseTo((12 - 10 + 2 * (14 - 10)) / 10, 14); // edge value repeated
  });
});

describe('ComParE LLDs of real speech', () => {
  // A voice source with known tracks, so the non-voice descriptors are checked without the F0 extractor.
  const voicedEvery3rd: VoiceTrackSource = (_x, _sr, o) => {
    const f0 = Float64Array.from({ length: o.frames }, (_, t) => (t % 3 === 0 ? 0 : 200 + t));
    const same = (v: number) => Float64Array.from(f0, (f) => (f > 0 ? v : 0));
    return {
      f0,
      voicingProb: new Float64Array(o.frames).fill(0.9),
      jitterLocal: same(0.01),
      jitterDdp: same(0.03),
      shimmerLocal: same(0.1),
      logHnr: same(12),
    };
  };

  it('a RAVDESS file: 4 + 55 + 6 finite contours on the 10 ms grid (20 ms and 60 ms frame counts)', async () => {
    const audio = await loadAudio(join(RAVDESS_16K, 'Actor_01', '03-01-05-01-01-01-01.wav'), { sampleRate: 16000 });
    const seen: { hop: number; frames: number; f0Min: number; f0Max: number; windowSeconds: number; unusedVoicing?: Uint8Array }[] = [];
    const l = compareLlds(audio.samples, 16000, (x, sr, o) => {
      seen.push(o);
      return voicedEvery3rd(x, sr, o);
    });
    const n = audio.samples.length;
    const n20 = Math.floor((n - 320) / 160) + 1;
    const n60 = Math.floor((n - 960) / 160) + 1;
    expect(seen.map(({ unusedVoicing: _, ...o }) => o)).toEqual([{ hop: 160, frames: n60, windowSeconds: 0.06, f0Min: 52, f0Max: 620 }]);
    expect(l.a.map((t) => t.length)).toEqual([n60, n60, n60, n60]);
    expect(l.b).toHaveLength(55);
    for (const t of l.b) expect(t.length).toBe(n20);
    expect(l.nz).toHaveLength(6);
    for (const t of [...l.a, ...l.b, ...l.nz]) expect(t.every(Number.isFinite)).toBe(true);
    // speech: the loudness sums move, MFCC 1 is not constant, centroid within the band
    const centroid = l.b[26 + idx('spectralCentroid')];
    expect(Math.max(...centroid)).toBeGreaterThan(1000);
    expect(Math.min(...centroid)).toBeGreaterThanOrEqual(0);
    // F0 and voicing are cleared where the 60 ms Gaussian-window RMS is below 0.001 (openSMILE's volume gate); the
    // logHNR of frames without F0 is openSMILE's -100 floor; then every voice contour is smoothed over non-zero frames
    const e60 = rmsEnergy(audio.samples, 960, 160, n60, gaussWindow(960, 0.4));
    // the voice extractor is told which frames the gate drops (it may leave their voicing analysis out)
    expect(Array.from(seen[0].unusedVoicing ?? [])).toEqual(Array.from(e60, (e) => (e < 0.001 ? 1 : 0)));
    const src = voicedEvery3rd(audio.samples, 16000, seen[0]);
    const f0Raw = Float64Array.from(src.f0, (f, t) => (e60[t] < 0.001 ? 0 : f));
    const hnrRaw = Float64Array.from(f0Raw, (f) => (f > 0 ? 12 : -100));
    expect(Array.from(l.nz[0])).toEqual(Array.from(smooth3NonZero(f0Raw)));
    expect(Array.from(l.nz[1])).toEqual(Array.from(smooth3NonZero(Float64Array.from(e60, (e) => (e < 0.001 ? 0 : 0.9)))));
    expect(Array.from(l.nz[5])).toEqual(Array.from(smooth3NonZero(hnrRaw)));
    const loud = f0Raw.filter((f) => f > 0).length;
    expect(loud).toBeGreaterThan(50);
  });

  it('the spectral-centroid track of a 3 kHz tone sits at 3 kHz', () => {
    const l = compareLlds(sine(3000, 0.5), 16000, voicedEvery3rd);
    const centroid = l.b[26 + idx('spectralCentroid')];
    for (let t = 2; t < centroid.length - 2; t++) expect(Math.abs(centroid[t] - 3000)).toBeLessThan(40);
    // loudness of a steady tone is steady: audspec sum flat inside the signal
    const a = l.a[0];
    for (let t = 2; t < a.length - 2; t++) expect(rel(a[t], a[2])).toBeLessThan(1e-3);
  });
});
