import type { FrameMatrix } from './frameMatrix';

/** Solves the small dense system a x = b in place (Gaussian elimination, partial pivoting). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) piv = r;
    [a[c], a[piv]] = [a[piv], a[c]];
    [b[c], b[piv]] = [b[piv], b[c]];
    for (let r = c + 1; r < n; r++) {
      const f = a[r][c] / a[c][c];
      for (let k = c; k < n; k++) a[r][k] -= f * a[c][k];
      b[r] -= f * b[c];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r];
    for (let k = r + 1; k < n; k++) s -= a[r][k] * x[k];
    x[r] = s / a[r][r];
  }
  return x;
}

/**
 * Savitzky-Golay weights w[j], j = 0..width-1, such that sum_j w[j] x[t - half + j] is the order-th
 * derivative at t of the least-squares polynomial of degree `order` (scipy.signal.savgol_coeffs, deriv = polyorder).
 */
export function savgolDerivativeWeights(width: number, order: number): Float64Array {
  const half = (width - 1) / 2;
  const p = order;
  // Normal equations (A^T A) c = A^T e; the derivative at 0 needs row `order` of (A^T A)^-1 A^T.
  const ata: number[][] = [];
  for (let i = 0; i <= p; i++) {
    ata.push([]);
    for (let j = 0; j <= p; j++) {
      let s = 0;
      for (let z = -half; z <= half; z++) s += z ** (i + j);
      ata[i].push(s);
    }
  }
  const e = new Array<number>(p + 1).fill(0);
  e[order] = 1;
  const g = solve(ata, e); // row `order` of (A^T A)^-1 (symmetric)
  let fact = 1;
  for (let i = 2; i <= order; i++) fact *= i;
  const w = new Float64Array(width);
  for (let j = 0; j < width; j++) {
    const z = j - half;
    let s = 0;
    for (let i = 0; i <= p; i++) s += g[i] * z ** i;
    w[j] = fact * s;
  }
  return w;
}

/**
 * librosa.feature.delta(data, width, order, mode='interp') along time, on a frame-major matrix.
 * With deriv = polyorder the fitted derivative is constant across a window, so the 'interp' edges equal
 * the first/last full-window value. Fewer frames than `width` (librosa raises) shrinks the window to the
 * largest odd size that fits; under 3 frames there is no slope to estimate and the result is zeros.
 */
export function delta(m: FrameMatrix, order: 1 | 2, width = 9): FrameMatrix {
  if (width < 3 || width % 2 === 0) throw new Error(`delta width must be odd and >= 3 (got ${width})`);
  const { frames, dims, data } = m;
  const out = new Float64Array(dims * frames);
  const w = Math.min(width, frames % 2 === 1 ? frames : frames - 1);
  if (w < 3) return { frames, dims, data: out };
  const weights = savgolDerivativeWeights(w, order);
  const half = (w - 1) / 2;
  for (let t = half; t < frames - half; t++) {
    const dst = t * dims;
    for (let j = 0; j < w; j++) {
      const c = weights[j];
      const src = (t - half + j) * dims;
      for (let d = 0; d < dims; d++) out[dst + d] += c * data[src + d];
    }
  }
  const first = out.slice(half * dims, (half + 1) * dims);
  const last = out.slice((frames - 1 - half) * dims, (frames - half) * dims);
  for (let t = 0; t < half; t++) {
    out.set(first, t * dims);
    out.set(last, (frames - 1 - t) * dims);
  }
  return { frames, dims, data: out };
}
