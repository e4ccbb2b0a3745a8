import { mulberry32 } from '../../mulberry32';
import { type DenseMatrix } from './denseMatrix';

/**
 * Linear SVM with the squared hinge loss, one-vs-rest: scikit-learn's LinearSVC(loss='squared_hinge', dual=True),
 * which is liblinear's solver 1 (L2R_L2LOSS_SVC_DUAL). Each binary problem
 *   min_w ½‖w̃‖² + Σᵢ Cᵢ max(0, 1 − yᵢ w̃·x̃ᵢ)²,   x̃ = [x, 1] (the bias is a feature and is penalised, intercept_scaling 1)
 * is solved in its dual by coordinate descent with shrinking (Hsieh et al., ICML 2008), as liblinear does. As in
 * liblinear, the positive class of problem c has C·weight_c and the rest plain C; with two classes a single problem is
 * solved (class 1 positive, C·weight₁ vs C·weight₀), and the scores are [−f, f].
 *
 * Written here rather than taken from npm: no maintained package ships liblinear (libsvm-js has only the kernel SVM,
 * whose linear kernel costs n² kernel evaluations); the dual solver is ~60 lines and the warm start along a C grid
 * (the dual variables stay feasible when C grows) is what makes choosing C on validation cheap.
 */
export interface LinearSvmOptions {
  C: number;
  /** Per-class weight on C (class_weight); length k. */
  classWeight: number[];
  /** liblinear's eps: stop when the spread of projected gradients is at most this (sklearn's tol). */
  tol: number;
  /** Passes over the data per binary problem (sklearn's max_iter). */
  maxIter: number;
  /** Seeds the order of coordinate updates. */
  seed: number;
  /** Dual variables to start from (a warm start along a C grid). */
  init?: LinearSvmSolution;
}

export interface LinearSvmSolution {
  /** One row per binary problem (1 for two classes, k otherwise), p + 1 values: weights then bias. */
  W: Float64Array;
  problems: number;
  /** Dual variables per problem (n each). */
  alphas: Float64Array[];
  /** Largest number of passes any binary problem took. */
  iterations: number;
  converged: boolean;
}

/** Fits on X (n × p) with y in 0..k−1, every class present. */
export function fitLinearSvm(X: DenseMatrix, y: ArrayLike<number>, k: number, opts: LinearSvmOptions): LinearSvmSolution {
  if (!(opts.C > 0)) throw new Error(`Linear SVM: C must be positive, got ${opts.C}.`);
  const problems = k === 2 ? 1 : k;
  const n = X.rows;
  const p1 = X.cols + 1;
  const W = new Float64Array(problems * p1);
  const alphas: Float64Array[] = [];
  let iterations = 0;
  let converged = true;
  const rand = mulberry32(opts.seed);
  const sign = new Int8Array(n);
  const cost = new Float64Array(n);
  for (let c = 0; c < problems; c++) {
    const positive = k === 2 ? 1 : c;
    for (let i = 0; i < n; i++) {
      sign[i] = y[i] === positive ? 1 : -1;
      cost[i] = opts.C * (sign[i] > 0 ? opts.classWeight[positive] : k === 2 ? opts.classWeight[0] : 1);
    }
    const alpha = opts.init ? Float64Array.from(opts.init.alphas[c]) : new Float64Array(n);
    const r = solveDual(X, sign, cost, alpha, W.subarray(c * p1, (c + 1) * p1), opts, rand);
    alphas.push(alpha);
    iterations = Math.max(iterations, r.iterations);
    converged &&= r.converged;
  }
  return { W, problems, alphas, iterations, converged };
}

