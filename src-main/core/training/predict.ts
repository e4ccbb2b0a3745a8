import * as tf from '@tensorflow/tfjs';
import { loadAudio } from '../audio/load';
import { samplesUsedAt } from '../features/fitLength';
import type { FeatureConfig } from '../../../src-shared/config/features';
import type { ClassicalModel } from '../models/classical';
import { argmax, predictProbabilities, type Example } from './examples';
import { normalizeSpeaker } from './normalization';
import { predictWithSpeakerAdaptation } from './speakerAdaptation';
import { inputShapes, toModelInputs, type Preprocessing } from './preprocessing';
import { recordingCopies, recordingFeatures, recordingInputs, type RecordingFeatures } from './recordingInputs';
import { meanProbabilities } from './testTimeCopies';
import { readModelDir, type SavedModelMeta } from './savedModel';
import { errorMessage, throwIfCancelled } from '../../../src-shared/api/errors';
import { alignLabels, combineProbabilities, EnsembleMetaSchema, reorder, type Adaptation, type EnsembleMeta } from '../../../src-shared/ensemble';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadOnnxModel, loadTfjsModel, type OnnxRunner } from './externalModel';
import { exclusive } from '../tfjs/batchNormAdaptation';
import { adaptsToSpeaker, predictWithBatchNormStats, speakerInputs, type ModelSpeakerStats } from './speakerProfile';

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
  /** A model.onnx evaluated here (loadOnnxModel). */
  onnx?: OnnxRunner;
}

export interface Classification {
  label: string;
  probabilities: Record<string, number>;
}

