// Post-processing of ComParE's LLD contours: the 3-frame moving average (cContourSmoother, suffix _sma) and the
// delta regression over ±2 frames (cDeltaRegression, suffix _de). Frames outside the contour read as 0.

/** 3-frame moving average (x[t-1] + x[t] + x[t+1]) / 3, zeros beyond the ends. */
export function smooth3(x: Float64Array): Float64Array {
  const n = x.length;
  const y = new Float64Array(n);
  for (let t = 0; t < n; t++) y[t] = ((t > 0 ? x[t - 1] : 0) + x[t] + (t < n - 1 ? x[t + 1] : 0)) / 3;
  return y;
}

/**
 * noZeroSma: a zero frame stays 0, a non-zero frame is the mean of itself and its non-zero neighbours
 * (used for F0, voicing and the voice-quality contours, where 0 means unvoiced).
 */
export function smooth3NonZero(x: Float64Array): Float64Array {
  const n = x.length;
  const y = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    if (x[t] === 0) continue;
    let s = x[t];
    let k = 1;
    if (t > 0 && x[t - 1] !== 0) {
      s += x[t - 1];
      k++;
    }
    if (t < n - 1 && x[t + 1] !== 0) {
      s += x[t + 1];
      k++;
    }
    y[t] = s / k;
  }
  return y;
}

/** Delta regression Σ_{i=1..2} i (x[t+i] - x[t-i]) / (2 Σ i²), zeros beyond the ends. */
export function deltaRegression(x: Float64Array): Float64Array {
  const n = x.length;
  const y = new Float64Array(n);
  const at = (t: number) => (t >= 0 && t < n ? x[t] : 0);
  for (let t = 0; t < n; t++) y[t] = (at(t + 1) - at(t - 1) + 2 * (at(t + 2) - at(t - 2))) / 10;
  return y;
}

/**
 * Delta regression inside voiced segments (onlyInSegments, zeroSegBound): a pair (x[t-i], x[t+i]) counts only when
 * both are non-zero, and the sum is divided by 2 Σ i² over the pairs that counted (0 when none did).
 */
export function deltaRegressionInSegments(x: Float64Array): Float64Array {
  const n = x.length;
  const y = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let num = 0;
    let norm = 0;
    for (let i = 1; i <= 2; i++) {
      const a = t - i >= 0 ? x[t - i] : 0;
      const b = t + i < n ? x[t + i] : 0;
      if (a !== 0 && b !== 0) {
        num += i * (b - a);
        norm += 2 * i * i;
      }
    }
    y[t] = norm !== 0 ? num / norm : 0;
  }
  return y;
}
