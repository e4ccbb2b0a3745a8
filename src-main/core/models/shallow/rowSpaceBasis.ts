import { gramMatrix, type DenseMatrix } from './denseMatrix';

/**
 * Coordinates of the training rows in an orthonormal basis of their own span: Z (n × r) with Z Zᵀ = X Xᵀ.
 *
 * Why: an L2-regularised linear model (logistic regression, linear SVM) sees the data only through inner products,
 * and its weights lie in the span of the training rows, so fitting on Z and mapping the weights back gives the same
 * model as fitting on X. With ComParE-size vectors (n ≈ 1,000 utterances, p ≈ 6,373 dimensions) every solver step then
 * costs n·r instead of n·p, about 6× less, and the n × n Gram matrix is computed once per C grid.
 *
 * Z comes from a Cholesky factorisation of the Gram matrix with diagonal pivoting (rank-revealing; the standardised
 * rows are centred, so the rank is at most n − 1): K[π, π] = L Lᵀ, Z[π[i]] = L[i]. Pivoted Cholesky rather than an
 * eigendecomposition because it costs n³/3 (well under a second) where ml-matrix's symmetric EVD takes 12 s at n = 1,000.
 */
export interface RowSpaceBasis {
  /** n × r coordinates, in the original row order. */
  Z: DenseMatrix;
  /** The r rows of X chosen as pivots, in pivot order. */
  pivots: number[];
  /** L's leading r × r block (lower triangular, row-major): X[pivots] = L11 Qᵀ with Q orthonormal. */
  L11: Float64Array;
}

/** Residual diagonal (squared row norm left unexplained), relative to the largest row, at which the rank stops. */
const RANK_TOLERANCE = 1e-11;

export function fitRowSpaceBasis(X: DenseMatrix): RowSpaceBasis {
  const n = X.rows;
  const K = gramMatrix(X);
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const diag = new Float64Array(n);
  for (let i = 0; i < n; i++) diag[i] = K[i * n + i];
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, diag[i]);
  // L is built column by column; row i of L belongs to original row perm[i].
  const L = new Float64Array(n * n);
  let r = 0;
  for (; r < n; r++) {
    let best = r;
    for (let i = r + 1; i < n; i++) if (diag[perm[i]] > diag[perm[best]]) best = i;
    if (!(diag[perm[best]] > RANK_TOLERANCE * maxDiag)) break;
    if (best !== r) {
      [perm[r], perm[best]] = [perm[best], perm[r]];
      for (let j = 0; j < r; j++) [L[r * n + j], L[best * n + j]] = [L[best * n + j], L[r * n + j]];
    }
    const p = perm[r];
    const lrr = Math.sqrt(diag[p]);
    L[r * n + r] = lrr;
    for (let i = r + 1; i < n; i++) {
      const q = perm[i];
      let s = K[q * n + p];
      for (let j = 0; j < r; j++) s -= L[i * n + j] * L[r * n + j];
      const v = s / lrr;
      L[i * n + r] = v;
      diag[q] -= v * v;
    }
  }
  const Z = new Float64Array(n * r);
  for (let i = 0; i < n; i++) for (let j = 0; j < Math.min(i + 1, r); j++) Z[perm[i] * r + j] = L[i * n + j];
  const L11 = new Float64Array(r * r);
  for (let i = 0; i < r; i++) for (let j = 0; j <= i; j++) L11[i * r + j] = L[i * n + j];
  return { Z: { rows: n, cols: r, data: Z }, pivots: Array.from(perm.subarray(0, r)), L11 };
}

/**
 * Weights in the original space for weights `wz` (length r) fitted on Z: w = X[pivots]ᵀ L11⁻ᵀ wz, so that
 * x·w = z·wz for every training row and w has the same norm as wz.
 */
export function weightsFromBasis(basis: RowSpaceBasis, X: DenseMatrix, wz: ArrayLike<number>): Float64Array {
  const r = basis.pivots.length;
  const { L11 } = basis;
  // Back substitution with L11ᵀ (upper triangular).
  const v = new Float64Array(r);
  for (let i = r - 1; i >= 0; i--) {
    let s = wz[i];
    for (let j = i + 1; j < r; j++) s -= L11[j * r + i] * v[j];
    v[i] = s / L11[i * r + i];
  }
  const d = X.cols;
  const w = new Float64Array(d);
  for (let i = 0; i < r; i++) {
    const vi = v[i];
    if (vi === 0) continue;
    const off = basis.pivots[i] * d;
    for (let j = 0; j < d; j++) w[j] += vi * X.data[off + j];
  }
  return w;
}
