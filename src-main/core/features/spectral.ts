import { centredFrameCount, fftFrequencies, type Spectrogram } from './stft';

/** librosa.feature.rms on the waveform: sqrt(mean(x^2)) per centred, zero-padded frame; [frames]. */
export function rms(x: Float32Array, frameLength = 2048, hop = 512): Float64Array {
  const frames = centredFrameCount(x.length, frameLength, hop);
  const out = new Float64Array(frames);
  const half = frameLength >> 1;
  for (let t = 0; t < frames; t++) {
    const start = t * hop - half;
    const lo = Math.max(0, start);
    const hi = Math.min(x.length, start + frameLength);
    let s = 0;
    for (let i = lo; i < hi; i++) s += x[i] * x[i];
    out[t] = Math.sqrt(s / frameLength);
  }
  return out;
}

/**
 * librosa.feature.zero_crossing_rate: fraction of sample pairs in each centred frame whose signs differ,
 * with |x| <= 1e-10 counted as +0 and edge padding (librosa pads ZCR frames with the end samples); [frames].
 */
export function zeroCrossingRate(x: Float32Array, frameLength = 2048, hop = 512): Float64Array {
  const n = x.length;
  const frames = centredFrameCount(n, frameLength, hop);
  const out = new Float64Array(frames);
  if (n === 0) return out;
  const threshold = Math.fround(1e-10);
  const half = frameLength >> 1;
  // neg[i] for the edge-padded signal, looked up through the clamped index.
  const neg = new Uint8Array(n);
  for (let i = 0; i < n; i++) neg[i] = x[i] < -threshold ? 1 : 0;
  for (let t = 0; t < frames; t++) {
    const start = t * hop - half;
    let count = 0;
    let prev = neg[Math.min(n - 1, Math.max(0, start))];
    for (let j = 1; j < frameLength; j++) {
      const cur = neg[Math.min(n - 1, Math.max(0, start + j))];
      if (cur !== prev) count++;
      prev = cur;
    }
    out[t] = count / frameLength;
  }
  return out;
}

/** librosa.feature.spectral_centroid from a power spectrogram: magnitude-weighted mean frequency, Hz; silent frames 0. */
export function spectralCentroid(spec: Spectrogram, sampleRate: number): Float64Array {
  const { bins, frames, data } = spec;
  const freqs = fftFrequencies(sampleRate, 2 * (bins - 1));
  const out = new Float64Array(frames);
  for (let t = 0; t < frames; t++) {
    const base = t * bins;
    let num = 0;
    let den = 0;
    for (let k = 0; k < bins; k++) {
      const m = Math.sqrt(data[base + k]);
      num += freqs[k] * m;
      den += m;
    }
    out[t] = den < 1.1754943508222875e-38 ? 0 : num / den;
  }
  return out;
}
