// powerToDb against librosa.power_to_db: hand-checked values for ref, amin and top_db, the errors it raises,
// librosa 0.10.2's log_mel_db from its own mel_power, and a configured topDb reaching the log-mel features.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadAudio } from '../../src-main/core/audio/load';
import { computeFeatures } from '../../src-main/core/features/compute';
import { powerToDb } from '../../src-main/core/features/decibels';
import { parseFeatureConfig } from '../../src-shared/config/features';
import { REFERENCE_DIR, SHARED_DIR } from '../helpers/shared';

const db = (p: number[], opts?: Parameters<typeof powerToDb>[1]) => Array.from(powerToDb(Float64Array.from(p), opts));
const close = (values: number[], digits = 10) => values.map((v) => expect.closeTo(v, digits));

describe('powerToDb (librosa.power_to_db)', () => {
  it('is 10 log10(power) with ref 1, amin 1e-10 and an 80 dB range by default', () => {
    // Peak 0 dB: every power within 80 dB keeps its value; 1e-9 (-90 dB) and 0 (the -100 dB amin) sit on -80.
    expect(db([1, 0.1, 1e-3, 0.5, 1e-8])).toEqual(close([0, -10, -30, 10 * Math.log10(0.5), -80]));
    expect(db([1, 1e-9, 0])).toEqual(close([0, -80, -80]));
    // Without the range floor, amin bounds silence (and negative input) at 10 log10(1e-10) = -100 dB.
    expect(db([1, 1e-9, 0, -1, 1e-12], { topDb: null })).toEqual(close([0, -90, -100, -100, -100]));
    expect(db([100, 4e-5], { topDb: null })).toEqual(close([20, 10 * Math.log10(4e-5)]));
    // An explicit undefined is the default, not "no floor".
    expect(db([1, 0], { topDb: undefined })).toEqual(close([0, -80]));
  });

  it('floors at the peak minus a configured topDb, over the whole matrix', () => {
    expect(db([10, 1, 0.01, 1e-4], { topDb: 25 })).toEqual(close([10, 0, -15, -15]));
    expect(db([1, 0.5, 0.001], { topDb: 0 })).toEqual([0, 0, 0]); // no range at all: everything is the peak
    // The peak is the matrix maximum even when it comes last.
    expect(db([1e-6, 1e-3, 1e2], { topDb: 30 })).toEqual(close([-10, -10, 20]));
    // A topDb wider than the data changes nothing.
    expect(db([1, 1e-3], { topDb: 200 })).toEqual(close([0, -30]));
  });

  it('divides by |ref| (floored at amin) and floors the power at amin, as librosa does', () => {
    expect(db([1, 10, 1000], { ref: 10, topDb: null })).toEqual(close([-10, 0, 20]));
    expect(db([1, 10, 1000], { ref: -10, topDb: null })).toEqual(close([-10, 0, 20]));
    expect(db([1, 1e-3], { ref: 1e-3, topDb: null })).toEqual(close([30, 0]));
    // ref 0 (or below amin) counts as amin: 10 log10(1 / 1e-10) = +100 dB.
    expect(db([1, 0], { ref: 0, topDb: null })).toEqual(close([100, 0]));
    expect(db([1], { ref: 1e-20, amin: 1e-10, topDb: null })).toEqual(close([100]));
    // A larger amin raises the floor for silence and for ref alike.
    expect(db([0, 1e-7, 1], { amin: 1e-5, topDb: null })).toEqual(close([-50, -50, 0]));
    expect(db([0, 1e-3], { amin: 1e-3, ref: 0, topDb: null })).toEqual(close([0, 0]));
    // ref and topDb combine: the floor is relative to the referenced peak.
    expect(db([1, 1e-2, 1e-6], { ref: 0.1, topDb: 30 })).toEqual(close([10, -10, -20]));
  });

  it('returns a new array and leaves its input alone', () => {
    const p = Float64Array.from([4, 0, 1]);
    const out = powerToDb(p);
    expect(out).not.toBe(p);
    expect(Array.from(p)).toEqual([4, 0, 1]);
    expect(powerToDb(new Float64Array(0))).toEqual(new Float64Array(0));
    expect(powerToDb(new Float64Array(0), { topDb: null })).toEqual(new Float64Array(0));
  });

  it('refuses amin <= 0 and a negative topDb, naming the value', () => {
    expect(() => powerToDb(Float64Array.from([1]), { amin: 0 })).toThrow('power_to_db: amin must be > 0 (got 0)');
    expect(() => powerToDb(Float64Array.from([1]), { amin: -1e-10 })).toThrow('power_to_db: amin must be > 0 (got -1e-10)');
    expect(() => powerToDb(Float64Array.from([1]), { amin: NaN })).toThrow('power_to_db: amin must be > 0 (got NaN)');
    expect(() => powerToDb(Float64Array.from([1]), { topDb: -1 })).toThrow('power_to_db: topDb must be >= 0 (got -1)');
    expect(() => powerToDb(Float64Array.from([1]), { topDb: NaN })).toThrow('power_to_db: topDb must be >= 0 (got NaN)');
    expect(() => powerToDb(Float64Array.from([1]), { amin: Number.MIN_VALUE, topDb: 0 })).not.toThrow();
  });

  it('is monotone, bounded to [peak - topDb, peak], and exact above the floor (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.double({ min: 0, max: 120, noNaN: true }),
        (power, topDb) => {
          const out = powerToDb(Float64Array.from(power), { topDb });
          const raw = power.map((p) => 10 * Math.log10(Math.max(1e-10, p)));
          const peak = Math.max(...raw);
          for (let i = 0; i < power.length; i++) {
            expect(out[i]).toBeCloseTo(Math.max(raw[i], peak - topDb), 9);
            for (let j = 0; j < power.length; j++) if (power[i] <= power[j]) expect(out[i]).toBeLessThanOrEqual(out[j]);
          }
        },
      ),
      { seed: 20240611, numRuns: 200 },
    );
  });
});

