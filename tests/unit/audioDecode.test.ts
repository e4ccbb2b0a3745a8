import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioDecodeError, loadAudio } from '../../src-main/core/audio/load';
import { probeAudio } from '../../src-main/core/audio/decode';
import { hashFileSync } from '../../src-main/core/audio/hash';
import {
  generateBrokenFixtures,
  generateFormatFixtures,
  makeTempDir,
  removeDir,
  soxDecode,
  type BrokenFixture,
  type FormatFixture,
} from '../helpers/fixtures';
import { RAVDESS_16K, RAVDESS_48K, REFERENCE_DIR } from '../helpers/shared';

let dir: string;
let fixtures: FormatFixture[];
let broken: BrokenFixture[];

beforeAll(() => {
  dir = makeTempDir('ser-audio-');
  fixtures = generateFormatFixtures(dir);
  broken = generateBrokenFixtures(join(dir, 'broken'));
});
afterAll(() => removeDir(dir));

/** Share of the power in [0.15 s, 0.35 s) that sits at `hz` (1 for a pure tone; lossy codecs shift it by their delay). */
function toneShare(x: Float32Array, sampleRate: number, hz: number): number {
  const from = Math.round(0.15 * sampleRate);
  const to = Math.round(0.35 * sampleRate);
  let c = 0;
  let s = 0;
  let p = 0;
  for (let i = from; i < to; i++) {
    const w = (2 * Math.PI * hz * i) / sampleRate;
    c += x[i] * Math.cos(w);
    s += x[i] * Math.sin(w);
    p += x[i] * x[i];
  }
  const n = to - from;
  return (2 * (c * c + s * s)) / (n * n) / (p / n);
}

describe('loadAudio decodes every supported format', () => {
  it('reads rate, channels and duration from each file', async () => {
    for (const f of fixtures) {
      const a = await loadAudio(f.path);
      expect(a.originalSampleRate, f.name).toBe(f.sampleRate);
      expect(a.sampleRate, f.name).toBe(f.sampleRate);
      expect(a.channels, f.name).toBe(f.channels);
      // Lossy codecs add encoder delay/padding frames; lossless files are exact.
      expect(Math.abs(a.duration - f.duration), f.name).toBeLessThan(f.lossless ? 1e-9 : 0.12);
      expect(a.samples.length, f.name).toBe(Math.round(a.duration * f.sampleRate));
    }
  });

  it('matches sox sample for sample on lossless files (mono = mean of channels)', async () => {
    for (const f of fixtures.filter((x) => x.lossless)) {
      const a = await loadAudio(f.path);
      const chans = soxDecode(f.path, f.channels);
      let maxDiff = 0;
      for (let i = 0; i < a.samples.length; i++) {
        let mean = 0;
        for (const ch of chans) mean += ch[i];
        mean /= chans.length;
        maxDiff = Math.max(maxDiff, Math.abs(a.samples[i] - mean));
      }
      expect(maxDiff, f.name).toBeLessThan(1e-6);
    }
  });

  it('keeps the tone of lossy files (MP3, OGG/Vorbis, M4A/AAC)', async () => {
    for (const f of fixtures.filter((x) => !x.lossless)) {
      const a = await loadAudio(f.path);
      expect(['mp3', 'ogg', 'm4a']).toContain(a.format);
      expect(toneShare(a.samples, a.sampleRate, 440), f.name).toBeGreaterThan(0.95);
      expect(toneShare(a.samples, a.sampleRate, 500), f.name).toBeLessThan(0.05);
    }
  });

  it('downmixes two different channels rather than keeping one', async () => {
    const f = fixtures.find((x) => x.name === 's16-stereo.wav')!;
    const a = await loadAudio(f.path);
    const [left, right] = soxDecode(f.path, 2);
    let dl = 0;
    let dr = 0;
    for (let i = 0; i < a.samples.length; i++) {
      dl = Math.max(dl, Math.abs(a.samples[i] - left[i]));
      dr = Math.max(dr, Math.abs(a.samples[i] - right[i]));
    }
    expect(dl).toBeGreaterThan(0.1);
    expect(dr).toBeGreaterThan(0.1);
  });

  it('resamples any format to a target rate', async () => {
    for (const f of fixtures) {
      const orig = await loadAudio(f.path);
      const n = orig.samples.length;
      const a = await loadAudio(f.path, { sampleRate: 16000 });
      expect(a.sampleRate).toBe(16000);
      expect(a.originalSampleRate).toBe(f.sampleRate);
      expect(a.samples.length, f.name).toBe(Math.floor((n * 16000 + f.sampleRate - 1) / f.sampleRate));
      // The 440 Hz part (all of a mono tone, half of a two-tone stereo mix) survives resampling.
      const share = toneShare(orig.samples, orig.sampleRate, 440);
      expect(share, f.name).toBeGreaterThan(0.45);
      expect(Math.abs(toneShare(a.samples, 16000, 440) - share), f.name).toBeLessThan(0.02);
    }
  });

  it('probeAudio agrees with a full decode', async () => {
    for (const f of fixtures) {
      const p = await probeAudio(readFileSync(f.path), f.path);
      const a = await loadAudio(f.path);
      expect(p.sampleRate, f.name).toBe(a.originalSampleRate);
      expect(p.channels, f.name).toBe(a.channels);
      expect(p.frames, f.name).toBe(a.samples.length);
    }
  });
});

