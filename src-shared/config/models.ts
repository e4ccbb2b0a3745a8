import { z } from 'zod';

/**
 * The model presets as configuration: names, what each is for, and the schema of its `model.params`. The builders
 * that turn a preset into a network live with TensorFlow.js in the core (src-main/core/models/presets.ts).
 */
export const MODEL_PRESET_NAMES = [
  'resnet',
  'simplecnn',
  'cnn-gru',
  'cnn-lstm',
  'bilstm',
  'transformer',
  'hybrid',
  'svm',
  'forest',
  'logreg',
  'linear-svm',
] as const;
export type ModelPresetName = (typeof MODEL_PRESET_NAMES)[number];
export const ModelPresetNameSchema = z.enum(MODEL_PRESET_NAMES);

/** Optional SelectKBest(f_classif) on the z-scored vectors: k dimensions, or a fraction of them in (0, 1). */
export const SelectParamsSchema = z
  .strictObject({
    k: z
      .number()
      .positive()
      .refine((k) => k < 1 || Number.isInteger(k), 'select.k above 1 must be a whole number of dimensions'),
  })
  .nullable()
  .default(null);

/** Optional PCA fitted on the training vectors: a number of components, or the variance fraction to keep in (0, 1). */
export const PcaParamsSchema = z
  .strictObject({
    components: z
      .number()
      .positive()
      .refine((c) => c < 1 || Number.isInteger(c), 'pca.components above 1 must be a whole number of components'),
  })
  .nullable()
  .default(null);

/** SVM hyperparameters; every field is optional and defaults to sklearn's SVC defaults. */
export const SvmParamsSchema = z.strictObject({
  kernel: z.enum(['rbf', 'linear'], { error: (i) => `unknown kernel ${JSON.stringify(i.input)}; use "rbf" or "linear"` }).default('rbf'),
  C: z.number().positive().default(1),
  gamma: z.union([z.literal('scale'), z.number().positive()], { error: 'gamma must be "scale" or a positive number' }).default('scale'),
  class_weight: z.enum(['none', 'balanced']).default('none'),
  select: SelectParamsSchema,
  pca: PcaParamsSchema,
  /** Sets the folds of libsvm's probability calibration; pass the run's seed. */
  seed: z.number().int().default(0),
});

/** The C grid 'auto' searches by default: 10⁻⁵ … 10, a decade apart (the best C of a linear model on thousands of z-scored dimensions is small). */
export const DEFAULT_C_GRID = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10];

/** Hyperparameters shared by the linear models (logistic regression, linear SVM) for high-dimensional functionals. */
function linearParamsSchema(defaults: { tol: number; maxIter: number }) {
  return z.strictObject({
    C: z
      .union([z.literal('auto'), z.number().positive()], { error: 'C must be "auto" (chosen on the validation split) or a positive number' })
      .default('auto'),
    /**
     * How 'auto' scores each C: 'val', UAR on the run's validation speakers; 'speaker-cv', mean UAR over up to 4 folds
     * of the training speakers (each fold fitted on the others). Two validation speakers make a noisy choice; the
     * folds use every training speaker and still never look at test.
     */
    cSelection: z.enum(['val', 'speaker-cv']).default('val'),
    /**
     * Which speakers the kept model is fitted on. 'train+val' (with C 'auto' and cSelection 'speaker-cv' only): the
     * folds that choose C run over the training and validation speakers together and the model is fitted on both, so
     * no labelled speaker is left out of the fit (with 12 non-test speakers, 2 held out for validation are a sixth of
     * the data). The validation figures are then out-of-fold: each validation speaker is scored by a model fitted at
     * the chosen C without that speaker's fold, never by the kept model, so grid and ensemble weights stay honest.
     */
    fitOn: z.enum(['train', 'train+val']).default('train'),
    /** The grid 'auto' chooses from (validation UAR; ties go to the smaller C). */
    Cs: z.array(z.number().positive()).min(1).max(50).default(DEFAULT_C_GRID),
    class_weight: z.enum(['none', 'balanced']).default('none'),
    select: SelectParamsSchema,
    pca: PcaParamsSchema,
    tol: z.number().positive().default(defaults.tol),
    max_iter: z.number().int().min(1).max(100_000).default(defaults.maxIter),
    /** Seeds the SVM's coordinate order and calibration folds; pass the run's seed. */
    seed: z.number().int().default(0),
  });
}

/** Multinomial logistic regression (L2, L-BFGS); tol on the mean loss's gradient as sklearn ≥ 1.3, a longer iteration cap. */
export const LogRegParamsSchema = linearParamsSchema({ tol: 1e-4, maxIter: 500 });
/** One-vs-rest linear SVM (squared hinge, dual coordinate descent); tol and max_iter as sklearn's LinearSVC. */
export const LinearSvmParamsSchema = linearParamsSchema({ tol: 1e-4, maxIter: 1000 });

