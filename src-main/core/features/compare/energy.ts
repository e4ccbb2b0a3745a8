// Time-domain ComParE descriptors: RMS energy (cEnergy, rms = 1) and zero-crossing rate (cMZcr, zcr = 1).

/** RMS of each left-aligned frame, optionally windowed: sqrt(Σ (w x)² / size). */
export function rmsEnergy(x: Float32Array, size: number, step: number, frames: number, window?: Float64Array): Float64Array {
  const out = new Float64Array(frames);
  let t = 0;
  // Four frames per pass: four independent sums, each over i in order as alone (the same numbers; one sum waits on
  // its previous addition, four keep the processor busy).
  for (; t + 3 < frames; t += 4) {
    const s = t * step;
    let e0 = 0;
    let e1 = 0;
    let e2 = 0;
    let e3 = 0;
    if (window) {
      for (let i = 0; i < size; i++) {
        const w = window[i];
        const v0 = x[s + i] * w;
        const v1 = x[s + step + i] * w;
        const v2 = x[s + 2 * step + i] * w;
        const v3 = x[s + 3 * step + i] * w;
        e0 += v0 * v0;
        e1 += v1 * v1;
        e2 += v2 * v2;
        e3 += v3 * v3;
      }
    } else {
      for (let i = 0; i < size; i++) {
        const v0 = x[s + i];
        const v1 = x[s + step + i];
        const v2 = x[s + 2 * step + i];
        const v3 = x[s + 3 * step + i];
        e0 += v0 * v0;
        e1 += v1 * v1;
        e2 += v2 * v2;
        e3 += v3 * v3;
      }
    }
    out[t] = Math.sqrt(e0 / size);
    out[t + 1] = Math.sqrt(e1 / size);
    out[t + 2] = Math.sqrt(e2 / size);
    out[t + 3] = Math.sqrt(e3 / size);
  }
  for (; t < frames; t++) {
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
  // Whether sample i counts is independent of the frame, so each frame's count is the previous one's plus the samples
  // that enter and minus those that leave (60 ms frames every 10 ms overlap six-fold).
  // +(comparison) and bitwise operators: no branches (a sign change is a coin flip on noise)
  const counts = (i: number): number => (+(x[i - 1] * x[i + 1] <= 0) & +(x[i] === 0)) | +(x[i - 1] * x[i] < 0);
  let count = 0;
  for (let t = 0; t < frames; t++) {
    const s = t * step;
    // samples s+1 .. s+size-2 of the frame
    if (t === 0 || step >= size - 2) {
      count = 0;
      for (let i = s + 1; i <= s + size - 2; i++) count += counts(i);
    } else {
      for (let i = s - step + size - 1; i <= s + size - 2; i++) count += counts(i);
      for (let i = s - step + 1; i <= s; i++) count -= counts(i);
    }
    out[t] = count / size;
  }
  return out;
}
