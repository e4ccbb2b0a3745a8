import * as tf from '@tensorflow/tfjs';
import {
  getModelPresetSpec,
  MODEL_PRESET_NAMES,
  type ModelPresetInfo,
  type ModelPresetName,
  type ModelPresetSpec,
} from '../../../src-shared/config/models';
import { buildBiLstm } from './bilstm';
import { buildCnnRnn } from './cnnRnn';
import { buildHybrid } from './hybrid';
import { buildResNet } from './resnet';
import { buildSimpleCnn } from './simpleCnn';
import { buildTransformer } from './transformer';

/** What a neural builder gets: shapes come from the features, the rest from the run config. */
export interface BuildContext {
  /** [bands, frames, 1] of the primary (spectrogram) features. */
  inputShape: [number, number, number];
  /** Length of the auxiliary feature vector (hybrid only). */
  auxDims?: number;
  numClasses: number;
  seed: number;
  params: Record<string, unknown>;
}

export interface NeuralPreset extends ModelPresetSpec {
  family: 'neural';
  build(ctx: BuildContext): tf.LayersModel;
}
export interface ClassicalPreset extends ModelPresetSpec {
  family: 'classical';
}
export type ModelPreset = NeuralPreset | ClassicalPreset;

type NeuralPresetName = Exclude<ModelPresetName, 'svm' | 'forest' | 'logreg' | 'linear-svm'>;

const BUILDERS: Record<NeuralPresetName, (c: BuildContext) => tf.LayersModel> = {
  resnet: (c) => buildResNet({ inputShape: c.inputShape, numClasses: c.numClasses, seed: c.seed, ...c.params }),
  simplecnn: (c) => buildSimpleCnn({ inputShape: c.inputShape, numClasses: c.numClasses, seed: c.seed, ...c.params }),
  'cnn-gru': (c) => buildCnnRnn({ inputShape: c.inputShape, numClasses: c.numClasses, seed: c.seed, cell: 'gru', ...c.params }),
  'cnn-lstm': (c) => buildCnnRnn({ inputShape: c.inputShape, numClasses: c.numClasses, seed: c.seed, cell: 'lstm', ...c.params }),
  bilstm: (c) => buildBiLstm({ inputShape: c.inputShape, numClasses: c.numClasses, seed: c.seed, ...c.params }),
  transformer: (c) => buildTransformer({ inputShape: c.inputShape, numClasses: c.numClasses, seed: c.seed, ...c.params }),
  hybrid: (c) => {
    if (!c.auxDims) throw new Error('hybrid model: the auxiliary (functionals) feature vector is missing.');
    return buildHybrid({ inputShape: c.inputShape, auxDims: c.auxDims, numClasses: c.numClasses, seed: c.seed, ...c.params });
  },
};

/** The preset registered under `name`, with its builder for networks; throws a readable error for unknown names. */
export function getModelPreset(name: string): ModelPreset {
  const spec = getModelPresetSpec(name);
  if (spec.family === 'classical') return { ...spec, family: 'classical' };
  return { ...spec, family: 'neural', build: BUILDERS[spec.name as NeuralPresetName] };
}

const paramCache = new Map<string, number>();

/** Parameter count of a neural preset for a given input (builds the model once, then cached). */
export function countPresetParams(
  name: ModelPresetName,
  inputShape: [number, number, number] = [64, 94, 1],
  numClasses = 8,
  auxDims = 88,
): number | null {
  const preset = getModelPreset(name);
  if (preset.family !== 'neural') return null;
  const key = `${name}:${inputShape.join('x')}:${numClasses}:${auxDims}`;
  const cached = paramCache.get(key);
  if (cached !== undefined) return cached;
  const model = preset.build({ inputShape, auxDims, numClasses, seed: 0, params: {} });
  const n = model.countParams();
  model.dispose();
  paramCache.set(key, n);
  return n;
}

/** Every preset with its parameter count, for the UI's model picker and `ser train --help`. */
export function listModelPresets(): ModelPresetInfo[] {
  return MODEL_PRESET_NAMES.map((name) => {
    const p = getModelPresetSpec(name);
    return {
      name,
      label: p.label,
      description: p.description,
      family: p.family,
      features: p.features,
      auxFeatures: p.family === 'neural' ? p.auxFeatures : undefined,
      params: countPresetParams(name),
    };
  });
}