interface RefArray {
  shape: number[];
  data: number[];
}

describe('powerToDb on librosa 0.10.2 mel power', () => {
  const index = JSON.parse(readFileSync(join(REFERENCE_DIR, 'index.json'), 'utf8')) as { file: string; reference: string }[];
  const refs = index.filter((r) => r.file.includes('ravdess-16k'));

  it.each(refs)('reproduces log_mel_db of $file (ref 1, amin 1e-10, top_db 80) and the 80 dB floor binds', ({ reference }) => {
    const ref = JSON.parse(readFileSync(join(SHARED_DIR, reference), 'utf8')) as {
      features: Record<string, { mel_power: RefArray; log_mel_db: RefArray; params: { db: { ref: number; amin: number; top_db: number } } }>;
    };
    for (const F of Object.values(ref.features)) {
      const { ref: r, amin, top_db: topDb } = F.params.db;
      const ours = powerToDb(Float64Array.from(F.mel_power.data), { ref: r, amin, topDb });
      let worst = 0;
      for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - F.log_mel_db.data[i]));
      // mel_power is stored to 7 significant digits: 1e-6 relative is 4e-6 dB.
      expect(worst).toBeLessThan(1e-4);
      const peak = Math.max(...ours);
      const onFloor = ours.filter((v) => v === peak - topDb).length;
      expect(onFloor).toBeGreaterThan(0); // real recordings span more than 80 dB: the floor is exercised
      expect(Math.min(...ours)).toBe(peak - topDb);
      // The defaults are librosa's: the same call without options gives the same matrix.
      expect(powerToDb(Float64Array.from(F.mel_power.data))).toEqual(ours);
    }
  });
});

describe('a configured topDb reaches the log-mel and MFCC features', () => {
  it('sets the dynamic range of log-mel on real speech; null leaves the amin floor', async () => {
    const file = join(SHARED_DIR, 'data/ravdess-16k/Actor_02/03-01-01-01-01-01-02.wav');
    const { samples } = await loadAudio(file, { sampleRate: 16000 });
    const range = (topDb: number | null) => {
      const m = computeFeatures(samples, 16000, parseFeatureConfig({ kind: 'logmel', topDb }));
      return Math.max(...m.data) - Math.min(...m.data);
    };
    expect(range(80)).toBeCloseTo(80, 3);
    expect(range(40)).toBeCloseTo(40, 3);
    expect(range(20)).toBeCloseTo(20, 3);
    expect(range(null)).toBeGreaterThan(80); // this clip spans more than 80 dB, so the default floor binds
    // MFCC is the DCT of the floored log-mel: c0 changes when the range does.
    const c0 = (topDb: number | null) => computeFeatures(samples, 16000, parseFeatureConfig({ kind: 'mfcc', nMfcc: 13, topDb })).data[0];
    expect(c0(40)).toBeGreaterThan(c0(80));
    expect(c0(80)).toBeGreaterThan(c0(null));
  });
});
