import { EVD, Matrix } from 'ml-matrix';
import { crossProduct, gramMatrix, type DenseMatrix } from './denseMatrix';

/**
 * Principal component analysis fitted on training vectors only, as scikit-learn's PCA: components ordered by explained
 * variance, variance with the n − 1 denominator, a float `components` in (0, 1) keeps the fewest components whose
 * cumulative explained-variance ratio exceeds it.
 *
 * The eigendecomposition is ml-matrix's symmetric EVD, on whichever is smaller: the d × d covariance (d ≤ n, e.g. 284
 * functionals) or the n × n Gram matrix of the centred rows (n < d, e.g. 1,000 utterances × 6,373 ComParE dimensions,
 * components = Xᵀu/√λ). ml-pca would decompose the d × d covariance or run a full SVD of the n × d matrix, both far
 * slower at ComParE size (the covariance EVD alone would be 6,373²).
 */
export interface Pca {
  /** Training mean per input dimension. */
  mean: Float64Array;
  /** m × d unit-length components, row-major, rounded to float32 so a saved model predicts bit-identically. */
  components: Float32Array;
  /** Variance of the training data along each component (n − 1 denominator). */
  explainedVariance: number[];
  explainedVarianceRatio: number[];
  dims: number;
}

/** A count (integer ≥ 1) or a fraction of the variance to keep, in (0, 1). */
export type PcaComponents = number;

/** Relative eigenvalue below which a direction counts as empty (round-off), like a rank tolerance. */
const ZERO_VARIANCE = 1e-12;

export function fitPca(X: DenseMatrix, components: PcaComponents): Pca {
  const { rows: n, cols: d } = X;
  if (n < 2) throw new Error(`PCA: needs at least 2 training vectors, got ${n}.`);
  if (!(components > 0) || !Number.isFinite(components) || (components > 1 && !Number.isInteger(components))) {
    throw new Error(`PCA: components must be a whole count or a variance fraction in (0, 1), got ${components}.`);
  }
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += X.data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const centred = new Float64Array(X.data.length);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) centred[i * d + j] = X.data[i * d + j] - mean[j];
  const Xc: DenseMatrix = { rows: n, cols: d, data: centred };

  const useGram = n < d;
  const size = useGram ? n : d;
  const S = useGram ? gramMatrix(Xc) : crossProduct(Xc);
  let trace = 0;
  for (let i = 0; i < size; i++) trace += S[i * size + i];
  const evd = new EVD(Matrix.from1DArray(size, size, S), { assumeSymmetric: true });
  // ml-matrix returns symmetric eigenvalues in ascending order.
  const values = evd.realEigenvalues;
  const vectors = evd.eigenvectorMatrix;
  const order = Array.from(values.keys()).sort((a, b) => values[b] - values[a]);
  const top = values[order[0]];
  const rank = order.filter((i) => values[i] > ZERO_VARIANCE * top).length;
  if (rank === 0) throw new Error('PCA: every training vector is the same; there is no variance to keep.');

  let m: number;
  if (components >= 1) {
    if (components > rank) {
      throw new Error(
        `PCA: asked for ${components} components but the ${n} training vectors span only ${rank} dimensions after centring; ask for at most ${rank}, or for a variance fraction.`,
      );
    }
    m = components;
  } else {
    let cum = 0;
    m = rank;
    for (let c = 0; c < rank; c++) {
      cum += values[order[c]] / trace;
      if (cum > components) {
        m = c + 1;
        break;
      }
    }
  }

  const comps = new Float32Array(m * d);
  const v = new Float64Array(d);
  for (let c = 0; c < m; c++) {
    const e = order[c];
    if (useGram) {
      v.fill(0);
      for (let i = 0; i < n; i++) {
        const u = vectors.get(i, e);
        for (let j = 0; j < d; j++) v[j] += u * centred[i * d + j];
      }
    } else {
      for (let j = 0; j < d; j++) v[j] = vectors.get(j, e);
    }
    let norm = 0;
    let peak = 0;
    for (let j = 0; j < d; j++) {
      norm += v[j] * v[j];
      if (Math.abs(v[j]) > Math.abs(v[peak])) peak = j;
    }
    // Sign convention: the largest loading is positive (sklearn flips on the scores instead; tests compare up to sign).
    const scale = (v[peak] < 0 ? -1 : 1) / Math.sqrt(norm);
    for (let j = 0; j < d; j++) comps[c * d + j] = v[j] * scale;
  }
  const explainedVariance = order.slice(0, m).map((e) => values[e] / (n - 1));
  return {
    mean,
    components: comps,
    explainedVariance,
    explainedVarianceRatio: order.slice(0, m).map((e) => values[e] / trace),
    dims: d,
  };
}

/** Number of components a fitted PCA keeps. */
export function pcaSize(p: Pca): number {
  return p.components.length / p.dims;
}

/** Scores of one vector: (x − mean) projected on each component. */
export function pcaProject(p: Pca, x: ArrayLike<number>, out = new Float64Array(pcaSize(p))): Float64Array {
  const d = p.dims;
  const m = pcaSize(p);
  for (let c = 0; c < m; c++) {
    let s = 0;
    const off = c * d;
    for (let j = 0; j < d; j++) s += (x[j] - p.mean[j]) * p.components[off + j];
    out[c] = s;
  }
  return out;
}
