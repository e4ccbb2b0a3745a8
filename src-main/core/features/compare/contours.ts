// Post-processing of ComParE's LLD contours: the 3-frame moving average (cContourSmoother, suffix _sma) and the
// delta regression over ±2 frames (cDeltaRegression, suffix _de). Beyond the ends a contour continues with its first
// and last value, as openSMILE's data memory pads a window read before the start or past the end of input
// (DMEM_PAD_FIRST, the default for window processors).

/** x[t] with t clamped to the contour. */
const edge = (x: Float64Array, t: number) => x[t < 0 ? 0 : t >= x.length ? x.length - 1 : t];

/** 3-frame moving average (x[t-1] + x[t] + x[t+1]) / 3. */
export function smooth3(x: Float64Array): Float64Array {
  const n = x.length;
  const y = new Float64Array(n);
  for (let t = 0; t < n; t++) y[t] = (edge(x, t - 1) + x[t] + edge(x, t + 1)) / 3;
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
    const a = edge(x, t - 1);
    const b = edge(x, t + 1);
    if (a !== 0) {
      s += a;
      k++;
    }
    if (b !== 0) {
      s += b;
      k++;
    }
    y[t] = s / k;
  }
  return y;
}

/** Delta regression Σ_{i=1..2} i (x[t+i] - x[t-i]) / (2 Σ i²). */
export function deltaRegression(x: Float64Array): Float64Array {
  const n = x.length;
  const y = new Float64Array(n);
  for (let t = 0; t < n; t++) y[t] = (edge(x, t + 1) - edge(x, t - 1) + 2 * (edge(x, t + 2) - edge(x, t - 2))) / 10;
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
      const a = edge(x, t - i);
      const b = edge(x, t + i);
      if (a !== 0 && b !== 0) {
        num += i * (b - a);
        norm += 2 * i * i;
      }
    }
    y[t] = norm !== 0 ? num / norm : 0;
  }
  return y;
}
