import * as tf from '@tensorflow/tfjs';
import { loadAudio } from '../audio/load';
import { resample } from '../../../src-shared/audio/resample';
import { computeFeatures } from '../features/compute';
import type { FeatureConfig } from '../../../src-shared/config/features';
import type { ClassicalModel } from '../models/classical';
import { argmax, predictProbabilities, type Example } from './examples';
import { normalizeSpeaker } from './normalization';
import { predictWithSpeakerAdaptation } from './speakerAdaptation';
import { inputShapes, toModelInputs, type Matrix, type Preprocessing } from './preprocessing';
import { readModelDir, type SavedModelMeta } from './savedModel';
import { errorMessage, throwIfCancelled } from '../../../src-shared/api/errors';

/** A trained model ready to classify audio, with everything needed to preprocess it the same way. */
export interface LoadedModel {
  /** Saved model directory; null for a model still in memory after training. */
  dir: string | null;
  meta: SavedModelMeta;
  labels: string[];
  featureConfig: FeatureConfig;
  auxFeatureConfig?: FeatureConfig;
  preprocessing: Preprocessing;
  /** Hz the features expect; other rates are resampled. */
  sampleRate: number;
  /** Seconds of audio the model looks at (fixed-length features), else the longest training utterance. */
  inputSeconds: number;
  network?: tf.LayersModel;
  classical?: ClassicalModel;
}

export interface Classification {
  label: string;
  probabilities: Record<string, number>;
}

/** Wraps a saved model's parts (from disk or straight from training) as a LoadedModel. */
export function toLoadedModel(
  dir: string | null,
  meta: SavedModelMeta,
  parts: { network?: tf.LayersModel; classical?: ClassicalModel },
): LoadedModel {
  const f = meta.features;
  const spec = meta.preprocessing.inputs.find((i) => i.source === 'features');
  const inputSeconds = f.length.mode === 'fixed' ? f.length.seconds : ((spec?.frames ?? 1) - 1) * (f.hop / f.sampleRate);
  return {
    dir,
    meta,
    labels: meta.labels,
    featureConfig: f,
    auxFeatureConfig: meta.auxFeatures,
    preprocessing: meta.preprocessing,
    sampleRate: f.sampleRate,
    inputSeconds,
    ...parts,
  };
}

/** Loads a saved model directory (see saveModelDir). */
export async function loadModel(dir: string): Promise<LoadedModel> {
  const { meta, network, classical } = await readModelDir(dir);
  return toLoadedModel(dir, meta, { network, classical });
}

/**
 * Class probabilities for preprocessed model inputs (one Float32Array[] per utterance). `speakers` (one per
 * utterance, null where unknown) lets a model trained with speaker-adaptive batch norm adapt to each speaker;
 * without it every file is predicted with the training statistics.
 */
export async function predictInputs(model: LoadedModel, inputs: Float32Array[][], speakers?: (string | null)[]): Promise<Float32Array[]> {
  if (model.network) {
    const examples: Example[] = inputs.map((x, i) => ({ fileId: i, label: 0, inputs: x }));
    const shapes = inputShapes(model.preprocessing);
    if (model.preprocessing.speakerAdaptiveBatchNorm && speakers)
      return (await predictWithSpeakerAdaptation(model.network, examples, shapes, speakers)).probs;
    return predictProbabilities(model.network, examples, shapes);
  }
  if (model.classical) return model.classical.predictProba(inputs.map((x) => x[0]));
  throw new Error(`Model ${model.dir ?? model.meta.name} has neither network weights nor a classical model.`);
}

/** Label + per-class probabilities from a probability vector. */
export function toClassification(labels: string[], p: ArrayLike<number>): Classification {
  return { label: labels[argmax(p)], probabilities: Object.fromEntries(labels.map((l, i) => [l, p[i]])) };
}

type RecordingFeatures = { features: Matrix; auxFeatures?: Matrix };

/** The model's feature matrices of mono samples at any rate (resampled to the features' rates). */
function recordingFeatures(model: LoadedModel, samples: Float32Array, sampleRate: number): RecordingFeatures {
  const x = sampleRate === model.sampleRate ? samples : resample(samples, sampleRate, model.sampleRate);
  const matrices: RecordingFeatures = { features: computeFeatures(x, model.sampleRate, model.featureConfig) };
  if (model.auxFeatureConfig) {
    const aux = model.auxFeatureConfig;
    const y = aux.sampleRate === model.sampleRate ? x : resample(samples, sampleRate, aux.sampleRate);
    matrices.auxFeatures = computeFeatures(y, aux.sampleRate, aux);
  }
  return matrices;
}

