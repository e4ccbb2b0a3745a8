import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAudio } from '../../src-main/core/audio/load';
import { cacheEntryPath, readCacheEntry, writeCacheEntry } from '../../src-main/core/features/cache';
import { computeFeatures, featureNames, FeatureInputError } from '../../src-main/core/features/compute';
import { FEATURE_PRESETS, parseFeatureConfig, resolveFeatureConfig, type FeatureConfig } from '../../src-shared/config/features';
import { parseRunConfig, RunConfigSchema } from '../../src-shared/config/run';
import { featureConfigHash, KIND_CODE_VERSIONS } from '../../src-main/core/features/configHash';
import { delta, savgolDerivativeWeights } from '../../src-main/core/features/deltas';
import { padBatch, trimBounds } from '../../src-main/core/features/fitLength';
import { functionalsOf, percentileSorted } from '../../src-main/core/features/functionals';
import { hzToMel, melFilterbank, melToHz } from '../../src-main/core/features/mel';
import { PROSODY_NAMES } from '../../src-main/core/features/prosody';
import { concatChunks } from '../../src-renderer/audio/ring';
import { RAVDESS_16K, RAVDESS_48K } from '../helpers/shared';

const SR = 16000;
const allFinite = (a: Float32Array) => a.every((v) => Number.isFinite(v));
const firstFiles = (actor: string, n: number) =>
  readdirSync(join(RAVDESS_16K, actor))
    .sort()
    .slice(0, n)
    .map((f) => join(RAVDESS_16K, actor, f));

