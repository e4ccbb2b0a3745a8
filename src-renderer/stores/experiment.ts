/**
 * The run being set up in the Experiments view, and its translation into the core's run config
 * (src-main/core/training/config.ts, RunConfigSchema: a strict object, so only known keys are sent).
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { z } from 'zod';
import type { SplitSpecSchema } from '../../src-shared/config/split';
import { errorMessage } from '../../src-shared/api/errors';

export type SplitSpec = z.input<typeof SplitSpecSchema>;
export type Balancing = 'none' | 'weights' | 'focal' | 'oversample';
export type Backend = 'auto' | 'tfjs-node-gpu' | 'tfjs-node' | 'native' | 'wasm' | 'cpu';

export interface SplitDraft {
  kind: SplitSpec['kind'];
  /** speaker split: named speakers, or fractions of the speakers */
  speakerMode: 'named' | 'fraction';
  /** speaker → partition, for named speaker splits */
  assignment: Record<string, 'train' | 'val' | 'test'>;
  testFraction: number;
  valFraction: number;
  k: number;
  fold: number;
  losoSpeaker: string;
}

export interface AugmentationDraft {
  noise: { on: boolean; p: number; std: number };
  timeShift: { on: boolean; p: number; maxFraction: number };
  pitchShift: { on: boolean; p: number; maxSemitones: number };
  timeStretch: { on: boolean; p: number; maxRate: number };
  specAugment: { on: boolean; p: number; timeMasks: number; maxTimeWidth: number; freqMasks: number; maxFreqWidth: number };
}

export interface ExperimentDraft {
  name: string;
  datasetId: number | null;
  /** Classes to train on; empty = every label of the dataset. */
  labels: string[];
  split: SplitDraft;
  featurePreset: string;
  features: Record<string, unknown>;
  modelPreset: string;
  /** JSON text of model.params; empty = preset defaults. */
  modelParams: string;
  epochs: number;
  batchSize: number;
  optimizer: 'adam' | 'adamw';
  learningRate: number;
  weightDecay: number;
  /** Global-norm gradient clipping; null = off. */
  clipNorm: number | null;
  schedule: { kind: 'constant' | 'plateau' | 'cosine'; factor: number; patience: number; minLr: number; warmupEpochs: number };
  monitor: 'val_uar' | 'val_loss' | 'val_accuracy';
  earlyStopping: { on: boolean; patience: number };
  balancing: Balancing;
  focalGamma: number;
  normalization: 'per-band' | 'global' | 'utterance' | 'none';
  /** Standardise each speaker's features with their own statistics first (RunConfig.speakerNormalization). */
  speakerNormalization: boolean;
  /** Re-estimate batch-norm statistics per validation/test speaker (RunConfig.speakerAdaptiveBatchNorm; networks only). */
  speakerAdaptiveBatchNorm: boolean;
  augmentation: AugmentationDraft;
  seed: number;
  backend: Backend;
  crossDatasetId: number | null;
}

export function defaultDraft(): ExperimentDraft {
  return {
    name: '',
    datasetId: null,
    labels: [],
    split: { kind: 'speaker', speakerMode: 'fraction', assignment: {}, testFraction: 0.2, valFraction: 0.15, k: 5, fold: 0, losoSpeaker: '' },
    featurePreset: 'seed-logmel',
    features: {},
    modelPreset: 'resnet',
    modelParams: '',
    epochs: 30,
    batchSize: 32,
    optimizer: 'adam',
    learningRate: 1e-3,
    weightDecay: 1e-4,
    clipNorm: 5,
    schedule: { kind: 'plateau', factor: 0.5, patience: 3, minLr: 1e-6, warmupEpochs: 0 },
    monitor: 'val_uar',
    earlyStopping: { on: true, patience: 8 },
    balancing: 'none',
    focalGamma: 2,
    normalization: 'per-band',
    speakerNormalization: false,
    speakerAdaptiveBatchNorm: false,
    augmentation: {
      noise: { on: false, p: 0.5, std: 0.1 },
      timeShift: { on: false, p: 0.5, maxFraction: 0.1 },
      pitchShift: { on: false, p: 0.3, maxSemitones: 2 },
      timeStretch: { on: false, p: 0.3, maxRate: 0.15 },
      specAugment: { on: false, p: 0.8, timeMasks: 2, maxTimeWidth: 10, freqMasks: 2, maxFreqWidth: 8 },
    },
    seed: 42,
    backend: 'auto',
    crossDatasetId: null,
  };
}

