import { z } from 'zod';
import { SPEED_FACTOR_RANGE } from '../audio/speedPerturbation';
import { BACKEND_NAMES } from './backends';
import { SplitSpecSchema, type SplitSpec } from './split';
import { expandFeaturePreset, FEATURE_PRESETS, FeatureConfigSchema, isVectorFeatureKind, VECTOR_FEATURE_KINDS, type FeatureConfig } from './features';
import { getModelPresetSpec, ModelPresetNameSchema } from './models';

/**
 * A preset name ('compare'), a whole config, or a preset with overrides ({ preset: 'compare', trim: { topDb: 20 } }),
 * as resolveFeatureConfig reads them; the last is expanded here so the stored config is the whole one.
 */
const FeaturesInputSchema = z.preprocess(
  (v, ctx) => {
    if (!v || typeof v !== 'object' || Array.isArray(v) || !('preset' in v)) return v;
    const expanded = expandFeaturePreset(v as Record<string, unknown>);
    if (typeof expanded === 'string') {
      ctx.addIssue({ code: 'custom', path: ['preset'], message: expanded });
      return z.NEVER;
    }
    return expanded;
  },
  z.union([z.string().min(1).max(64), FeatureConfigSchema]),
);

const probability = z.number().min(0).max(1);

/** A corpus's labels renamed for one run (calm → neutral); null leaves that label's files out of the run. */
const RunLabelMapSchema = z.record(z.string().min(1).max(64), z.string().min(1).max(64).nullable());

/** One more corpus in a multi-corpus run. */
const ExtraDatasetSchema = z.strictObject({ datasetId: z.number().int().positive(), labelMap: RunLabelMapSchema.default({}) });

/** Spectrogram-domain augmentation; every op is applied per example with probability p. */
export const AugmentationSchema = z.strictObject({
  /** Additive Gaussian noise on the normalised spectrogram; std in normalised units. */
  noise: z
    .strictObject({ p: probability.default(0.5), std: z.number().min(0).max(5).default(0.1) })
    .nullable()
    .default(null),
  /** Circular shift along time by up to maxFraction of the frames. */
  timeShift: z
    .strictObject({ p: probability.default(0.5), maxFraction: z.number().min(0).max(1).default(0.1) })
    .nullable()
    .default(null),
  /** Pitch shift approximated by resampling the mel axis by up to ±maxSemitones. */
  pitchShift: z
    .strictObject({ p: probability.default(0.3), maxSemitones: z.number().min(0).max(12).default(2) })
    .nullable()
    .default(null),
  /** Time stretch by resampling the frame axis at a rate in [1 - maxRate, 1 + maxRate], then crop/pad. */
  timeStretch: z
    .strictObject({ p: probability.default(0.3), maxRate: z.number().min(0).lt(1).default(0.15) })
    .nullable()
    .default(null),
  /** SpecAugment: up to `timeMasks` masks of ≤ maxTimeWidth frames and `freqMasks` masks of ≤ maxFreqWidth bands. */
  specAugment: z
    .strictObject({
      p: probability.default(0.8),
      timeMasks: z.number().int().min(0).max(10).default(2),
      maxTimeWidth: z.number().int().min(0).default(10),
      freqMasks: z.number().int().min(0).max(10).default(2),
      maxFreqWidth: z.number().int().min(0).default(8),
    })
    .nullable()
    .default(null),
  /** Mixup of whole batches (all inputs and the targets) with λ ~ Beta(alpha, alpha), with probability p per batch. */
  mixup: z
    .strictObject({ p: probability.default(1), alpha: z.number().gt(0).max(10).default(0.2) })
    .nullable()
    .default(null),
});
export type Augmentation = z.infer<typeof AugmentationSchema>;

export const ScheduleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('constant') }),
  /** Multiply the LR by `factor` after `patience` epochs without improvement of the monitored metric. */
  z.strictObject({
    kind: z.literal('plateau'),
    factor: z.number().gt(0).lt(1).default(0.5),
    patience: z.number().int().min(0).default(3),
    minLr: z.number().min(0).default(1e-6),
  }),
  /** Cosine decay per batch from the base LR to minLr over all epochs, after a linear warm-up. */
  z.strictObject({ kind: z.literal('cosine'), minLr: z.number().min(0).default(1e-6), warmupEpochs: z.number().min(0).default(0) }),
]);
export type Schedule = z.infer<typeof ScheduleSchema>;

