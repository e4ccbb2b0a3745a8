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
  if (frames === 0) return out;
  // Whether sample i counts is independent of the frame, so count once and read each frame from prefix sums
  // (60 ms frames every 10 ms overlap six-fold).
  const end = (frames - 1) * step + size;
  const counted = new Int32Array(end + 1);
  for (let i = 1; i < end - 1; i++) {
    const c = (x[i - 1] * x[i + 1] <= 0 && x[i] === 0) || x[i - 1] * x[i] < 0 ? 1 : 0;
    counted[i + 1] = counted[i] + c;
  }
  for (let t = 0; t < frames; t++) {
    const s = t * step;
    // samples s+1 .. s+size-2 of the frame
    out[t] = (counted[s + size - 1] - counted[s + 1]) / size;
  }
  return out;
}