/** The SplitSpec the draft describes, or a readable reason why it describes none yet. */
export function splitSpec(d: ExperimentDraft): SplitSpec | string {
  const s = d.split;
  switch (s.kind) {
    case 'speaker': {
      if (s.speakerMode === 'fraction') return { kind: 'speaker', testFraction: s.testFraction, valFraction: s.valFraction, seed: d.seed };
      const of = (p: 'val' | 'test') => Object.keys(s.assignment).filter((k) => s.assignment[k] === p);
      const test = of('test');
      const val = of('val');
      if (!test.length) return 'Choose at least one test speaker (or switch to a fraction of speakers).';
      return val.length
        ? { kind: 'speaker', testSpeakers: test, valSpeakers: val, seed: d.seed }
        : { kind: 'speaker', testSpeakers: test, valFraction: s.valFraction, seed: d.seed };
    }
    case 'random':
      return { kind: 'random', testFraction: s.testFraction, valFraction: s.valFraction, seed: d.seed };
    case 'kfold-speaker':
      if (s.fold >= s.k) return `Fold must be below k (0…${s.k - 1}).`;
      return { kind: 'kfold-speaker', k: s.k, fold: s.fold, valFraction: s.valFraction, seed: d.seed };
    case 'loso':
      if (!s.losoSpeaker) return 'Choose the speaker to leave out.';
      return { kind: 'loso', speaker: s.losoSpeaker, valFraction: s.valFraction, seed: d.seed };
  }
}

/** The run config for `runs.start`, or a readable reason why the draft is not ready. */
export function toRunConfig(d: ExperimentDraft): Record<string, unknown> | string {
  if (d.datasetId === null) return 'Choose a dataset.';
  const split = splitSpec(d);
  if (typeof split === 'string') return split;
  let params: Record<string, unknown> = {};
  if (d.modelParams.trim()) {
    try {
      const parsed: unknown = JSON.parse(d.modelParams);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return 'Model parameters must be a JSON object, e.g. {"dropout": 0.3}.';
      params = parsed as Record<string, unknown>;
    } catch (err) {
      return `Model parameters are not valid JSON: ${errorMessage(err)}`;
    }
  }
  if (d.labels.length === 1) return 'Train on at least two classes (or clear the selection to use all).';
  const a = d.augmentation;
  const sched = d.schedule;
  const config: Record<string, unknown> = {
    ...(d.name.trim() ? { name: d.name.trim() } : {}),
    datasetId: d.datasetId,
    ...(d.labels.length ? { labels: d.labels } : {}),
    split,
    model: { preset: d.modelPreset, params },
    features: d.features,
    normalization: d.normalization,
    speakerNormalization: d.speakerNormalization,
    ...(d.speakerAdaptiveBatchNorm ? { speakerAdaptiveBatchNorm: true } : {}),
    // Plain Adam has no weight decay; the core rejects one set explicitly.
    optimizer: {
      kind: d.optimizer,
      learningRate: d.learningRate,
      ...(d.optimizer === 'adamw' ? { weightDecay: d.weightDecay } : {}),
      clipNorm: d.clipNorm,
    },
    schedule:
      sched.kind === 'plateau'
        ? { kind: 'plateau', factor: sched.factor, patience: sched.patience, minLr: sched.minLr }
        : sched.kind === 'cosine'
          ? { kind: 'cosine', minLr: sched.minLr, warmupEpochs: sched.warmupEpochs }
          : { kind: 'constant' },
    epochs: d.epochs,
    batchSize: d.batchSize,
    monitor: d.monitor,
    earlyStopping: d.earlyStopping.on ? { patience: d.earlyStopping.patience } : null,
    balancing: {
      classWeights: d.balancing === 'weights',
      loss: d.balancing === 'focal' ? 'focal' : 'crossentropy',
      focalGamma: d.focalGamma,
      oversample: d.balancing === 'oversample',
    },
    augmentation: {
      noise: a.noise.on ? { p: a.noise.p, std: a.noise.std } : null,
      timeShift: a.timeShift.on ? { p: a.timeShift.p, maxFraction: a.timeShift.maxFraction } : null,
      pitchShift: a.pitchShift.on ? { p: a.pitchShift.p, maxSemitones: a.pitchShift.maxSemitones } : null,
      timeStretch: a.timeStretch.on ? { p: a.timeStretch.p, maxRate: a.timeStretch.maxRate } : null,
      specAugment: a.specAugment.on
        ? {
            p: a.specAugment.p,
            timeMasks: a.specAugment.timeMasks,
            maxTimeWidth: a.specAugment.maxTimeWidth,
            freqMasks: a.specAugment.freqMasks,
            maxFreqWidth: a.specAugment.maxFreqWidth,
          }
        : null,
    },
    seed: d.seed,
    backend: d.backend,
    ...(d.crossDatasetId !== null ? { crossEvaluation: { datasetId: d.crossDatasetId, labelMap: {} } } : {}),
  };
  return config;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);
const num = (v: unknown, fallback: number): number => (typeof v === 'number' ? v : fallback);

