// Univariate selection (shallow/featureSelection.ts) against scikit-learn 1.2's f_classif and SelectKBest on the data of
// tests/reference/linearReference.py: F-scores within 1e-5 relative (the inputs are float32 here, float64 there: ≈2e-6 apart),
// NaN for the constant dimension, and exactly the same selected indices.
import { describe, expect, it } from 'vitest';
import { fClassif, resolveK, selectKBest, topKIndices } from '../../src-main/core/models/shallow/featureSelection';
import { fitVectorTransform } from '../../src-main/core/models/shallow/vectorTransform';
import { LINEAR_REFERENCE, referenceData } from '../helpers/linearReference';

describe('f_classif and SelectKBest match scikit-learn', () => {
  for (const ref of LINEAR_REFERENCE.fClassif) {
    it(`${ref.data}: F-scores of ${ref.f.length} dimensions and the ${ref.k} kept`, () => {
      const d = referenceData(ref.data);
      const f = fClassif(d.X, d.y);
      ref.f.forEach((v, j) => {
        if (v === null) expect(f[j]).toBeNaN();
        else expect(Math.abs(f[j] - v)).toBeLessThan(1e-5 * Math.max(1, v));
      });
      expect(selectKBest(d.X, d.y, ref.k).indices).toEqual(ref.selected);
      // Inside a model the scores are taken on z-scores; F is invariant to that, so the same dimensions survive.
      expect(fitVectorTransform(d.X, d.y, { select: { k: ref.k }, pca: null }).selected).toEqual(ref.selected);
    });
  }
});

describe('selection rules', () => {
  it('k as a fraction rounds to a count, at least 1; counts must fit', () => {
    expect(resolveK(0.25, 150)).toBe(38);
    expect(resolveK(0.001, 150)).toBe(1);
    expect(resolveK(20, 150)).toBe(20);
    expect(() => resolveK(200, 150)).toThrow(/k = 200 but the vectors have only 150 dimensions/);
    expect(() => resolveK(2.5, 150)).toThrow(/whole number/);
  });

  it('NaN ranks below every score and ties keep the later dimension (the tail of a stable ascending sort)', () => {
    expect(topKIndices([NaN, 1, 5, 1, 1], 3)).toEqual([2, 3, 4]);
    expect(topKIndices([2, NaN, NaN], 2)).toEqual([0, 2]);
  });

  it('a dimension separating the classes perfectly scores +Infinity; one class alone is refused', () => {
    const X = [
      [0, 1],
      [0, 2],
      [1, 3],
      [1, 1],
    ];
    const f = fClassif(X, [0, 0, 1, 1]);
    expect(f[0]).toBe(Infinity);
    expect(f[1]).toBeCloseTo((2 * (1.5 - 1.75) ** 2 + 2 * (2 - 1.75) ** 2) / 1 / ((0.5 + 2) / 2), 12);
    expect(() => fClassif(X, [1, 1, 1, 1])).toThrow(/only one class/);
  });
});
