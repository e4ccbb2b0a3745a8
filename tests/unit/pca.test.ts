// PCA (shallow/pca.ts) against scikit-learn 1.2's PCA(svd_solver='full') on z-scored data from
// tests/reference/linearReference.py: component count (a count, or a variance fraction), components up to sign,
// explained variance and its ratio, and the scores of held-out vectors (up to the same sign). Both the covariance route
// (150 × 12) and the Gram-matrix route (60 × 150) are covered. Tolerance 1e-4 relative: float32 inputs and float32
// components (the saved form) limit agreement to about 1e-6; eigenvectors of close eigenvalues are more sensitive.
import { describe, expect, it } from 'vitest';
import { denseFromRows } from '../../src-main/core/models/shallow/denseMatrix';
import { fitPca, pcaProject, pcaSize } from '../../src-main/core/models/shallow/pca';
import { fitVectorTransform, applyVectorTransform } from '../../src-main/core/models/shallow/vectorTransform';
import { LINEAR_REFERENCE, maxAbs, referenceData } from '../helpers/linearReference';

describe('PCA matches scikit-learn', () => {
  for (const ref of LINEAR_REFERENCE.pca) {
    it(`${ref.data}, components ${ref.components_param}: ${ref.n_components} components, variances, loadings and scores`, () => {
      const d = referenceData(ref.data);
      const t = fitVectorTransform(d.X, d.y, { select: null, pca: { components: ref.components_param } });
      const p = t.pca!;
      expect(pcaSize(p)).toBe(ref.n_components);
      expect(t.outputDims).toBe(ref.n_components);
      const top = ref.explained_variance[0];
      p.explainedVariance.forEach((v, i) => expect(Math.abs(v - ref.explained_variance[i])).toBeLessThan(1e-4 * top));
      p.explainedVarianceRatio.forEach((v, i) => expect(Math.abs(v - ref.explained_variance_ratio[i])).toBeLessThan(1e-5));
      const scoreScale = maxAbs(ref.transform_test);
      for (let c = 0; c < ref.n_components; c++) {
        const ours = p.components.subarray(c * p.dims, (c + 1) * p.dims);
        const theirs = ref.components[c];
        // Eigenvectors are defined up to sign: align on the dot product.
        const sign = Math.sign(ours.reduce((s, v, j) => s + v * theirs[j], 0));
        expect(Math.abs(sign)).toBe(1);
        theirs.forEach((v, j) => expect(Math.abs(sign * ours[j] - v)).toBeLessThan(1e-4));
        d.Xtest.forEach((x, i) => expect(Math.abs(sign * applyVectorTransform(t, x)[c] - ref.transform_test[i][c])).toBeLessThan(1e-4 * scoreScale));
      }
    });
  }
});

describe('PCA behaviour', () => {
  it('components are orthonormal and the largest loading of each is positive (the sign convention)', () => {
    const d = referenceData('wide');
    const t = fitVectorTransform(d.X, d.y, { select: null, pca: { components: 8 } });
    const p = t.pca!;
    for (let a = 0; a < 8; a++) {
      const va = p.components.subarray(a * p.dims, (a + 1) * p.dims);
      const peak = va.reduce((m, v) => (Math.abs(v) > Math.abs(m) ? v : m), 0);
      expect(peak).toBeGreaterThan(0);
      for (let b = 0; b <= a; b++) {
        const vb = p.components.subarray(b * p.dims, (b + 1) * p.dims);
        expect(va.reduce((s, v, j) => s + v * vb[j], 0)).toBeCloseTo(a === b ? 1 : 0, 5);
      }
    }
  });

  it('a count above the rank of the training data is an error naming the limit', () => {
    const X = denseFromRows([
      [1, 2, 3, 4],
      [2, 3, 4, 5],
      [0, 1, 5, 1],
    ]);
    expect(() => fitPca(X, 3)).toThrow(/asked for 3 components but the 3 training vectors span only 2 dimensions/);
    expect(() => fitPca(X, 2.5)).toThrow(/whole count or a variance fraction/);
    expect(pcaSize(fitPca(X, 0.999999))).toBe(2);
  });

  it('scores of the training vectors have the explained variances (n − 1 denominator) and zero mean', () => {
    const d = referenceData('tall');
    const X = denseFromRows(d.X);
    const p = fitPca(X, 3);
    const scores = d.X.map((x) => pcaProject(p, x));
    for (let c = 0; c < 3; c++) {
      const mean = scores.reduce((s, r) => s + r[c], 0) / scores.length;
      const variance = scores.reduce((s, r) => s + (r[c] - mean) ** 2, 0) / (scores.length - 1);
      expect(Math.abs(mean)).toBeLessThan(1e-3);
      expect(variance / p.explainedVariance[c]).toBeCloseTo(1, 4);
    }
  });
});
