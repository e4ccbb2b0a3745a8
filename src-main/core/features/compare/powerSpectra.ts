import FFT from 'fft.js';

/** Power spectra |X_k|², k = 0 .. nFft/2, of consecutive frames, frame-major: data[t * bins + k]. */
export interface PowerSpectra {
  frames: number;
  bins: number;
  nFft: number;
  data: Float64Array;
}

/**
 * Power spectra of left-aligned frames (frame t = samples [t * step, t * step + window.length)), each multiplied by
 * the window and zero-padded to nFft. openSMILE pads symmetrically (zeroPadSymmetric = 1); padding at the end gives
 * the same magnitudes (only the phase differs), so the frame is written at the start of the FFT buffer.
 *
 * The real nFft-point transform is one complex nFft/2-point FFT of z_j = x_2j + i x_2j+1 plus a merge pass
 * (X_k = E_k + e^{-2πik/n} O_k, E/O from Z_k and conj Z_{n/2-k}), as stft.ts does: cheaper than fft.js's
 * realTransform, and the STFT is a third of the non-voice LLD time.
 */
export function powerSpectra(x: Float32Array, window: Float64Array, step: number, frames: number, nFft: number): PowerSpectra {
  const framer = new PowerSpectrumFramer(window, step, nFft);
  const bins = framer.bins;
  const data = new Float64Array(frames * bins);
  for (let t = 0; t < frames; t++) framer.frame(x, t, data, t * bins);
  return { frames, bins, nFft, data };
}

/**
 * The power spectrum of one frame at a time (as {@link powerSpectra} computes each), for callers that consume the
 * frames in order and need not hold them all (a 4 s file's spectra are 0.8 MB).
 */
export class PowerSpectrumFramer {
  /** nFft / 2 + 1 */
  readonly bins: number;
  private readonly m: number;
  private readonly fft: FFT;
  private readonly input: number[];
  private readonly out: number[];
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;

  constructor(
    private readonly window: Float64Array,
    private readonly step: number,
    nFft: number,
  ) {
    const size = window.length;
    if (size > nFft) throw new Error(`internal: frame of ${size} samples does not fit an FFT of ${nFft}`);
    if (nFft < 4) throw new Error(`internal: FFT size ${nFft} is below 4`);
    this.bins = (nFft >> 1) + 1;
    const m = nFft >> 1;
    this.m = m;
    this.fft = new FFT(m);
    // fft.js runs faster on plain packed arrays than on typed arrays (see stft.ts).
    this.input = Array.from({ length: nFft }, () => 0);
    this.out = this.fft.createComplexArray() as number[];
    this.cos = new Float64Array(m + 1);
    this.sin = new Float64Array(m + 1);
    for (let k = 0; k <= m; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / nFft);
      this.sin[k] = Math.sin((2 * Math.PI * k) / nFft);
    }
  }

  /** |X_k|², k = 0 .. nFft/2, of frame t (samples [t * step, t * step + window.length)) into data[o ..]. */
  frame(x: Float32Array, t: number, data: Float64Array, o: number): void {
    const { window, m, input: frame, out, cos, sin } = this;
    const size = window.length;
    const s = t * this.step;
    for (let i = 0; i < size; i++) frame[i] = x[s + i] * window[i];
    this.fft.transform(out, frame);
    const dc = out[0] + out[1];
    const ny = out[0] - out[1];
    data[o] = dc * dc;
    data[o + m] = ny * ny;
    // bins k and n/2 - k read the same two Z values
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
      data[o + k] = (er + tr) * (er + tr) + (ei + ti) * (ei + ti);
      data[o + j] = (er - tr) * (er - tr) + (ti - ei) * (ti - ei);
    }
  }
}