/** liblinear's dual coordinate descent for one L2-loss problem; fills w (p + 1, bias last) and alpha. */
function solveDual(
  X: DenseMatrix,
  sign: Int8Array,
  cost: Float64Array,
  alpha: Float64Array,
  w: Float64Array,
  opts: LinearSvmOptions,
  rand: () => number,
): { iterations: number; converged: boolean } {
  const { rows: n, cols: p, data } = X;
  const diag = new Float64Array(n);
  const QD = new Float64Array(n);
  w.fill(0);
  for (let i = 0; i < n; i++) {
    diag[i] = 0.5 / cost[i];
    const off = i * p;
    let sq = 1; // the bias feature
    for (let j = 0; j < p; j++) sq += data[off + j] * data[off + j];
    QD[i] = diag[i] + sq;
    const a = alpha[i] * sign[i];
    if (a !== 0) {
      for (let j = 0; j < p; j++) w[j] += a * data[off + j];
      w[p] += a;
    }
  }
  const index = Int32Array.from({ length: n }, (_, i) => i);
  let activeSize = n;
  // liblinear also tracks the smallest projected gradient to shrink variables at their upper bound; the L2 loss has none.
  let pgMaxOld = Infinity;
  let iter = 0;
  while (iter < opts.maxIter) {
    let pgMaxNew = -Infinity;
    let pgMinNew = Infinity;
    for (let s = 0; s < activeSize; s++) {
      const j = s + Math.floor(rand() * (activeSize - s));
      [index[s], index[j]] = [index[j], index[s]];
    }
    for (let s = 0; s < activeSize; s++) {
      const i = index[s];
      const yi = sign[i];
      const off = i * p;
      let wx = w[p];
      for (let j = 0; j < p; j++) wx += w[j] * data[off + j];
      const G = yi * wx - 1 + alpha[i] * diag[i];
      let PG = 0;
      if (alpha[i] === 0) {
        if (G > pgMaxOld) {
          // Shrink: this variable is at its bound and likely to stay there.
          activeSize--;
          [index[s], index[activeSize]] = [index[activeSize], index[s]];
          s--;
          continue;
        } else if (G < 0) PG = G;
      } else PG = G;
      if (PG > pgMaxNew) pgMaxNew = PG;
      if (PG < pgMinNew) pgMinNew = PG;
      if (Math.abs(PG) > 1e-12) {
        const old = alpha[i];
        alpha[i] = Math.max(old - G / QD[i], 0);
        const delta = (alpha[i] - old) * yi;
        for (let j = 0; j < p; j++) w[j] += delta * data[off + j];
        w[p] += delta;
      }
    }
    iter++;
    if (pgMaxNew - pgMinNew <= opts.tol) {
      if (activeSize === n) return { iterations: iter, converged: true };
      // Converged on the shrunk set: check every variable once more.
      activeSize = n;
      pgMaxOld = Infinity;
      continue;
    }
    pgMaxOld = pgMaxNew <= 0 ? Infinity : pgMaxNew;
  }
  return { iterations: iter, converged: false };
}

/** Class scores of one transformed vector: k values (for two classes [−f, f]). */
export function svmScores(sol: { W: Float64Array; problems: number }, k: number, x: ArrayLike<number>, out = new Float64Array(k)): Float64Array {
  const p = x.length;
  const p1 = p + 1;
  for (let c = 0; c < sol.problems; c++) {
    let s = sol.W[c * p1 + p];
    for (let j = 0; j < p; j++) s += sol.W[c * p1 + j] * x[j];
    out[c] = s;
  }
  if (k === 2) {
    out[1] = out[0];
    out[0] = -out[1];
  }
  return out;
}

/**
 * The scale a > 0 (a = 1/temperature) that minimises the log loss of softmax(a · scores) against the labels: one
 * parameter, convex in a, solved by safeguarded Newton steps. Returns 0 when the scores carry no information
 * (the loss only grows with a), which makes every probability 1/k.
 */
export function fitSoftmaxScale(scores: Float64Array[], y: ArrayLike<number>): number {
  const k = scores[0]?.length ?? 0;
  const p = new Float64Array(k);
  // First and second derivative of the loss in a.
  const derivatives = (a: number): [number, number] => {
    let d1 = 0;
    let d2 = 0;
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i];
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = Math.max(max, a * s[c]);
      let sum = 0;
      for (let c = 0; c < k; c++) {
        p[c] = Math.exp(a * s[c] - max);
        sum += p[c];
      }
      let mean = 0;
      let sq = 0;
      for (let c = 0; c < k; c++) {
        p[c] /= sum;
        mean += p[c] * s[c];
        sq += p[c] * s[c] * s[c];
      }
      d1 += mean - s[y[i]];
      d2 += Math.max(sq - mean * mean, 0);
    }
    return [d1, d2];
  };
  if (derivatives(0)[0] >= 0) return 0;
  let lo = 0;
  let hi = 1;
  while (derivatives(hi)[0] < 0 && hi < 1e8) {
    lo = hi;
    hi *= 2;
  }
  let a = (lo + hi) / 2;
  for (let it = 0; it < 100; it++) {
    const [d1, d2] = derivatives(a);
    if (d1 < 0) lo = a;
    else hi = a;
    const newton = d2 > 0 ? a - d1 / d2 : NaN;
    const next = newton > lo && newton < hi ? newton : (lo + hi) / 2;
    if (Math.abs(next - a) <= 1e-10 * Math.max(1, a)) return next;
    a = next;
  }
  return a;
}
