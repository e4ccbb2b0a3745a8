import { describe, expect, it } from 'vitest';
import { FEATURE_PRESETS } from '../../src-shared/config/features';
import { parseRunConfig } from '../../src-shared/config/run';
import { defaultDraft, draftFromConfig, splitSpec, toRunConfig, type ExperimentDraft } from '../../src-renderer/stores/experiment';

// The Experiments form must produce configs the trainer accepts: the form and RunConfigSchema are
// written by different people, so this pins them together.
function draft(patch: (d: ExperimentDraft) => void): ExperimentDraft {
  const d = defaultDraft();
  d.datasetId = 3;
  d.features = { ...FEATURE_PRESETS['seed-logmel'] };
  patch(d);
  return d;
}

function config(d: ExperimentDraft): Record<string, unknown> {
  const c = toRunConfig(d);
  if (typeof c === 'string') throw new Error(c);
  return c;
}

describe('renderer run config', () => {
  it('the default form is a valid speaker-independent run', () => {
    const parsed = parseRunConfig(config(draft(() => {})));
    expect(parsed.split).toEqual({ kind: 'speaker', testFraction: 0.2, valFraction: 0.15, seed: 42 });
    expect(parsed.model.preset).toBe('resnet');
    expect(parsed.features.nMels).toBe(64);
  });

  it('every option switched on still parses, with the values the form holds', () => {
    const d = draft((d) => {
      d.name = 'all on';
      d.labels = ['angry', 'happy', 'sad'];
      d.split = { ...d.split, speakerMode: 'named', assignment: { '13': 'test', '14': 'test', '12': 'val', '01': 'train' } };
      d.optimizer = 'adamw';
      d.weightDecay = 0.01;
      d.clipNorm = null;
      d.schedule = { kind: 'cosine', factor: 0.5, patience: 3, minLr: 1e-5, warmupEpochs: 2 };
      d.earlyStopping = { on: false, patience: 8 };
      d.balancing = 'focal';
      d.focalGamma = 1.5;
      d.modelParams = '{"dropout": 0.3}';
      for (const a of Object.values(d.augmentation)) a.on = true;
      d.backend = 'wasm';
      d.crossDatasetId = 7;
      d.normalization = 'utterance';
      d.speakerNormalization = true;
      d.speakerAdaptiveBatchNorm = true;
    });
    const parsed = parseRunConfig(config(d));
    expect(parsed.split).toEqual({ kind: 'speaker', testSpeakers: ['13', '14'], valSpeakers: ['12'], seed: 42 });
    expect(parsed.optimizer).toMatchObject({ kind: 'adamw', weightDecay: 0.01, clipNorm: null });
    expect(parsed.schedule).toEqual({ kind: 'cosine', minLr: 1e-5, warmupEpochs: 2 });
    expect(parsed.earlyStopping).toBeNull();
    expect(parsed.balancing).toMatchObject({ loss: 'focal', focalGamma: 1.5, classWeights: false, oversample: false });
    expect(parsed.model.params).toEqual({ dropout: 0.3 });
    expect(parsed.augmentation.specAugment).toMatchObject({ timeMasks: 2, maxFreqWidth: 8 });
    expect(parsed.crossEvaluation).toEqual({ datasetId: 7, labelMap: {} });
    expect(parsed.labels).toEqual(['angry', 'happy', 'sad']);
    expect(parsed.normalization).toBe('utterance');
    expect(parsed.speakerNormalization).toBe(true);
    expect(draftFromConfig(config(d)).speakerNormalization).toBe(true);
    expect(parsed.speakerAdaptiveBatchNorm).toBe(true);
    expect(draftFromConfig(config(d)).speakerAdaptiveBatchNorm).toBe(true);
  });

  it('plain Adam never sends a weight decay (the trainer rejects one set explicitly)', () => {
    const c = config(draft((d) => (d.weightDecay = 0.05)));
    expect(c.optimizer).not.toHaveProperty('weightDecay');
    expect(() => parseRunConfig(c)).not.toThrow();
  });

  it('k-fold, LOSO and random splits parse', () => {
    for (const patch of [
      (d: ExperimentDraft) => (d.split = { ...d.split, kind: 'kfold-speaker', k: 4, fold: 3 }),
      (d: ExperimentDraft) => (d.split = { ...d.split, kind: 'loso', losoSpeaker: '05' }),
      (d: ExperimentDraft) => (d.split = { ...d.split, kind: 'random', testFraction: 0.25 }),
    ]) {
      const parsed = parseRunConfig(config(draft(patch)));
      expect(parsed.split.kind).toBe(draft(patch).split.kind);
    }
  });

  it('incomplete forms say what is missing instead of sending a config', () => {
    expect(toRunConfig(defaultDraft())).toBe('Choose a dataset.');
    expect(splitSpec(draft((d) => (d.split = { ...d.split, speakerMode: 'named' })))).toMatch(/test speaker/);
    expect(splitSpec(draft((d) => (d.split = { ...d.split, kind: 'kfold-speaker', k: 3, fold: 3 })))).toMatch(/Fold must be below k/);
    expect(toRunConfig(draft((d) => (d.modelParams = '{dropout')))).toMatch(/not valid JSON/);
  });

  it('a stored config loads back into the form and produces the same config', () => {
    const d = draft((d) => {
      d.optimizer = 'adamw';
      d.learningRate = 3e-4;
      d.balancing = 'oversample';
      d.augmentation.timeShift.on = true;
      d.split = { ...d.split, kind: 'loso', losoSpeaker: '02', valFraction: 0.1 };
    });
    const c = config(d);
    const again = config(draftFromConfig(c));
    expect({ ...again, name: undefined }).toEqual({ ...c, name: undefined });
  });
});
