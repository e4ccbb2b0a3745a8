import { resample } from '../../../src-shared/audio/resample';
import { effectiveFmax, type FeatureConfig } from '../../../src-shared/config/features';
import { chromaStft } from './chroma';
import { compareFeatureNames, compareFeatures } from './compare/index';
import { powerToDb } from './decibels';
import { delta } from './deltas';
import { toBandMajor, type FrameMatrix } from './frameMatrix';
import { applyLength, trimBounds } from './fitLength';
import { FUNCTIONAL_STATS, functionalsOf } from './functionals';
import { applyMelFilterbank, melFilterbank, melSpectrogram } from './mel';
import { mfccFromLogMel } from './mfcc';
import { PROSODY_NAMES, prosodyTracks, prosodyVector } from './prosody';
import { spectralCentroid, zeroCrossingRate } from './spectral';
import { powerSpectrogram } from './stft';

/** A feature matrix as the rest of the product sees it. */
export interface FeatureMatrix {
  /** [bands | dims, frames]; utterance-level kinds (prosody, functionals) are [dims, 1] */
  shape: [number, number];
  /** row-major */
  data: Float32Array;
  /** one name per row, for the named kinds (prosody, functionals) */
  names?: string[];
}

/** Input the extractor cannot turn into numbers (empty, NaN/Inf samples); the message says what and where. */
export class FeatureInputError extends Error {
  override name = 'FeatureInputError';
}

/** Throws FeatureInputError for empty audio or a non-finite sample (index and time in the message). */
export function assertUsableAudio(x: Float32Array, sampleRate: number): void {
  if (x.length === 0) throw new FeatureInputError('audio is empty (0 samples)');
  // x * 0 is NaN exactly for NaN and +-Inf: one cheap pass, and the slow search only when something is wrong.
  let p0 = 0;
  let p1 = 0;
  const n4 = x.length & ~3;
  for (let i = 0; i < n4; i += 4) {
    p0 += x[i] * 0 + x[i + 1] * 0;
    p1 += x[i + 2] * 0 + x[i + 3] * 0;
  }
  for (let i = n4; i < x.length; i++) p0 += x[i] * 0;
  if (p0 + p1 === 0) return;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      throw new FeatureInputError(
        `audio has a non-finite sample (${x[i]}) at index ${i} (${(i / sampleRate).toFixed(3)} s); the file is corrupt or was decoded wrongly`,
      );
    }
  }
}

/** Frame-major log-mel dB matrix [frames x nMels] of samples at config.sampleRate. */
export function logMelFrames(x: Float32Array, c: FeatureConfig): FrameMatrix {
  const fb = melFilterbank(c.sampleRate, c.nFft, c.nMels, c.fmin, effectiveFmax(c), c.htk);
  const mel = melSpectrogram(x, c.nFft, c.hop, fb);
  return { ...mel, data: powerToDb(mel.data, { ref: 1, amin: 1e-10, topDb: c.topDb }) };
}

/** The matrix followed by its deltas (and delta-deltas) as extra rows, per config.deltas. */
function withDeltas(m: FrameMatrix, c: FeatureConfig): FrameMatrix[] {
  const parts = [m];
  if (c.deltas >= 1) parts.push(delta(m, 1, c.deltaWidth));
  if (c.deltas >= 2) parts.push(delta(m, 2, c.deltaWidth));
  return parts;
}

function stackRows(parts: FrameMatrix[]): FeatureMatrix {
  const frames = parts[0].frames;
  const dims = parts.reduce((s, p) => s + p.dims, 0);
  const data = new Float32Array(dims * frames);
  let row = 0;
  for (const p of parts) {
    toBandMajor(p, data, row);
    row += p.dims;
  }
  return { shape: [dims, frames], data };
}

/** Row names of the functionals vector for a config (descriptor_stat, then the prosody measures). */
export function functionalNames(c: FeatureConfig): string[] {
  const llds = ['loudness_db', 'zcr', 'spectral_centroid_hz', 'f0_st'];
  for (let k = 0; k < c.nMfcc; k++) llds.push(`mfcc${k}`);
  if (c.deltas >= 1) for (let k = 0; k < c.nMfcc; k++) llds.push(`mfcc${k}_d`);
  if (c.deltas >= 2) for (let k = 0; k < c.nMfcc; k++) llds.push(`mfcc${k}_dd`);
  const names = llds.flatMap((l) => FUNCTIONAL_STATS.map((s) => `${l}_${s}`));
  return [...names, ...PROSODY_NAMES];
}

