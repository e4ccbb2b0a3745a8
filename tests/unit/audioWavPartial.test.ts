import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WHOLE_READ_BYTES } from '../../src-main/core/audio/byteSource';
import { decodeAudioBytes, loadAudio } from '../../src-main/core/audio/load';
import { extractFile } from '../../src-main/core/features/extractFile';
import { computeFeatures } from '../../src-main/core/features/compute';
import { featureConfigHash } from '../../src-main/core/features/configHash';
import { samplesUsed, samplesUsedAt } from '../../src-main/core/features/fitLength';
import { AudioDecodeError } from '../../src-shared/audio/decodeError';
import { inputSamplesFor, resample } from '../../src-shared/audio/resample';
import { encodeWav, parseWav, WavHeaderBeyondPrefix } from '../../src-shared/audio/wav';
import { FEATURE_PRESETS, parseFeatureConfig } from '../../src-shared/config/features';
import { mulberry32 } from '../../src-main/core/mulberry32';
import { RAVDESS_16K, RAVDESS_48K } from '../helpers/shared';

// Issue 18, bounded work per file: a WAV header parsed from the first bytes of a file, only the frames a feature
// config reads decoded (bit-identical to decoding everything and trimming), and large files read by range.

const MONO_16K = join(RAVDESS_16K, 'Actor_01', '03-01-05-01-01-01-01.wav');
const STEREO_48K = join(RAVDESS_48K, 'Actor_01', '03-01-02-01-01-02-01.wav');

/** What parseWav throws, or 'parsed'. */
function outcome(bytes: Uint8Array, fileSize: number): string | number {
  try {
    parseWav(bytes, 'x.wav', fileSize);
    return 'parsed';
  } catch (err) {
    if (err instanceof WavHeaderBeyondPrefix) return err.needed;
    if (err instanceof AudioDecodeError) return err.reason;
    throw err;
  }
}

/** A 16-bit mono WAV with `junk` bytes of an unknown chunk between fmt and data. */
function wavWithJunk(samples: number, junk: number): Uint8Array {
  const plain = encodeWav(
    new Float32Array(samples).map((_, i) => Math.sin(i / 5) / 2),
    16000,
  );
  const out = new Uint8Array(plain.length + 8 + junk);
  out.set(plain.subarray(0, 36));
  out.set([0x6a, 0x75, 0x6e, 0x6b], 36); // 'junk'
  new DataView(out.buffer).setUint32(40, junk, true);
  out.set(plain.subarray(36), 44 + junk);
  new DataView(out.buffer).setUint32(4, out.length - 8, true);
  return out;
}

