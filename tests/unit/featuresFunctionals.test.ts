// Utterance functionals (mean, population std, min, max, numpy-linear percentiles 20/50/80, their 20-80 range, least-
// squares slope per second), each pinned against values computed independently here: hand cases, numpy's documented
// percentile results, and real MFCC / loudness tracks of RAVDESS speech, down to the order and names of the output rows.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadAudio } from '../../src-main/core/audio/load';
import { computeFeatures, featureNames } from '../../src-main/core/features/compute';
import { FUNCTIONAL_STATS, functionalsOf, percentileSorted, slope } from '../../src-main/core/features/functionals';
import { prosodyTracks } from '../../src-main/core/features/prosody';
import { FEATURE_PRESETS, parseFeatureConfig } from '../../src-shared/config/features';
import { RAVDESS_16K } from '../helpers/shared';

/** numpy.percentile(x, q) ('linear'): the piecewise-linear curve through (100 i / (n - 1), sorted[i]), found by search. */
function numpyPercentile(x: ArrayLike<number>, q: number): number {
  const s = Array.from(x).sort((a, b) => a - b);
  if (s.length === 1) return s[0];
  let i = 0;
  while (i < s.length - 2 && (100 * (i + 1)) / (s.length - 1) <= q) i++;
  const q0 = (100 * i) / (s.length - 1);
  const q1 = (100 * (i + 1)) / (s.length - 1);
  return s[i] + ((s[i + 1] - s[i]) * (q - q0)) / (q1 - q0);
}

/** Slope by the closed form (n Σtv - Σt Σv) / (n Σt² - (Σt)²). */
function closedFormSlope(t: number[], v: number[]): number {
  const n = v.length;
  const st = t.reduce((a, b) => a + b, 0);
  const sv = v.reduce((a, b) => a + b, 0);
  const stv = t.reduce((a, ti, i) => a + ti * v[i], 0);
  const stt = t.reduce((a, ti) => a + ti * ti, 0);
  return (n * stv - st * sv) / (n * stt - st * st);
}

/** Every statistic of FUNCTIONAL_STATS, computed from its definition. */
function expectedStats(v: number[], t: number[]): Record<(typeof FUNCTIONAL_STATS)[number], number> {
  const n = v.length;
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const meanSq = v.reduce((a, b) => a + b * b, 0) / n;
  const [p20, p50, p80] = [20, 50, 80].map((q) => numpyPercentile(v, q));
  return {
    mean,
    std: Math.sqrt(Math.max(0, meanSq - mean * mean)), // ddof 0 (numpy.std default)
    min: Math.min(...v),
    max: Math.max(...v),
    p20,
    p50,
    p80,
    iqr: p80 - p20,
    slope: closedFormSlope(t, v),
  };
}

describe('percentileSorted (numpy.percentile, linear)', () => {
  it("gives numpy's results on small arrays, the ends at q 0 and 100, and 0 for no data", () => {
    // numpy.percentile([1, 2, 3, 4], [0, 20, 25, 50, 75, 80, 100])
    expect([0, 20, 25, 50, 75, 80, 100].map((q) => percentileSorted([1, 2, 3, 4], q))).toEqual(
      [1, 1.6, 1.75, 2.5, 3.25, 3.4, 4].map((v) => expect.closeTo(v, 12)),
    );
    expect([0, 20, 50, 80, 100].map((q) => percentileSorted([-1, 2, 3, 5, 7], q))).toEqual([-1, 1.4, 3, 5.4, 7].map((v) => expect.closeTo(v, 12)));
    expect(percentileSorted([42], 0)).toBe(42);
    expect(percentileSorted([42], 80)).toBe(42);
    expect(percentileSorted([42], 100)).toBe(42);
    expect(percentileSorted([], 50)).toBe(0);
    expect(percentileSorted(Float64Array.from([2, 2, 2, 9]), 100)).toBe(9);
  });

  it('matches the piecewise-linear definition at any q (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 30 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (x, q) => {
          const sorted = Float64Array.from(x).sort();
          expect(percentileSorted(sorted, q)).toBeCloseTo(numpyPercentile(x, q), 8);
        },
      ),
      { seed: 424242, numRuns: 300 },
    );
  });
});

