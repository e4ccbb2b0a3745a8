// ComParE 2016 functionals (src-main/core/features/compare/functionals.ts) against numpy/scipy on seeded tracks
// (tests/reference/compareReference.py -> tests/fixtures/compareReference.json) and against hand-worked contours for
// the openSMILE-specific ones (segments, level times, peaks), whose rules have no library equivalent.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  describeContour,
  extremes,
  levinsonDurbinFloat32,
  lpc,
  means,
  moments,
  peaks,
  percentiles,
  ratioLimit,
  regression,
  segmentsNonZero,
  segmentsRelThreshold,
  selectRanks,
  times,
  type Contour,
} from '../../src-main/core/features/compare/functionals';
import { REPO_ROOT } from '../helpers/shared';

interface FunctionalCase {
  x: number[];
  percentiles: number[];
  std: number;
  skewness: number;
  kurtosis: number;
  linear: number[];
  linearMse: number;
  quadratic: number[];
  quadraticMse: number;
  lpc: number[];
  lpcError: number;
  centroid: number;
}

const ref = JSON.parse(readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'compareReference.json'), 'utf8')) as { functionals: FunctionalCase[] };

function contour(values: ArrayLike<number>, period = 0.01): Contour {
  const x = Float64Array.from(values);
  const c: Contour = { x, n: x.length, min: 0, max: 0, mean: 0, sorted: new Float64Array(x.length), period };
  describeContour(c, true);
  return c;
}

function run(f: (c: Contour, out: Float64Array, at: number) => number, c: Contour): number[] {
  const out = new Float64Array(64).fill(NaN);
  const n = f(c, out, 3);
  expect(Number.isNaN(out[2])).toBe(true); // nothing written before `at`
  expect(Number.isNaN(out[3 + n])).toBe(true); // nor after the count it returns
  return Array.from(out.subarray(3, 3 + n));
}