const RunConfigObject = z.strictObject({
  name: z.string().max(128).optional(),
  datasetId: z.number().int().positive(),
  /** datasetId's labels renamed for this run (e.g. calm → neutral, surprised → null); applied before `labels`. */
  labelMap: RunLabelMapSchema.optional(),
  /**
   * Multi-corpus runs: more datasets trained (and tested) together with datasetId, each with its own label map.
   * Speakers are told apart by corpus ("<datasetId>:<speaker>"), and speaker splits are drawn within each corpus,
   * so every corpus is represented in every part; the split kind 'leave-corpus-out' tests on one whole corpus.
   */
  extraDatasets: z.array(ExtraDatasetSchema).max(8).optional(),
  /** Restrict training to these labels (e.g. the seeds' 6 classes); default: every label in the dataset. */
  labels: z.array(z.string().min(1).max(64)).min(2, 'train on at least two classes (or leave labels out for all of them)').optional(),
  split: SplitSpecSchema.optional(),
  model: z.union([ModelPresetNameSchema, z.strictObject({ preset: ModelPresetNameSchema, params: z.record(z.string(), z.unknown()).default({}) })]),
  /** Default: the model preset's features. */
  features: FeaturesInputSchema.optional(),
  /** Vector features for the hybrid model's dense branch; default: the preset's. */
  auxFeatures: FeaturesInputSchema.optional(),
  /**
   * Standardisation: 'per-band'/'global' with statistics from the training split only;
   * 'utterance' normalises each band within each utterance (vector features then use per-band).
   */
  normalization: z.enum(['per-band', 'global', 'utterance', 'none']).default('per-band'),
  /**
   * Speaker normalisation before the above: every speaker's features standardised with that speaker's own mean and
   * std (per band or dimension, over all of the speaker's files in the run, test speakers included; no labels). It
   * removes voice and recording differences that otherwise swamp emotion cues across speakers. Evaluation then
   * assumes several unlabelled utterances per test speaker; single files are normalised on their own.
   */
  speakerNormalization: z.boolean().default(false),
  /**
   * Speaker-adaptive batch norm (AdaBN): validation and test files are predicted with every batch-norm layer's
   * statistics re-estimated on their own speaker's files (at least MIN_ADAPTATION_FILES; no labels), so the best
   * checkpoint is chosen the way the model is evaluated. Needs a network with batch-norm layers.
   */
  speakerAdaptiveBatchNorm: z.boolean().default(false),
  /**
   * Classical models: speed-perturbed copies of the training files as extra examples (Ko et al., Interspeech 2015),
   * e.g. [0.9, 1.1] adds every training file played 0.9× and 1.1× as fast (tempo, pitch and formants move together,
   * as if another voice). The copies of one speaker at one speed are a speaker of their own for speaker
   * normalisation and stay in their speaker's fold when C is chosen by speaker folds, where only unperturbed files
   * are scored. Validation and test files are never perturbed, except validation files a model fits on
   * (fitOn 'train+val'). Networks perturb on the fly instead (augmentation.timeStretch, pitchShift).
   */
  speedPerturbation: z
    .array(
      z
        .number()
        .min(SPEED_FACTOR_RANGE[0])
        .max(SPEED_FACTOR_RANGE[1])
        .refine((f) => f !== 1, 'speed 1 is the recording itself, always used; list only the perturbed speeds'),
    )
    .max(8)
    .refine((v) => new Set(v).size === v.length, 'speeds repeat')
    .optional(),
  /**
   * Classical models: test-time augmentation with the speedPerturbation speeds. Every prediction (validation, test,
   * evaluate, predict, the recorder) averages the class probabilities of the recording and of its copies played at
   * those speeds, each copy standardised as the training copies were. It uses nothing about the speaker, so it stays a
   * figure without speaker adaptation.
   */
  testTimeSpeedPerturbation: z.boolean().default(false),
  optimizer: z
    .strictObject({
      kind: z.enum(['adam', 'adamw']).default('adam'),
      learningRate: z.number().gt(0).max(1).default(1e-3),
      /** AdamW's decoupled weight decay, applied to kernels only; plain Adam ignores it. */
      weightDecay: z.number().min(0).max(1).default(1e-4),
      beta1: z.number().gt(0).lt(1).default(0.9),
      beta2: z.number().gt(0).lt(1).default(0.999),
      epsilon: z.number().gt(0).default(1e-7),
      /** Clip gradients to this global L2 norm; null = no clipping. */
      clipNorm: z.number().gt(0).nullable().default(5),
    })
    .default({ kind: 'adam', learningRate: 1e-3, weightDecay: 1e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, clipNorm: 5 }),
  schedule: ScheduleSchema.default({ kind: 'plateau', factor: 0.5, patience: 3, minLr: 1e-6 }),
  epochs: z.number().int().min(1).max(1000).default(30),
  batchSize: z.number().int().min(1).max(4096).default(32),
  /** Validation metric for the best checkpoint, early stopping and the plateau schedule. */
  monitor: z.enum(['val_uar', 'val_loss', 'val_accuracy']).default('val_uar'),
  earlyStopping: z
    .strictObject({ patience: z.number().int().min(1).default(8), minDelta: z.number().min(0).default(0) })
    .nullable()
    .default({ patience: 8, minDelta: 0 }),
  /**
   * Stochastic weight averaging: the final model averages the weights at the end of the last
   * `lastEpochs` epochs (a flatter optimum than any single epoch) instead of the best checkpoint.
   */
  weightAveraging: z
    .strictObject({ lastEpochs: z.number().int().min(2).max(1000) })
    .nullable()
    .default(null),
  balancing: z
    .strictObject({
      /** Per-class loss weights n / (k · count), as sklearn's 'balanced'. */
      classWeights: z.boolean().default(false),
      loss: z.enum(['crossentropy', 'focal']).default('crossentropy'),
      focalGamma: z.number().min(0).max(10).default(2),
      /** Repeat minority-class training examples until every class has as many as the largest. */
      oversample: z.boolean().default(false),
    })
    .default({ classWeights: false, loss: 'crossentropy', focalGamma: 2, oversample: false }),
  augmentation: AugmentationSchema.default({ noise: null, timeShift: null, pitchShift: null, timeStretch: null, specAugment: null, mixup: null }),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(42),
  backend: z.enum(['auto', ...BACKEND_NAMES]).default('auto'),
  /** Cross-corpus evaluation: also score the model on (all of) another dataset, labels mapped. */
  crossEvaluation: z
    .strictObject({ datasetId: z.number().int().positive(), labelMap: z.record(z.string(), z.string().nullable()).default({}) })
    .optional(),
  /** Where the trained model is saved; default: models/run-<id> beside the database. */
  outDir: z.string().min(1).max(4096).optional(),
});

