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
 */
export function powerSpectra(x: Float32Array, window: Float64Array, step: number, frames: number, nFft: number): PowerSpectra {
  const size = window.length;
  if (size > nFft) throw new Error(`internal: frame of ${size} samples does not fit an FFT of ${nFft}`);
  const bins = (nFft >> 1) + 1;
  const data = new Float64Array(frames * bins);
  const fft = new FFT(nFft);
  // fft.js runs faster on plain packed arrays than on typed arrays (see stft.ts).
  const frame: number[] = Array.from({ length: nFft }, () => 0);
  const out: number[] = fft.createComplexArray() as number[];
  for (let t = 0; t < frames; t++) {
    const s = t * step;
    for (let i = 0; i < size; i++) frame[i] = x[s + i] * window[i];
    fft.realTransform(out, frame);
    const o = t * bins;
    for (let k = 0; k < bins; k++) {
      const re = out[2 * k];
      const im = out[2 * k + 1];
      data[o + k] = re * re + im * im;
    }
  }
  return { frames, bins, nFft, data };
}