describe('feature config', () => {
  it('presets give the seeds their 64 x 94 log-mel and 40 x 94 MFCC from 3 s of real speech', async () => {
    const { samples } = await loadAudio(firstFiles('Actor_05', 1)[0], { sampleRate: SR });
    expect(samples.length).toBeGreaterThan(3 * SR); // the clip is longer than 3 s: trimmed, not padded
    const logmel = computeFeatures(samples, SR, FEATURE_PRESETS['seed-logmel']);
    expect(logmel.shape).toEqual([64, 94]);
    expect(computeFeatures(samples, SR, FEATURE_PRESETS.mfcc40).shape).toEqual([40, 94]);
    expect(computeFeatures(samples.subarray(0, SR), SR, FEATURE_PRESETS['seed-logmel']).shape).toEqual([64, 94]);
    // 80 dB of range below the loudest cell, as librosa's top_db gives.
    const max = Math.max(...logmel.data);
    expect(Math.min(...logmel.data)).toBeCloseTo(max - 80, 4);
  });

  it('rejects impossible settings with messages that name the values', () => {
    expect(() => parseFeatureConfig({ sampleRate: 16000, fmax: 9000 })).toThrow(/fmax \(9000 Hz\) must not exceed half the sample rate \(8000 Hz/);
    expect(() => parseFeatureConfig({ nFft: 256, nMels: 200 })).toThrow(/nMels \(200\) must not exceed nFft\/2 \(128\)/);
    expect(() => parseFeatureConfig({ nFft: 1000 })).toThrow(/nFft: must be a power of two/);
    expect(() => parseFeatureConfig({ kind: 'mfcc', nMels: 20, nMfcc: 40 })).toThrow(/nMfcc \(40\) must not exceed nMels \(20\)/);
    expect(() => parseFeatureConfig({ kind: 'spectrogram' })).toThrow(/kind/);
    expect(() => parseFeatureConfig({ fmin: 5000, fmax: 4000 })).toThrow(/fmin \(5000 Hz\) must be below fmax/);
  });

  it('refuses unknown keys instead of dropping them, and reads a preset with overrides the same everywhere', () => {
    expect(() => parseFeatureConfig({ kind: 'compare', topdb: 20 })).toThrow(/Unrecognized key: "topdb"/);
    // Before, a run config's { preset, … } lost "preset" silently and became a log-mel config.
    const spec = { preset: 'compare', trim: { topDb: 20 } };
    const run = parseRunConfig({ datasetId: 1, model: 'logreg', features: spec }).features as FeatureConfig;
    expect(run).toEqual(resolveFeatureConfig(spec));
    expect(run).toEqual({ ...FEATURE_PRESETS.compare, trim: { topDb: 20 } });
    expect(featureConfigHash(run)).toBe(
      featureConfigHash(parseFeatureConfig({ kind: 'compare', trim: { topDb: 20 }, length: { mode: 'variable', maxSeconds: 30 } })),
    );
    expect(() => parseRunConfig({ datasetId: 1, model: 'logreg', features: { preset: 'comparee' } })).toThrow(
      /features\.preset: Unknown feature preset "comparee"; presets: seed-logmel/,
    );
    expect(() => resolveFeatureConfig({ preset: 'comparee' })).toThrow(/Unknown feature preset "comparee"/);
    // The API reports schema issues as they are: a custom issue at features.preset.
    const unknown = RunConfigSchema.safeParse({ datasetId: 1, model: 'logreg', features: { preset: 'comparee' } });
    expect(unknown.error?.issues.map((i) => [i.code, i.path.join('.')])).toEqual([['custom', 'features.preset']]);
    expect(() => parseRunConfig({ datasetId: 1, model: 'logreg', features: { preset: 'compare', bogus: 1 } })).toThrow(
      /features: Unrecognized key: "bogus"/,
    );
    expect(() => resolveFeatureConfig({ preset: 'comparee' })).toThrow(/presets: seed-logmel, mfcc40, mfcc13-deltas/);
    expect(() => resolveFeatureConfig({ preset: 3 })).toThrow('Invalid feature config: preset must be a preset name');
    expect(() => parseRunConfig({ datasetId: 1, model: 'logreg', features: { preset: 3 } })).toThrow(
      /features\.preset: Invalid feature config: preset must be a preset name/,
    );
    for (const bad of [null, 7, ['compare']])
      expect(() => resolveFeatureConfig(bad)).toThrow('Invalid feature config: expected a preset name or a config object');
    expect(resolveFeatureConfig('compare')).toEqual(FEATURE_PRESETS.compare);
    expect(resolveFeatureConfig({ kind: 'mfcc', nMfcc: 13 }).nMfcc).toBe(13);
  });

  it('hashes configs by content: key order and explicit defaults do not matter, values do', () => {
    const a = parseFeatureConfig({ kind: 'logmel', nMels: 64, hop: 512 });
    const b = parseFeatureConfig({ hop: 512, nMels: 64, kind: 'logmel', fmax: 8000 });
    expect(featureConfigHash(a)).toBe(featureConfigHash(b));
    expect(featureConfigHash(parseFeatureConfig({ kind: 'logmel', nMels: 40 }))).not.toBe(featureConfigHash(a));
  });

  it("a kind's own code version is in its hash only: bumping ComParE's leaves every log-mel cache entry valid", () => {
    const compare = FEATURE_PRESETS.compare;
    const logmel = FEATURE_PRESETS['seed-logmel'];
    const before = [featureConfigHash(compare), featureConfigHash(logmel)];
    const saved = KIND_CODE_VERSIONS.compare;
    try {
      KIND_CODE_VERSIONS.compare = (saved ?? 0) + 1;
      expect(featureConfigHash(compare)).not.toBe(before[0]);
      expect(featureConfigHash(logmel)).toBe(before[1]);
    } finally {
      KIND_CODE_VERSIONS.compare = saved;
    }
  });
});

describe('DSP pieces', () => {
  it('mel scales invert, and HTK differs from Slaney', () => {
    expect(hzToMel(1000)).toBeCloseTo(15, 10);
    expect(melToHz(hzToMel(4321))).toBeCloseTo(4321, 8);
    expect(hzToMel(1000, true)).toBeCloseTo(1000, 0);
    expect(melToHz(hzToMel(4321, true), true)).toBeCloseTo(4321, 8);
    const slaney = melFilterbank(SR, 1024, 64, 0, 8000);
    const htk = melFilterbank(SR, 1024, 64, 0, 8000, true);
    expect(htk.start[10]).not.toBe(slaney.start[10]);
  });

  it('deltas of a ramp are its slope everywhere (edges included) and delta-deltas are 0', () => {
    const frames = 30;
    const data = new Float64Array(frames * 2);
    for (let t = 0; t < frames; t++) {
      data[t * 2] = 3 * t;
      data[t * 2 + 1] = t * t;
    }
    const d1 = delta({ frames, dims: 2, data }, 1);
    const d2 = delta({ frames, dims: 2, data }, 2);
    for (let t = 0; t < frames; t++) {
      expect(d1.data[t * 2]).toBeCloseTo(3, 10);
      expect(d2.data[t * 2]).toBeCloseTo(0, 10);
      expect(d2.data[t * 2 + 1]).toBeCloseTo(2, 10); // d2/dt2 of t^2
    }
    // librosa's width-9 first-order weights are k/60, k = -4..4.
    expect(Array.from(savgolDerivativeWeights(9, 1)).map((w) => w * 60)).toEqual([-4, -3, -2, -1, 0, 1, 2, 3, 4].map((k) => expect.closeTo(k, 10)));
  });

  it('functionals: numpy-style percentiles, slope per second, zeros when nothing is selected', () => {
    expect(percentileSorted([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentileSorted([1, 2, 3, 4, 5], 20)).toBeCloseTo(1.8, 12);
    const [mean, std, min, max, , p50, , , slope] = functionalsOf([1, 3, 5, 7], [0, 0.5, 1, 1.5]);
    expect([mean, std, min, max, p50, slope]).toEqual([4, Math.sqrt(5), 1, 7, 4, 4]);
    expect(functionalsOf([1, 2], [0, 1], [0, 0]).every((v) => v === 0)).toBe(true);
  });
});

describe('bad input gets a clear error or a defined result', () => {
  it('silence: log-mel on the amin floor (-100 dB), chroma 0, nothing voiced, no NaN anywhere', () => {
    const silence = new Float32Array(2 * SR);
    const logmel = computeFeatures(silence, SR, FEATURE_PRESETS['seed-logmel']);
    expect(logmel.data.every((v) => v === -100)).toBe(true);
    expect(allFinite(computeFeatures(silence, SR, FEATURE_PRESETS['mfcc13-deltas']).data)).toBe(true);
    expect(computeFeatures(silence, SR, FEATURE_PRESETS.chroma).data.every((v) => v === 0)).toBe(true);
    const prosody = computeFeatures(silence, SR, FEATURE_PRESETS.prosody);
    expect(allFinite(prosody.data)).toBe(true);
    expect(prosody.data[PROSODY_NAMES.indexOf('voiced_fraction')]).toBe(0);
    expect(allFinite(computeFeatures(silence, SR, FEATURE_PRESETS.functionals).data)).toBe(true);
  });

  it('audio shorter than one frame: centred zero padding gives 1 + floor(n / hop) finite frames', () => {
    const short = new Float32Array(100).map((_, i) => Math.sin(i / 3) * 0.1);
    const cfg = parseFeatureConfig({ kind: 'mfcc', nMfcc: 13, deltas: 2 });
    const m = computeFeatures(short, SR, cfg);
    expect(m.shape).toEqual([39, 1]);
    expect(allFinite(m.data)).toBe(true);
    expect(Array.from(m.data.subarray(13))).toEqual(new Array(26).fill(0)); // no slope from one frame
    for (const kind of ['logmel', 'chroma', 'prosody', 'functionals'] as const) {
      expect(allFinite(computeFeatures(short, SR, parseFeatureConfig({ kind })).data)).toBe(true);
    }
  });

  it('NaN, Inf and empty audio are refused with the position', () => {
    const x = new Float32Array(4000);
    x[1600] = NaN;
    expect(() => computeFeatures(x, SR, FEATURE_PRESETS.mfcc40)).toThrow(FeatureInputError);
    expect(() => computeFeatures(x, SR, FEATURE_PRESETS.mfcc40)).toThrow(/non-finite sample \(NaN\) at index 1600 \(0\.100 s\)/);
    x[1600] = Infinity;
    expect(() => computeFeatures(x, SR, FEATURE_PRESETS.mfcc40)).toThrow(/Infinity/);
    expect(() => computeFeatures(new Float32Array(0), SR, FEATURE_PRESETS.mfcc40)).toThrow(/empty/);
  });
});

describe('utterance-level features on real speech', () => {
  it('prosody separates male (Actor_01) from female (Actor_02) voices', async () => {
    const f0 = async (actor: string) => {
      const values: number[] = [];
      for (const file of firstFiles(actor, 4)) {
        const { samples } = await loadAudio(file, { sampleRate: SR });
        const m = computeFeatures(samples, SR, FEATURE_PRESETS.prosody);
        expect(m.names).toEqual([...PROSODY_NAMES]);
        expect(allFinite(m.data)).toBe(true);
        expect(m.data[PROSODY_NAMES.indexOf('voiced_fraction')]).toBeGreaterThan(0.05);
        values.push(m.data[0]);
      }
      return values.reduce((a, b) => a + b) / values.length;
    };
    const male = await f0('Actor_01');
    const female = await f0('Actor_02');
    expect(male).toBeGreaterThan(80);
    expect(male).toBeLessThan(180);
    expect(female).toBeGreaterThan(180);
    expect(female).toBeLessThan(320);
  });

  it('functionals: one named, finite value per dimension', async () => {
    const { samples } = await loadAudio(firstFiles('Actor_03', 1)[0], { sampleRate: SR });
    const cfg = FEATURE_PRESETS.functionals;
    const m = computeFeatures(samples, SR, cfg);
    expect(m.shape).toEqual([featureNames(cfg)!.length, 1]);
    expect(m.names).toEqual(featureNames(cfg));
    expect(new Set(m.names).size).toBe(m.names!.length);
    expect(m.names).toContain('mfcc0_mean');
    expect(m.names).toContain('f0_st_p50');
    expect(m.names).toContain('hnr_db');
    expect(allFinite(m.data)).toBe(true);
  });

  it('resamples 48 kHz input to the config rate', async () => {
    const file = readdirSync(join(RAVDESS_48K, 'Actor_01')).sort()[0];
    const a48 = await loadAudio(join(RAVDESS_48K, 'Actor_01', file));
    expect(a48.sampleRate).toBe(48000);
    const m = computeFeatures(a48.samples, 48000, FEATURE_PRESETS['seed-logmel']);
    expect(m.shape).toEqual([64, 94]);
    const a16 = await loadAudio(join(RAVDESS_48K, 'Actor_01', file), { sampleRate: SR });
    const ref = computeFeatures(a16.samples, SR, FEATURE_PRESETS['seed-logmel']);
    let worst = 0;
    for (let i = 0; i < m.data.length; i++) if (ref.data[i] > -60) worst = Math.max(worst, Math.abs(m.data[i] - ref.data[i]));
    expect(worst).toBeLessThan(0.01);
  });
});

describe('silence trimming (librosa.effects.trim)', () => {
  const tone = (seconds: number, amp: number) =>
    Float32Array.from({ length: Math.round(seconds * SR) }, (_, i) => amp * Math.sin((2 * Math.PI * 220 * i) / SR));

  it('keeps the frames within topDb of the loudest, on librosa frame boundaries', () => {
    // 0.5 s silence, 1 s tone (samples 8000..24000), 0.5 s silence. Centred 2048-sample frames every 512: frame 14
    // (6144..8192) is the first to reach the tone, frame 48 (23552..25600) the last.
    const x = concatChunks([new Float32Array(SR / 2), tone(1, 0.5), new Float32Array(SR / 2)]);
    expect(trimBounds(x, 60)).toEqual([14 * 512, 49 * 512]);
    // A murmur 70 dB down is silence at top_db 60 but not at 80.
    const murmur = concatChunks([tone(0.5, 0.5 * 10 ** (-70 / 20)), tone(1, 0.5)]);
    expect(trimBounds(murmur, 60)[0]).toBeGreaterThan(0.4 * SR);
    expect(trimBounds(murmur, 80)[0]).toBe(0);
  });

  it('trims RAVDESS leading silence before the fixed window, and is off unless asked for', async () => {
    const { samples } = await loadAudio(firstFiles('Actor_05', 1)[0], { sampleRate: SR });
    // RAVDESS clips open with ~1 s of room noise about 50 dB below the speech peak: kept at librosa's default 60 dB,
    // cut at 30 dB.
    expect(trimBounds(samples, 60)[0]).toBeLessThan(0.1 * SR);
    const [start, end] = trimBounds(samples, 30);
    expect(start).toBeGreaterThan(0.5 * SR);
    expect(end).toBeLessThan(samples.length - 0.3 * SR);
    const plain = parseFeatureConfig({ kind: 'logmel', length: { mode: 'fixed', seconds: 3 } });
    const trimmed = parseFeatureConfig({ ...plain, trim: { topDb: 30 } });
    expect(featureConfigHash(plain)).toBe(featureConfigHash(parseFeatureConfig({ kind: 'logmel', length: { mode: 'fixed', seconds: 3 } })));
    expect(featureConfigHash(trimmed)).not.toBe(featureConfigHash(plain));
    const a = computeFeatures(samples, SR, plain);
    const b = computeFeatures(samples, SR, trimmed);
    expect(b.shape).toEqual(a.shape);
    // The trimmed window starts on speech: its first half second (16 frames) is far louder than the untrimmed one's.
    const frameEnergy = (m: { shape: [number, number]; data: Float32Array }) => {
      let s = 0;
      for (let r = 0; r < m.shape[0]; r++) for (let t = 0; t < 16; t++) s += m.data[r * m.shape[1] + t];
      return s / m.shape[0] / 16;
    };
    expect(frameEnergy(b)).toBeGreaterThan(frameEnergy(a) + 10);
    expect(() => parseFeatureConfig({ ...plain, trim: { topDb: -1 } })).toThrow(/trim.topDb/);
  });
});

describe('variable length with a mask', () => {
  it('keeps each clip natural length and pads a batch with a frame mask', async () => {
    const cfg = parseFeatureConfig({ kind: 'logmel', length: { mode: 'variable', maxSeconds: 10 } });
    const items = [];
    for (const file of firstFiles('Actor_04', 3)) {
      const { samples } = await loadAudio(file, { sampleRate: SR });
      const m = computeFeatures(samples, SR, cfg);
      expect(m.shape[1]).toBe(1 + Math.floor(samples.length / 512));
      items.push(m);
    }
    const batch = padBatch(items);
    const longest = Math.max(...items.map((m) => m.shape[1]));
    expect(batch.frames).toBe(longest);
    items.forEach((m, i) => {
      const mask = batch.mask.subarray(i * longest, (i + 1) * longest);
      expect(mask.reduce((a, b) => a + b, 0)).toBe(m.shape[1]);
      expect(batch.data[(i * 64 + 5) * longest + 3]).toBe(m.data[5 * m.shape[1] + 3]);
    });
    const trimmed = computeFeatures(new Float32Array(20 * SR), SR, cfg);
    expect(trimmed.shape[1]).toBe(1 + Math.floor((10 * SR) / 512));
  });
});

describe('feature cache files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ser-fcache-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips float32 matrices and refuses damaged entries', () => {
    const path = cacheEntryPath(dir, 'cfg', 'abcdef0123');
    const data = Float32Array.from({ length: 6 }, (_, i) => i * 0.5 - 1);
    writeCacheEntry(path, { shape: [2, 3], data });
    expect(readCacheEntry(path)).toEqual({ shape: [2, 3], data });
    writeFileSync(path, Buffer.from('not a cache entry'));
    expect(readCacheEntry(path)).toBeNull();
    expect(readCacheEntry(join(dir, 'missing.f32'))).toBeNull();
  });
});
