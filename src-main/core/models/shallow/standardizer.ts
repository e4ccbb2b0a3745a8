/** Per-dimension z-scoring fitted on training vectors only, so test data never leaks into the scaling. */
export interface Standardizer {
  mean: number[];
  /** Standard deviation per dimension; 1 where a dimension is constant in the training set. */
  std: number[];
}

/** Mean and (population) standard deviation of each dimension of `X`. */
export function fitStandardizer(X: Float32Array[]): Standardizer {
  const d = X[0].length;
  const mean = new Float64Array(d);
  for (const row of X) for (let j = 0; j < d; j++) mean[j] += row[j];
  for (let j = 0; j < d; j++) mean[j] /= X.length;
  const variance = new Float64Array(d);
  for (const row of X) {
    for (let j = 0; j < d; j++) {
      const diff = row[j] - mean[j];
      variance[j] += diff * diff;
    }
  }
  // A constant dimension carries no information; dividing by 1 keeps it at 0 instead of NaN or a huge factor. "Constant"
  // includes a variance at rounding level of the mean, the bound of sklearn's StandardScaler (_is_constant_feature):
  // dividing by such a spread would multiply any real variation at prediction time by ~1e15.
  const n = X.length;
  const std = Array.from(variance, (sum, j) => {
    const v = sum / n;
    const bound = n * Number.EPSILON * v + (n * mean[j] * Number.EPSILON) ** 2;
    return v > bound ? Math.sqrt(v) : 1;
  });
  return { mean: Array.from(mean), std };
}

/** (x - mean) / std for one vector, as float64 for the solver. */
export function standardize(s: Standardizer, x: ArrayLike<number>): number[] {
  const out = new Array<number>(s.mean.length);
  for (let j = 0; j < out.length; j++) out[j] = (x[j] - s.mean[j]) / s.std[j];
  return out;
}