/**
 * A run config as the API carries it: the structure above plus the checks that need the model preset (its
 * `model.params` schema, the feature kinds it takes, batch norm), each reported at its field's path.
 */
export const RunConfigSchema = RunConfigObject.superRefine((c, ctx) => {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const model = typeof c.model === 'string' ? { preset: c.model, params: {} } : c.model;
  const preset = getModelPresetSpec(model.preset);
  // Classical models take the run seed unless their params name one.
  const rawParams = preset.family === 'classical' ? { seed: c.seed, ...model.params } : model.params;
  const params = preset.paramsSchema.safeParse(rawParams);
  if (!params.success) {
    for (const i of params.error.issues) issue(['model', 'params', ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], i.message);
    return;
  }
  const features = resolveFeatures(c.features ?? preset.features);
  if (typeof features === 'string') return issue(['features'], features);
  const auxName = c.auxFeatures ?? (preset.family === 'neural' ? preset.auxFeatures : undefined);
  if (auxName !== undefined && typeof resolveFeatures(auxName) === 'string') issue(['auxFeatures'], resolveFeatures(auxName) as string);
  if (preset.family === 'neural' && isVectorFeatureKind(features.kind)) {
    issue(['features'], `${model.preset} needs a time-frequency representation (logmel, mfcc, chroma), not "${features.kind}"`);
  }
  const datasetIds = [c.datasetId, ...(c.extraDatasets ?? []).map((d) => d.datasetId)];
  const repeated = datasetIds.filter((id, i) => datasetIds.indexOf(id) !== i);
  if (repeated.length) issue(['extraDatasets'], `dataset ${repeated[0]} is named twice; each corpus once`);
  if (c.split?.kind === 'leave-corpus-out') {
    if (datasetIds.length < 2) issue(['split'], 'a leave-corpus-out split needs at least two datasets (add extraDatasets)');
    else if (!datasetIds.includes(c.split.testDatasetId))
      issue(['split', 'testDatasetId'], `dataset ${c.split.testDatasetId} is not in the run (datasets ${datasetIds.join(', ')})`);
  }
  // C 'auto' (linear models) is chosen on the validation split: refuse a split without one now, not after extraction.
  if (
    preset.family === 'classical' &&
    params.data.C === 'auto' &&
    params.data.cSelection !== 'speaker-cv' &&
    c.split &&
    !splitHasValidation(c.split)
  ) {
    issue(
      ['model', 'params', 'C'],
      'C "auto" is chosen on the validation split, but this split has none: give it a valFraction (or valSpeakers), or set C to a number',
    );
  }
  if (preset.family === 'classical' && params.data.fitOn === 'train+val' && (params.data.C !== 'auto' || params.data.cSelection !== 'speaker-cv')) {
    issue(
      ['model', 'params', 'fitOn'],
      'fitOn "train+val" needs C "auto" with cSelection "speaker-cv": the validation speakers are then scored out-of-fold; a model fitted on them cannot score them',
    );
  }
  if (preset.family === 'neural' && c.speedPerturbation?.length) {
    issue(
      ['speedPerturbation'],
      `${model.preset} is a network: perturb on the fly with augmentation.timeStretch / pitchShift; speedPerturbation is for classical models`,
    );
  }
  if (c.testTimeSpeedPerturbation && (preset.family === 'neural' || !c.speedPerturbation?.length)) {
    issue(
      ['testTimeSpeedPerturbation'],
      preset.family === 'neural'
        ? `${model.preset} is a network; test-time speed copies are for classical models`
        : 'test-time speed copies use the speedPerturbation speeds: list them (e.g. [0.9, 1.1])',
    );
  }
  if (preset.family === 'classical' && c.speakerAdaptiveBatchNorm) {
    issue(['speakerAdaptiveBatchNorm'], `${model.preset} has no batch-norm layers to adapt; it applies to networks`);
  }
  if (preset.family === 'classical' && !isVectorFeatureKind(features.kind)) {
    issue(
      ['features'],
      `${model.preset} works on utterance-level vectors (${VECTOR_FEATURE_KINDS.map((k) => `"${k}"`).join(', ')}), not "${features.kind}"`,
    );
  }
});