describe('slope (least squares, value per unit time)', () => {
  it('is exact on lines, the least-squares fit on scatter, and 0 without a spread of times', () => {
    expect(slope([0, 1, 2], [1, 3, 2])).toBeCloseTo(0.5, 12);
    expect(slope([0, 0.5, 1, 1.5], [1, 3, 5, 7])).toBeCloseTo(4, 12);
    expect(slope([0.2, 0.1], [5, 6])).toBeCloseTo(-10, 10);
    expect(slope([3, 3, 3], [1, 2, 3])).toBe(0); // no spread in time: no slope, not NaN
    expect(slope([1], [7])).toBe(0);
    expect(slope([], [])).toBe(0);
  });

  it('stays accurate with a large offset in values or times (centred sums)', () => {
    // 200 frames of a 16 ms hop with a 2 / s trend on a large offset, plus alternating noise of zero slope.
    const times = Array.from({ length: 200 }, (_, i) => i * 0.016);
    const values = times.map((t, i) => 1e9 + 2 * t + (i % 2 ? 0.5 : -0.5));
    const trend = closedFormSlope(
      times,
      values.map((v) => v - 1e9),
    );
    expect(slope(times, values)).toBeCloseTo(trend, 5);
    const late = times.map((t) => t + 1e7); // absolute timestamps
    expect(slope(late, values)).toBeCloseTo(trend, 3);
  });

  it('matches the closed form on random tracks (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 10, noNaN: true }), fc.double({ min: -50, max: 50, noNaN: true })), {
          minLength: 2,
          maxLength: 40,
        }),
        (pts) => {
          const t = pts.map((p) => p[0]);
          const v = pts.map((p) => p[1]);
          const spread = Math.max(...t) - Math.min(...t);
          fc.pre(spread > 1e-3);
          expect(slope(t, v)).toBeCloseTo(closedFormSlope(t, v), 6);
        },
      ),
      { seed: 1234, numRuns: 200 },
    );
  });
});

describe('functionalsOf', () => {
  it('names its statistics in output order', () => {
    expect([...FUNCTIONAL_STATS]).toEqual(['mean', 'std', 'min', 'max', 'p20', 'p50', 'p80', 'iqr', 'slope']);
  });

  it('computes each statistic over the included frames only, whatever their order', () => {
    // Frame 3 (100) is excluded; the rest, unsorted: 5, -1, 3, 2, 7 at 0.1 s steps.
    const values = [5, -1, 3, 100, 2, 7];
    const times = [0, 0.1, 0.2, 0.3, 0.4, 0.5];
    const out = functionalsOf(values, times, Uint8Array.from([1, 1, 1, 0, 1, 1]));
    const want = {
      mean: 3.2,
      std: Math.sqrt(7.36), // population: squared deviations 3.24 + 17.64 + 0.04 + 1.44 + 14.44 = 36.8, over 5
      min: -1,
      max: 7,
      p20: 1.4, // sorted -1 2 3 5 7: position 0.8
      p50: 3,
      p80: 5.4, // position 3.2
      iqr: 4,
      slope: closedFormSlope([0, 0.1, 0.2, 0.4, 0.5], [5, -1, 3, 2, 7]),
    };
    expect(out).toEqual(FUNCTIONAL_STATS.map((s) => expect.closeTo(want[s], 10)));
    // Without a mask every frame counts, 100 included.
    const all = functionalsOf(values, times);
    expect(all[FUNCTIONAL_STATS.indexOf('max')]).toBe(100);
    expect(all).toEqual(FUNCTIONAL_STATS.map((s) => expect.closeTo(expectedStats(values, times)[s], 10)));
    // Any non-zero mask value includes a frame.
    expect(functionalsOf(values, times, Float64Array.from([2, 0.5, -1, 0, 1, 1]))).toEqual(out);
  });

  it('gives a constant track zero spread and slope, and no included frame all zeros (never NaN)', () => {
    expect(functionalsOf([4, 4, 4], [0, 1, 2])).toEqual([4, 0, 4, 4, 4, 4, 4, 0, 0]);
    expect(functionalsOf([-3], [0.5])).toEqual([-3, 0, -3, -3, -3, -3, -3, 0, 0]);
    expect(functionalsOf([1, 2], [0, 1], [0, 0])).toEqual(new Array(9).fill(0));
    expect(functionalsOf([], [])).toEqual(new Array(9).fill(0));
  });

  it('agrees with the definitions on random tracks and masks (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: -100, max: 100, noNaN: true }), fc.boolean()), { minLength: 1, maxLength: 50 }), (pts) => {
        const values = pts.map((p) => p[0]);
        const times = values.map((_, i) => i * 0.016);
        const mask = pts.map((p) => (p[1] ? 1 : 0));
        const kept = values.filter((_, i) => mask[i]);
        const out = functionalsOf(values, times, mask);
        if (kept.length === 0) {
          expect(out).toEqual(new Array(9).fill(0));
          return;
        }
        const want = expectedStats(
          kept,
          times.filter((_, i) => mask[i]),
        );
        FUNCTIONAL_STATS.forEach((s, j) => expect(out[j]).toBeCloseTo(kept.length < 2 && s === 'slope' ? 0 : want[s], 6));
      }),
      { seed: 99, numRuns: 200 },
    );
  });
});

