// Frames and windows as openSMILE's cFramer (frameCenterSpecial = left) and cWindower make them for ComParE:
// frame t holds samples [t * step, t * step + size), only complete frames are produced (noPostEOIprocessing = 1).

/** Number of complete frames of `size` samples every `step` samples in n samples (0 when n < size). */
export function leftFrameCount(n: number, size: number, step: number): number {
  return n < size ? 0 : Math.floor((n - size) / step) + 1;
}

/** Symmetric Hamming window 0.54 - 0.46 cos(2 pi i / (n - 1)) (openSMILE's smileDsp_winHam). */
export function hammingWindow(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (n - 1));
  return w;
}

/** Gaussian window exp(-0.5 ((i - (n-1)/2) / (sigma (n-1)/2))^2) (openSMILE's smileDsp_winGau; ComParE: sigma 0.4). */
export function gaussWindow(n: number, sigma: number): Float64Array {
  const w = new Float64Array(n);
  const half = (n - 1) / 2;
  for (let i = 0; i < n; i++) {
    const t = (i - half) / (sigma * half);
    w[i] = Math.exp(-0.5 * t * t);
  }
  return w;
}

/** Smallest power of two >= n: the FFT size openSMILE's cTransformFFT zero-pads a frame to. */
export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
