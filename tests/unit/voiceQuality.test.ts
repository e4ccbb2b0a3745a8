// Voice-quality descriptors on signals whose answers are known by construction: tones at a known F0, pulse
// trains with a known sequence of periods (jitter) or amplitudes (shimmer), white noise (unvoiced) and
// silence (zeros); the cycle-to-cycle formulas on hand-made pulse times; the frame grid of voiceQualityTracks.
// (Agreement with Praat itself on RAVDESS: voiceQualityPraat.test.ts.)
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAudio } from '../../src-main/core/audio/load';
import { certainlyUnvoicedStrength, PRAAT_PITCH_DEFAULTS, soundToPitch } from '../../src-main/core/features/pitchAutocorrelation';
import {
  jitterDdp,
  jitterLocal,
  jitterRap,
  meanPeriod,
  pulseAmplitudes,
  shimmerLocal,
  PRAAT_PERIOD_LIMITS,
} from '../../src-main/core/features/pointProcess';
import { improveMaximum, interpolateSinc, PEAK_SINC70 } from '../../src-main/core/features/sincInterpolation';
import { LOG_HNR_FLOOR_DB, voiceQualityTracks, voiceReport, type VoiceQualityTracks } from '../../src-main/core/features/voiceQuality';
import { RAVDESS_16K } from '../helpers/shared';

const SR = 16000;

/** Deterministic uniform numbers in [0, 1) (LCG). */
function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function tone(f0: number, seconds: number, amplitude = 0.5): Float32Array {
  // A few harmonics with falling amplitude, like a voiced sound's source spectrum.
  return Float32Array.from({ length: Math.round(seconds * SR) }, (_, i) => {
    let v = 0;
    for (let h = 1; h <= 4; h++) v += Math.sin((2 * Math.PI * h * f0 * i) / SR) / h;
    return (amplitude * v) / 2;
  });
}

/** One glottal cycle: a decaying 800 Hz ringing (dies out within a cycle), started at each onset (samples) with its amplitude. */
function pulseTrain(onsets: number[], amplitudes: number[], length: number): Float32Array {
  const x = new Float32Array(length);
  onsets.forEach((o, k) => {
    for (let j = 0; j < 200 && o + j < length; j++) x[o + j] += amplitudes[k] * Math.exp(-j / 10) * Math.sin((2 * Math.PI * 800 * j) / SR);
  });
  return x;
}

/** Jitter (local) and (ddp) of a period sequence, as Praat defines them, by hand. */
function handJitter(periods: number[]): { local: number; ddp: number } {
  const mean = periods.reduce((a, b) => a + b, 0) / periods.length;
  let d = 0;
  for (let i = 1; i < periods.length; i++) d += Math.abs(periods[i] - periods[i - 1]);
  let dd = 0;
  for (let i = 1; i + 1 < periods.length; i++) dd += Math.abs(periods[i + 1] - 2 * periods[i] + periods[i - 1]);
  return { local: d / (periods.length - 1) / mean, ddp: dd / (periods.length - 2) / mean };
}

describe('Praat sinc interpolation', () => {
  it('goes through the samples and reproduces a band-limited signal between them', () => {
    const y = Float64Array.from({ length: 400 }, (_, i) => Math.cos(0.05 * i + 0.3));
    expect(interpolateSinc(y, 200, 70)).toBe(y[200]);
    for (const x of [150.25, 200.5, 231.9]) expect(interpolateSinc(y, x, 70)).toBeCloseTo(Math.cos(0.05 * x + 0.3), 4);
    expect(interpolateSinc(y, -3, 70)).toBe(y[0]);
    expect(interpolateSinc(y, 1e6, 70)).toBe(y[399]);
  });

  it('refines a sampled peak to the true maximum', () => {
    const peakAt = 123.37;
    const y = Float64Array.from({ length: 300 }, (_, i) => Math.cos(0.04 * (i - peakAt)));
    const best = improveMaximum(y, 123, PEAK_SINC70);
    expect(best.x).toBeCloseTo(peakAt, 2);
    expect(best.value).toBeCloseTo(1, 6);
  });
});

