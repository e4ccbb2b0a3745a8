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
  // Terms k = 0..depth-1 on each side: y[midleft - k] and y[midright + k]. Praat sums the left side, then the
  // right; the two sides are summed here in one loop (two independent recurrences run faster), which changes
  // the result only by rounding.
  // The taper's cosine advances by a constant angle per term, so Praat rotates it (a cos/sin recurrence)
  // instead of calling cos() per term; the same recurrence here keeps the last bits alike.
  let aL = Math.PI * (x - midleft);
  let halfSinL = 0.5 * Math.sin(aL);
  const spanL = x - left + 1;
  let cosL = Math.cos(aL / spanL);
  let sinL = Math.sin(aL / spanL);
  const cosStepL = Math.cos(Math.PI / spanL);
  const sinStepL = Math.sin(Math.PI / spanL);
  let aR = Math.PI * (midright - x);
  let halfSinR = 0.5 * Math.sin(aR);
  const spanR = right - x + 1;
  let cosR = Math.cos(aR / spanR);
  let sinR = Math.sin(aR / spanR);
  const cosStepR = Math.cos(Math.PI / spanR);
  const sinStepR = Math.sin(Math.PI / spanR);
  let sumL = 0;
  let sumR = 0;
  for (let k = 0; k < depth; k++) {
    sumL += y[midleft - k] * ((halfSinL / aL) * (1 + cosL));
    sumR += y[midright + k] * ((halfSinR / aR) * (1 + cosR));
    aL += Math.PI;
    aR += Math.PI;
    const nextCosL = cosL * cosStepL - sinL * sinStepL;
    sinL = cosL * sinStepL + sinL * cosStepL;
    cosL = nextCosL;
    const nextCosR = cosR * cosStepR - sinR * sinStepR;
    sinR = cosR * sinStepR + sinR * cosStepR;
    cosR = nextCosR;
    halfSinL = -halfSinL;
    halfSinR = -halfSinR;
  }
  return sumL + sumR;
}

const GOLDEN = 1 - 0.6180339887498948;
// LAPACK's dlamch('Epsilon') (2^-53), which Praat's NUMfpp->eps holds.
const SQRT_EPSILON = Math.sqrt(2 ** -53);

/** Brent's minimisation of f on [a, b] to tolerance tol (Praat's NUMminimize_brent, after netlib's fminbr). */
function minimizeBrent(f: (x: number) => number, a: number, b: number, tol: number): { x: number; fx: number } {
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
