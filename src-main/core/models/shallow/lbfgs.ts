/**
 * Limited-memory BFGS for smooth unconstrained minimisation (Nocedal & Wright, Numerical Optimization, alg. 7.4/7.5),
 * with a backtracking Armijo line search; a correction pair is stored only when its curvature sᵀy is positive, which
 * keeps the inverse-Hessian approximation positive definite without a full Wolfe search. Written here because the
 * objective and gradient live in one Float64Array and are evaluated together (the npm optimisers take plain arrays
 * and separate callbacks, which doubles the matrix products per step), and because it is 80 lines.
 *
 * Stops like scipy's L-BFGS-B, which scikit-learn's lbfgs solver calls: max |gradient| ≤ gtol, or the relative
 * decrease of f is below ftol = 64·eps.
 */
export interface LbfgsOptions {
  /** Stop when every gradient entry is at most this in magnitude. */
  gtol: number;
  maxIter: number;
  /** Correction pairs kept (scipy's default is 10). */
  memory?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  converged: boolean;
}

/** f(x) and its gradient written into `grad`. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

const FTOL = 64 * Number.EPSILON;

export function minimizeLbfgs(objective: Objective, x0: Float64Array, opts: LbfgsOptions): LbfgsResult {
  const n = x0.length;
  const m = opts.memory ?? 10;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let f = objective(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const alpha = new Float64Array(m);
  const maxAbs = (v: Float64Array) => v.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
  let iterations = 0;
  if (maxAbs(g) <= opts.gtol) return { x, f, iterations, converged: true };
  for (; iterations < opts.maxIter;) {
    // Two-loop recursion: d = −H g.
    for (let i = 0; i < n; i++) d[i] = -g[i];
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = rho[k] * dotv(S[k], d);
      axpy(-alpha[k], Y[k], d);
    }
    if (S.length) {
      const last = S.length - 1;
      const gamma = dotv(S[last], Y[last]) / dotv(Y[last], Y[last]);
      for (let i = 0; i < n; i++) d[i] *= gamma;
    } else {
      // First step: a unit-length move along −g, as scipy's first line search effectively takes.
      const norm = Math.sqrt(dotv(g, g));
      for (let i = 0; i < n; i++) d[i] /= Math.max(norm, 1);
    }
    for (let k = 0; k < S.length; k++) {
      const beta = rho[k] * dotv(Y[k], d);
      axpy(alpha[k] - beta, S[k], d);
    }
    let slope = dotv(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (round-off in the memory): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      slope = dotv(g, d);
    }
    let step = 1;
    let fNew = Infinity;
    for (let tries = 0; tries < 60; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
      fNew = objective(xNew, gNew);
      if (fNew <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    iterations += 1;
    if (!(fNew <= f)) return { x, f, iterations, converged: false };
    const s = new Float64Array(n);
    const yv = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      yv[i] = gNew[i] - g[i];
    }
    const sy = dotv(s, yv);
    if (sy > 1e-12 * Math.sqrt(dotv(s, s) * dotv(yv, yv))) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(yv);
      rho.push(1 / sy);
    }
    const decrease = (f - fNew) / Math.max(Math.abs(f), Math.abs(fNew), 1);
    x.set(xNew);
    g.set(gNew);
    f = fNew;
    if (maxAbs(g) <= opts.gtol) return { x, f, iterations, converged: true };
    if (decrease <= FTOL) return { x, f, iterations, converged: true };
  }
  return { x, f, iterations, converged: false };
}

function dotv(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += a * x[i];
}
