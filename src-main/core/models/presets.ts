import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { buildBiLstm } from './bilstm';
import { ForestParamsSchema, SvmParamsSchema } from './classical';
import { buildCnnRnn } from './cnnRnn';
import { buildHybrid } from './hybrid';
import { buildResNet } from './resnet';
import { buildSimpleCnn } from './simpleCnn';
import { buildTransformer } from './transformer';

export const MODEL_PRESET_NAMES = ['resnet', 'simplecnn', 'cnn-gru', 'cnn-lstm', 'bilstm', 'transformer', 'hybrid', 'svm', 'forest'] as const;
export type ModelPresetName = (typeof MODEL_PRESET_NAMES)[number];
export const ModelPresetNameSchema = z.enum(MODEL_PRESET_NAMES);

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

interface PresetBase {
  name: ModelPresetName;
  label: string;
  description: string;
  /** Feature preset (FEATURE_PRESETS key) the model is meant for. */
  features: string;
  /** Validates the preset-specific `model.params` of a run config. */
  paramsSchema: z.ZodType<Record<string, unknown>>;
}
export interface NeuralPreset extends PresetBase {
  family: 'neural';
  /** Second, vector-valued feature preset (hybrid's prosody/functionals branch). */
  auxFeatures?: string;
  build(ctx: BuildContext): tf.LayersModel;
}
export interface ClassicalPreset extends PresetBase {
  family: 'classical';
}
export type ModelPreset = NeuralPreset | ClassicalPreset;

const positiveInts = z.array(z.number().int().positive()).min(1).max(8);
const dropout = z.number().min(0).lt(1);

const PRESETS: Record<ModelPresetName, ModelPreset> = {
  resnet: {
    name: 'resnet',
    label: 'ResNet',
    family: 'neural',
    description: 'Seed ResNet: 3x3 stem 1→16, residual stages 16/32/64 (2 blocks each, BN, 1x1 projections), GAP, dense 256.',
    features: 'seed-logmel',
    paramsSchema: z.strictObject({ widths: positiveInts.optional(), blocksPerStage: z.number().int().min(1).max(4).optional(), headUnits: z.number().int().min(0).optional(), dropout: dropout.optional() }),
    build: (c) => buildResNet({ inputShape: c.inputShape, numClasses: c.numClasses, seed: c.seed, ...c.params }),
  },
  simplecnn: {
    name: 'simplecnn',
    label: 'SimpleCNN',
    family: 'neural',
    description: 'Seed SimpleCNN: 4 conv blocks (16/32/64/128, BN, max-pool), GAP, dense 128.',
    features: 'seed-logmel',
    paramsSchema: z.strictObject({ filters: positiveInts.optional(), denseUnits: z.number().int().positive().optional(), dropout: dropout.optional() }),
    build: (c) => buildSimpleCnn({ inputShape: c.inputShape, numClasses: c.numClasses, seed: c.seed, ...c.params }),
  },
  'cnn-gru': {
    name: 'cnn-gru',
    label: 'CNN-GRU',
    family: 'neural',
    description: '3 conv blocks (16/32/64) then a GRU(64) over the pooled time axis.',
    features: 'seed-logmel',
    paramsSchema: z.strictObject({ filters: positiveInts.optional(), rnnUnits: z.number().int().positive().optional(), dropout: dropout.optional() }),
    build: (c) => buildCnnRnn({ inputShape: c.inputShape, numClasses: c.numClasses, seed: c.seed, cell: 'gru', ...c.params }),
  },
  'cnn-lstm': {
    name: 'cnn-lstm',
    label: 'CNN-LSTM',
    family: 'neural',
    description: '3 conv blocks (16/32/64) then an LSTM(64) over the pooled time axis.',
    features: 'seed-logmel',
    paramsSchema: z.strictObject({ filters: positiveInts.optional(), rnnUnits: z.number().int().positive().optional(), dropout: dropout.optional() }),
    build: (c) => buildCnnRnn({ inputShape: c.inputShape, numClasses: c.numClasses, seed: c.seed, cell: 'lstm', ...c.params }),
  },
  bilstm: {
    name: 'bilstm',
    label: 'BiLSTM',
    family: 'neural',
    description: 'Bidirectional LSTM(64) over frames, mean-pooled over time.',
    features: 'seed-logmel',
    paramsSchema: z.strictObject({ units: z.number().int().positive().optional(), dropout: dropout.optional() }),
    build: (c) => buildBiLstm({ inputShape: c.inputShape, numClasses: c.numClasses, seed: c.seed, ...c.params }),
  },
  transformer: {
    name: 'transformer',
    label: 'Transformer',
    family: 'neural',
    description: 'Transformer encoder over frames: d_model 64, 4 heads, 2 layers, sinusoidal positions, mean pooling.',
    features: 'seed-logmel',
    paramsSchema: z.strictObject({
      dModel: z.number().int().positive().optional(),
      numHeads: z.number().int().positive().optional(),
      numLayers: z.number().int().min(1).max(12).optional(),
      ffUnits: z.number().int().positive().optional(),
      dropout: dropout.optional(),
    }),
    build: (c) => buildTransformer({ inputShape: c.inputShape, numClasses: c.numClasses, seed: c.seed, ...c.params }),
  },
  hybrid: {
    name: 'hybrid',
    label: 'Hybrid CNN + functionals',
    family: 'neural',
    description: 'CNN branch on log-mel + dense branch on prosody/functionals, fused before the softmax.',
    features: 'seed-logmel',
    auxFeatures: 'functionals',
    paramsSchema: z.strictObject({ filters: positiveInts.optional(), auxUnits: z.number().int().min(2).optional(), dropout: dropout.optional() }),
    build: (c) => {
      if (!c.auxDims) throw new Error('hybrid model: the auxiliary (functionals) feature vector is missing.');
      return buildHybrid({ inputShape: c.inputShape, auxDims: c.auxDims, numClasses: c.numClasses, seed: c.seed, ...c.params });
    },
  },
  svm: {
    name: 'svm',
    label: 'SVM',
    family: 'classical',
    description: 'Support vector machine (RBF or linear kernel) on utterance functionals.',
    features: 'functionals',
    paramsSchema: SvmParamsSchema,
  },
  forest: {
    name: 'forest',
    label: 'Random forest',
    family: 'classical',
    description: 'Random forest on utterance functionals.',
    features: 'functionals',
    paramsSchema: ForestParamsSchema,
  },
};

/** The preset registered under `name`; throws a readable error for unknown names. */
export function getModelPreset(name: string): ModelPreset {
  const preset = (PRESETS as Record<string, ModelPreset | undefined>)[name];
  if (!preset) throw new Error(`Unknown model "${name}". Choose one of: ${MODEL_PRESET_NAMES.join(', ')}.`);
  return preset;
}

export interface ModelPresetInfo {
  name: ModelPresetName;
  label: string;
  description: string;
  family: 'neural' | 'classical';
  features: string;
  auxFeatures?: string;
  /** Trainable + non-trainable parameters for the reference input (64x94 log-mel, 8 classes); null for classical models. */
  params: number | null;
}

const paramCache = new Map<string, number>();

/** Parameter count of a neural preset for a given input (builds the model once, then cached). */
export function countPresetParams(name: ModelPresetName, inputShape: [number, number, number] = [64, 94, 1], numClasses = 8, auxDims = 88): number | null {
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
    const p = PRESETS[name];
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
