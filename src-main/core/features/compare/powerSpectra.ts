import { framePower, plan, type StftPlan } from '../stft';

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
 * The transform is stft.ts's framePower (one complex nFft/2-point FFT plus a merge pass), with ComParE's own
 * window and left-aligned frames.
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
  private readonly plan: StftPlan;

  constructor(
    private readonly window: Float64Array,
    private readonly step: number,
    nFft: number,
  ) {
    const size = window.length;
    if (size > nFft) throw new Error(`internal: frame of ${size} samples does not fit an FFT of ${nFft}`);
    if (nFft < 4) throw new Error(`internal: FFT size ${nFft} is below 4`);
    this.bins = (nFft >> 1) + 1;
    this.plan = plan(nFft);
  }

  /** |X_k|², k = 0 .. nFft/2, of frame t (samples [t * step, t * step + window.length)) into data[o ..]. */
  frame(x: Float32Array, t: number, data: Float64Array, o: number): void {
    const { window } = this;
    // The plan's frame buffer is shared with every other STFT of this size: the zero padding is written each time.
    const frame = this.plan.frame;
    const size = window.length;
    const s = t * this.step;
    for (let i = 0; i < size; i++) frame[i] = x[s + i] * window[i];
    for (let i = size; i < frame.length; i++) frame[i] = 0;
    framePower(this.plan, data, o);
  }
}