describe('ComParE functionals against numpy/scipy', () => {
  it.each(ref.functionals.map((c, i) => [i, c] as const))('case %i: percentiles, moments, LPC, regression', (_, r) => {
    const c = contour(r.x);
    const n = r.x.length;
    const [q1, q2, q3, p1, p99] = r.percentiles;
    const pct = run(percentiles, c);
    [q1, q2, q3, q2 - q1, q3 - q2, q3 - q1, p1, p99, p99 - p1].forEach((v, i) => expect(pct[i]).toBeCloseTo(v, 12));

    const [sd, skew, kurt] = run(moments, c);
    expect(sd).toBeCloseTo(r.std, 12);
    expect(skew).toBeCloseTo(r.skewness, 10);
    expect(kurt).toBeCloseTo(r.kurtosis, 10);

    // LPC runs in float32 as openSMILE's does: the coefficients agree with the float64 Toeplitz solution to float32
    // accuracy amplified by the conditioning of a smooth contour's autocorrelation
    const [gain, ...a] = run(lpc, c);
    a.forEach((v, i) => expect(Math.abs(v - r.lpc[i])).toBeLessThan(1e-4 * (1 + Math.abs(r.lpc[i]))));
    expect(Math.abs(gain - r.lpcError / n)).toBeLessThan(1e-4 * (r.lpcError / n));

    // regression over the frame index, inputs normalised to the range (normInputs), per frame and per second
    // slopes pass openSMILE's ratio limit at a tenth of the range (it bites on the short case)
    const range = c.max - c.min;
    const lim = (v: number, l: number) => ratioLimit(v, l, l + 0.01);
    const [m, t, le, qa, qb, qc, qe, centroid] = run((cc, out, at) => regression(cc, false, out, at), c);
    expect(m).toBeCloseTo(lim(r.linear[0], range / 10) / range, 10);
    expect(t).toBeCloseTo((r.linear[1] - c.min) / range, 10);
    expect(le).toBeCloseTo(r.linearMse / range ** 2, 10);
    expect(qa).toBeCloseTo(lim(r.quadratic[0], Math.sqrt(range / 10)) / range, 10);
    expect(qb).toBeCloseTo(lim(r.quadratic[1], range / 10) / range, 10);
    expect(qc).toBeCloseTo((r.quadratic[2] - c.min) / range, 10);
    expect(qe).toBeCloseTo(r.quadraticMse / range ** 2, 10);
    expect(centroid).toBeCloseTo(r.centroid, 12);
    const perSecond = run((cc, out, at) => regression(cc, true, out, at), c);
    expect(perSecond[0]).toBeCloseTo(m * 100, 8);
    expect(perSecond[3]).toBeCloseTo(qa * 1e4, 6);
    expect(perSecond[1]).toBe(t);
  });

  it('Levinson-Durbin (float32, in place as openSMILE) solves the Toeplitz equations of an AR(2) autocorrelation', () => {
    // r_k of x_t = 1.5 x_{t-1} - 0.7 x_{t-2} + e is the Yule-Walker solution: a = [-1.5, 0.7] for order 2
    const r = Float64Array.of(1, 1.5 / 1.7, (1.5 * 1.5) / 1.7 - 0.7);
    const a = new Float64Array(2);
    const e = levinsonDurbinFloat32(r, 2, a);
    expect(a[0]).toBeCloseTo(-1.5, 6);
    expect(a[1]).toBeCloseTo(0.7, 6);
    expect(e).toBeCloseTo(r[0] + a[0] * r[1] + a[1] * r[2], 6);
    // every intermediate is a float32 value
    expect(Math.fround(a[0])).toBe(a[0]);
    expect(Math.fround(e)).toBe(e);
    // order 3 and 4 exercise both branches of the symmetric in-place update against the float64 solution
    const r4 = Float64Array.of(4, 2.9, 1.7, 0.8, 0.2);
    const a4 = new Float64Array(4);
    levinsonDurbinFloat32(r4, 4, a4);
    // solution of the Toeplitz system T a = -r[1..4] (computed by Gaussian elimination below)
    const T = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => r4[Math.abs(i - j)]));
    const rhs = [1, 2, 3, 4].map((k) => -r4[k]);
    for (let i = 0; i < 4; i++)
      for (let k = i + 1; k < 4; k++) {
        const f = T[k][i] / T[i][i];
        for (let j = i; j < 4; j++) T[k][j] -= f * T[i][j];
        rhs[k] -= f * rhs[i];
      }
    const sol = [0, 0, 0, 0];
    for (let i = 3; i >= 0; i--) sol[i] = (rhs[i] - [0, 1, 2, 3].slice(i + 1).reduce((s, j) => s + T[i][j] * sol[j], 0)) / T[i][i];
    sol.forEach((v, i) => expect(a4[i]).toBeCloseTo(v, 5));
    expect(levinsonDurbinFloat32(new Float64Array(3), 2, a)).toBe(0);
    expect(Array.from(a)).toEqual([0, 0]);
  });

  it('lpc accumulates each lag in float32 in frame order, as openSMILE (bit for bit, short contours included)', () => {
    // openSMILE's loop: one lag at a time, every product and partial sum rounded to float32
    const byLag = (x: number[]): number[] => {
      const f = Math.fround;
      const acf = new Float64Array(6);
      for (let k = 0; k <= 5; k++) {
        let s = 0;
        for (let i = k; i < x.length; i++) s = f(s + f(x[i] * x[i - k]));
        acf[k] = s;
      }
      const a = new Float64Array(5);
      const gain = f(levinsonDurbinFloat32(acf, 5, a) / x.length);
      return [gain, ...a].map((v) => (Number.isFinite(v) ? v : 0));
    };
    let seed = 7;
    const next = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
    for (const n of [1, 2, 3, 4, 5, 6, 7, 11, 400]) {
      // float32 values, as the contours are stored
      const x = Array.from({ length: n }, (_, i) => Math.fround(Math.sin(0.3 * i) + 0.1 * next()));
      expect(run(lpc, contour(x)), `n = ${n}`).toEqual(byLag(x));
    }
  });
});