describe('cycle-to-cycle formulas on hand-made pulse times', () => {
  const lim = PRAAT_PERIOD_LIMITS;

  it('jitter of alternating 10 / 11 ms periods', () => {
    const t = [0];
    for (let k = 0; k < 40; k++) t.push(t[t.length - 1] + (k % 2 ? 0.011 : 0.01));
    // 40 periods, mean 10.5 ms; every |p(i) - p(i+1)| = 1 ms; every second difference 2 ms.
    expect(meanPeriod(t, 0, 1, lim)).toBeCloseTo(0.0105, 12);
    expect(jitterLocal(t, 0, 1, lim)).toBeCloseTo(0.001 / 0.0105, 10);
    expect(jitterDdp(t, 0, 1, lim)).toBeCloseTo(0.002 / 0.0105, 10);
    expect(jitterRap(t, 0, 1, lim)).toBeCloseTo(0.002 / 3 / 0.0105, 10);
    // A sub-range: only the points inside it count.
    expect(jitterLocal(t, 0.1, 0.3, lim)).toBeCloseTo(0.001 / 0.0105, 2);
  });

  it('leaves out periods beyond the ceiling or the maximum period factor', () => {
    // 10 ms periods with one 30 ms gap (longer than the 20 ms period ceiling, and 3x its neighbours).
    const t = [0, 0.01, 0.02, 0.03, 0.06, 0.07, 0.08, 0.09];
    expect(meanPeriod(t, 0, 1, lim)).toBeCloseTo(0.01, 12);
    expect(jitterLocal(t, 0, 1, lim)).toBeCloseTo(0, 12);
    // With no limits (floor = ceiling) Praat counts every interval.
    const none = { ...lim, periodFloor: 0, periodCeiling: 0 };
    expect(jitterLocal(t, 0, 1, none)).toBeCloseTo(0.04 / 6 / (0.09 / 7), 10);
  });

  it('is undefined (NaN) with too few periods', () => {
    expect(jitterLocal([0, 0.01], 0, 1, lim)).toBeNaN();
    expect(jitterDdp([0, 0.01, 0.02], 0, 1, lim)).toBeNaN();
  });

  it('shimmer of alternating amplitudes 1 / 0.8', () => {
    const t: number[] = [];
    const onsets: number[] = [];
    for (let k = 0; k < 30; k++) {
      onsets.push(400 + 100 * k);
      t.push((400 + 100 * k + 0.5) / SR);
    }
    const x = pulseTrain(
      onsets,
      onsets.map((_, k) => (k % 2 ? 0.8 : 1)),
      4000,
    );
    const amps = pulseAmplitudes(t, x, SR, lim);
    expect(amps[0]).toBeNaN(); // the first and last pulse have no period on one side
    expect(amps[1] / amps[2]).toBeCloseTo(0.8, 3);
    // Praat's amplitude tier holds pulses 1..28 (0.8 at odd, 1 at even indices): 27 pairs differing by 0.2, over
    // the mean of the tier without its last point (as Praat's AmplitudeTier_getShimmer_local): (14 x 0.8 + 13) / 27.
    expect(shimmerLocal(t, amps, 0, 1, lim)).toBeCloseTo(0.2 / ((14 * 0.8 + 13) / 27), 4);
    // Beyond the maximum amplitude factor (1.6) no pair counts.
    const loud = pulseTrain(
      onsets,
      onsets.map((_, k) => (k % 2 ? 0.5 : 1)),
      4000,
    );
    expect(shimmerLocal(t, pulseAmplitudes(t, loud, SR, lim), 0, 1, lim)).toBeNaN();
  });
});

