// Every array in ../shared/reference (librosa 0.10.2) reproduced from its wav, for both configs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAudio } from '../../src-main/core/audio/load';
import { chromaStft } from '../../src-main/core/features/chroma';
import { computeFeatures } from '../../src-main/core/features/compute';
import { parseFeatureConfig } from '../../src-shared/config/features';
import { toBandMajor } from '../../src-main/core/features/frameMatrix';
import { applyMelFilterbank, melFilterbank } from '../../src-main/core/features/mel';
import { rms, spectralCentroid, zeroCrossingRate } from '../../src-main/core/features/spectral';
import { powerSpectrogram } from '../../src-main/core/features/stft';
import { yin } from '../../src-main/core/features/yin';
import { REFERENCE_DIR, SHARED_DIR } from '../helpers/shared';

interface RefArray {
  shape: number[];
  data: number[];
}
interface RefConfig {
  params: { n_fft: number; hop_length: number; n_mels: number; fmax: number | null; htk: boolean; db: { ref: number; amin: number; top_db: number } };
  mel_power: RefArray;
  log_mel_db: RefArray;
  mfcc13: RefArray;
  mfcc40: RefArray;
  mfcc13_delta: RefArray;
  mfcc13_delta2: RefArray;
  chroma_stft: RefArray;
  rms: RefArray;
  zcr: RefArray;
  spectral_centroid: RefArray;
}
interface Reference {
  file: string;
  sample_rate: number;
  num_samples: number;
  mono_first_1000: RefArray;
  features: Record<'seed' | 'librosa_default', RefConfig>;
  yin_f0: RefArray & { params: { fmin: number; fmax: number; frame_length: number; hop_length: number } };
}

const index = JSON.parse(readFileSync(join(REFERENCE_DIR, 'index.json'), 'utf8')) as { file: string; reference: string }[];

/** Largest |a - b|, over the indices `keep` accepts. */
function maxAbs(ours: ArrayLike<number>, ref: RefArray, keep: (i: number) => boolean = () => true): number {
  expect(ours.length).toBe(ref.data.length);
  let m = 0;
  for (let i = 0; i < ours.length; i++) if (keep(i)) m = Math.max(m, Math.abs(ours[i] - ref.data[i]));
  return m;
}

/**
 * Largest |a - b| / |b|. The JSON stores 7 significant digits, so a value is compared relative to
 * max(|b|, floor * max|ref|): exact zeros (digital silence) have no relative error to speak of.
 */
function maxRel(ours: ArrayLike<number>, ref: RefArray, floor = 1e-6): number {
  expect(ours.length).toBe(ref.data.length);
  const scale = Math.max(...ref.data.map(Math.abs)) * floor;
  let m = 0;
  for (let i = 0; i < ours.length; i++) m = Math.max(m, Math.abs(ours[i] - ref.data[i]) / Math.max(Math.abs(ref.data[i]), scale));
  return m;
}

const report: Record<string, Record<string, number>> = {};
function note(name: string, key: string, err: number): number {
  (report[name] ??= {})[key] = Math.max(report[name]?.[key] ?? 0, err);
  return err;
}