describe('parseWav on the first bytes of a file', () => {
  const wav = encodeWav(new Float32Array(100), 16000); // 44-byte header, data 200 bytes

  it('parses from the header alone, sizes checked against the whole file', () => {
    expect(parseWav(wav.subarray(0, 44), 'x.wav', wav.length)).toMatchObject({ dataOffset: 44, frames: 100, dataBytes: 200 });
    // The data chunk declares 200 bytes: a file one byte short is truncated, the exact size is not.
    expect(outcome(wav.subarray(0, 44), 243)).toBe('truncated: data chunk declares 200 bytes but only 199 are present');
    expect(outcome(wav.subarray(0, 44), 244)).toBe('parsed');
  });

  it('asks for more bytes exactly where the header continues past them', () => {
    expect(outcome(wav.subarray(0, 11), wav.length)).toBe(12);
    expect(outcome(wav.subarray(0, 12), wav.length)).toBe(20); // the fmt chunk's id and size
    expect(outcome(wav.subarray(0, 19), wav.length)).toBe(20);
    expect(outcome(wav.subarray(0, 20), wav.length)).toBe(36); // its 16-byte body
    expect(outcome(wav.subarray(0, 35), wav.length)).toBe(36);
    expect(outcome(wav.subarray(0, 36), wav.length)).toBe(44); // the data chunk's id and size
    expect(outcome(wav.subarray(0, 43), wav.length)).toBe(44);
    expect(outcome(wav.subarray(0, 44), wav.length)).toBe('parsed');
  });

  it('asks for the SubFormat of an extensible fmt chunk only when the file has it', () => {
    const ext = new Uint8Array(12 + 8 + 40 + 8 + 4);
    ext.set(wav.subarray(0, 12));
    ext.set([0x66, 0x6d, 0x74, 0x20], 12);
    const v = new DataView(ext.buffer);
    v.setUint32(16, 40, true);
    v.setUint16(20, 0xfffe, true);
    v.setUint16(22, 1, true);
    v.setUint32(24, 16000, true);
    v.setUint16(32, 2, true);
    v.setUint16(34, 16, true);
    v.setUint16(44, 1, true); // SubFormat: PCM
    ext.set([0x64, 0x61, 0x74, 0x61], 60);
    v.setUint32(64, 4, true);
    expect(outcome(ext.subarray(0, 45), ext.length)).toBe(46);
    expect(outcome(ext.subarray(0, 46), ext.length)).toBe(68);
    expect(parseWav(ext.subarray(0, 68), 'x.wav', ext.length)).toMatchObject({ encoding: 'pcm', frames: 2 });
    // Cut inside the SubFormat: too short, whatever was read.
    expect(outcome(ext.subarray(0, 36), 45)).toBe('WAVE_FORMAT_EXTENSIBLE fmt chunk too short');
    expect(outcome(ext.subarray(0, 36), 46)).toBe(46);
  });

  it('judges empty, short and truncated files by the file size, not by the bytes read', () => {
    expect(outcome(new Uint8Array(0), 0)).toBe('empty file (0 bytes)');
    expect(outcome(wav.subarray(0, 11), 11)).toBe('too short to be a WAV file (11 bytes)');
    expect(outcome(wav.subarray(0, 12), 12)).toBe('no fmt chunk (not a valid WAV file)');
    expect(outcome(wav.subarray(0, 20), 35)).toBe('truncated inside the fmt chunk');
    expect(outcome(wav.subarray(0, 20), 36)).toBe(36);
    // A chunk header that would end past the file is never asked for.
    expect(outcome(wav.subarray(0, 36), 43)).toBe('no data chunk (truncated or not a valid WAV file)');
  });

  it('a data chunk header ending exactly at the end of the file is read (zero-length), not missed', () => {
    expect(outcome(wav.subarray(0, 44), 44)).toBe('truncated: data chunk declares 200 bytes but only 0 are present');
  });

  it('asks in words a developer can act on (it never reaches a user)', () => {
    const err = new WavHeaderBeyondPrefix(12);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('WavHeaderBeyondPrefix');
    expect(err.message).toBe('the WAV header continues past the bytes read; read at least 12 bytes');
    expect(err.needed).toBe(12);
  });

  it('an unknown data size takes the frames the whole file holds', () => {
    const open = wav.slice();
    new DataView(open.buffer).setUint32(40, 0xffffffff, true);
    expect(parseWav(open.subarray(0, 44), 'x.wav', 44 + 2 * 1_000_000 + 1)).toMatchObject({ frames: 1_000_000, dataBytes: 2_000_000 });
  });
});