/** Wraps a saved model's parts (from disk or straight from training) as a LoadedModel. */
export function toLoadedModel(
  dir: string | null,
  meta: SavedModelMeta,
  parts: { network?: tf.LayersModel; classical?: ClassicalModel; onnx?: OnnxRunner },
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
 * A saved ensemble (training/ensemble.ts builds one): member models, each with its own features and speaker adaptation,
 * whose probabilities are averaged with `weights` in the ensemble's label order.
 */
export interface LoadedEnsemble {
  dir: string;
  meta: EnsembleMeta;
  labels: string[];
  members: LoadedModel[];
  /** Per member, the index in its outputs of each ensemble label. */
  order: number[][];
  weights: number[];
  /** The highest member rate: audio is decoded at it and each member resamples to its own. */
  sampleRate: number;
  /** The longest member input: a live window must hold every member's. */
  inputSeconds: number;
}

/** Anything that classifies audio: one saved model or an ensemble of them. */
export type Predictor = LoadedModel | LoadedEnsemble;

export const isEnsemble = (model: Predictor): model is LoadedEnsemble => 'members' in model;

/** Whether the model (any member of an ensemble) adapts to the speaker at prediction time. */
export function adaptationOf(model: Predictor): Adaptation {
  const members = isEnsemble(model) ? model.members : [model];
  return {
    speakerNormalization: members.some((m) => Boolean(m.preprocessing.speakerNormalization)),
    speakerAdaptiveBatchNorm: members.some((m) => Boolean(m.preprocessing.speakerAdaptiveBatchNorm)),
  };
}

function readMetaJson(dir: string): unknown {
  const metaPath = join(dir, 'meta.json');
  if (!existsSync(metaPath)) throw new Error(`${dir} is not a saved model: meta.json is missing.`);
  try {
    return JSON.parse(readFileSync(metaPath, 'utf8')) as unknown;
  } catch (err) {
    throw new Error(`${metaPath}: not valid JSON (${(err as Error).message}).`);
  }
}

/** True when the saved model folder holds an ensemble (meta.json kind 'ensemble'). */
export function isEnsembleDir(dir: string): boolean {
  const meta = readMetaJson(dir);
  return typeof meta === 'object' && meta !== null && (meta as { kind?: unknown }).kind === 'ensemble';
}

/** Loads a saved ensemble folder: validates meta.json, then loads every member from members/<i>; errors name the folder and the cause. */
export async function loadEnsemble(dir: string): Promise<LoadedEnsemble> {
  const parsed = EnsembleMetaSchema.safeParse(readMetaJson(dir));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'meta'}: ${i.message}`).join('; ');
    throw new Error(`${join(dir, 'meta.json')}: not a valid ensemble (${issues}).`);
  }
  const meta = parsed.data;
  const members: LoadedModel[] = [];
  for (const [i, m] of meta.members.entries()) {
    const memberDir = join(dir, m.dir);
    if (!existsSync(memberDir)) throw new Error(`${dir}: member ${i} (${m.name}) is missing: ${m.dir} does not exist.`);
    if (isEnsembleDir(memberDir)) throw new Error(`${dir}: member ${i} is itself an ensemble; ensembles of ensembles are not supported.`);
    let model: LoadedModel;
    try {
      model = await loadModel(memberDir);
    } catch (err) {
      throw new Error(`${dir}: member ${i} (${m.name}) does not load: ${errorMessage(err)}`);
    }
    if (model.labels.join('\u0000') !== m.labels.join('\u0000'))
      throw new Error(`${dir}: member ${i} (${m.name}) has labels ${model.labels.join(', ')} but meta.json lists ${m.labels.join(', ')}.`);
    members.push(model);
  }
  const { order } = alignLabels([
    { name: 'the ensemble', labels: meta.labels },
    ...members.map((m, i) => ({ name: `member ${i}`, labels: m.labels })),
  ]);
  return {
    dir,
    meta,
    labels: meta.labels,
    members,
    order: order.slice(1),
    weights: meta.weights,
    sampleRate: Math.max(...members.map((m) => m.sampleRate)),
    inputSeconds: Math.max(...members.map((m) => m.inputSeconds)),
  };
}

/**
 * Loads a saved model folder (single model or ensemble), or a model from elsewhere with its preprocessing.json beside
 * it: a model.onnx, or a tfjs layers model.json.
 */
export async function loadPredictor(dir: string): Promise<Predictor> {
  if (dir.toLowerCase().endsWith('.onnx')) {
    const { meta, onnx } = await loadOnnxModel(dir);
    return toLoadedModel(dirname(dir), meta, { onnx });
  }
  if (dir.toLowerCase().endsWith('.json')) {
    const { meta, network } = await loadTfjsModel(dir);
    return toLoadedModel(dirname(dir), meta, { network });
  }
  return isEnsembleDir(dir) ? loadEnsemble(dir) : loadModel(dir);
}

/** Combines member probability vectors (each in its member's label order) into the ensemble's. */
export function combineMembers(model: LoadedEnsemble, memberProbs: ArrayLike<number>[][]): Float32Array[] {
  return combineProbabilities(
    memberProbs.map((probs, m) => probs.map((p) => reorder(p, model.order[m]))),
    model.weights,
  );
}

/**
 * Class probabilities for preprocessed model inputs (one Float32Array[] per utterance). `speakers` (one per
 * utterance, null where unknown) lets a model trained with speaker-adaptive batch norm adapt to each speaker;
 * without it every file is predicted with the training statistics.
 */
export async function predictInputs(model: LoadedModel, inputs: Float32Array[][], speakers?: (string | null)[]): Promise<Float32Array[]> {
  const network = model.network;
  if (network) {
    const examples: Example[] = inputs.map((x, i) => ({ fileId: i, label: 0, inputs: x }));
    const shapes = inputShapes(model.preprocessing);
    // A loaded model is shared (the API caches it); a speaker's statistics swapped in elsewhere must not show here.
    if (model.preprocessing.speakerAdaptiveBatchNorm && speakers)
      return exclusive(network, async () => (await predictWithSpeakerAdaptation(network, examples, shapes, speakers)).probs);
    return exclusive(network, () => predictProbabilities(network, examples, shapes));
  }
  if (model.classical) return model.classical.predictProba(inputs.map((x) => x[0]));
  if (model.onnx) return model.onnx.predict(inputs);
  throw new Error(`Model ${model.dir ?? model.meta.name} has neither network weights nor a classical model.`);
}

/** Label + per-class probabilities from a probability vector. */
export function toClassification(labels: string[], p: ArrayLike<number>): Classification {
  return { label: labels[argmax(p)], probabilities: Object.fromEntries(labels.map((l, i) => [l, p[i]])) };
}

const probabilityVector = (model: { labels: string[] }, c: Classification): Float32Array =>
  Float32Array.from(model.labels, (l) => c.probabilities[l]);

/**
 * A known speaker's statistics for a model (or ensemble member), e.g. from an enrolled speaker profile
 * (core/profiles): takes are then adapted to that speaker instead of being normalised on their own.
 */
export type SpeakerStatsSource = (model: LoadedModel) => Promise<ModelSpeakerStats>;

/**
 * Classifies mono samples at any rate (resampled to the model's rate; an ensemble's members each to their own).
 * With `speaker`, a model that adapts to speakers uses that speaker's statistics.
 */
export async function classifySamples(
  model: Predictor,
  samples: Float32Array,
  sampleRate: number,
  speaker?: SpeakerStatsSource,
): Promise<Classification> {
  if (isEnsemble(model)) {
    const probs: Float32Array[][] = [];
    for (const member of model.members) probs.push([probabilityVector(member, await classifySamples(member, samples, sampleRate, speaker))]);
    return toClassification(model.labels, combineMembers(model, probs)[0]);
  }
  if (speaker && adaptsToSpeaker(model)) {
    if (model.preprocessing.testTimeSpeeds?.length)
      throw new Error(
        `${model.meta.name || 'this model'}: its test-time speed copies would need the enrolled speaker's statistics at each speed, which a profile does not hold; classify the speaker's files together instead (Predict's one-speaker option, --one-speaker)`,
      );
    const stats = await speaker(model);
    const inputs = [speakerInputs(model, stats, samples, sampleRate, 'recording')];
    const [p] =
      model.preprocessing.speakerAdaptiveBatchNorm && model.network
        ? await predictWithBatchNormStats(model, inputs, stats)
        : await predictInputs(model, inputs);
    return toClassification(model.labels, p);
  }
  const inputs = recordingCopies(model, samples, sampleRate).map((c) => recordingInputs(model, c.samples, c.sampleRate, 'recording'));
  return toClassification(model.labels, meanProbabilities(await predictInputs(model, inputs)));
}