/** A draft that reproduces a stored run config (for "edit as new run"); unknown keys are ignored. */
export function draftFromConfig(config: Obj): ExperimentDraft {
  const d = defaultDraft();
  d.name = typeof config.name === 'string' ? `${config.name} (copy)` : '';
  d.datasetId = typeof config.datasetId === 'number' ? config.datasetId : null;
  d.labels = Array.isArray(config.labels) ? config.labels.filter((x): x is string => typeof x === 'string') : [];
  d.seed = num(config.seed, d.seed);
  const split = obj(config.split);
  if (split) {
    const kind = split.kind as SplitDraft['kind'];
    d.split.kind = kind;
    if (kind === 'speaker' && Array.isArray(split.testSpeakers)) {
      d.split.speakerMode = 'named';
      for (const s of split.testSpeakers) d.split.assignment[String(s)] = 'test';
      if (Array.isArray(split.valSpeakers)) for (const s of split.valSpeakers) d.split.assignment[String(s)] = 'val';
    }
    d.split.testFraction = num(split.testFraction, d.split.testFraction);
    d.split.valFraction = num(split.valFraction, d.split.valFraction);
    d.split.k = num(split.k, d.split.k);
    d.split.fold = num(split.fold, d.split.fold);
    d.split.losoSpeaker = typeof split.speaker === 'string' ? split.speaker : '';
  }
  const model = config.model;
  if (typeof model === 'string') d.modelPreset = model;
  else if (obj(model)) {
    d.modelPreset = String(obj(model)!.preset ?? d.modelPreset);
    const p = obj(obj(model)!.params);
    d.modelParams = p && Object.keys(p).length ? JSON.stringify(p) : '';
  }
  if (typeof config.features === 'string') d.featurePreset = config.features;
  else if (obj(config.features)) {
    d.features = { ...obj(config.features)! };
    d.featurePreset = '';
  }
  const opt = obj(config.optimizer);
  if (opt) {
    d.optimizer = opt.kind === 'adamw' ? 'adamw' : 'adam';
    d.learningRate = num(opt.learningRate, d.learningRate);
    d.weightDecay = num(opt.weightDecay, d.weightDecay);
    d.clipNorm = opt.clipNorm === null ? null : num(opt.clipNorm, d.clipNorm ?? 5);
  }
  const sched = obj(config.schedule);
  if (sched) {
    d.schedule.kind = sched.kind === 'cosine' || sched.kind === 'constant' ? sched.kind : 'plateau';
    d.schedule.factor = num(sched.factor, d.schedule.factor);
    d.schedule.patience = num(sched.patience, d.schedule.patience);
    d.schedule.minLr = num(sched.minLr, d.schedule.minLr);
    d.schedule.warmupEpochs = num(sched.warmupEpochs, d.schedule.warmupEpochs);
  }
  d.epochs = num(config.epochs, d.epochs);
  d.batchSize = num(config.batchSize, d.batchSize);
  if (config.monitor === 'val_loss' || config.monitor === 'val_accuracy' || config.monitor === 'val_uar') d.monitor = config.monitor;
  if (config.earlyStopping === null) d.earlyStopping.on = false;
  else if (obj(config.earlyStopping)) d.earlyStopping = { on: true, patience: num(obj(config.earlyStopping)!.patience, 8) };
  const bal = obj(config.balancing);
  if (bal) {
    d.balancing = bal.oversample ? 'oversample' : bal.loss === 'focal' ? 'focal' : bal.classWeights ? 'weights' : 'none';
    d.focalGamma = num(bal.focalGamma, d.focalGamma);
  }
  if (config.normalization === 'global' || config.normalization === 'none' || config.normalization === 'per-band' || config.normalization === 'utterance') {
    d.normalization = config.normalization;
  }
  d.speakerNormalization = config.speakerNormalization === true;
  d.speakerAdaptiveBatchNorm = config.speakerAdaptiveBatchNorm === true;
  const aug = obj(config.augmentation);
  if (aug) {
    for (const key of Object.keys(d.augmentation) as (keyof AugmentationDraft)[]) {
      const v = obj(aug[key]);
      if (v) Object.assign(d.augmentation[key], v, { on: true });
    }
  }
  const backend = config.backend;
  if (typeof backend === 'string' && ['auto', 'tfjs-node-gpu', 'tfjs-node', 'native', 'wasm', 'cpu'].includes(backend)) d.backend = backend as Backend;
  const cross = obj(config.crossEvaluation);
  d.crossDatasetId = cross && typeof cross.datasetId === 'number' ? cross.datasetId : null;
  return d;
}

export const useExperiment = defineStore('experiment', () => {
  const draft = ref<ExperimentDraft>(defaultDraft());
  function reset(): void {
    draft.value = defaultDraft();
  }
  function loadConfig(config: Record<string, unknown>): void {
    draft.value = draftFromConfig(config);
  }
  return { draft, reset, loadConfig };
});