describe('voiceReport on synthetic voices', () => {
  it('a harmonic tone: its F0, no jitter or shimmer, high HNR', () => {
    for (const f0 of [110, 220, 440]) {
      const r = voiceReport(tone(f0, 1), SR);
      expect(r.f0Mean).toBeCloseTo(f0, 1);
      expect(r.f0Median).toBeCloseTo(f0, 1);
      expect(r.jitterLocal).toBeLessThan(1e-4);
      expect(r.shimmerLocal).toBeLessThan(1e-3);
      expect(r.hnrMean).toBeGreaterThan(40);
      // ~1 s of pulses at f0
      expect(r.pulses.length).toBeGreaterThan(0.9 * f0);
      expect(r.pulses.length).toBeLessThan(1.01 * f0);
    }
  });

  it('a pulse train with known period perturbation: the hand-computed jitter', () => {
    const length = 1.5 * SR;
    const next = uniform(7);
    const onsets: number[] = [];
    const periods: number[] = [];
    for (let t = 400; t < length - 400;) {
      onsets.push(t);
      const p = 100 + Math.floor(next() * 5) - 2; // 98..102 samples, F0 ~ 160 Hz
      periods.push(p);
      t += p;
    }
    periods.pop(); // the last onset's period runs past the signal
    const r = voiceReport(
      pulseTrain(
        onsets,
        onsets.map(() => 0.5),
        length,
      ),
      SR,
    );
    const hand = handJitter(periods);
    expect(hand.local).toBeGreaterThan(0.01);
    // One pulse per cycle, at a fixed offset from each onset (the waveform's extremum).
    expect(r.pulses.length).toBe(onsets.length);
    const offsets = onsets.map((o, k) => r.pulses[k] * SR - 0.5 - o);
    expect(Math.max(...offsets) - Math.min(...offsets)).toBeLessThan(0.01);
    expect(r.jitterLocal / hand.local).toBeCloseTo(1, 2);
    expect(r.jitterDdp / hand.ddp).toBeCloseTo(1, 2);
    // Each peak's Hann window spans 0.2 of its own periods, so unequal periods measure slightly unequal peaks.
    expect(r.shimmerLocal).toBeLessThan(0.01);
  });

  it('a pulse train with alternating amplitudes: the hand-computed shimmer', () => {
    const onsets = Array.from({ length: 230 }, (_, k) => 400 + 100 * k);
    const r = voiceReport(
      pulseTrain(
        onsets,
        onsets.map((_, k) => (k % 2 ? 0.45 : 0.5)),
        1.5 * SR,
      ),
      SR,
    );
    expect(r.f0Mean).toBeCloseTo(160, 1);
    expect(r.shimmerLocal).toBeCloseTo(0.05 / 0.475, 3);
    expect(r.jitterLocal).toBeLessThan(1e-4);
  });

  it('white noise is unvoiced', () => {
    const next = uniform(1);
    const noise = Float32Array.from({ length: 1.5 * SR }, () => (next() - 0.5) * 0.5);
    const r = voiceReport(noise, SR);
    expect(r.voicedFrames).toBe(0);
    expect(r.f0Mean).toBe(0);
    expect(r.pulses.length).toBe(0);
    expect(r.jitterLocal).toBe(0);
    expect(r.hnrMean).toBeLessThan(0);
  });

  it('silence and too-short input give zeros, never NaN', () => {
    for (const x of [new Float32Array(SR), new Float32Array(100), new Float32Array(0)]) {
      const r = voiceReport(x, SR);
      expect({ ...r, pulses: r.pulses.length }).toEqual({
        f0Mean: 0,
        f0Median: 0,
        jitterLocal: 0,
        jitterDdp: 0,
        shimmerLocal: 0,
        hnrMean: 0,
        voicedFrames: 0,
        pulses: 0,
      });
    }
  });

  it('pitch options: a tone above the ceiling is not voiced at its own F0', () => {
    const p = soundToPitch(tone(440, 0.5), SR, { ...PRAAT_PITCH_DEFAULTS, ceiling: 300 });
    for (const f of p.f0) expect(f === 0 || f < 300).toBe(true);
    expect(voiceReport(tone(440, 0.5), SR, { f0Max: 300 }).f0Mean).not.toBeCloseTo(440, 0);
    expect(() => voiceReport(tone(440, 0.5), SR, { f0Min: 0 })).toThrow(/voiceReport: need 0 < f0Min < f0Max/);
  });
});