/** Samples (at the model's rate) its features read from a file's start: an hour-long file costs its first 3 s for a 3 s model. */
function samplesRead(model: LoadedModel): number | null {
  // test-time copies perturb the whole recording, as training copies do: a fixed window is taken after the speed change
  if (model.preprocessing.testTimeSpeeds?.length) return null;
  return samplesUsedAt(model.sampleRate, [model.featureConfig, ...(model.auxFeatureConfig ? [model.auxFeatureConfig] : [])]);
}

/** Decodes and classifies one audio file (an ensemble: each member decodes it at its own rate, as it would alone). */
export async function classifyFile(model: Predictor, path: string, speaker?: SpeakerStatsSource): Promise<Classification> {
  if (isEnsemble(model)) {
    const probs: Float32Array[][] = [];
    for (const [i, member] of model.members.entries()) {
      let c: Classification;
      try {
        c = await classifyFile(member, path, speaker);
      } catch (err) {
        throw new Error(`ensemble member ${i} (${member.meta.name}): ${errorMessage(err)}`);
      }
      probs.push([probabilityVector(member, c)]);
    }
    return toClassification(model.labels, combineMembers(model, probs)[0]);
  }
  const audio = await loadAudio(path, { sampleRate: model.sampleRate, keepSamples: samplesRead(model) });
  return classifySamples(model, audio.samples, audio.sampleRate, speaker);
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
  /** The files are a known speaker's (an enrolled profile): each is classified alone with that speaker's statistics. */
  speaker?: SpeakerStatsSource;
}

