import FFT from 'fft.js';

/** Power (|X|^2) spectrogram, frame-major: data[t * bins + k], k = 0..nFft/2. */
export interface Spectrogram {
  bins: number;
  frames: number;
  data: Float64Array;
}

interface StftPlan {
  fft: FFT;
  window: Float64Array;
  frame: Float64Array;
  out: Float64Array;
}

// One plan per FFT size, reused across calls: a worker extracts thousands of files with the same size.
const plans = new Map<number, StftPlan>();

/** Periodic Hann window of n samples (scipy.signal.get_window('hann', n, fftbins=True)). */
export function hannPeriodic(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

function plan(nFft: number): StftPlan {
  let p = plans.get(nFft);
  if (!p) {
    p = { fft: new FFT(nFft), window: hannPeriodic(nFft), frame: new Float64Array(nFft), out: new Float64Array(2 * nFft) };
    plans.set(nFft, p);
  }
  return p;
}

/** Frames of a centred analysis (librosa center=True): 1 + floor(n / hop) for even frame lengths. */
export function centredFrameCount(nSamples: number, frameLength: number, hop: number): number {
  const half = Math.floor(frameLength / 2);
  return 1 + Math.floor((nSamples + 2 * half - frameLength) / hop);
}

/**
 * Copies centred frame t of x (zero padding outside the signal, librosa pad_mode='constant') into dst,
 * multiplied by win when given.
 */
export function centredFrame(x: Float32Array, t: number, hop: number, dst: Float64Array, win?: Float64Array): void {
  const n = dst.length;
  const start = t * hop - (n >> 1);
  const lo = Math.max(0, -start);
  const hi = Math.min(n, x.length - start);
  if (lo > 0 || hi < n) dst.fill(0);
  if (win) for (let i = lo; i < hi; i++) dst[i] = x[start + i] * win[i];
  else for (let i = lo; i < hi; i++) dst[i] = x[start + i];
}

/**
 * Calls visit(t, power) for each frame of a centred, zero-padded, periodic-Hann STFT (librosa.stft defaults);
 * `power` (|X|^2, nFft/2 + 1 bins) is a reused buffer, valid only during the call.
 */
export function forEachPowerFrame(x: Float32Array, nFft: number, hop: number, visit: (t: number, power: Float64Array) => void): number {
  const { fft, window, frame, out } = plan(nFft);
  const bins = (nFft >> 1) + 1;
  const frames = centredFrameCount(x.length, nFft, hop);
  const power = new Float64Array(bins);
  for (let t = 0; t < frames; t++) {
    centredFrame(x, t, hop, frame, window);
    fft.realTransform(out, frame);
    for (let k = 0; k < bins; k++) {
      const re = out[2 * k];
      const im = out[2 * k + 1];
      power[k] = re * re + im * im;
    }
    visit(t, power);
  }
  return frames;
}

/** Power spectrogram (|X|^2) of a centred, zero-padded, periodic-Hann STFT (librosa.stft defaults). */
export function powerSpectrogram(x: Float32Array, nFft: number, hop: number): Spectrogram {
  const bins = (nFft >> 1) + 1;
  const data = new Float64Array(centredFrameCount(x.length, nFft, hop) * bins);
  const frames = forEachPowerFrame(x, nFft, hop, (t, power) => data.set(power, t * bins));
  return { bins, frames, data };
}

/** Centre frequency of each rFFT bin, Hz (numpy.fft.rfftfreq). */
export function fftFrequencies(sampleRate: number, nFft: number): Float64Array {
  const bins = (nFft >> 1) + 1;
  const step = 1 / (nFft * (1 / sampleRate));
  const f = new Float64Array(bins);
  for (let k = 0; k < bins; k++) f[k] = k * step;
  return f;
}