describe.each(index)('librosa parity: $file', ({ file, reference }) => {
  let ref: Reference;
  let x: Float32Array;
  let sr: number;

  beforeAll(async () => {
    ref = JSON.parse(readFileSync(join(SHARED_DIR, reference), 'utf8')) as Reference;
    const audio = await loadAudio(join(SHARED_DIR, file));
    x = audio.samples;
    sr = audio.sampleRate;
  });

  it('decodes the same mono signal librosa saw', () => {
    expect(sr).toBe(ref.sample_rate);
    expect(x.length).toBe(ref.num_samples);
    expect(maxAbs(x.subarray(0, 1000), ref.mono_first_1000)).toBeLessThan(1e-7);
  });

  describe.each(['seed', 'librosa_default'] as const)('config %s', (name) => {
    let F: RefConfig;
    let base: Record<string, unknown>;
    beforeAll(() => {
      F = ref.features[name];
      const p = F.params;
      base = {
        sampleRate: sr,
        nFft: p.n_fft,
        hop: p.hop_length,
        nMels: p.n_mels,
        fmax: p.fmax ?? undefined,
        htk: p.htk,
        topDb: p.db.top_db,
        length: { mode: 'variable', maxSeconds: 600 },
      };
    });

    it('mel power within 1e-4 relative', () => {
      const spec = powerSpectrogram(x, F.params.n_fft, F.params.hop_length);
      const fb = melFilterbank(sr, F.params.n_fft, F.params.n_mels, 0, F.params.fmax ?? sr / 2, F.params.htk);
      const mel = toBandMajor(applyMelFilterbank(spec, fb));
      expect(note(name, 'mel_power rel', maxRel(mel, F.mel_power, 1e-12))).toBeLessThan(1e-4);
    });

    it('log-mel within 0.01 dB above the top_db floor', () => {
      const m = computeFeatures(x, sr, parseFeatureConfig({ ...base, kind: 'logmel' }));
      expect(m.shape).toEqual(F.log_mel_db.shape);
      const floor = Math.max(...F.log_mel_db.data) - F.params.db.top_db;
      const above = (i: number) => F.log_mel_db.data[i] > floor + 1e-3;
      expect(note(name, 'log_mel_db abs dB', maxAbs(m.data, F.log_mel_db, above))).toBeLessThan(0.01);
      // Below the floor both sit exactly on it.
      expect(maxAbs(m.data, F.log_mel_db)).toBeLessThan(0.01);
    });

    it('MFCC 13 and 40 within 1e-3, deltas of MFCC 13 within 1e-3 relative', () => {
      const m40 = computeFeatures(x, sr, parseFeatureConfig({ ...base, kind: 'mfcc', nMfcc: 40 }));
      expect(m40.shape).toEqual(F.mfcc40.shape);
      expect(note(name, 'mfcc40 abs', maxAbs(m40.data, F.mfcc40))).toBeLessThan(1e-3);
      const m13 = computeFeatures(x, sr, parseFeatureConfig({ ...base, kind: 'mfcc', nMfcc: 13, deltas: 2 }));
      const frames = m13.shape[1];
      expect(m13.shape).toEqual([39, frames]);
      const rows = (r0: number) => m13.data.subarray(r0 * frames, (r0 + 13) * frames);
      expect(note(name, 'mfcc13 abs', maxAbs(rows(0), F.mfcc13))).toBeLessThan(1e-3);
      // Deltas cross zero; their relative error is taken against 1e-3 of the array's peak.
      expect(note(name, 'mfcc13_delta rel', maxRel(rows(13), F.mfcc13_delta, 1e-3))).toBeLessThan(1e-3);
      expect(note(name, 'mfcc13_delta2 rel', maxRel(rows(26), F.mfcc13_delta2, 1e-3))).toBeLessThan(1e-3);
      note(name, 'mfcc13_delta abs', maxAbs(rows(13), F.mfcc13_delta));
    });

    it('chroma (with librosa tuning estimation) within 1e-3 relative', () => {
      const m = computeFeatures(x, sr, parseFeatureConfig({ ...base, kind: 'chroma' }));
      expect(m.shape).toEqual(F.chroma_stft.shape);
      expect(note(name, 'chroma rel', maxRel(m.data, F.chroma_stft, 1e-3))).toBeLessThan(1e-3);
      // Same numbers through the lower-level function.
      const direct = toBandMajor(chromaStft(powerSpectrogram(x, F.params.n_fft, F.params.hop_length), sr));
      expect(maxAbs(direct, F.chroma_stft)).toBeLessThan(1e-5);
    });

    it('rms, zero-crossing rate and spectral centroid within 1e-3 relative', () => {
      const { n_fft: nFft, hop_length: hop } = F.params;
      expect(note(name, 'rms rel', maxRel(rms(x, nFft, hop), F.rms))).toBeLessThan(1e-3);
      expect(note(name, 'zcr rel', maxRel(zeroCrossingRate(x, nFft, hop), F.zcr))).toBeLessThan(1e-3);
      const centroid = spectralCentroid(powerSpectrogram(x, nFft, hop), sr);
      expect(note(name, 'spectral_centroid rel', maxRel(centroid, F.spectral_centroid))).toBeLessThan(1e-3);
    });
  });

  it('YIN f0 within 1 % on voiced frames', () => {
    const p = ref.yin_f0.params;
    const track = yin(x, sr, { fmin: p.fmin, fmax: p.fmax, frameLength: p.frame_length, hop: p.hop_length });
    expect(track.f0.length).toBe(ref.yin_f0.data.length);
    let voiced = 0;
    let worstVoiced = 0;
    let within = 0;
    for (let t = 0; t < track.f0.length; t++) {
      const err = Math.abs(track.f0[t] - ref.yin_f0.data[t]) / ref.yin_f0.data[t];
      if (err <= 0.01) within++;
      if (track.periodic[t]) {
        voiced++;
        worstVoiced = Math.max(worstVoiced, err);
      }
    }
    expect(voiced).toBeGreaterThan(5);
    expect(note('yin', 'f0 rel (voiced)', worstVoiced)).toBeLessThan(0.01);
    // Unvoiced frames have no true pitch, but the same algorithm lands on the same lag almost everywhere.
    expect(within / track.f0.length).toBeGreaterThan(0.95);
  });
});

describe('parity summary', () => {
  it('prints the worst errors per array', () => {
    process.stdout.write(`feature parity (max over all reference files):\n${JSON.stringify(report, null, 1)}\n`);
    expect(Object.keys(report).length).toBeGreaterThan(0);
  });
});
