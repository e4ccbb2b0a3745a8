import { describe, expect, it } from 'vitest';
import { FEATURE_PRESETS } from '../../src-shared/config/features';
import { parseRunConfig, RunConfigSchema, type RunConfigInput } from '../../src-shared/config/run';
import { getRecipe } from '../../src-shared/config/recipes';
import { defaultDraft, draftFromConfig, toRunConfig, type ExperimentDraft } from '../../src-renderer/stores/experiment';

// The Experiments form's draft is a run config as RunConfigSchema takes it; these pin what the form sends
// to what the trainer accepts, and a stored config back into the form.
function draft(patch: (d: ExperimentDraft) => void): ExperimentDraft {
  const d = defaultDraft();
  d.config.datasetId = 3;
  d.config.features = { ...FEATURE_PRESETS['seed-logmel'] };
  patch(d);
  return d;
}

function config(d: ExperimentDraft): RunConfigInput {
  const c = toRunConfig(d);
  if (typeof c === 'string') throw new Error(c);
  return c;
}

describe('renderer run config', () => {
  it("the default form is a valid speaker-independent run: the ResNet recipe, everything else the schema's defaults", () => {
    const parsed = parseRunConfig(config(draft(() => {})));
    expect(parsed.split).toEqual({ kind: 'speaker', testFraction: 0.2, valFraction: 0.15, seed: 42 });
    expect(parsed.model.preset).toBe('resnet');
    expect(parsed.features.nMels).toBe(64);
    // One definition of the defaults: the form holds exactly what the schema fills in for the recipe's config.
    const bare = parseRunConfig({ ...getRecipe('resnet').config, datasetId: 3, features: FEATURE_PRESETS['seed-logmel'] });
    expect(parsed).toEqual(bare);
  });

  it('every option switched on still parses, with the values the form holds', () => {
    const d = draft((d) => {
      const c = d.config;
      c.name = 'all on';
      c.labels = ['angry', 'happy', 'sad'];
      c.split = { kind: 'speaker', testSpeakers: ['13', '14'], valSpeakers: ['12'], valFraction: 0.15, seed: 42 };
      c.optimizer = { kind: 'adamw', learningRate: 3e-4, weightDecay: 0.01, clipNorm: null };
      c.schedule = { kind: 'cosine', minLr: 1e-5, warmupEpochs: 2 };
      c.earlyStopping = null;
      c.balancing = { loss: 'focal', focalGamma: 1.5 };
      d.modelParamsText = '{"dropout": 0.3}';
      c.augmentation = { noise: {}, timeShift: {}, pitchShift: {}, timeStretch: {}, specAugment: {}, mixup: { alpha: 0.4 } };
      c.backend = 'wasm';
      c.crossEvaluation = { datasetId: 7 };
      c.normalization = 'utterance';
      c.speakerNormalization = true;
      c.speakerAdaptiveBatchNorm = true;
      c.weightAveraging = { lastEpochs: 5 };
    });
    const parsed = parseRunConfig(config(d));
    expect(parsed.split).toEqual({ kind: 'speaker', testSpeakers: ['13', '14'], valSpeakers: ['12'], valFraction: 0.15, seed: 42 });
    expect(parsed.optimizer).toMatchObject({ kind: 'adamw', learningRate: 3e-4, weightDecay: 0.01, clipNorm: null });
    expect(parsed.schedule).toEqual({ kind: 'cosine', minLr: 1e-5, warmupEpochs: 2 });
    expect(parsed.earlyStopping).toBeNull();
    expect(parsed.balancing).toEqual({ loss: 'focal', focalGamma: 1.5, classWeights: false, oversample: false });
    expect(parsed.model.params).toEqual({ dropout: 0.3 });
    expect(parsed.augmentation.specAugment).toEqual({ p: 0.8, timeMasks: 2, maxTimeWidth: 10, freqMasks: 2, maxFreqWidth: 8 });
    expect(parsed.augmentation.mixup).toEqual({ p: 1, alpha: 0.4 });
    expect(parsed.crossEvaluation).toEqual({ datasetId: 7, labelMap: {} });
    expect(parsed.labels).toEqual(['angry', 'happy', 'sad']);
    expect(parsed).toMatchObject({
      normalization: 'utterance',
      speakerNormalization: true,
      speakerAdaptiveBatchNorm: true,
      weightAveraging: { lastEpochs: 5 },
    });
  });

  it('k-fold, LOSO and random splits parse, drawn with the run seed', () => {
    for (const split of [
      { kind: 'kfold-speaker', k: 4, fold: 3, seed: 0 },
      { kind: 'loso', speaker: '05', valFraction: 0.1, seed: 0 },
      { kind: 'random', testFraction: 0.25, valFraction: 0.1, seed: 0 },
    ] as const) {
      const parsed = parseRunConfig(config(draft((d) => ((d.config.split = split), (d.config.seed = 9)))));
      expect(parsed.split).toEqual({ ...split, seed: 9 });
    }
  });

  it('incomplete forms say what is missing instead of sending a config', () => {
    expect(toRunConfig(defaultDraft())).toBe('Choose a dataset.');
    expect(toRunConfig(draft((d) => (d.config.split = { kind: 'speaker', testSpeakers: [], seed: 1 })))).toMatch(/at least one test speaker/);
    expect(toRunConfig(draft((d) => (d.config.split = { kind: 'kfold-speaker', k: 3, fold: 3, seed: 1 })))).toBe(
      'split.fold: fold must be below k (0…2)',
    );
    expect(toRunConfig(draft((d) => (d.config.split = { kind: 'loso', speaker: '', seed: 1 })))).toBe(
      'split.speaker: choose the speaker to leave out',
    );
    expect(toRunConfig(draft((d) => (d.config.labels = ['angry'])))).toMatch(/^labels: train on at least two classes/);
    expect(toRunConfig(draft((d) => (d.modelParamsText = '{dropout')))).toMatch(/not valid JSON/);
    expect(toRunConfig(draft((d) => (d.modelParamsText = '{"dropout": 2}')))).toMatch(/^model\.params\.dropout: /);
    expect(toRunConfig(draft((d) => (d.config.model = { preset: 'svm' })))).toMatch(/^features: svm works on utterance-level vectors/);
  });

  it('a stored config loads back into the form and produces the same config', () => {
    const d = draft((d) => {
      d.config.optimizer = { kind: 'adamw', learningRate: 3e-4 };
      d.config.balancing = { oversample: true };
      d.config.augmentation = { timeShift: { p: 0.25 } };
      d.config.split = { kind: 'loso', speaker: '02', valFraction: 0.1, seed: 42 };
      d.modelParamsText = '{"dropout":0.2}';
    });
    const stored = parseRunConfig(config(d));
    const loaded = draftFromConfig(stored);
    if (typeof loaded === 'string') throw new Error(loaded);
    expect(loaded.config.name).toBeUndefined();
    expect(loaded.modelParamsText).toBe('{"dropout":0.2}');
    expect(parseRunConfig(config(loaded))).toEqual(stored);
  });

  it('a stored config that names its presets comes back naming them, and a copy is named as one', () => {
    const loaded = draftFromConfig({ name: 'baseline', datasetId: 2, model: 'svm' });
    if (typeof loaded === 'string') throw new Error(loaded);
    expect(loaded.featurePreset).toBe('functionals');
    expect(loaded.config.name).toBe('baseline (copy)');
    expect(loaded.config.model).toEqual({ preset: 'svm', params: {} });
  });

  it('a stored config the schema no longer accepts is refused with the reason', () => {
    expect(draftFromConfig({ datasetId: 2, model: 'resnet', learningRate: 0.1 })).toMatch(
      /^This run's config does not match the current run settings: config: Unrecognized key/,
    );
    expect(RunConfigSchema.safeParse({ datasetId: 2, model: 'resnet' }).success).toBe(true);
  });
});