/** Random-forest hyperparameters; defaults follow sklearn's RandomForestClassifier. */
export const ForestParamsSchema = z.strictObject({
  n_estimators: z.number().int().min(1).max(10_000).default(100),
  max_depth: z.number().int().min(1).nullable().default(null),
  max_features: z
    .union([z.enum(['sqrt', 'log2', 'all']), z.number().positive()], {
      error: 'max_features must be "sqrt", "log2", "all", a fraction in (0, 1] or a whole count',
    })
    .refine((v) => typeof v === 'string' || v <= 1 || Number.isInteger(v), 'max_features above 1 must be a whole number of features')
    .default('sqrt'),
  min_samples_leaf: z.number().int().min(1).default(1),
  bootstrap: z.boolean().default(true),
  class_weight: z.enum(['none', 'balanced']).default('none'),
  /** Pass the run's seed; the same seed and data give the same forest. */
  seed: z.number().int().default(0),
});

export interface ModelPresetSpec {
  name: ModelPresetName;
  label: string;
  description: string;
  family: 'neural' | 'classical';
  /** Feature preset (FEATURE_PRESETS key) the model is meant for. */
  features: string;
  /** Second, vector-valued feature preset (hybrid's prosody/functionals branch). */
  auxFeatures?: string;
  /** Validates the preset-specific `model.params` of a run config. */
  paramsSchema: z.ZodType<Record<string, unknown>>;
}

/** A preset as the model picker shows it: the spec without its schema, with the parameter count. */
export type ModelPresetInfo = Omit<ModelPresetSpec, 'paramsSchema'> & {
  /** Trainable + non-trainable parameters for the reference input (64x94 log-mel, 8 classes); null for classical models. */
  params: number | null;
};

const positiveInts = z.array(z.number().int().positive()).min(1).max(8);
const dropout = z.number().min(0).lt(1);

export const MODEL_PRESET_SPECS: Record<ModelPresetName, ModelPresetSpec> = {
  resnet: {
    name: 'resnet',
    label: 'ResNet',
    family: 'neural',
    description: 'Seed ResNet: 3x3 stem 1→16, residual stages 16/32/64 (2 blocks each, BN, 1x1 projections), GAP, dense 256.',
    features: 'seed-logmel',
    paramsSchema: z.strictObject({
      widths: positiveInts.optional(),
      blocksPerStage: z.number().int().min(1).max(4).optional(),
      headUnits: z.number().int().min(0).optional(),
      dropout: dropout.optional(),
    }),
  },
  simplecnn: {
    name: 'simplecnn',
    label: 'SimpleCNN',
    family: 'neural',
    description: 'Seed SimpleCNN: 4 conv blocks (16/32/64/128, BN, max-pool), GAP, dense 128.',
    features: 'seed-logmel',
    paramsSchema: z.strictObject({
      filters: positiveInts.optional(),
      denseUnits: z.number().int().positive().optional(),
      dropout: dropout.optional(),
    }),
  },
  'cnn-gru': {
    name: 'cnn-gru',
    label: 'CNN-GRU',
    family: 'neural',
    description: '3 conv blocks (16/32/64) then a GRU(64) over the pooled time axis.',
    features: 'seed-logmel',
    paramsSchema: z.strictObject({ filters: positiveInts.optional(), rnnUnits: z.number().int().positive().optional(), dropout: dropout.optional() }),
  },
  'cnn-lstm': {
    name: 'cnn-lstm',
    label: 'CNN-LSTM',
    family: 'neural',
    description: '3 conv blocks (16/32/64) then an LSTM(64) over the pooled time axis.',
    features: 'seed-logmel',
    paramsSchema: z.strictObject({ filters: positiveInts.optional(), rnnUnits: z.number().int().positive().optional(), dropout: dropout.optional() }),
  },
  bilstm: {
    name: 'bilstm',
    label: 'BiLSTM',
    family: 'neural',
    description: 'Bidirectional LSTM(64) over frames, mean-pooled over time.',
    features: 'seed-logmel',
    paramsSchema: z.strictObject({ units: z.number().int().positive().optional(), dropout: dropout.optional() }),
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
  },
  hybrid: {
    name: 'hybrid',
    label: 'Hybrid CNN + functionals',
    family: 'neural',
    description: 'CNN branch on log-mel + dense branch on prosody/functionals, fused before the softmax.',
    features: 'seed-logmel',
    auxFeatures: 'functionals',
    paramsSchema: z.strictObject({ filters: positiveInts.optional(), auxUnits: z.number().int().min(2).optional(), dropout: dropout.optional() }),
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
  logreg: {
    name: 'logreg',
    label: 'Logistic regression',
    family: 'classical',
    description:
      'Multinomial logistic regression (L2) on utterance functionals; suits thousands of dimensions. C chosen on the validation split by default; optional univariate selection and PCA.',
    features: 'functionals',
    paramsSchema: LogRegParamsSchema,
  },
  'linear-svm': {
    name: 'linear-svm',
    label: 'Linear SVM',
    family: 'classical',
    description:
      'One-vs-rest linear SVM (squared hinge, liblinear-style) on utterance functionals; suits thousands of dimensions. C chosen on the validation split by default; temperature-scaled probabilities.',
    features: 'functionals',
    paramsSchema: LinearSvmParamsSchema,
  },
};

/** The preset registered under `name`; throws a readable error for unknown names. */
export function getModelPresetSpec(name: string): ModelPresetSpec {
  const spec = (MODEL_PRESET_SPECS as Record<string, ModelPresetSpec | undefined>)[name];
  if (!spec) throw new Error(`Unknown model "${name}". Choose one of: ${MODEL_PRESET_NAMES.join(', ')}.`);
  return spec;
}
