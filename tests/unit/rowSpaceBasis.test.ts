// The row-space reparametrisation the linear solvers use when vectors have more dimensions than there are vectors
// (shallow/rowSpaceBasis.ts): Z Zᵀ reproduces the Gram matrix, weights mapped back score every training row as their
// row-space coordinates do and keep their norm (so the L2 penalty is the same), and the rank stops at n − 1 for
// centred rows. On the wide reference set (60 × 150, z-scored, one constant dimension).
import { describe, expect, it } from 'vitest';
import { denseFromRows, gramMatrix } from '../../src-main/core/models/shallow/denseMatrix';
import { fitRowSpaceBasis, weightsFromBasis } from '../../src-main/core/models/shallow/rowSpaceBasis';
import { fitVectorTransform, transformRows } from '../../src-main/core/models/shallow/vectorTransform';
import { mulberry32 } from '../../src-main/core/mulberry32';
import { referenceData } from '../helpers/linearReference';

describe('row-space basis', () => {
  const d = referenceData('wide');
  const X = transformRows(fitVectorTransform(d.X, d.y, { select: null, pca: null }), d.X);
  const basis = fitRowSpaceBasis(X);
  const n = X.rows;
  const r = basis.Z.cols;

  it('has rank n − 1 for z-scored (centred) rows and Z Zᵀ = X Xᵀ', () => {
    expect(r).toBe(n - 1);
    const K = gramMatrix(X);
    const ZK = gramMatrix(basis.Z);
    let worst = 0;
    for (let i = 0; i < n * n; i++) worst = Math.max(worst, Math.abs(K[i] - ZK[i]));
    expect(worst).toBeLessThan(1e-9 * X.cols);
  });

  it('maps weights back so that x·w = z·wz on every training row, with ‖w‖ = ‖wz‖', () => {
    const rand = mulberry32(5);
    const wz = Float64Array.from({ length: r }, () => rand() - 0.5);
    const w = weightsFromBasis(basis, X, wz);
    for (let i = 0; i < n; i++) {
      let xw = 0;
      let zw = 0;
      for (let j = 0; j < X.cols; j++) xw += X.data[i * X.cols + j] * w[j];
      for (let j = 0; j < r; j++) zw += basis.Z.data[i * r + j] * wz[j];
      expect(Math.abs(xw - zw)).toBeLessThan(1e-8);
    }
    const norm = (v: Float64Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    expect(norm(w)).toBeCloseTo(norm(wz), 8);
  });

  it('duplicate rows add nothing to the rank', () => {
    const rows = [
      [1, 2, 3, 4, 5],
      [1, 2, 3, 4, 5],
      [0, 1, 0, 1, 0],
    ];
    expect(fitRowSpaceBasis(denseFromRows(rows)).Z.cols).toBe(2);
  });
});
