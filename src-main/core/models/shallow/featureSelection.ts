/**
 * Univariate feature selection: the one-way ANOVA F-score of each dimension against the class labels (scikit-learn's
 * `f_classif`) and SelectKBest's rule for keeping the k best. Written here because it is a few sums per dimension;
 * the npm packages that offer ANOVA take one variable at a time and would not be faster or clearer.
 */

/** How many dimensions to keep: a count (an integer ≥ 1) or a fraction of the input dimensions in (0, 1). */
export type SelectK = number;

/**
 * ANOVA F-score per dimension: (between-class mean square) / (within-class mean square), with df k−1 and n−k where k
 * counts the classes present in y. NaN where a dimension is constant within every class and between them (sklearn
 * returns NaN there too); +Infinity where the within-class spread is 0 but the class means differ.
 */
export function fClassif(X: ArrayLike<number>[], y: number[]): Float64Array {
  const n = X.length;
  if (n === 0) throw new Error('Feature selection: no training vectors.');
  if (y.length !== n) throw new Error(`Feature selection: ${n} training vectors but ${y.length} labels.`);
  const d = X[0].length;
  const classes = [...new Set(y)].sort((a, b) => a - b);
  const k = classes.length;
  if (k < 2) throw new Error('Feature selection: the training set holds only one class; F-scores need at least two.');
  if (n <= k) throw new Error(`Feature selection: ${n} training vectors for ${k} classes; F-scores need more vectors than classes.`);
  const slot = new Map(classes.map((c, i) => [c, i]));
  const count = new Float64Array(k);
  const sums = Array.from({ length: k }, () => new Float64Array(d));
  const total = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const c = slot.get(y[i])!;
    count[c] += 1;
    const s = sums[c];
    const x = X[i];
    for (let j = 0; j < d; j++) {
      s[j] += x[j];
      total[j] += x[j];
    }
  }
  // Sums of squares around the means (two passes), not sklearn's raw-moment formula, for accuracy on offset data.
  const within = new Float64Array(d);
  const means = sums.map((s, c) => s.map((v) => v / count[c]));
  for (let i = 0; i < n; i++) {
    const m = means[slot.get(y[i])!];
    const x = X[i];
    for (let j = 0; j < d; j++) {
      const diff = x[j] - m[j];
      within[j] += diff * diff;
    }
  }
  const f = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const grand = total[j] / n;
    let between = 0;
    for (let c = 0; c < k; c++) {
      const diff = means[c][j] - grand;
      between += count[c] * diff * diff;
    }
    const msb = between / (k - 1);
    const msw = within[j] / (n - k);
    // Round-off leaves a constant dimension with spreads around 1e-30 rather than 0; call it constant.
    const scale = Math.abs(grand) + 1;
    const tiny = 1e-24 * scale * scale;
    if (msw <= tiny) f[j] = msb <= tiny ? NaN : Infinity;
    else f[j] = msb / msw;
  }
  return f;
}

/** The number of dimensions `k` (count or fraction) keeps out of `dims`; throws a readable error when it cannot. */
export function resolveK(k: SelectK, dims: number): number {
  if (!(k > 0) || !Number.isFinite(k)) throw new Error(`Feature selection: k must be a positive count or a fraction in (0, 1), got ${k}.`);
  if (k < 1) return Math.max(1, Math.round(k * dims));
  if (!Number.isInteger(k)) throw new Error(`Feature selection: k above 1 must be a whole number of dimensions, got ${k}.`);
  if (k > dims) throw new Error(`Feature selection: k = ${k} but the vectors have only ${dims} dimensions.`);
  return k;
}

/**
 * Indices (ascending) of the `count` highest scores, as SelectKBest picks them: NaN ranks below every number, and among
 * equal scores the later dimension wins (sklearn keeps the tail of a stable ascending argsort).
 */
export function topKIndices(scores: ArrayLike<number>, count: number): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  const key = (i: number) => (Number.isNaN(scores[i]) ? -Infinity : scores[i]);
  order.sort((a, b) => key(a) - key(b) || a - b);
  return order.slice(order.length - count).sort((a, b) => a - b);
}

/** F-scores and the kept dimensions of SelectKBest(f_classif, k) fitted on training vectors. */
export function selectKBest(X: ArrayLike<number>[], y: number[], k: SelectK): { scores: Float64Array; indices: number[] } {
  const scores = fClassif(X, y);
  return { scores, indices: topKIndices(scores, resolveK(k, scores.length)) };
}