describe('voiceQualityTracks', () => {
  const hop = 160;
  const framesOf = (n: number): number => Math.floor((n - 960) / hop) + 1;

  it('one value per frame, all finite, in their ranges', () => {
    const x = tone(180, 1.2);
    const frames = framesOf(x.length);
    const v = voiceQualityTracks(x, SR, { hop, frames });
    for (const track of Object.values(v) as Float64Array[]) {
      expect(track).toHaveLength(frames);
      for (const value of track) expect(Number.isFinite(value)).toBe(true);
    }
    for (let t = 5; t < frames - 5; t++) {
      expect(v.f0[t]).toBeCloseTo(180, 0);
      expect(v.voicingProb[t]).toBeGreaterThan(0.99);
      expect(v.logHnr[t]).toBeGreaterThan(20);
      expect(v.jitterLocal[t]).toBeLessThan(1e-3);
      expect(v.shimmerLocal[t]).toBeLessThan(1e-2);
    }
  });

  it('frame t starts at sample t * hop: a signal voiced in its second half has voiced frames only there', () => {
    const half = SR; // 1 s of low noise, then 1 s of a 150 Hz tone
    const next = uniform(3);
    const x = new Float32Array(2 * half);
    for (let i = 0; i < half; i++) x[i] = (next() - 0.5) * 0.002;
    x.set(tone(150, 1), half);
    const frames = framesOf(x.length);
    const v = voiceQualityTracks(x, SR, { hop, frames });
    const window = 960;
    for (let t = 0; t < frames; t++) {
      const start = t * hop;
      if (start + window <= half - 200) {
        // entirely in the noise, with a margin for Praat's path (a frame before an onset may turn voiced)
        expect(v.f0[t]).toBe(0);
        expect(v.jitterLocal[t]).toBe(0);
        expect(v.shimmerLocal[t]).toBe(0);
      }
      if (start >= half + 400 && start + window <= x.length - 400) {
        expect(v.f0[t]).toBeCloseTo(150, 0);
        expect(v.voicingProb[t]).toBeGreaterThan(0.99);
      }
    }
    // The voicing onset lies within one frame (plus one window) of the true onset.
    const firstVoiced = v.f0.findIndex((f) => f > 0);
    expect(firstVoiced * hop).toBeGreaterThan(half - window - hop);
    expect(firstVoiced * hop).toBeLessThan(half);
  });

  it('frames past the end read zeros; a shorter window and other pitch limits are honoured', () => {
    const x = tone(300, 0.5);
    const v = voiceQualityTracks(x, SR, { hop: 80, frames: 120, windowSeconds: 0.04, f0Min: 100, f0Max: 500 });
    expect(v.f0).toHaveLength(120);
    // frames that start past the end of the signal (0.5 s = 100 frames of 80 samples) are silent
    for (let t = 101; t < 120; t++) {
      expect(v.f0[t]).toBe(0);
      expect(v.logHnr[t]).toBe(LOG_HNR_FLOOR_DB);
    }
    expect(v.f0[50]).toBeCloseTo(300, 0);
    const capped = voiceQualityTracks(x, SR, { hop: 80, frames: 100, f0Max: 250 });
    for (const f of capped.f0) expect(f < 250).toBe(true);
  });

  it('rejects a hop, window or pitch range that cannot work, naming it', () => {
    const x = tone(200, 0.2);
    expect(() => voiceQualityTracks(x, SR, { hop: 0, frames: 3 })).toThrow(/hop \(0 samples\)/);
    expect(() => voiceQualityTracks(x, SR, { hop: 160, frames: 3, f0Min: 300, f0Max: 200 })).toThrow(/f0Min < f0Max/);
  });

  it('white noise: unvoiced, voicing probability low but not zero', () => {
    const next = uniform(11);
    const noise = Float32Array.from({ length: SR }, () => next() - 0.5);
    const v = voiceQualityTracks(noise, SR, { hop, frames: framesOf(SR) });
    expect(v.f0.every((f) => f === 0)).toBe(true);
    const meanProb = v.voicingProb.reduce((a, b) => a + b, 0) / v.voicingProb.length;
    expect(meanProb).toBeGreaterThan(0.05);
    expect(meanProb).toBeLessThan(0.3);
    for (const h of v.logHnr) expect(h).toBeLessThan(0);
  });

  it('silence gives zeros (and the logHnr floor), never NaN; no frames gives empty tracks', () => {
    const v = voiceQualityTracks(new Float32Array(SR), SR, { hop, frames: framesOf(SR) });
    for (const k of ['f0', 'voicingProb', 'jitterLocal', 'jitterDdp', 'shimmerLocal'] as const) expect(v[k].every((value) => value === 0)).toBe(true);
    expect(v.logHnr.every((value) => value === LOG_HNR_FLOOR_DB)).toBe(true);
    expect(voiceQualityTracks(new Float32Array(0), SR, { hop, frames: 0 }).f0).toHaveLength(0);
    const short = voiceQualityTracks(new Float32Array(50).fill(0.1), SR, { hop, frames: 1 });
    expect(Number.isFinite(short.logHnr[0])).toBe(true);
  });
});

