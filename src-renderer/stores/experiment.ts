/**
 * The run being set up in the Experiments view. The draft is a run config as RunConfigSchema takes it — the one
 * schema `runs.start` validates with — so the form cannot drift from the core; defaults come from the schema too.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { errorMessage } from '../../src-shared/api/errors';
import { FEATURE_PRESETS, type FeatureConfigInput } from '../../src-shared/config/features';
import { getModelPresetSpec, type ModelPresetName } from '../../src-shared/config/models';
import { defaultRecipeFor, getRecipe, recipeRunConfig } from '../../src-shared/config/recipes';
import { defaultSplit, RunConfigSchema, type RunConfigInput } from '../../src-shared/config/run';
import type { z } from 'zod';
import type { SplitSpecSchema } from '../../src-shared/config/split';

export type SplitSpecInput = z.input<typeof SplitSpecSchema>;

/** Sections the form always holds (a fresh draft and a loaded one both have every default filled in). */
type FormFields =
  | 'optimizer'
  | 'schedule'
  | 'epochs'
  | 'batchSize'
  | 'monitor'
  | 'earlyStopping'
  | 'balancing'
  | 'augmentation'
  | 'normalization'
  | 'speakerNormalization'
  | 'speakerAdaptiveBatchNorm'
  | 'seed'
  | 'backend';

/** The config while the form fills it: the dataset may be unchosen, the model is always {preset, params}. */
export type RunConfigDraft = Omit<RunConfigInput, 'datasetId' | 'model' | 'features' | 'split' | FormFields> &
  Required<Pick<RunConfigInput, FormFields>> & {
    datasetId: number | null;
    model: { preset: ModelPresetName; params?: Record<string, unknown> };
    features: FeatureConfigInput;
    split: SplitSpecInput;
  };

export interface ExperimentDraft {
  config: RunConfigDraft;
  /** The feature preset the settings were seeded from; '' when they came from a stored run. */
  featurePreset: string;
  /** `model.params` as typed (JSON text), parsed when the config is built. */
  modelParamsText: string;
  /** The recipe the settings started from; '' when none (a stored run, or settings from scratch). */
  recipe: string;
}

const DEFAULT_MODEL: ModelPresetName = 'resnet';