describe('inputSamplesFor: the input that fixes the first outputs of resample', () => {
  it('is 0 for no output, the count itself at equal rates', () => {
    expect(inputSamplesFor(0, 48000, 16000)).toBe(0);
    expect(inputSamplesFor(-3, 48000, 16000)).toBe(0);
    expect(inputSamplesFor(1, 16000, 16000)).toBe(1);
    expect(inputSamplesFor(48000, 16000, 16000)).toBe(48000);
  });

  it('reaches half the filter past the last output (10 zero-crossings)', () => {
    // 48 -> 16 kHz: up 1, down 3, half length 30 input samples.
    expect(inputSamplesFor(1, 48000, 16000)).toBe(31);
    expect(inputSamplesFor(2, 48000, 16000)).toBe(34);
    expect(inputSamplesFor(48000, 48000, 16000)).toBe(47999 * 3 + 31);
    // 16 -> 48 kHz: up 3, down 1, half length 30 output-rate taps = 10 input samples.
    expect(inputSamplesFor(1, 16000, 48000)).toBe(11);
    expect(inputSamplesFor(4, 16000, 48000)).toBe(12);
    // 44.1 -> 16 kHz: up 160, down 441, half length 4410.
    expect(inputSamplesFor(1, 44100, 16000)).toBe(28);
    expect(inputSamplesFor(100, 44100, 16000)).toBe(Math.floor((99 * 441 + 4410) / 160) + 1);
  });

  it('gives bit-identical outputs; one sample fewer changes the last one where its tap is not a zero of the sinc', () => {
    const rand = mulberry32(7);
    const x = Float32Array.from({ length: 20_000 }, () => rand() - 0.5);
    const fewer: string[] = [];
    for (const [from, to] of [
      [48000, 16000],
      [16000, 48000],
      [44100, 16000],
      [22050, 16000],
      [16051, 16000],
      [8000, 16000],
    ]) {
      const full = resample(x, from, to);
      for (const m of [1, 17, 1000]) {
        const k = inputSamplesFor(m, from, to);
        expect(k, `${from}->${to} m ${m}`).toBeLessThan(x.length);
        const part = resample(x.subarray(0, k), from, to);
        expect(part.length).toBeGreaterThanOrEqual(m);
        expect(part.subarray(0, m), `${from}->${to} m ${m}`).toEqual(full.subarray(0, m));
        fewer.push(`${from}->${to} m ${m}: ${resample(x.subarray(0, k - 1), from, to)[m - 1] === full[m - 1] ? 'same' : 'differs'}`);
      }
    }
    // At fractional ratios the last tap read is never a zero of the sinc, so the bound is tight there.
    expect(fewer.filter((f) => /^(44100|22050|16051)->/.test(f) && f.endsWith('same'))).toEqual([]);
    expect(fewer.filter((f) => f.endsWith('differs')).length).toBeGreaterThanOrEqual(11);
  });
});

describe('samplesUsed: what a feature config reads from the start of a file', () => {
  it('is the fixed window or maxSeconds at the config rate, null when trimming needs the whole file', () => {
    expect(samplesUsed(FEATURE_PRESETS['seed-logmel'])).toBe(48000);
    expect(samplesUsed(FEATURE_PRESETS.prosody)).toBe(30 * 16000);
    expect(samplesUsed(parseFeatureConfig({ length: { mode: 'fixed', seconds: 1.00003 } }))).toBe(16000);
    expect(samplesUsed(parseFeatureConfig({ length: { mode: 'fixed', seconds: 1.00004 } }))).toBe(16001);
    expect(samplesUsed(parseFeatureConfig({ length: { mode: 'fixed', seconds: 3 }, trim: { topDb: 60 } }))).toBeNull();
  });

  it('for several configs at one rate: the most any reads, resampling included', () => {
    const seed = FEATURE_PRESETS['seed-logmel'];
    const at8k = parseFeatureConfig({ sampleRate: 8000, fmax: 4000, length: { mode: 'fixed', seconds: 4 } });
    expect(samplesUsedAt(16000, [seed])).toBe(48000);
    expect(samplesUsedAt(16000, [seed, FEATURE_PRESETS.prosody])).toBe(480000);
    expect(samplesUsedAt(16000, [seed, at8k])).toBe(inputSamplesFor(32000, 16000, 8000));
    expect(samplesUsedAt(16000, [seed, parseFeatureConfig({ trim: { topDb: 60 } })])).toBeNull();
  });
});

