import type { Augmentation } from '../../../src-shared/config/run';
import type { Random } from './seededRandom';

/**
 * Augmentation on the normalised spectrogram [bands, frames] (row-major), not the waveform:
 * features are extracted once and cached, and re-extracting per epoch would cost more than
 * training on 2 cores. Pitch shift and time stretch are therefore approximations that resample
 * the mel and frame axes; noise is added in the normalised log-mel domain.
 */
export function augmentSpectrogram(x: Float32Array, bands: number, frames: number, aug: Augmentation, rng: Random): Float32Array {
  let y = x;
  if (aug.timeStretch && rng.next() < aug.timeStretch.p) {
    y = stretchTime(y, bands, frames, rng.uniform(1 - aug.timeStretch.maxRate, 1 + aug.timeStretch.maxRate));
  }
  if (aug.pitchShift && rng.next() < aug.pitchShift.p) {
    const semitones = rng.uniform(-aug.pitchShift.maxSemitones, aug.pitchShift.maxSemitones);
    y = shiftPitch(y, bands, frames, semitones);
  }
  if (aug.timeShift && rng.next() < aug.timeShift.p) {
    const max = Math.floor(aug.timeShift.maxFraction * frames);
    y = rollTime(y, bands, frames, rng.int(-max, max));
  }
  if (aug.noise && rng.next() < aug.noise.p) {
    if (y === x) y = x.slice();
    for (let i = 0; i < y.length; i++) y[i] += aug.noise.std * rng.normal();
  }
  if (aug.specAugment && rng.next() < aug.specAugment.p) {
    if (y === x) y = x.slice();
    const s = aug.specAugment;
    for (let m = 0; m < s.freqMasks; m++) maskBands(y, bands, frames, rng, Math.min(s.maxFreqWidth, bands));
    for (let m = 0; m < s.timeMasks; m++) maskFrames(y, bands, frames, rng, Math.min(s.maxTimeWidth, frames));
  }
  return y;
}

/** Circular shift of every band by `shift` frames (positive = later). */
export function rollTime(x: Float32Array, bands: number, frames: number, shift: number): Float32Array {
  const y = new Float32Array(x.length);
  const s = ((shift % frames) + frames) % frames;
  for (let b = 0; b < bands; b++) {
    const row = b * frames;
    for (let t = 0; t < frames; t++) y[row + ((t + s) % frames)] = x[row + t];
  }
  return y;
}

/** Reads frame t·rate by linear interpolation: rate > 1 speeds up (shorter), the tail repeats the last frame. */
export function stretchTime(x: Float32Array, bands: number, frames: number, rate: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let t = 0; t < frames; t++) {
    const src = Math.min(t * rate, frames - 1);
    const t0 = Math.floor(src);
    const t1 = Math.min(t0 + 1, frames - 1);
    const w = src - t0;
    for (let b = 0; b < bands; b++) {
      const row = b * frames;
      y[row + t] = (1 - w) * x[row + t0] + w * x[row + t1];
    }
  }
  return y;
}

/**
 * Moves spectral content up (positive semitones) by reading band b from band b / r, r = 2^(st/12),
 * with bands indexed on the mel axis; mel is near-logarithmic above 1 kHz, so this is close to a
 * pitch shift there and coarser below.
 */
export function shiftPitch(x: Float32Array, bands: number, frames: number, semitones: number): Float32Array {
  const r = Math.pow(2, semitones / 12);
  const y = new Float32Array(x.length);
  for (let b = 0; b < bands; b++) {
    const src = Math.min(b / r, bands - 1);
    const b0 = Math.floor(src);
    const b1 = Math.min(b0 + 1, bands - 1);
    const w = src - b0;
    for (let t = 0; t < frames; t++) y[b * frames + t] = (1 - w) * x[b0 * frames + t] + w * x[b1 * frames + t];
  }
  return y;
}

function maskBands(y: Float32Array, bands: number, frames: number, rng: Random, maxWidth: number): void {
  const width = rng.int(0, maxWidth);
  if (width === 0) return;
  const start = rng.int(0, bands - width);
  // 0 is the per-band mean after normalisation, i.e. "no information".
  y.fill(0, start * frames, (start + width) * frames);
}

function maskFrames(y: Float32Array, bands: number, frames: number, rng: Random, maxWidth: number): void {
  const width = rng.int(0, maxWidth);
  if (width === 0) return;
  const start = rng.int(0, frames - width);
  for (let b = 0; b < bands; b++) y.fill(0, b * frames + start, b * frames + start + width);
}

/**
 * Mixup (Zhang et al. 2018): blends the batch with a shuffled copy of itself, inputs and one-hot
 * targets alike, with λ ~ Beta(α, α). Returns the mixed inputs and soft targets [batch · classes].
 */
export function mixBatch(
  inputs: Float32Array[][],
  labels: number[],
  numClasses: number,
  alpha: number,
  rng: Random,
): { inputs: Float32Array[][]; targets: Float32Array } {
  const lambda = rng.beta(alpha, alpha);
  const perm = rng.shuffle(labels.map((_, i) => i));
  const targets = new Float32Array(labels.length * numClasses);
  const mixed = inputs.map((xs, i) => {
    const other = inputs[perm[i]];
    targets[i * numClasses + labels[i]] += lambda;
    targets[i * numClasses + labels[perm[i]]] += 1 - lambda;
    return xs.map((x, j) => {
      const y = new Float32Array(x.length);
      const z = other[j];
      for (let t = 0; t < x.length; t++) y[t] = lambda * x[t] + (1 - lambda) * z[t];
      return y;
    });
  });
  return { inputs: mixed, targets };
}

/** True when the config enables any per-example augmentation (mixup works on whole batches). */
export function hasAugmentation(aug: Augmentation): boolean {
  return Boolean(aug.noise || aug.timeShift || aug.pitchShift || aug.timeStretch || aug.specAugment);
}
