import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mean, pairedComparison, sampleStd, summarize } from '../../src-shared/studies/statistics';

// SciPy 1.10's values for the same inputs (tests/reference/statisticsReference.py).
const reference = JSON.parse(readFileSync(new URL('../fixtures/statisticsReference.json', import.meta.url), 'utf8')) as {
  summaries: { values: number[]; mean: number; std?: number; ci95?: [number, number] }[];
  paired: {
    a: number[];
    b: number[];
    meanDifference: number;
    ci95: [number, number];
    t: number;
    tPValue: number;
    wilcoxonStatistic: number;
    wilcoxonPValue: number;
    wilcoxonMode: string;
  }[];
};

describe('study statistics against SciPy', () => {
  it('mean, sample std and the 95 % t-interval', () => {
    expect(reference.summaries.length).toBeGreaterThanOrEqual(5);
    for (const r of reference.summaries) {
      const s = summarize(r.values);
      expect(s.n).toBe(r.values.length);
      expect(s.mean).toBeCloseTo(r.mean, 12);
      expect(s.std).toBeCloseTo(r.std!, 12);
      expect(s.ci95![0]).toBeCloseTo(r.ci95![0], 9);
      expect(s.ci95![1]).toBeCloseTo(r.ci95![1], 9);
    }
  });

  it('paired t-test and Wilcoxon signed-rank (exact and normal-approximation cases)', () => {
    expect(new Set(reference.paired.map((r) => r.wilcoxonMode))).toEqual(new Set(['exact', 'approx']));
    for (const r of reference.paired) {
      const c = pairedComparison(r.a, r.b);
      expect(c.n).toBe(r.a.length);
      expect(c.meanDifference).toBeCloseTo(r.meanDifference, 12);
      expect(c.ci95![0]).toBeCloseTo(r.ci95[0], 10);
      expect(c.ci95![1]).toBeCloseTo(r.ci95[1], 10);
      expect(c.t).toBeCloseTo(r.t, 9);
      expect(c.tPValue).toBeCloseTo(r.tPValue, 9);
      expect(c.wilcoxonStatistic).toBe(r.wilcoxonStatistic);
      expect(c.wilcoxonPValue).toBeCloseTo(r.wilcoxonPValue, 9);
    }
  });
});

describe('study statistics edge cases', () => {
  it('one value: a mean without spread or interval', () => {
    expect(summarize([0.61])).toEqual({ n: 1, mean: 0.61, std: null, ci95: null });
  });

  it('two folds give the honest, wide interval (t quantile 12.706)', () => {
    const s = summarize([0.4, 0.6]);
    expect(s.std).toBeCloseTo(Math.SQRT2 / 10, 12);
    expect(s.ci95![1] - s.mean).toBeCloseTo((12.706204736 * s.std!) / Math.SQRT2, 6);
  });

  it('a narrower coverage gives a narrower interval', () => {
    const wide = summarize([0.5, 0.6, 0.55, 0.62]).ci95!;
    const narrow = summarize([0.5, 0.6, 0.55, 0.62], 0.8).ci95!;
    expect(narrow[0]).toBeGreaterThan(wide[0]);
    expect(narrow[1]).toBeLessThan(wide[1]);
  });

  it('no values, or mismatched pairs, are errors', () => {
    expect(() => mean([])).toThrow(/no values/);
    expect(() => sampleStd([1])).toThrow(/at least two/);
    expect(() => pairedComparison([0.5, 0.6], [0.5])).toThrow(/same folds.*2 vs 1/);
    expect(() => pairedComparison([], [])).toThrow('paired comparison of no values');
  });

  it('identical studies: no t statistic, no Wilcoxon test (every difference is 0)', () => {
    const c = pairedComparison([0.5, 0.6, 0.7], [0.5, 0.6, 0.7]);
    expect(c).toMatchObject({ meanDifference: 0, t: null, tPValue: null, wilcoxonStatistic: null, wilcoxonPValue: null });
  });

  it('a constant non-zero difference: t undefined, Wilcoxon defined', () => {
    // exactly representable, so the three differences are bit-identical 0.25
    const c = pairedComparison([0.75, 0.5, 1], [0.5, 0.25, 0.75]);
    expect(c.meanDifference).toBe(0.25);
    expect(c.t).toBeNull();
    expect(c.tPValue).toBeNull();
    // three tied ranks of 2: V = 6, normal approximation with tie and continuity correction (SciPy approx: p = 0.148915)
    expect(c.wilcoxonStatistic).toBe(6);
    expect(c.wilcoxonPValue).toBeCloseTo(0.1489146, 6);
  });

  it('one pair: no spread, no tests', () => {
    expect(pairedComparison([0.75], [0.5])).toEqual({
      n: 1,
      meanDifference: 0.25,
      ci95: null,
      t: null,
      tPValue: null,
      wilcoxonStatistic: null,
      wilcoxonPValue: null,
    });
  });

  it('two pairs are enough for both tests (SciPy: t = 3, p = 0.2048; exact Wilcoxon V = 3, p = 0.5)', () => {
    const c = pairedComparison([0.75, 0.5], [0.5, 0.375]);
    expect(c.t).toBeCloseTo(3, 12);
    expect(c.tPValue).toBeCloseTo(0.20483276469913345, 9);
    expect(c.wilcoxonStatistic).toBe(3);
    expect(c.wilcoxonPValue).toBeCloseTo(0.5, 12);
  });

  it('properties: the interval contains the mean, swapping sides negates the difference and keeps p', () => {
    const score = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(fc.array(fc.tuple(score, score), { minLength: 2, maxLength: 20 }), (pairs) => {
        const a = pairs.map((p) => p[0]);
        const b = pairs.map((p) => p[1]);
        const s = summarize(a);
        expect(s.ci95![0]).toBeLessThanOrEqual(s.mean + 1e-12);
        expect(s.ci95![1]).toBeGreaterThanOrEqual(s.mean - 1e-12);
        const ab = pairedComparison(a, b);
        const ba = pairedComparison(b, a);
        expect(ba.meanDifference).toBeCloseTo(-ab.meanDifference, 12);
        if (ab.tPValue !== null) expect(ba.tPValue).toBeCloseTo(ab.tPValue, 9);
        if (ab.wilcoxonPValue !== null) {
          expect(ba.wilcoxonPValue).toBeCloseTo(ab.wilcoxonPValue, 9);
          expect(ab.wilcoxonPValue).toBeLessThanOrEqual(1);
        }
      }),
      { seed: 22, numRuns: 200 },
    );
  });
});