/** Classifies files one by one (or as one speaker's set); a file that fails becomes an error entry naming why. */
export async function predictPaths(model: Predictor, paths: string[], opts: PredictPathsOptions = {}): Promise<PathPrediction[]> {
  if (opts.oneSpeaker && opts.speaker)
    throw new Error('one-speaker prediction and a speaker profile exclude each other: the profile already holds the speaker');
  if (opts.oneSpeaker) return isEnsemble(model) ? predictEnsembleOneSpeaker(model, paths, opts) : predictOneSpeaker(model, paths, opts);
  const out: PathPrediction[] = [];
  for (const [i, file] of paths.entries()) {
    throwIfCancelled(opts.signal);
    let r: PathPrediction;
    try {
      r = { file, ...(await classifyFile(model, file, opts.speaker)) };
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
  const keepSamples = samplesRead(model);
  const out: PathPrediction[] = new Array(paths.length);
  // per file, the features of the recording and of each test-time speed copy (in recordingCopies' order)
  const ok: { index: number; copies: RecordingFeatures[] }[] = [];
  for (const [i, file] of paths.entries()) {
    throwIfCancelled(opts.signal);
    try {
      const audio = await loadAudio(file, { sampleRate: model.sampleRate, keepSamples });
      const copies = recordingCopies(model, audio.samples, audio.sampleRate).map((c) => recordingFeatures(model, c.samples, c.sampleRate));
      ok.push({ index: i, copies });
    } catch (err) {
      out[i] = { file, error: errorMessage(err) };
    }
    opts.onProgress?.(i + 1, paths.length, file);
  }
  const nCopies = ok[0]?.copies.length ?? 0;
  if (ok.length && model.preprocessing.speakerNormalization) {
    // each speed's copies are a speaker of their own, as in training
    for (let c = 0; c < nCopies; c++) {
      const features = normalizeSpeaker(ok.map((o) => o.copies[c].features));
      const aux = model.auxFeatureConfig ? normalizeSpeaker(ok.map((o) => o.copies[c].auxFeatures!)) : null;
      ok.forEach((o, j) => (o.copies[c] = { features: features[j], auxFeatures: aux?.[j] }));
    }
  }
  const inputs: Float32Array[][] = [];
  const used: number[] = [];
  for (const o of ok) {
    try {
      const copyInputs = o.copies.map((m) => toModelInputs(m, model.preprocessing, paths[o.index]));
      inputs.push(...copyInputs);
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
    used.forEach(
      (index, j) =>
        (out[index] = { file: paths[index], ...toClassification(model.labels, meanProbabilities(probs.slice(j * nCopies, (j + 1) * nCopies))) }),
    );
  }
  for (const r of out) opts.onResult?.(r);
  return out;
}

/** One speaker's files through every member (each with its own adaptation), combined per file; a file one member fails on is an error. */
async function predictEnsembleOneSpeaker(model: LoadedEnsemble, paths: string[], opts: PredictPathsOptions): Promise<PathPrediction[]> {
  const perMember: PathPrediction[][] = [];
  const total = paths.length * model.members.length;
  for (const [m, member] of model.members.entries()) {
    perMember.push(
      await predictOneSpeaker(member, paths, {
        signal: opts.signal,
        onProgress: (done, _total, file) => opts.onProgress?.(m * paths.length + done, total, file),
      }),
    );
  }
  const out = paths.map((file, i): PathPrediction => {
    const failed = perMember.findIndex((r) => 'error' in r[i]);
    if (failed >= 0) {
      const r = perMember[failed][i] as { error: string };
      return { file, error: `ensemble member ${failed} (${model.members[failed].meta.name}): ${r.error}` };
    }
    const probs = perMember.map((r, m) => [probabilityVector(model.members[m], r[i] as Classification)]);
    return { file, ...toClassification(model.labels, combineMembers(model, probs)[0]) };
  });
  for (const r of out) opts.onResult?.(r);
  return out;
}