describe('voiceQualityTracks leaving out the voicing analysis of unused quiet frames (unusedVoicing)', () => {
  const hop = 160;
  const framesOf = (n: number): number => Math.floor((n - 960) / hop) + 1;
  const ravdess = ['Actor_01/03-01-05-01-01-01-01.wav', 'Actor_08/03-01-03-02-02-01-08.wav', 'Actor_15/03-01-01-01-01-02-15.wav'];

  /** Every track equal, except voicingProb and logHnr, which are NaN in the frames left out and equal elsewhere. */
  function expectSameBut(skipped: VoiceQualityTracks, full: VoiceQualityTracks, unused: Uint8Array): number {
    for (const k of ['f0', 'jitterLocal', 'jitterDdp', 'shimmerLocal'] as const) expect(Array.from(skipped[k]), k).toEqual(Array.from(full[k]));
    let left = 0;
    for (let t = 0; t < full.f0.length; t++) {
      if (Number.isNaN(skipped.voicingProb[t])) {
        left++;
        expect(unused[t], `frame ${t} was used`).toBe(1);
        expect(full.f0[t]).toBe(0);
        expect(Number.isNaN(skipped.logHnr[t])).toBe(true);
      } else {
        expect(skipped.voicingProb[t]).toBe(full.voicingProb[t]);
        expect(skipped.logHnr[t]).toBe(full.logHnr[t]);
      }
    }
    return left;
  }

  it('the bound: one voiced candidate (<= 1) plus two voiced/unvoiced costs, scaled to the time step', () => {
    expect(certainlyUnvoicedStrength(PRAAT_PITCH_DEFAULTS, 0.01)).toBeCloseTo(1.28, 5);
    expect(certainlyUnvoicedStrength(PRAAT_PITCH_DEFAULTS, 0.005)).toBeCloseTo(1.56, 5);
    expect(certainlyUnvoicedStrength({ ...PRAAT_PITCH_DEFAULTS, octaveCost: -0.01 }, 0.01)).toBe(Infinity);
  });

  it('a periodic tone fading out: the quiet frames are left out although strongly periodic; F0 and the rest unchanged', () => {
    // 150 Hz, amplitude falling 60 dB over 2 s: the tail stays periodic (strength ~1) while its intensity drops
    // below the bound, the hardest case for leaving frames out.
    const x = tone(150, 2).map((v, i) => v * 10 ** ((-3 * i) / (2 * SR)));
    const frames = framesOf(x.length);
    const full = voiceQualityTracks(x, SR, { hop, frames });
    const all = new Uint8Array(frames).fill(1);
    const skipped = voiceQualityTracks(x, SR, { hop, frames, unusedVoicing: all });
    const left = expectSameBut(skipped, full, all);
    expect(left).toBeGreaterThan(frames / 4);
    // the frames left out were periodic: their full analysis found a strong correlation
    const strong = full.voicingProb.filter((r, t) => Number.isNaN(skipped.voicingProb[t]) && r > 0.9).length;
    expect(strong).toBeGreaterThan(left / 2);
    expect(full.f0.filter((f) => f > 0).length).toBeGreaterThan(frames / 3);
  });

  it('RAVDESS: F0, jitter and shimmer identical whatever is left out; only frames marked unused lose their voicing', async () => {
    for (const file of ravdess) {
      const audio = await loadAudio(join(RAVDESS_16K, file), { sampleRate: 16000 });
      const x = audio.samples;
      const frames = framesOf(x.length);
      const opts = { hop, frames, f0Min: 52, f0Max: 620 };
      const full = voiceQualityTracks(x, SR, opts);
      const all = new Uint8Array(frames).fill(1);
      expect(expectSameBut(voiceQualityTracks(x, SR, { ...opts, unusedVoicing: all }), full, all), file).toBeGreaterThan(frames / 5);
      // every other frame marked: the left-out frames break the FFT pairs differently
      const alternate = Uint8Array.from({ length: frames }, (_, t) => t & 1);
      expect(expectSameBut(voiceQualityTracks(x, SR, { ...opts, unusedVoicing: alternate }), full, alternate), file).toBeGreaterThan(frames / 10);
    }
  });
});
