import type { FrameMatrix } from './frameMatrix';
import { nativeSpectrogram } from './nativeSpectrogram';
import { centredFrameCount, fftFrequencies, forEachPowerFrame, type Spectrogram } from './stft';

/** Mel filterbank stored as one contiguous run of non-zero weights per band (a triangle spans few bins). */
export interface MelFilterbank {
  nMels: number;
  bins: number;
  /** first FFT bin of each band's run */
  start: Int32Array;
  /** number of weights in each band's run */
  length: Int32Array;
  /** offset of each band's run in `weights` */
  offset: Int32Array;
  /** all runs back to back (one flat array keeps the hot loop monomorphic) */
  weights: Float64Array;
}

const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOG_STEP = Math.log(6.4) / 27;

/** Hz -> mel, Slaney (librosa default) or HTK scale. */
export function hzToMel(f: number, htk = false): number {
  if (htk) return 2595 * Math.log10(1 + f / 700);
  return f >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(f / MIN_LOG_HZ) / LOG_STEP : f / F_SP;
}

/** mel -> Hz, Slaney (librosa default) or HTK scale. */
export function melToHz(m: number, htk = false): number {
  if (htk) return 700 * (10 ** (m / 2595) - 1);
  return m >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (m - MIN_LOG_MEL)) : F_SP * m;
}

/** n frequencies (Hz) evenly spaced on the mel scale from fmin to fmax (librosa.mel_frequencies). */
export function melFrequencies(n: number, fmin: number, fmax: number, htk = false): Float64Array {
  const lo = hzToMel(fmin, htk);
  const hi = hzToMel(fmax, htk);
  const out = new Float64Array(n);
  // numpy.linspace: i * step + start, last point pinned to stop; a single point is start.
  const step = (hi - lo) / (n - 1);
  for (let i = 0; i < n; i++) out[i] = melToHz(i === 0 ? lo : i === n - 1 ? hi : i * step + lo, htk);
  return out;
}

const fbCache = new Map<string, MelFilterbank>();

/**
 * Triangular mel filterbank with Slaney area normalisation (librosa.filters.mel, norm='slaney').
 * Weights are rounded through float32 twice, as librosa stores them, so mel power matches to ~1e-7.
 */
export function melFilterbank(sampleRate: number, nFft: number, nMels: number, fmin: number, fmax: number, htk = false): MelFilterbank {
  const key = `${sampleRate}/${nFft}/${nMels}/${fmin}/${fmax}/${htk}`;
  const hit = fbCache.get(key);
  if (hit) return hit;
  const freqs = fftFrequencies(sampleRate, nFft);
  const bins = freqs.length;
  const melF = melFrequencies(nMels + 2, fmin, fmax, htk);
  const start = new Int32Array(nMels);
  const length = new Int32Array(nMels);
  const offset = new Int32Array(nMels);
  const runs: Float64Array[] = [];
  for (let m = 0; m < nMels; m++) {
    const lowerDiff = melF[m + 1] - melF[m];
    const upperDiff = melF[m + 2] - melF[m + 1];
    const enorm = 2 / (melF[m + 2] - melF[m]);
    const row = new Float64Array(bins);
    let first = -1;
    let last = -1;
    for (let k = 0; k < bins; k++) {
      const lower = -(melF[m] - freqs[k]) / lowerDiff;
      const upper = (melF[m + 2] - freqs[k]) / upperDiff;
      const w = Math.max(0, Math.min(lower, upper));
      if (w > 0) {
        row[k] = Math.fround(Math.fround(w) * enorm);
        if (first < 0) first = k;
        last = k;
      }
    }
    // An empty band (too many mels for this FFT size) stays a zero row, as in librosa: start 0, an empty run.
    start[m] = Math.max(first, 0);
    runs.push(row.slice(start[m], last + 1));
  }
  const weights = new Float64Array(runs.reduce((n, r) => n + r.length, 0));
  let at = 0;
  runs.forEach((r, m) => {
    offset[m] = at;
    length[m] = r.length;
    weights.set(r, at);
    at += r.length;
  });
  const fb = { nMels, bins, start, length, offset, weights };
  fbCache.set(key, fb);
  return fb;
}

/** Mel power of one power-spectrum frame into out[outOffset .. outOffset + nMels). */
export function melFrame(power: Float64Array, fb: MelFilterbank, out: Float64Array, outOffset: number): void {
  const { weights, start, length, offset, nMels } = fb;
  for (let m = 0; m < nMels; m++) {
    const s = start[m] - offset[m];
    const end = offset[m] + length[m];
    // Two partial sums halve the add-latency chain of a run (~16 bins at 64 mels / 1024-point FFT).
    let a0 = 0;
    let a1 = 0;
    let j = offset[m];
    for (; j + 1 < end; j += 2) {
      a0 += weights[j] * power[s + j];
      a1 += weights[j + 1] * power[s + j + 1];
    }
    if (j < end) a0 += weights[j] * power[s + j];
    out[outOffset + m] = a0 + a1;
  }
}

/**
 * Mel power spectrogram straight from the waveform, frame-major [frames x nMels] (no full spectrogram kept).
 * Runs in the native addon when it is built (~5x faster, same float64 arithmetic), else in TypeScript.
 */
export function melSpectrogram(x: Float32Array, nFft: number, hop: number, fb: MelFilterbank): FrameMatrix {
  const native = nativeSpectrogram();
  if (!native) return melSpectrogramJs(x, nFft, hop, fb);
  if (fb.bins !== (nFft >> 1) + 1) throw new Error(`mel filterbank expects ${fb.bins} FFT bins, nFft ${nFft} gives ${(nFft >> 1) + 1}`);
  const frames = centredFrameCount(x.length, nFft, hop);
  const data = new Float64Array(frames * fb.nMels);
  native.melSpectrogram(x, nFft, hop, fb.start, fb.length, fb.offset, fb.weights, data);
  return { frames, dims: fb.nMels, data };
}

/** melSpectrogram in TypeScript only (the fallback, and the reference the native path is tested against). */
export function melSpectrogramJs(x: Float32Array, nFft: number, hop: number, fb: MelFilterbank): FrameMatrix {
  if (fb.bins !== (nFft >> 1) + 1) throw new Error(`mel filterbank expects ${fb.bins} FFT bins, nFft ${nFft} gives ${(nFft >> 1) + 1}`);
  const data = new Float64Array(centredFrameCount(x.length, nFft, hop) * fb.nMels);
  const frames = forEachPowerFrame(x, nFft, hop, (t, power) => melFrame(power, fb, data, t * fb.nMels));
  return { frames, dims: fb.nMels, data };
}

/** Applies a filterbank to a power spectrogram; frame-major [frames x nMels]. */
export function applyMelFilterbank(spec: Spectrogram, fb: MelFilterbank): FrameMatrix {
  if (spec.bins !== fb.bins) throw new Error(`mel filterbank expects ${fb.bins} FFT bins, spectrogram has ${spec.bins}`);
  const data = new Float64Array(spec.frames * fb.nMels);
  for (let t = 0; t < spec.frames; t++) melFrame(spec.data.subarray(t * spec.bins, (t + 1) * spec.bins), fb, data, t * fb.nMels);
  return { frames: spec.frames, dims: fb.nMels, data };
}
