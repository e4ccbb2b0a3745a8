// Time-domain ComParE descriptors: RMS energy (cEnergy, rms = 1) and zero-crossing rate (cMZcr, zcr = 1).

/** RMS of each left-aligned frame, optionally windowed: sqrt(Σ (w x)² / size). */
export function rmsEnergy(x: Float32Array, size: number, step: number, frames: number, window?: Float64Array): Float64Array {
  const out = new Float64Array(frames);
  for (let t = 0; t < frames; t++) {
    const s = t * step;
    let e = 0;
    if (window) {
      for (let i = 0; i < size; i++) {
        const v = x[s + i] * window[i];
        e += v * v;
      }
    } else {
      for (let i = 0; i < size; i++) e += x[s + i] * x[s + i];
    }
    out[t] = Math.sqrt(e / size);
  }
  return out;
}

/**
 * openSMILE's zero-crossing rate: for i = 1 .. size-2 a crossing is a sign change between x[i-1] and x[i], or an exact
 * zero at x[i] between neighbours of opposite (or zero) sign; the count is divided by the frame size. (By this rule
 * digital silence counts a crossing at every sample, so a silent frame has a rate of (size - 2) / size.)
 */
export function zeroCrossingRate(x: Float32Array, size: number, step: number, frames: number): Float64Array {
  const out = new Float64Array(frames);
  for (let t = 0; t < frames; t++) {
    const s = t * step;
    let count = 0;
    for (let i = s + 1; i < s + size - 1; i++) {
      if ((x[i - 1] * x[i + 1] <= 0 && x[i] === 0) || x[i - 1] * x[i] < 0) count++;
    }
    out[t] = count / size;
  }
  return out;
}
