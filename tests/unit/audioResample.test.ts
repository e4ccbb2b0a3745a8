import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAudio } from '../../src-main/core/audio/load';
import { resample } from '../../src-shared/audio/resample';
import { RAVDESS_48K, REFERENCE_DIR } from '../helpers/shared';

function sine(hz: number, sampleRate: number, seconds: number, phase = 0): Float32Array {
  return Float32Array.from({ length: Math.round(sampleRate * seconds) }, (_, i) => Math.sin((2 * Math.PI * hz * i) / sampleRate + phase));
}

/** 10 log10(signal power / error power) over [from, to). */
function snrDb(got: ArrayLike<number>, want: ArrayLike<number>, from = 0, to = want.length): number {
  let p = 0;
  let e = 0;
  for (let i = from; i < to; i++) {
    p += want[i] * want[i];
    e += (got[i] - want[i]) ** 2;
  }
  return 10 * Math.log10(p / e);
}

function rms(x: Float32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / (to - from));
}

describe('resample', () => {
  it('matches scipy resample_poly on the 48 kHz RAVDESS original (>= 40 dB SNR, same length)', async () => {
    const ref = JSON.parse(readFileSync(join(REFERENCE_DIR, 'data__ravdess-48k__Actor_01__03-01-08-01-02-02-01.json'), 'utf8')) as {
      resampled_16k: { num_samples: number; data: number[] };
    };
    const a = await loadAudio(join(RAVDESS_48K, 'Actor_01', '03-01-08-01-02-02-01.wav'), { sampleRate: 16000 });
    expect(a.samples.length).toBe(ref.resampled_16k.num_samples);
    // Both are zero-phase, so sample i is compared with sample i: no lag to search.
    const snr = snrDb(a.samples, ref.resampled_16k.data);
    expect(snr).toBeGreaterThan(40);
  });

  it('keeps an in-band tone at every common rate pair', () => {
    for (const [from, to] of [
      [44100, 16000],
      [48000, 16000],
      [22050, 16000],
      [8000, 16000],
      [16000, 22050],
    ]) {
      const y = resample(sine(1000, from, 1), from, to);
      expect(y.length).toBe(to); // one second in, one second out
      const want = sine(1000, to, 1);
      // Edges see the zero padding; the middle must be clean (Kaiser beta 5 passband ripple limits it to ~60 dB).
      expect(snrDb(y, want, 200, y.length - 200), `${from}->${to}`).toBeGreaterThan(50);
    }
  });

  it('removes content above the new Nyquist instead of aliasing it (not linear interpolation)', () => {
    const y = resample(sine(12000, 48000, 1), 48000, 16000);
    // A 12 kHz tone would alias to 4 kHz at 16 kHz; the anti-alias filter must suppress it by > 40 dB.
    expect(20 * Math.log10(rms(y, 200, y.length - 200) / Math.SQRT1_2)).toBeLessThan(-40);
  });

  it('is the identity at equal rates and rejects non-integer rates', () => {
    const x = sine(440, 16000, 0.1);
    expect(Array.from(resample(x, 16000, 16000))).toEqual(Array.from(x));
    expect(() => resample(x, 16000.5, 8000)).toThrow(/positive integers/);
    expect(() => resample(x, 0, 8000)).toThrow(/positive integers/);
  });

  it('returns an independent copy at equal rates, exact even next to an impulse', () => {
    const x = Float32Array.from([0, 0, 0, 1, 0, 0, 0]);
    const y = resample(x, 22050, 22050);
    expect(Array.from(y)).toEqual([0, 0, 0, 1, 0, 0, 0]);
    y[3] = 5;
    expect(x[3]).toBe(1);
  });

  it('names both rates when either is not a positive integer', () => {
    const x = new Float32Array(10);
    for (const [from, to] of [
      [16000, 0],
      [-16000, 8000],
      [16000, -8000],
      [16000, 8000.25],
      [NaN, 8000],
      [16000, NaN],
      [Infinity, 8000],
    ]) {
      let err: unknown;
      try {
        resample(x, from, to);
      } catch (e) {
        err = e;
      }
      expect(err, `${from} -> ${to}`).toBeInstanceOf(RangeError);
      expect((err as Error).message).toBe(`resample: sample rates must be positive integers in Hz (got ${from} -> ${to})`);
    }
  });

  it('gives an empty signal for an empty one, and preserves a DC offset (mean) across the whole signal', () => {
    expect(resample(new Float32Array(0), 48000, 16000).length).toBe(0);
    const x = sine(440, 48000, 0.5).map((v) => 0.3 + 0.2 * v);
    const y = resample(x, 48000, 16000);
    expect(y.length).toBe(8000);
    let mean = 0;
    for (let i = 400; i < 7600; i++) mean += y[i] / 7200;
    expect(mean).toBeCloseTo(0.3, 3);
    expect(y[4000]).toBeCloseTo(x[12000], 3);
  });
});
