import FFT from 'fft.js';

/** Power (|X|^2) spectrogram, frame-major: data[t * bins + k], k = 0..nFft/2. */
export interface Spectrogram {
  bins: number;
  frames: number;
  data: Float64Array;
}

/** An FFT of one size with its buffers; a caller fills `frame` (nFft samples, windowed) and calls framePower. */
export interface StftPlan {
  /** complex FFT of nFft/2 points: the windowed frame read as interleaved (even, odd) pairs is its input */
  half: FFT | null;
  /** plain real FFT, for sizes too small to split (nFft < 4) */
  full: FFT | null;
  window: Float64Array;
  // Plain packed arrays, not Float64Array: fft.js runs ~1.4x faster on them in V8 (measured, Node 20).
  frame: number[];
  out: number[];
  /** cos and sin of 2 pi k / nFft, k = 0..nFft/2: the twiddles that merge the even and odd half spectra */
  cos: Float64Array;
  sin: Float64Array;
}

// One plan per FFT size, reused across calls: a worker extracts thousands of files with the same size.
const plans = new Map<number, StftPlan>();

/** Periodic Hann window of n samples (scipy.signal.get_window('hann', n, fftbins=True)). */
export function hannPeriodic(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/** n zeros in a packed (hole-free) array, which V8 keeps as unboxed doubles once written with them. */
function packedZeros(n: number): number[] {
  return Array.from({ length: n }, () => 0);
}

/** The cached plan for nFft (one per size, shared by every caller in this thread). */
export function plan(nFft: number): StftPlan {
  let p = plans.get(nFft);
  if (!p) {
    const m = nFft >> 1;
    const cos = new Float64Array(m + 1);
    const sin = new Float64Array(m + 1);
    for (let k = 0; k <= m; k++) {
      cos[k] = Math.cos((2 * Math.PI * k) / nFft);
      sin[k] = Math.sin((2 * Math.PI * k) / nFft);
    }
    const split = nFft >= 4;
    p = {
      half: split ? new FFT(m) : null,
      full: split ? null : new FFT(nFft),
      window: hannPeriodic(nFft),
      frame: packedZeros(nFft),
      out: packedZeros(2 * nFft),
      cos,
      sin,
    };
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
  const p = plan(nFft);
  const frames = centredFrameCount(x.length, nFft, hop);
  const power = new Float64Array((nFft >> 1) + 1);
  const { frame, window } = p;
  for (let t = 0; t < frames; t++) {
    // centredFrame, inlined for the plain-array frame
    const start = t * hop - (nFft >> 1);
    const lo = Math.max(0, -start);
    const hi = Math.min(nFft, x.length - start);
    for (let i = 0; i < lo; i++) frame[i] = 0;
    for (let i = lo; i < hi; i++) frame[i] = x[start + i] * window[i];
    for (let i = Math.max(hi, lo); i < nFft; i++) frame[i] = 0;
    framePower(p, power);
    visit(t, power);
  }
  return frames;
}

/**
 * |X_k|^2, k = 0..n/2, of the real frame in p.frame, into power[offset ..]. A real n-point FFT is one complex n/2-point FFT of
 * z_j = x_2j + i x_2j+1 (the frame as it lies in memory) plus one merge pass:
 * X_k = E_k + e^{-2 pi i k/n} O_k with E_k = (Z_k + conj Z_{n/2-k}) / 2, O_k = (Z_k - conj Z_{n/2-k}) / 2i.
 * Cheaper than fft.js's realTransform (4.2 vs 5.8 us at n = 1024 here), which also fills the mirrored half nobody reads.
 */
export function framePower(p: StftPlan, power: Float64Array, offset = 0): void {
  const { out, frame } = p;
  const m = p.frame.length >> 1;
  if (p.half === null) {
    p.full!.realTransform(out, frame);
    for (let k = 0; k <= m; k++) power[offset + k] = out[2 * k] * out[2 * k] + out[2 * k + 1] * out[2 * k + 1];
    return;
  }
  p.half.transform(out, frame);
  const { cos, sin } = p;
  // k = 0 and k = n/2 read Z_0 twice: X_0 = Re Z_0 + Im Z_0, X_n/2 = Re Z_0 - Im Z_0 (both real).
  const dc = out[0] + out[1];
  const ny = out[0] - out[1];
  power[offset] = dc * dc;
  power[offset + m] = ny * ny;
  // Bins k and n/2 - k read the same two Z values: with E and T = e^{-2 pi i k/n} O for bin k,
  // bin n/2 - k is conj(E) - conj(T), so one pass over k <= n/4 yields both.
  for (let k = 1, j = m - 1; k <= j; k++, j--) {
    const a = out[2 * k];
    const b = out[2 * k + 1];
    const c = out[2 * j];
    const d = out[2 * j + 1];
    const er = 0.5 * (a + c);
    const ei = 0.5 * (b - d);
    const op = 0.5 * (b + d);
    const oq = 0.5 * (c - a);
    const tr = cos[k] * op + sin[k] * oq;
    const ti = cos[k] * oq - sin[k] * op;
    power[offset + k] = (er + tr) * (er + tr) + (ei + ti) * (ei + ti);
    power[offset + j] = (er - tr) * (er - tr) + (ti - ei) * (ti - ei);
  }
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