/** The whole description of a run, with defaults filled in and names resolved. */
export type RunConfig = Omit<z.output<typeof RunConfigObject>, 'model' | 'features' | 'auxFeatures' | 'split'> & {
  model: { preset: z.output<typeof ModelPresetNameSchema>; params: Record<string, unknown> };
  features: FeatureConfig;
  auxFeatures?: FeatureConfig;
  split: SplitSpec;
};
/** A run config as a form or a JSON file writes it: defaults may be left out, presets named. */
export type RunConfigInput = z.input<typeof RunConfigSchema>;

/** Whether a split sets files aside for validation (a speaker split may name them or draw a fraction). */
function splitHasValidation(split: SplitSpec): boolean {
  if (split.kind === 'speaker' && split.valSpeakers?.length) return true;
  return (split.valFraction ?? 0) > 0;
}

/** A feature preset name resolved, or the reason it cannot be. */
function resolveFeatures(v: string | FeatureConfig): FeatureConfig | string {
  if (typeof v !== 'string') return v;
  return FEATURE_PRESETS[v] ?? `unknown feature preset "${v}" (known: ${Object.keys(FEATURE_PRESETS).join(', ')})`;
}

/** The split of a config that names none: 20 % of the speakers to test, 15 % to validation, drawn by the run seed. */
export function defaultSplit(seed: number): SplitSpec {
  return { kind: 'speaker', testFraction: 0.2, valFraction: 0.15, seed };
}

/** Validated run config with every default filled in; throws one readable message listing all problems. */
export function parseRunConfig(input: unknown): RunConfig {
  const r = RunConfigSchema.safeParse(input);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'config'}: ${i.message}`);
    throw new Error(`Invalid run config: ${lines.join('; ')}`);
  }
  const c = r.data;
  const model = typeof c.model === 'string' ? { preset: c.model, params: {} } : c.model;
  const preset = getModelPresetSpec(model.preset);
  const rawParams = preset.family === 'classical' ? { seed: c.seed, ...model.params } : model.params;
  // The refinement above checked all of these; parse again for the defaults the schemas fill in.
  const params = preset.paramsSchema.parse(rawParams);
  const features = resolveFeatures(c.features ?? preset.features) as FeatureConfig;
  const auxName = c.auxFeatures ?? (preset.family === 'neural' ? preset.auxFeatures : undefined);
  const auxFeatures = auxName === undefined ? undefined : (resolveFeatures(auxName) as FeatureConfig);
  const split = c.split ?? defaultSplit(c.seed);
  return { ...c, model: { preset: model.preset, params }, features, auxFeatures, split };
}
