import type { FrameMatrix } from './frameMatrix';
import { nativeSpectrogram } from './nativeSpectrogram';

const dctCache = new Map<string, Float64Array>();

/** Orthonormal DCT-II basis rows 0..nOut-1 for length-n input (scipy.fft.dct type 2, norm='ortho'). */
export function dctBasis(n: number, nOut: number): Float64Array {
  const key = `${n}/${nOut}`;
  let b = dctCache.get(key);
  if (!b) {
    b = new Float64Array(nOut * n);
    for (let k = 0; k < nOut; k++) {
      const scale = k === 0 ? Math.sqrt(1 / n) : Math.sqrt(2 / n);
      for (let i = 0; i < n; i++) b[k * n + i] = scale * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * n));
    }
    dctCache.set(key, b);
  }
  return b;
}

/** MFCCs [frames x nMfcc] from a frame-major log-mel dB matrix (librosa.feature.mfcc: DCT-II, ortho, no lifter); native when built. */
export function mfccFromLogMel(logMelDb: FrameMatrix, nMfcc: number): FrameMatrix {
  const native = nativeSpectrogram();
  if (!native) return mfccFromLogMelJs(logMelDb, nMfcc);
  const { frames, dims: n, data } = logMelDb;
  if (nMfcc > n) throw new Error(`nMfcc (${nMfcc}) must not exceed the number of mel bands (${n})`);
  const out = new Float64Array(nMfcc * frames);
  native.matmulRows(data, dctBasis(n, nMfcc), out, n);
  return { frames, dims: nMfcc, data: out };
}

/**
 * mfccFromLogMel in TypeScript only (the fallback, and the reference the native path is tested against).
 * Uses the basis symmetry cos(pi k (2(N-1-m)+1) / 2N) = (-1)^k cos(pi k (2m+1) / 2N): even coefficients see
 * x[m] + x[N-1-m], odd ones x[m] - x[N-1-m], which halves the multiply-adds of the hot loop.
 */
export function mfccFromLogMelJs(logMelDb: FrameMatrix, nMfcc: number): FrameMatrix {
  const { frames, dims: n, data } = logMelDb;
  if (nMfcc > n) throw new Error(`nMfcc (${nMfcc}) must not exceed the number of mel bands (${n})`);
  const basis = dctBasis(n, nMfcc);
  const half = n >> 1;
  const odd = n % 2 === 1;
  const sum = new Float64Array(half);
  const diff = new Float64Array(half);
  const out = new Float64Array(nMfcc * frames);
  for (let t = 0; t < frames; t++) {
    const src = t * n;
    for (let m = 0; m < half; m++) {
      const a = data[src + m];
      const b = data[src + n - 1 - m];
      sum[m] = a + b;
      diff[m] = a - b;
    }
    const dst = t * nMfcc;
    for (let k = 0; k < nMfcc; k++) {
      const b = k * n;
      // Four partial sums: one running sum is bound by the add latency, not by the multiply-adds.
      const v = k % 2 === 0 ? sum : diff;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let m = 0;
      for (; m + 3 < half; m += 4) {
        a0 += basis[b + m] * v[m];
        a1 += basis[b + m + 1] * v[m + 1];
        a2 += basis[b + m + 2] * v[m + 2];
        a3 += basis[b + m + 3] * v[m + 3];
      }
      for (; m < half; m++) a0 += basis[b + m] * v[m];
      // The middle band of an odd count pairs with itself; odd k have a zero basis value there.
      if (odd && k % 2 === 0) a0 += basis[b + half] * data[src + half];
      out[dst + k] = a0 + a1 + (a2 + a3);
    }
  }
  return { frames, dims: nMfcc, data: out };
}