describe('decoding only what is used', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ser-wav-partial-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keepSamples gives the start of the full decode, bit for bit (mono 16 kHz, stereo 48 kHz resampled)', async () => {
    for (const [path, rate] of [
      [MONO_16K, 16000],
      [STEREO_48K, 16000],
      [STEREO_48K, 22050],
    ] as const) {
      const full = await loadAudio(path, { sampleRate: rate });
      for (const keep of [1, 4801, 48000]) {
        const part = await loadAudio(path, { sampleRate: rate, keepSamples: keep });
        expect(part.samples, `${path} @ ${rate} keep ${keep}`).toEqual(full.samples.subarray(0, keep));
        expect(part.duration).toBe(full.duration);
      }
      // Asking for more than the file holds gives the whole file.
      expect((await loadAudio(path, { sampleRate: rate, keepSamples: 10 ** 7 })).samples).toEqual(full.samples);
    }
  });

  it('a file over the whole-read size is read by range and gives the same features', async () => {
    const clip = readFileSync(STEREO_48K);
    const info = parseWav(clip);
    const body = clip.subarray(info.dataOffset, info.dataOffset + info.dataBytes);
    const reps = Math.ceil((WHOLE_READ_BYTES + 1) / body.length);
    const long = new Uint8Array(info.dataOffset + reps * body.length);
    long.set(clip.subarray(0, info.dataOffset));
    for (let r = 0; r < reps; r++) long.set(body, info.dataOffset + r * body.length);
    const view = new DataView(long.buffer);
    view.setUint32(info.dataOffset - 4, reps * body.length, true);
    view.setUint32(4, long.length - 8, true);
    const path = join(dir, 'long.wav');
    writeFileSync(path, long);
    for (const config of [FEATURE_PRESETS['seed-logmel'], FEATURE_PRESETS.mfcc40]) {
      const cache = { dir: join(dir, 'cache'), configHash: featureConfigHash(config) };
      const r = await extractFile({ fileId: 1, path }, config, cache);
      const whole = await decodeAudioBytes(long, path, { sampleRate: 16000 });
      expect(r.data).toEqual(computeFeatures(whole.samples, 16000, config).data);
      // The cache key is still the hash of every byte.
      const { createHash } = await import('node:crypto');
      expect(r.contentHash).toBe(createHash('sha1').update(long).digest('hex'));
    }
  });

  it('a header that really holds 15 hours: its first seconds decode at once; all of it is refused by the memory limit', async () => {
    const head = encodeWav(new Float32Array(16000).fill(0.25), 16000);
    const dataBytes = 15 * 3600 * 16000 * 2;
    new DataView(head.buffer).setUint32(40, dataBytes, true);
    const path = join(dir, 'fifteen-hours.wav');
    const fd = openSync(path, 'w');
    writeSync(fd, head);
    ftruncateSync(fd, 44 + dataBytes);
    closeSync(fd);
    const t0 = performance.now();
    const part = await loadAudio(path, { sampleRate: 16000, keepSamples: 48000 });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(part.samples.length).toBe(48000);
    expect(part.samples[0]).toBe(0.25);
    expect(part.samples[47999]).toBe(0);
    expect(part.duration).toBe(15 * 3600);
    await expect(loadAudio(path)).rejects.toThrow(
      /decoding would need 4\.8 GiB of memory \(864,000,000 frames x 1 channels at 16000 Hz\), over the 512 MiB limit per file/,
    );
    await expect(loadAudio(path, { sampleRate: 8000 })).rejects.toThrow(/6\.4 GiB .*resampled to 8000 Hz\), over the 512 MiB limit/);
  });

  it('reads a header whose chunks before the data outgrow the first read, and refuses one past 16 MiB', async () => {
    const near = join(dir, 'big-junk.wav');
    const bytes = wavWithJunk(WHOLE_READ_BYTES / 2, 200 * 1024);
    writeFileSync(near, bytes);
    const a = await loadAudio(near, { keepSamples: 100 });
    expect(a.samples).toEqual((await decodeAudioBytes(bytes, near)).samples.subarray(0, 100));

    const far = join(dir, 'huge-junk.wav');
    const head = wavWithJunk(0, 17 * 2 ** 20).subarray(0, 44);
    const fd = openSync(far, 'w');
    writeSync(fd, head);
    ftruncateSync(fd, 44 + 17 * 2 ** 20 + 8 + 1000);
    closeSync(fd);
    await expect(loadAudio(far)).rejects.toThrow(/the WAV chunks before the audio data run past 16 MiB/);
  });
});
