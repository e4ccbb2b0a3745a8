// Praat's value interpolation and peak refinement, reimplemented from the algorithms in Praat 6.3.07
// (melder/NUMinterpol.cpp: NUM_interpolate_sinc, NUMimproveExtremum; dwsys/NUM2.cpp: NUMminimize_brent).
// The pitch and harmonicity analyses depend on these details: candidate strengths are sinc-interpolated
// autocorrelation values, and the exact interpolant decides which candidate wins a close call.
// Indices here are 0-based; Praat's are 1-based, so `x` below is Praat's x - 1.

/** Praat's depth codes for peak refinement (NUM_PEAK_INTERPOLATE_*). */
export const PEAK_SINC70 = 3;
export const PEAK_SINC700 = 4;

/**
 * Windowed-sinc interpolation of y at fractional index x (0-based), as Praat's NUM_interpolate_sinc:
 * `maxDepth` samples on each side, a raised-cosine (Hann) taper, constant extrapolation outside [0, n-1].
 * Depths 0, 1 and 2 are nearest, linear and cubic.
 */
export function interpolateSinc(y: ArrayLike<number>, x: number, maxDepth: number): number {
  const n = y.length;
  if (n < 1) return Number.NaN;
  if (x < 0) return y[0];
  if (x > n - 1) return y[n - 1];
  const midleft = Math.floor(x);
  const midright = midleft + 1;
  if (x === midleft) return y[midleft];
  // Praat clips the depth to what fits on both sides (its 1-based midright - 1 and size - midleft).
  const depth = Math.min(maxDepth, midleft + 1, n - 1 - midleft);
  if (depth <= 0) return y[Math.floor(x + 0.5)];
  if (depth === 1) return y[midleft] + (x - midleft) * (y[midright] - y[midleft]);
  if (depth === 2) {
    const yl = y[midleft];
    const yr = y[midright];
    const dyl = 0.5 * (yr - y[midleft - 1]);
    const dyr = 0.5 * (y[midright + 1] - yl);
    const fil = x - midleft;
    const fir = midright - x;
    return yl * fir + yr * fil - fil * fir * (0.5 * (dyr - dyl) + (fil - 0.5) * (dyl + dyr - 2 * (yr - yl)));
  }
  const left = midright - depth;
  const right = midleft + depth;
  let result = 0;
  // The taper's cosine advances by a constant angle per sample, so Praat rotates it (cos/sin recurrence)
  // instead of calling cos() per term; the same recurrence here keeps the last bits alike and is faster.
  let a = Math.PI * (x - midleft);
  let halfsina = 0.5 * Math.sin(a);
  let aa = a / (x - left + 1);
  let daa = Math.PI / (x - left + 1);
  let cosaa = Math.cos(aa);
  let sinaa = Math.sin(aa);
  let cosdaa = Math.cos(daa);
  let sindaa = Math.sin(daa);
  for (let ix = midleft; ix >= left; ix--) {
    result += y[ix] * ((halfsina / a) * (1 + cosaa));
    a += Math.PI;
    const help = cosaa * cosdaa - sinaa * sindaa;
    sinaa = cosaa * sindaa + sinaa * cosdaa;
    cosaa = help;
    halfsina = -halfsina;
  }
  a = Math.PI * (midright - x);
  halfsina = 0.5 * Math.sin(a);
  aa = a / (right - x + 1);
  daa = Math.PI / (right - x + 1);
  cosaa = Math.cos(aa);
  sinaa = Math.sin(aa);
  cosdaa = Math.cos(daa);
  sindaa = Math.sin(daa);
  for (let ix = midright; ix <= right; ix++) {
    result += y[ix] * ((halfsina / a) * (1 + cosaa));
    a += Math.PI;
    const help = cosaa * cosdaa - sinaa * sindaa;
    sinaa = cosaa * sindaa + sinaa * cosdaa;
    cosaa = help;
    halfsina = -halfsina;
  }
  return result;
}

const GOLDEN = 1 - 0.6180339887498948;
// LAPACK's dlamch('Epsilon') (2^-53), which Praat's NUMfpp->eps holds.
const SQRT_EPSILON = Math.sqrt(2 ** -53);

/** Brent's minimisation of f on [a, b] to tolerance tol (Praat's NUMminimize_brent, after netlib's fminbr). */
export function minimizeBrent(f: (x: number) => number, a: number, b: number, tol: number): { x: number; fx: number } {
  let v = a + GOLDEN * (b - a);
  let fv = f(v);
  let x = v;
  let w = v;
  let fx = fv;
  let fw = fv;
  for (let iter = 1; iter <= 60; iter++) {
    const middle = (a + b) / 2;
    const tolAct = SQRT_EPSILON * Math.abs(x) + tol / 3;
    if (Math.abs(x - middle) + (b - a) / 2 <= 2 * tolAct) return { x, fx };
    let step = GOLDEN * (x < middle ? b - x : a - x);
    if (Math.abs(x - w) >= tolAct) {
      const t = (x - w) * (fx - fv);
      let q = (x - v) * (fx - fw);
      let p = (x - v) * q - (x - w) * t;
      q = 2 * (q - t);
      if (q > 0) p = -p;
      else q = -q;
      if (Math.abs(p) < Math.abs(step * q) && p > q * (a - x + 2 * tolAct) && p < q * (b - x - 2 * tolAct)) step = p / q;
    }
    if (Math.abs(step) < tolAct) step = step > 0 ? tolAct : -tolAct;
    const t = x + step;
    const ft = f(t);
    if (ft <= fx) {
      if (t < x) b = x;
      else a = x;
      v = w;
      w = x;
      x = t;
      fv = fw;
      fw = fx;
      fx = ft;
    } else {
      if (t < x) a = t;
      else b = t;
      if (ft <= fw || w === x) {
        v = w;
        w = t;
        fv = fw;
        fw = ft;
      } else if (ft <= fv || v === x || v === w) {
        v = t;
        fv = ft;
      }
    }
  }
  return { x, fx };
}

/**
 * Refines the maximum of y near integer index i (0-based) as Praat's NUMimproveMaximum: Brent's search on
 * [i-1, i+1] over the sinc interpolant (depth 70 or 700 for PEAK_SINC70 / PEAK_SINC700), tolerance 1e-10.
 * Returns the fractional index and the interpolated maximum.
 */
export function improveMaximum(y: ArrayLike<number>, i: number, peakDepth: number): { x: number; value: number } {
  const n = y.length;
  if (i <= 0) return { x: 0, value: y[0] };
  if (i >= n - 1) return { x: n - 1, value: y[n - 1] };
  const depth = peakDepth === PEAK_SINC70 ? 70 : 700;
  const found = minimizeBrent((x) => -interpolateSinc(y, x, depth), i - 1, i + 1, 1e-10);
  return { x: found.x, value: -found.fx };
}
