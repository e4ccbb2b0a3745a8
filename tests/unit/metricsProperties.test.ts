// Properties of the metrics that any correct implementation has, on random predictions (fast-check, fixed seed):
// the definitions (UAR, macro-F1, confusion counts) recomputed straight from the label arrays, and invariance of every
// headline figure to the order of the class list.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { argmaxRows, evaluatePredictions } from '../../src-shared/metrics';

const SETTINGS = { seed: 20240612, numRuns: 150 };
const names = (k: number): string[] => Array.from({ length: k }, (_, i) => `class${i}`);

/** k classes and 1..60 (true, predicted) pairs; small n or large k leaves some classes out of the truth. */
const predictions = fc.integer({ min: 1, max: 8 }).chain((k) =>
  fc.record({
    k: fc.constant(k),
    pairs: fc.array(fc.tuple(fc.nat(k - 1), fc.nat(k - 1)), { minLength: 1, maxLength: 60 }),
    perm: fc.shuffledSubarray(
      Array.from({ length: k }, (_, i) => i),
      { minLength: k, maxLength: k },
    ),
  }),
);

const count = (xs: number[], c: number): number => xs.filter((x) => x === c).length;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('evaluatePredictions properties', () => {
  it('UAR is the mean recall over the classes present in the truth, counted from the raw labels', () => {
    fc.assert(
      fc.property(predictions, ({ k, pairs }) => {
        const yTrue = pairs.map((p) => p[0]);
        const yPred = pairs.map((p) => p[1]);
        const present = names(k)
          .map((_, c) => c)
          .filter((c) => count(yTrue, c) > 0);
        const recall = (c: number) => pairs.filter(([t, p]) => t === c && p === c).length / count(yTrue, c);
        const r = evaluatePredictions(yTrue, yPred, names(k));
        expect(Math.abs(r.uar - mean(present.map(recall)))).toBeLessThanOrEqual(1e-12);
        expect(r.accuracy).toBe(pairs.filter(([t, p]) => t === p).length / pairs.length);
      }),
      SETTINGS,
    );
  });

  it('macro-F1 is the mean F1 over the classes seen in truth or predictions, counted from the raw labels', () => {
    fc.assert(
      fc.property(predictions, ({ k, pairs }) => {
        const yTrue = pairs.map((p) => p[0]);
        const yPred = pairs.map((p) => p[1]);
        // F1 = 2 TP / (2 TP + FP + FN), the form without precision and recall.
        const f1 = (c: number) => {
          const tp = pairs.filter(([t, p]) => t === c && p === c).length;
          return (2 * tp) / (count(yTrue, c) + count(yPred, c));
        };
        const seen = [...new Set([...yTrue, ...yPred])];
        const r = evaluatePredictions(yTrue, yPred, names(k));
        expect(Math.abs(r.macroF1 - mean(seen.map(f1)))).toBeLessThanOrEqual(1e-12);
      }),
      SETTINGS,
    );
  });

  it('the confusion matrix sums to N, its rows to each class support, its columns to the predictions of it', () => {
    fc.assert(
      fc.property(predictions, ({ k, pairs }) => {
        const yTrue = pairs.map((p) => p[0]);
        const yPred = pairs.map((p) => p[1]);
        const r = evaluatePredictions(yTrue, yPred, names(k));
        const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
        expect(r.confusion).toHaveLength(k);
        expect(sum(r.confusion.map(sum))).toBe(pairs.length);
        for (let c = 0; c < k; c++) {
          expect(r.confusion[c]).toHaveLength(k);
          expect(sum(r.confusion[c])).toBe(count(yTrue, c));
          expect(r.perClass[`class${c}`].support).toBe(count(yTrue, c));
          expect(sum(r.confusion.map((row) => row[c]))).toBe(count(yPred, c));
          // Normalised rows sum to 1, or stay all zero for a class with no support.
          expect(Math.abs(sum(r.confusionNormalized[c]) - (count(yTrue, c) > 0 ? 1 : 0))).toBeLessThanOrEqual(1e-12);
        }
        expect(sum(r.confusion.map((row, c) => row[c]))).toBe(Math.round(r.accuracy * pairs.length));
      }),
      SETTINGS,
    );
  });

  it('UAR, accuracy, macro-F1 and every per-class figure are invariant to relabelling the classes', () => {
    fc.assert(
      fc.property(predictions, ({ k, pairs, perm }) => {
        const labels = names(k);
        // Class c becomes index perm[c]; its name moves with it.
        const permuted: string[] = new Array<string>(k);
        labels.forEach((l, c) => (permuted[perm[c]] = l));
        const a = evaluatePredictions(
          pairs.map((p) => p[0]),
          pairs.map((p) => p[1]),
          labels,
        );
        const b = evaluatePredictions(
          pairs.map((p) => perm[p[0]]),
          pairs.map((p) => perm[p[1]]),
          permuted,
        );
        expect(b.accuracy).toBe(a.accuracy);
        // The means add the same numbers in another order: equal up to rounding.
        expect(Math.abs(b.uar - a.uar)).toBeLessThanOrEqual(1e-12);
        expect(Math.abs(b.macroF1 - a.macroF1)).toBeLessThanOrEqual(1e-12);
        expect(b.perClass).toEqual(a.perClass);
        for (let t = 0; t < k; t++) for (let p = 0; p < k; p++) expect(b.confusion[perm[t]][perm[p]]).toBe(a.confusion[t][p]);
      }),
      SETTINGS,
    );
  });
});

describe('argmaxRows properties', () => {
  it('returns the first index holding the row maximum (ties go to the lower index)', () => {
    // Few distinct values, so ties are common.
    const row = fc.array(
      fc.integer({ min: 0, max: 3 }).map((v) => v / 4),
      { minLength: 1, maxLength: 8 },
    );
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 10 }), (rows) => {
        const best = argmaxRows(rows);
        expect(best).toHaveLength(rows.length);
        rows.forEach((r, i) => expect(best[i]).toBe(r.indexOf(Math.max(...r))));
      }),
      SETTINGS,
    );
  });
});