describe('ComParE functionals by hand', () => {
  it('extremes: range and the first positions of max and min relative to the length', () => {
    expect(run(extremes, contour([3, 9, 1, 9, 1]))).toEqual([8, 1 / 5, 2 / 5]);
  });

  it('means: amean, nnz fraction, flatness (geometric over non-zero |x| / mean |x|), posamean, rqmean in openSMILE order', () => {
    const c = contour([2, 0, -8, 4]);
    const out = new Float64Array(5);
    // asking in any order gives openSMILE's order
    expect(means(c, ['rqmean', 'posamean', 'flatness', 'nnz', 'amean'], out, 0)).toBe(5);
    expect(out[0]).toBeCloseTo(-0.5, 15);
    expect(out[1]).toBe(0.75);
    expect(out[2]).toBeCloseTo(Math.cbrt(2 * 8 * 4) / (14 / 4), 14);
    expect(out[3]).toBe(3);
    expect(out[4]).toBeCloseTo(Math.sqrt(84 / 4), 14);
    const zeros = contour([0, 0]);
    means(zeros, ['flatness', 'posamean', 'rqmean'], out, 0);
    expect(Array.from(out.subarray(0, 3))).toEqual([1, 0, 0]);
  });

  it('times: fractions above 25/50/75/90 % of the range, rising fraction, left-curvature fraction', () => {
    // range 0..10: levels 2.5, 5, 7.5, 9; rises at 1,2,4 of 5 steps; second differences 0-0... counted by hand
    const x = [0, 5, 10, 10, 2, 6];
    const [u25, u50, u75, u90, rise, left] = run(times, contour(x));
    expect([u25, u50, u75, u90]).toEqual([4 / 6, 3 / 6, 2 / 6, 2 / 6]);
    expect(rise).toBeCloseTo(3 / 5, 15);
    // d = [5, 5, 0, -8, 4]: d[i] < d[i+1] at i = 3 only
    expect(left).toBeCloseTo(1 / 4, 15);
    expect(run(times, contour([7]))).toEqual([0, 0, 0, 0, 0, -0]);
  });

  it('moments of a constant contour are 0, not NaN', () => {
    expect(run(moments, contour([4, 4, 4]))).toEqual([0, 0, 0]);
  });

  it('relative-threshold segments: boundaries where the 3-frame running mean crosses 25 % or 75 % of the range', () => {
    // 0 x10, 10 x10, 0 x10, 10 x10 (n = 40, segMinLng 2, first boundary measured from -1)
    const x = [...Array(10).fill(0), ...Array(10).fill(10), ...Array(10).fill(0), ...Array(10).fill(10)];
    // running mean over 3 crosses 2.5 at i=10 (10/3), 7.5 at i=11 (20/3 < 7.5 -> at i=12: 10);
    // going down: 20/3 < 7.5 at i=20, 10/3 > 2.5 at i=21 -> below 2.5 at i=22; up again at 30 and 32.
    // boundaries (>2 frames apart): 10, 20, 30 (12, 22, 32 are too close) -> lengths 11, 10, 10
    const [mean, max, min, sd] = run(segmentsRelThreshold, contour(x));
    expect(mean).toBeCloseTo(((11 + 10 + 10) / 3) * 0.01, 15);
    expect(max).toBeCloseTo(0.11, 15);
    expect(min).toBeCloseTo(0.1, 15);
    const m = 31 / 3;
    expect(sd).toBeCloseTo(Math.sqrt(((11 - m) ** 2 + 2 * (10 - m) ** 2) / 3) * 0.01, 15);
    expect(run(segmentsRelThreshold, contour([5, 5, 5]))).toEqual([0, 0, 0, 0]);
  });

  it('non-zero segments: voiced runs of at least 3 frames, ended by 2 zero frames; a 1-frame gap does not split', () => {
    // run A: frames 2..7 (6 frames), a 1-frame gap at 8 keeps it going to 11; run B: 15..16 (too short); run C: 20..24 to the end
    const x = new Array(25).fill(0);
    for (const i of [2, 3, 4, 5, 6, 7, 9, 10, 11, 15, 16, 20, 21, 22, 23, 24]) x[i] = 100;
    const [mean, max, min, sd] = run(segmentsNonZero, contour(x));
    // openSMILE's lengths: end index - start index, with the end taken 1 frame before the first of 2 zeros (A: 11 - 2 = 9)
    // and, at the end of the contour, n - 1 - start (C: 24 - 20 = 4)
    expect(max).toBeCloseTo(0.09, 15);
    expect(min).toBeCloseTo(0.04, 15);
    expect(mean).toBeCloseTo(0.065, 15);
    expect(sd).toBeCloseTo(0.025, 15);
  });

  it('peaks of a clean periodic contour: distance = period, slopes = amplitude over half-periods', () => {
    // triangle wave: period 20 frames, 0..1, so 10 frames up and 10 down; peaks at 10, 30, 50, 70
    const x = Array.from({ length: 81 }, (_, i) => 1 - Math.abs(((i + 10) % 20) - 10) / 10);
    const c = contour(x);
    const v = run(peaks, c);
    const [dist, distSd, rangeAbs, rangeRel, peakMean, peakMeanDist, peakMeanRel, minRangeRel, rise, riseSd, fall, fallSd] = v;
    expect(dist).toBeCloseTo(0.2, 12);
    // openSMILE measures the spread from the preceding minimum (10 frames away) against the 20-frame mean distance
    expect(distSd).toBeCloseTo(0.1, 12);
    expect(rangeAbs).toBe(0);
    expect(rangeRel).toBe(0);
    expect(peakMean).toBe(1);
    expect(peakMeanDist).toBeCloseTo(1 - c.mean, 14);
    expect(peakMeanRel).toBeCloseTo(1 / c.mean, 12);
    expect(minRangeRel).toBe(0);
    // 1 per 10 frames of 0.01 s = 10 per second, both ways
    expect(rise).toBeCloseTo(10, 10);
    expect(riseSd).toBeCloseTo(0, 10);
    expect(fall).toBeCloseTo(10, 10);
    expect(fallSd).toBeCloseTo(0, 10);
  });

  it('peaks: ripples smaller than 10 % of the range are not peaks', () => {
    // one big hump with a 3 % wobble on top
    const x = Array.from({ length: 60 }, (_, i) => Math.sin((Math.PI * i) / 59) + 0.03 * Math.sin(i * 1.9));
    const v = run(peaks, contour(x));
    expect(v[0]).toBe(0); // a single surviving peak has no distance
    expect(v[4]).toBeGreaterThan(0.95);
    expect(v.every(Number.isFinite)).toBe(true);
  });

  it('rank selection puts the order statistics a percentile reads where a full sort would (duplicates, all lengths)', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (const n of [1, 2, 3, 5, 15, 16, 17, 31, 64, 301, 999]) {
      for (const kind of ['random', 'few values', 'sorted', 'reversed']) {
        const x = Float64Array.from({ length: n }, (_, i) =>
          kind === 'random' ? rand() : kind === 'few values' ? Math.floor(rand() * 3) : kind === 'sorted' ? i : n - i,
        );
        const sorted = Float64Array.from(x).sort();
        const ranks = [...new Set([0, Math.floor(n / 4), Math.floor(n / 2), Math.ceil((3 * n) / 4) - 1, n - 1])]
          .filter((r) => r >= 0 && r < n)
          .sort((a, b) => a - b);
        const a = Float64Array.from(x);
        selectRanks(a, ranks);
        for (const r of ranks) expect(a[r]).toBe(sorted[r]);
        expect(Float64Array.from(a).sort()).toEqual(sorted); // a permutation of the input
      }
    }
  });

  it('ratio limit: identity inside ±limit, a tanh knee beyond, bounded by limit + excess', () => {
    expect(ratioLimit(3, 10, 10)).toBe(3);
    expect(ratioLimit(-10, 10, 10)).toBe(-10);
    expect(ratioLimit(11, 10, 10)).toBeCloseTo(Math.tanh((Math.SQRT2 - 1) / 5) * 10 + 10, 14);
    expect(ratioLimit(1e12, 10, 10)).toBeLessThanOrEqual(20);
    expect(ratioLimit(-1e12, 10, 10)).toBeGreaterThanOrEqual(-20);
  });

  it('every functional is finite on one frame, two frames and a constant contour', () => {
    for (const x of [[0.3], [1, 2], [5, 5, 5, 5], [0, 0, 0]]) {
      const c = contour(x);
      for (const f of [extremes, percentiles, moments, segmentsRelThreshold, segmentsNonZero, times, lpc, peaks]) {
        expect(run(f, c).every(Number.isFinite)).toBe(true);
      }
      expect(run((cc, o, a) => regression(cc, true, o, a), c).every(Number.isFinite)).toBe(true);
    }
  });
});
