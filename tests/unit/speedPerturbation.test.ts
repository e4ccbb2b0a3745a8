// Speed perturbation (training copies for classical models): the signal played `factor` times faster at the same rate.
// Pinned against sox's `speed` effect (what Kaldi's and most SER papers' speed perturbation run) on a RAVDESS file:
// same length, same spectrum; against a pure tone: the frequency moves by the factor; and the cache keys: a
// perturbed copy never shares an entry with the recording, and the recording's key is what it was before.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { featureConfigHash } from '../../src-main/core/features/configHash';
import { FEATURE_PRESETS } from '../../src-shared/config/features';
import { parseRunConfig } from '../../src-shared/config/run';
import { speedPerturb } from '../../src-shared/audio/speedPerturbation';
import { decodeWavMono, parseWav } from '../../src-shared/audio/wav';
import { RAVDESS_16K } from '../helpers/shared';

const dir = mkdtempSync(join(tmpdir(), 'ser-speed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const readMono = (path: string) => {
  const bytes = new Uint8Array(readFileSync(path));
  return decodeWavMono(bytes, parseWav(bytes, path));
};

/** Magnitude spectrum of `x` in `bands` equal bands up to Nyquist (a direct DFT over a 4096-sample window). */
function bandEnergies(x: Float32Array, start: number, bands: number): number[] {
  const n = 4096;
  const out = new Array<number>(bands).fill(0);
  for (let k = 1; k < n / 2; k++) {
    let re = 0;
    let im = 0;
    for (let t = 0; t < n; t++) {
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * t) / n);
      re += w * x[start + t] * Math.cos((2 * Math.PI * k * t) / n);
      im -= w * x[start + t] * Math.sin((2 * Math.PI * k * t) / n);
    }
    out[Math.floor((k * bands) / (n / 2))] += re * re + im * im;
  }
  return out.map((e) => 10 * Math.log10(e + 1e-12));
}

describe('speedPerturb', () => {
  it('a 440 Hz tone played 1.1× and 0.9× as fast is a 484 Hz and a 396 Hz tone of 1/1.1 and 1/0.9 the length', () => {
    const rate = 16000;
    const tone = Float32Array.from({ length: rate }, (_, i) => Math.sin((2 * Math.PI * 440 * i) / rate));
    for (const factor of [1.1, 0.9]) {
      const y = speedPerturb(tone, rate, factor);
      expect(Math.abs(y.length - rate / factor)).toBeLessThanOrEqual(1);
      // Frequency from upward zero crossings over the middle (edges carry the filter's ramp).
      const mid = y.subarray(1000, y.length - 1000);
      const ups = [];
      for (let i = 1; i < mid.length; i++) if (mid[i - 1] < 0 && mid[i] >= 0) ups.push(i - mid[i - 1] / (mid[i - 1] - mid[i]));
      const hz = ((ups.length - 1) * rate) / (ups.at(-1)! - ups[0]);
      expect(hz).toBeCloseTo(440 * factor, 1);
    }
  });

  it('matches sox `speed` on a RAVDESS file: same length, band spectra within 1 dB where there is energy', () => {
    const file = join(RAVDESS_16K, 'Actor_01', '03-01-05-02-01-01-01.wav');
    const x = readMono(file);
    for (const factor of [0.9, 1.1]) {
      const out = join(dir, `sox-${factor}.wav`);
      execFileSync('sox', [file, '-r', '16000', '-b', '32', '-e', 'floating-point', out, 'speed', String(factor)]);
      const ref = readMono(out);
      const y = speedPerturb(x, 16000, factor);
      expect(Math.abs(y.length - ref.length)).toBeLessThanOrEqual(2);
      // Sample by sample the two resamplers differ in phase and filter; the spectrum of a voiced stretch must agree.
      const at = Math.floor(y.length / 2) - 2048;
      const a = bandEnergies(y, at, 16);
      const b = bandEnergies(ref, at, 16);
      const loud = Math.max(...b);
      for (let i = 0; i < 16; i++) if (b[i] > loud - 40) expect(Math.abs(a[i] - b[i])).toBeLessThan(1);
      // And it is not the unperturbed file: the same window of the original differs by more.
      const orig = bandEnergies(x, at, 16);
      expect(orig.some((e, i) => b[i] > loud - 40 && Math.abs(e - b[i]) > 3)).toBe(true);
    }
  }, 60_000);

  it('factor 1 is the recording itself; factors outside 0.5–2 are refused', () => {
    const x = Float32Array.from([0.1, -0.2, 0.3]);
    expect(speedPerturb(x, 16000, 1)).toBe(x);
    expect(() => speedPerturb(x, 16000, 0.4)).toThrow(/speed factor 0.4 is outside 0.5–2/);
    // The range's ends are in it.
    expect(
      speedPerturb(
        Float32Array.from({ length: 400 }, (_, i) => Math.sin(i / 5)),
        16000,
        0.5,
      ),
    ).toHaveLength(800);
    expect(
      speedPerturb(
        Float32Array.from({ length: 400 }, (_, i) => Math.sin(i / 5)),
        16000,
        2,
      ),
    ).toHaveLength(200);
    expect(() => speedPerturb(x, 16000, 2.001)).toThrow(/speed factor 2.001 is outside/);
    expect(() => speedPerturb(x, 16000, 0.499)).toThrow(/speed factor 0.499 is outside/);
    expect(() => speedPerturb(x, 16000, Number.NaN)).toThrow(/speed factor NaN/);
  });
});

describe('speed in cache keys and run configs', () => {
  it('a perturbed copy has its own cache key; the recording keeps the key it had before speed existed', () => {
    const c = FEATURE_PRESETS.compare;
    expect(featureConfigHash(c, 1)).toBe(featureConfigHash(c));
    expect(featureConfigHash(c, 0.9)).not.toBe(featureConfigHash(c));
    expect(featureConfigHash(c, 0.9)).not.toBe(featureConfigHash(c, 1.1));
    // The key of the unperturbed log-mel seed preset, as stored caches have it.
    expect(featureConfigHash(FEATURE_PRESETS['seed-logmel'])).toBe('4350376f58451bc6');
  });

  it('speedPerturbation: classical models only, speeds in 0.5–2, not 1, no repeats', () => {
    const base = { datasetId: 1, model: 'logreg', features: 'compare' };
    expect(parseRunConfig({ ...base, speedPerturbation: [0.9, 1.1] }).speedPerturbation).toEqual([0.9, 1.1]);
    expect(parseRunConfig(base).speedPerturbation).toBeUndefined();
    expect(() => parseRunConfig({ ...base, speedPerturbation: [1] })).toThrow(/speedPerturbation\.0: speed 1 is the recording itself/);
    expect(() => parseRunConfig({ ...base, speedPerturbation: [0.9, 0.9] })).toThrow(/speedPerturbation: speeds repeat/);
    expect(() => parseRunConfig({ ...base, speedPerturbation: [3] })).toThrow(/speedPerturbation\.0/);
    expect(() => parseRunConfig({ datasetId: 1, model: 'simplecnn', speedPerturbation: [0.9] })).toThrow(
      /speedPerturbation: simplecnn is a network: perturb on the fly with augmentation/,
    );
  });
});