/** Every problem zod found, one "path: message" each. */
function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'config'}: ${i.message}`).join('; ');
}

/** A fresh form: the ResNet's recipe (its best known settings, no adaptation) on a speaker-independent split. */
export function defaultDraft(): ExperimentDraft {
  const recipe = defaultRecipeFor(DEFAULT_MODEL);
  const fromRecipe = recipe ? draftFromRecipe(recipe.name) : null;
  if (fromRecipe && typeof fromRecipe !== 'string') return fromRecipe;
  const defaults = RunConfigSchema.parse({ datasetId: 1, model: DEFAULT_MODEL });
  return {
    config: { ...defaults, datasetId: null, model: { preset: DEFAULT_MODEL, params: {} }, features: {}, split: defaultSplit(defaults.seed) },
    featurePreset: getModelPresetSpec(DEFAULT_MODEL).features,
    modelParamsText: '',
    recipe: '',
  };
}

/**
 * The form set to a recipe's settings, keeping from `keep` what the experiment owns (dataset, classes, split, seed,
 * name, adaptation choices and backend), or why the recipe does not parse.
 */
export function draftFromRecipe(name: string, keep?: ExperimentDraft): ExperimentDraft | string {
  const recipe = getRecipe(name);
  const k = keep?.config;
  const over: Record<string, unknown> = { datasetId: k?.datasetId ?? 1 };
  if (k) {
    for (const key of [
      'labels',
      'split',
      'seed',
      'name',
      'speakerNormalization',
      'speakerAdaptiveBatchNorm',
      'backend',
      'extraDatasets',
      'labelMap',
    ] as const) {
      if (k[key] !== undefined) over[key] = k[key];
    }
    // Classical models have no batch norm: the choice cannot carry over to them.
    if (getModelPresetSpec(recipe.model).family !== 'neural') delete over.speakerAdaptiveBatchNorm;
  }
  const next = draftFromConfig(recipeRunConfig(recipe, over));
  if (typeof next === 'string') return next;
  // A named feature preset is filled in here, as the feature form would, so the draft is complete on its own.
  const named = recipe.config.features;
  if (typeof named === 'string' && FEATURE_PRESETS[named])
    next.config.features = JSON.parse(JSON.stringify(FEATURE_PRESETS[named])) as FeatureConfigInput;
  next.config.datasetId = k?.datasetId ?? null;
  next.config.name = k?.name;
  next.recipe = recipe.name;
  return next;
}

/** The run config for `runs.start`, or a readable reason why the draft is not ready. */
export function toRunConfig(d: ExperimentDraft): RunConfigInput | string {
  const { datasetId, labels, split, ...rest } = d.config;
  if (datasetId === null) return 'Choose a dataset.';
  if (split.kind === 'speaker' && split.testSpeakers && !split.testSpeakers.length)
    return 'Choose at least one test speaker (or switch to a fraction of the speakers).';
  let params: Record<string, unknown> = {};
  if (d.modelParamsText.trim()) {
    try {
      const parsed: unknown = JSON.parse(d.modelParamsText);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return 'Model parameters must be a JSON object, e.g. {"dropout": 0.3}.';
      params = parsed as Record<string, unknown>;
    } catch (err) {
      return `Model parameters are not valid JSON: ${errorMessage(err)}`;
    }
  }
  const config: RunConfigInput = {
    ...rest,
    datasetId,
    // An empty class list means every label of the dataset.
    ...(labels?.length ? { labels } : {}),
    model: { preset: d.config.model.preset, params },
    // The form draws the split with the run's seed (one Seed field); studies vary them apart.
    split: { ...withoutEmptyValSpeakers(split), seed: d.config.seed },
  };
  const r = RunConfigSchema.safeParse(config);
  return r.success ? config : describeIssues(r.error);
}

/** No validation speakers named = validation drawn as valFraction of the training speakers. */
function withoutEmptyValSpeakers(split: SplitSpecInput): SplitSpecInput {
  if (split.kind !== 'speaker' || split.valSpeakers?.length) return split;
  const { valSpeakers: _unused, ...rest } = split;
  return rest;
}

/** A draft that reproduces a stored run config ("edit as new run"), or why that config no longer parses. */
export function draftFromConfig(stored: unknown): ExperimentDraft | string {
  const r = RunConfigSchema.safeParse(stored);
  if (!r.success) return `This run's config does not match the current run settings: ${describeIssues(r.error)}`;
  const c = r.data;
  const model = typeof c.model === 'string' ? { preset: c.model, params: {} } : c.model;
  const presetFeatures = getModelPresetSpec(model.preset).features;
  const named = typeof c.features === 'string' ? c.features : c.features === undefined ? presetFeatures : '';
  return {
    config: {
      ...c,
      name: c.name ? `${c.name} (copy)` : undefined,
      model: { preset: model.preset, params: {} },
      // A named preset is applied by the feature form; explicit settings are kept as they were.
      features: typeof c.features === 'object' ? { ...c.features } : {},
      split: c.split ?? defaultSplit(c.seed),
    },
    featurePreset: named,
    modelParamsText: Object.keys(model.params).length ? JSON.stringify(model.params) : '',
    recipe: '',
  };
}

export const useExperiment = defineStore('experiment', () => {
  const draft = ref<ExperimentDraft>(defaultDraft());
  function reset(): void {
    draft.value = defaultDraft();
  }
  /** Sets the form to a recipe, keeping the dataset, split and other experiment choices; returns why it could not, or null. */
  function applyRecipe(name: string): string | null {
    const next = draftFromRecipe(name, draft.value);
    if (typeof next === 'string') return next;
    draft.value = next;
    return null;
  }
  /** Loads a stored config into the form; returns why it could not, or null. */
  function loadConfig(config: unknown): string | null {
    const next = draftFromConfig(config);
    if (typeof next === 'string') return next;
    draft.value = next;
    return null;
  }
  return { draft, reset, loadConfig, applyRecipe };
});