/** Row names for a config's output, when its rows are named (prosody, functionals). */
export function featureNames(c: FeatureConfig): string[] | undefined {
  if (c.kind === 'prosody') return [...PROSODY_NAMES];
  if (c.kind === 'functionals') return functionalNames(c);
  if (c.kind === 'compare') return compareFeatureNames();
  return undefined;
}

function prosodyOptions(c: FeatureConfig) {
  return { f0Min: c.f0Min, f0Max: c.f0Max, frameLength: c.yinFrameLength, hop: c.hop };
}

function functionals(x: Float32Array, c: FeatureConfig): Float64Array {
  const tracks = prosodyTracks(x, c.sampleRate, prosodyOptions(c));
  const spec = powerSpectrogram(x, c.nFft, c.hop);
  const fb = melFilterbank(c.sampleRate, c.nFft, c.nMels, c.fmin, effectiveFmax(c), c.htk);
  const logMel = applyMelFilterbank(spec, fb);
  const mfcc = mfccFromLogMel({ ...logMel, data: powerToDb(logMel.data, { topDb: c.topDb }) }, c.nMfcc);
  const zcr = zeroCrossingRate(x, c.nFft, c.hop);
  const centroid = spectralCentroid(spec, c.sampleRate);
  // YIN and the STFT share the centred hop grid, so frame t is the same instant in every track.
  const frames = spec.frames;
  const times = tracks.times;
  const f0St = tracks.f0.map((f) => 12 * Math.log2(f / 27.5));
  const speech = tracks.energyDb.map((e) => (e > -100 ? 1 : 0));
  const out: number[] = [];
  out.push(...functionalsOf(tracks.energyDb, times, speech));
  out.push(...functionalsOf(zcr, times, speech));
  out.push(...functionalsOf(centroid, times, speech));
  out.push(...functionalsOf(f0St, times, tracks.voiced));
  const column = (m: FrameMatrix, k: number) => {
    const v = new Float64Array(frames);
    for (let t = 0; t < frames; t++) v[t] = m.data[t * m.dims + k];
    return v;
  };
  for (const part of withDeltas(mfcc, c)) for (let k = 0; k < part.dims; k++) out.push(...functionalsOf(column(part, k), times, speech));
  out.push(...prosodyVector(tracks));
  return Float64Array.from(out);
}

/**
 * Features of mono samples (any rate; resampled to config.sampleRate) per config.kind, after the length rule
 * (fixed: pad/trim; variable: trim to maxSeconds). Throws FeatureInputError for empty or non-finite audio.
 * Silence is defined: log-mel sits at the amin floor (-100 dB), chroma/centroid 0, voiced_fraction 0.
 */
export function computeFeatures(samples: Float32Array, sampleRate: number, config: FeatureConfig): FeatureMatrix {
  assertUsableAudio(samples, sampleRate);
  const c = config;
  const atRate = sampleRate === c.sampleRate ? samples : resample(samples, sampleRate, c.sampleRate);
  const trimmed = c.trim ? atRate.subarray(...trimBounds(atRate, c.trim.topDb)) : atRate;
  if (trimmed.length === 0) throw new FeatureInputError(`nothing above ${c.trim?.topDb} dB below the peak remains after trimming silence`);
  const x = applyLength(trimmed, c.sampleRate, c.length);
  switch (c.kind) {
    case 'logmel':
      return stackRows(withDeltas(logMelFrames(x, c), c));
    case 'mfcc':
      return stackRows(withDeltas(mfccFromLogMel(logMelFrames(x, c), c.nMfcc), c));
    case 'chroma':
      return stackRows(withDeltas(chromaStft(powerSpectrogram(x, c.nFft, c.hop), c.sampleRate), c));
    case 'prosody': {
      const v = prosodyVector(prosodyTracks(x, c.sampleRate, prosodyOptions(c)));
      return { shape: [v.length, 1], data: Float32Array.from(v), names: [...PROSODY_NAMES] };
    }
    case 'functionals': {
      const v = functionals(x, c);
      const names = functionalNames(c);
      if (names.length !== v.length) throw new Error(`internal: ${v.length} functionals but ${names.length} names`);
      return { shape: [v.length, 1], data: Float32Array.from(v), names };
    }
    case 'compare': {
      const { values, names } = compareFeatures(x, c.sampleRate);
      return { shape: [values.length, 1], data: Float32Array.from(values), names };
    }
  }
}