describe('real RAVDESS recordings', () => {
  const refFile = join(REFERENCE_DIR, 'data__ravdess-48k__Actor_01__03-01-08-01-02-02-01.json');
  const ref = JSON.parse(readFileSync(refFile, 'utf8')) as {
    num_samples: number;
    channels: number;
    mono_sum: number;
    mono_first_1000: { data: number[] };
  };
  const stereo48k = join(RAVDESS_48K, 'Actor_01', '03-01-08-01-02-02-01.wav');

  it('decodes the stereo 48 kHz original exactly like librosa (mean of channels, int16 / 32768)', async () => {
    const a = await loadAudio(stereo48k);
    expect(a.channels).toBe(ref.channels);
    expect(a.samples.length).toBe(ref.num_samples);
    let sum = 0;
    for (const v of a.samples) sum += v;
    expect(sum).toBeCloseTo(ref.mono_sum, 9);
    for (let i = 0; i < 1000; i++) expect(Math.abs(a.samples[i] - ref.mono_first_1000.data[i])).toBeLessThan(1e-9);
  });

  it('reads 16 kHz mono files at their rate', async () => {
    const a = await loadAudio(join(RAVDESS_16K, 'Actor_02', '03-01-01-01-01-01-02.wav'));
    expect(a.sampleRate).toBe(16000);
    expect(a.channels).toBe(1);
    expect(a.duration).toBeGreaterThan(2);
    expect(a.duration).toBeLessThan(6);
  });

  it('hashes file contents with SHA-1', () => {
    expect(hashFileSync(stereo48k)).toMatch(/^[0-9a-f]{40}$/);
    expect(hashFileSync(stereo48k)).not.toBe(hashFileSync(join(RAVDESS_48K, 'Actor_01', '03-01-02-01-01-02-01.wav')));
  });
});

describe('broken files', () => {
  it('each throws AudioDecodeError naming the file and the reason', async () => {
    expect(broken.length).toBeGreaterThanOrEqual(8);
    for (const b of broken) {
      const err = await loadAudio(b.path).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, b.path).toBeInstanceOf(AudioDecodeError);
      const e = err as AudioDecodeError;
      expect(e.file).toBe(b.path);
      expect(e.reason, b.path).toMatch(b.reason);
      expect(e.message).toContain(b.path);
    }
  });

  it('probeAudio flags the same files at import time', async () => {
    for (const b of broken) {
      await expect(probeAudio(readFileSync(b.path), b.path), b.path).rejects.toThrow(b.reason);
    }
  });

  it('a missing file is an AudioDecodeError too', async () => {
    await expect(loadAudio(join(dir, 'nope.wav'))).rejects.toThrow(/file not found/);
  });
});
