import type { FrameMatrix } from './frames';

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

/** MFCCs [frames x nMfcc] from a frame-major log-mel dB matrix (librosa.feature.mfcc: DCT-II, ortho, no lifter). */
export function mfccFromLogMel(logMelDb: FrameMatrix, nMfcc: number): FrameMatrix {
  const { frames, dims: nMels, data } = logMelDb;
  if (nMfcc > nMels) throw new Error(`nMfcc (${nMfcc}) must not exceed the number of mel bands (${nMels})`);
  const basis = dctBasis(nMels, nMfcc);
  const out = new Float64Array(nMfcc * frames);
  for (let t = 0; t < frames; t++) {
    const src = t * nMels;
    const dst = t * nMfcc;
    for (let k = 0; k < nMfcc; k++) {
      const b = k * nMels;
      let acc = 0;
      for (let m = 0; m < nMels; m++) acc += basis[b + m] * data[src + m];
      out[dst + k] = acc;
    }
  }
  return { frames, dims: nMfcc, data: out };
}