describe('functionals of real speech', () => {
  const file = join(RAVDESS_16K, 'Actor_03', '03-01-05-02-01-01-03.wav');

  it('the functionals vector holds each descriptor block, named <descriptor>_<stat>, with the statistics of its track', async () => {
    const { samples } = await loadAudio(file, { sampleRate: 16000 });
    const cfg = FEATURE_PRESETS.functionals;
    const vec = computeFeatures(samples, 16000, cfg);
    const names = featureNames(cfg)!;
    expect(vec.names).toEqual(names);
    // The frames the functionals use: speech (energy above the -100 dB floor) for MFCC and loudness, voiced for f0.
    const tracks = prosodyTracks(samples, 16000, { f0Min: cfg.f0Min, f0Max: cfg.f0Max, frameLength: cfg.yinFrameLength, hop: cfg.hop });
    const frames = tracks.times.length;
    const speech = Array.from(tracks.energyDb, (e) => e > -100);
    const times = Array.from(tracks.times);
    expect(speech.filter(Boolean).length).toBeGreaterThan(frames / 2);
    const mfcc = computeFeatures(samples, 16000, parseFeatureConfig({ ...cfg, kind: 'mfcc', deltas: 0 }));
    expect(mfcc.shape).toEqual([13, frames]);
    const check = (lld: string, track: ArrayLike<number>, include: boolean[]) => {
      const v = Array.from(track).filter((_, t) => include[t]);
      const ts = times.filter((_, t) => include[t]);
      const want = expectedStats(v, ts);
      for (const s of FUNCTIONAL_STATS) {
        const row = names.indexOf(`${lld}_${s}`);
        expect(row, `${lld}_${s}`).toBeGreaterThanOrEqual(0);
        // float32 output; std from E[x^2] - mean^2 loses a little to cancellation.
        expect(vec.data[row], `${lld}_${s}`).toBeCloseTo(want[s], Math.abs(want[s]) > 100 ? 2 : 3);
      }
      // The block is contiguous, in FUNCTIONAL_STATS order.
      const first = names.indexOf(`${lld}_mean`);
      expect(names.slice(first, first + FUNCTIONAL_STATS.length)).toEqual(FUNCTIONAL_STATS.map((s) => `${lld}_${s}`));
    };
    check('loudness_db', tracks.energyDb, speech);
    for (const k of [0, 1, 5, 12]) check(`mfcc${k}`, mfcc.data.subarray(k * frames, (k + 1) * frames), speech);
    const voiced = Array.from(tracks.voiced, (v) => v === 1);
    expect(voiced.filter(Boolean).length).toBeGreaterThan(10);
    check(
      'f0_st',
      Array.from(tracks.f0, (f) => 12 * Math.log2(f / 27.5)),
      voiced,
    );
  });
});
