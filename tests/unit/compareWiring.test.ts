// The ComParE 2016 feature kind as the rest of the product sees it: the config kind and preset, its checks, the
// vector-kind helper the trainer and run validation use, and computeFeatures/featureNames (resampling included).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAudio } from '../../src-main/core/audio/load';
import { compareFeatureNames, compareFeatures } from '../../src-main/core/features/compare/index';
import { resample } from '../../src-shared/audio/resample';
import { computeFeatures, featureNames } from '../../src-main/core/features/compute';
import { FEATURE_KINDS, FEATURE_PRESETS, isVectorFeatureKind, parseFeatureConfig, VECTOR_FEATURE_KINDS } from '../../src-shared/config/features';
import { parseRunConfig } from '../../src-shared/config/run';
import { RAVDESS_16K, RAVDESS_48K } from '../helpers/shared';

describe('the compare feature kind', () => {
  it('is a vector kind beside prosody and functionals', () => {
    expect(FEATURE_KINDS).toContain('compare');
    expect([...VECTOR_FEATURE_KINDS]).toEqual(['prosody', 'functionals', 'compare']);
    expect(FEATURE_KINDS.filter(isVectorFeatureKind)).toEqual(['prosody', 'functionals', 'compare']);
  });

  it('has a 16 kHz preset and refuses settings it would ignore or cannot honour', () => {
    const c = FEATURE_PRESETS.compare;
    expect(c.kind).toBe('compare');
    expect(c.sampleRate).toBe(16000);
    expect(c.deltas).toBe(0);
    expect(() => parseFeatureConfig({ kind: 'compare', deltas: 1 })).toThrow(
      /deltas: compare computes ComParE's own deltas; deltas must be 0, not 1/,
    );
    expect(() => parseFeatureConfig({ kind: 'compare', sampleRate: 8000, f0Max: 400 })).toThrow(
      /sampleRate: compare needs a sample rate of at least 16000 Hz/,
    );
    expect(parseFeatureConfig({ kind: 'compare', sampleRate: 44100 }).kind).toBe('compare');
  });

  it('goes with classical models only, like the other vector kinds', () => {
    expect(parseRunConfig({ datasetId: 1, model: 'svm', features: 'compare' }).features.kind).toBe('compare');
    expect(() => parseRunConfig({ datasetId: 1, model: 'resnet', features: 'compare' })).toThrow(/needs a time-frequency representation/);
    expect(() => parseRunConfig({ datasetId: 1, model: 'svm', features: 'seed-logmel' })).toThrow(
      /works on utterance-level vectors \("prosody", "functionals", "compare"\), not "logmel"/,
    );
  });

  it('computeFeatures gives the named [6373, 1] vector, from 16 kHz and from 48 kHz audio (resampled to 16 kHz)', async () => {
    const c = FEATURE_PRESETS.compare;
    expect(featureNames(c)).toEqual(compareFeatureNames());
    const a16 = await loadAudio(join(RAVDESS_16K, 'Actor_01', '03-01-07-01-01-02-01.wav'));
    const m = computeFeatures(a16.samples, a16.sampleRate, c);
    expect(m.shape).toEqual([6373, 1]);
    expect(m.names).toEqual(compareFeatureNames());
    expect(m.data.every(Number.isFinite)).toBe(true);
    const a48 = await loadAudio(join(RAVDESS_48K, 'Actor_01', '03-01-07-01-01-02-01.wav'));
    expect(a48.sampleRate).toBe(48000);
    const m48 = computeFeatures(a48.samples, a48.sampleRate, c);
    // 48 kHz input is resampled to the config's 16 kHz first, exactly as for every other kind
    const direct = compareFeatures(resample(a48.samples, 48000, 16000), 16000).values;
    expect(Array.from(m48.data)).toEqual(Array.from(Float32Array.from(direct)));
    // and the same recording gives about the same loudness whichever copy it came from
    const i = m.names!.indexOf('pcm_RMSenergy_sma_amean');
    expect(Math.abs(m48.data[i] - m.data[i])).toBeLessThan(0.05 * m.data[i]);
  });
});