/** Classifies mono samples at any rate (resampled to the model's rate). */
export async function classifySamples(model: LoadedModel, samples: Float32Array, sampleRate: number): Promise<Classification> {
  const matrices = recordingFeatures(model, samples, sampleRate);
  if (model.preprocessing.speakerNormalization) {
    // Speaker statistics need several utterances of the speaker; a lone recording is its own (weaker) reference.
    matrices.features = normalizeSpeaker([matrices.features])[0];
    if (matrices.auxFeatures) matrices.auxFeatures = normalizeSpeaker([matrices.auxFeatures])[0];
  }
  const [p] = await predictInputs(model, [toModelInputs(matrices, model.preprocessing, 'recording')]);
  return toClassification(model.labels, p);
}

/** Decodes and classifies one audio file. */
export async function classifyFile(model: LoadedModel, path: string): Promise<Classification> {
  const audio = await loadAudio(path, { sampleRate: model.sampleRate });
  return classifySamples(model, audio.samples, audio.sampleRate);
}

export type PathPrediction = ({ file: string } & Classification) | { file: string; error: string };

export interface PredictPathsOptions {
  onProgress?: (done: number, total: number, file?: string) => void;
  signal?: AbortSignal;
  onResult?: (r: PathPrediction) => void;
  /**
   * The files are all one speaker: a model trained with speaker normalisation or speaker-adaptive batch norm then
   * takes that speaker's statistics from all of them together (as `ser evaluate` does per speaker) instead of
   * treating each file alone. Results then come once every file's features are ready.
   */
  oneSpeaker?: boolean;
}

/** Classifies files one by one (or as one speaker's set); a file that fails becomes an error entry naming why. */
export async function predictPaths(model: LoadedModel, paths: string[], opts: PredictPathsOptions = {}): Promise<PathPrediction[]> {
  if (opts.oneSpeaker) return predictOneSpeaker(model, paths, opts);
  const out: PathPrediction[] = [];
  for (const [i, file] of paths.entries()) {
    throwIfCancelled(opts.signal);
    let r: PathPrediction;
    try {
      r = { file, ...(await classifyFile(model, file)) };
    } catch (err) {
      r = { file, error: errorMessage(err) };
    }
    out.push(r);
    opts.onResult?.(r);
    opts.onProgress?.(i + 1, paths.length, file);
  }
  return out;
}

async function predictOneSpeaker(model: LoadedModel, paths: string[], opts: PredictPathsOptions): Promise<PathPrediction[]> {
  const out: PathPrediction[] = new Array(paths.length);
  const ok: { index: number; matrices: RecordingFeatures }[] = [];
  for (const [i, file] of paths.entries()) {
    throwIfCancelled(opts.signal);
    try {
      const audio = await loadAudio(file, { sampleRate: model.sampleRate });
      ok.push({ index: i, matrices: recordingFeatures(model, audio.samples, audio.sampleRate) });
    } catch (err) {
      out[i] = { file, error: errorMessage(err) };
    }
    opts.onProgress?.(i + 1, paths.length, file);
  }
  if (ok.length && model.preprocessing.speakerNormalization) {
    const features = normalizeSpeaker(ok.map((o) => o.matrices.features));
    const aux = model.auxFeatureConfig ? normalizeSpeaker(ok.map((o) => o.matrices.auxFeatures!)) : null;
    ok.forEach((o, j) => (o.matrices = { features: features[j], auxFeatures: aux?.[j] }));
  }
  const inputs: Float32Array[][] = [];
  const used: number[] = [];
  for (const o of ok) {
    try {
      inputs.push(toModelInputs(o.matrices, model.preprocessing, paths[o.index]));
      used.push(o.index);
    } catch (err) {
      out[o.index] = { file: paths[o.index], error: errorMessage(err) };
    }
  }
  if (inputs.length) {
    const probs = await predictInputs(
      model,
      inputs,
      inputs.map(() => 'speaker'),
    );
    used.forEach((index, j) => (out[index] = { file: paths[index], ...toClassification(model.labels, probs[j]) }));
  }
  for (const r of out) opts.onResult?.(r);
  return out;
}
