import { resample } from './resample';

/** The speed factors a run may ask for: beyond these the copies stop sounding like speech. */
export const SPEED_FACTOR_RANGE = [0.5, 2] as const;

/**
 * Speed perturbation (Ko et al., Interspeech 2015; Kaldi's and sox's \`speed\`): the recording played `factor` times
 * faster, tempo and pitch and formants together, kept at the same sample rate. It is a rate change: the samples are
 * taken as sampled at rate·factor and resampled to rate (the same band-limited resampler as decoding).
 */
export function speedPerturb(samples: Float32Array, rate: number, factor: number): Float32Array {
  if (!(factor >= SPEED_FACTOR_RANGE[0] && factor <= SPEED_FACTOR_RANGE[1])) {
    throw new RangeError(`speed factor ${factor} is outside ${SPEED_FACTOR_RANGE[0]}–${SPEED_FACTOR_RANGE[1]}`);
  }
  if (factor === 1) return samples;
  return resample(samples, Math.round(rate * factor), rate);
}
