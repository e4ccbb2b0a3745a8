import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeAudio } from '../../src-main/core/audio/decode';
import { decodeAudioBytes } from '../../src-main/core/audio/load';
import { importDataset } from '../../src-main/core/datasets/import';
import { saveRecording } from '../../src-main/core/recorder/collect';
import { listFiles } from '../../src-main/core/store/datasets';
import { openStore } from '../../src-main/core/store/db';
import { requestSchemas } from '../../src-shared/api/contract';
import { AudioDecodeError } from '../../src-shared/audio/decodeError';
import {
  compressedSizeProblem,
  DECODE_MEMORY_LIMIT_BYTES,
  DEFAULT_MAX_DURATION_SECONDS,
  durationProblem,
  formatBytes,
  formatDuration,
  formatProblem,
  MAX_CHANNELS,
  MAX_COMPRESSED_FILE_BYTES,
  MAX_SAMPLE_RATE_HZ,
  memoryProblem,
  MIN_SAMPLE_RATE_HZ,
} from '../../src-shared/audio/plausibility';
import { encodeWav } from '../../src-shared/audio/wav';

// Issue 18, part 1: one definition of plausible audio (src-shared/audio/plausibility.ts), each threshold pinned at the
// limit and one step either side, and the decoders, the import and the recorder's save all applying it.

/** A 16-bit WAV of `frames` frames whose header says `rate` Hz and `channels` channels. */
function wav(rate: number, channels = 1, frames = 8): Uint8Array {
  const bytes = encodeWav(new Float32Array(frames * channels).fill(0.5), 16000);
  const v = new DataView(bytes.buffer);
  v.setUint16(22, channels, true);
  v.setUint32(24, rate, true);
  v.setUint16(32, 2 * channels, true);
  return bytes;
}

async function reasonOf(bytes: Uint8Array): Promise<string> {
  try {
    await probeAudio(bytes, 'x.wav');
  } catch (err) {
    expect(err).toBeInstanceOf(AudioDecodeError);
    return (err as AudioDecodeError).reason;
  }
  return 'accepted';
}

describe('the plausibility rules', () => {
  it('documents its limits', () => {
    expect([MIN_SAMPLE_RATE_HZ, MAX_SAMPLE_RATE_HZ, MAX_CHANNELS, DEFAULT_MAX_DURATION_SECONDS]).toEqual([4000, 384_000, 32, 600]);
    expect([DECODE_MEMORY_LIMIT_BYTES, MAX_COMPRESSED_FILE_BYTES]).toEqual([512 * 2 ** 20, 32 * 2 ** 20]);
  });

  it('sample rate: 4000-384000 Hz inclusive', () => {
    for (const ok of [4000, 4001, 16000, 383_999, 384_000]) expect(formatProblem(ok, 1), `${ok}`).toBeNull();
    expect(formatProblem(3999, 1)).toBe('sample rate 3,999 Hz is outside the plausible range 4,000-384,000 Hz (a damaged header?)');
    expect(formatProblem(384_001, 1)).toBe('sample rate 384,001 Hz is outside the plausible range 4,000-384,000 Hz (a damaged header?)');
    for (const bad of [0, 1, 3, 1_326_629, 4_294_967_295, NaN, -16000]) expect(formatProblem(bad, 1), `${bad}`).toMatch(/^sample rate .* outside/);
  });

  it('channels: 1-32 inclusive', () => {
    for (const ok of [1, 2, 31, 32]) expect(formatProblem(16000, ok), `${ok}`).toBeNull();
    expect(formatProblem(16000, 0)).toBe('0 channels is outside the plausible range 1-32 (a damaged header?)');
    expect(formatProblem(16000, 33)).toBe('33 channels is outside the plausible range 1-32 (a damaged header?)');
    expect(formatProblem(16000, 65535)).toBe('65,535 channels is outside the plausible range 1-32 (a damaged header?)');
    expect(formatProblem(16000, NaN)).toMatch(/channels is outside/);
  });

  it('duration: up to the limit inclusive', () => {
    expect(durationProblem(600, 600)).toBeNull();
    expect(durationProblem(599.999, 600)).toBeNull();
    expect(durationProblem(600.001, 600)).toBe('10.0 min long, over the limit of 10.0 min per file');
    expect(durationProblem(61_929, 600)).toBe('17.2 h long, over the limit of 10.0 min per file');
    expect(durationProblem(3.5, 3)).toBe('3.5 s long, over the limit of 3.0 s per file');
  });

  it('memory and compressed size: up to the limit inclusive', () => {
    expect(memoryProblem(DECODE_MEMORY_LIMIT_BYTES, 'x')).toBeNull();
    expect(memoryProblem(DECODE_MEMORY_LIMIT_BYTES + 1, '2 frames')).toBe(
      'decoding would need 512 MiB of memory (2 frames), over the 512 MiB limit per file; cut it into shorter files',
    );
    expect(compressedSizeProblem(MAX_COMPRESSED_FILE_BYTES, 'mp3')).toBeNull();
    expect(compressedSizeProblem(MAX_COMPRESSED_FILE_BYTES + 1, 'mp3')).toMatch(/^MP3 file of 32 MiB is over the 32 MiB limit for compressed files/);
  });

  it('durations and sizes read as a person would say them', () => {
    expect([119.94, 120, 7199, 7200].map(formatDuration)).toEqual(['119.9 s', '2.0 min', '120.0 min', '2.0 h']);
    expect([1, 1024, 2 ** 20 - 1, 2 ** 20, 2 ** 30 - 1, 2 ** 30, 1.5 * 2 ** 30].map(formatBytes)).toEqual([
      '1 KiB',
      '1 KiB',
      '1024 KiB',
      '1 MiB',
      '1024 MiB',
      '1.0 GiB',
      '1.5 GiB',
    ]);
  });
});

describe('the decoders apply them', () => {
  it('a WAV header with an implausible rate or channel count is refused with the rule', async () => {
    expect(await reasonOf(wav(4000))).toBe('accepted');
    expect(await reasonOf(wav(384_000))).toBe('accepted');
    expect(await reasonOf(wav(3999))).toMatch(/^sample rate 3,999 Hz is outside/);
    expect(await reasonOf(wav(384_001))).toMatch(/^sample rate 384,001 Hz is outside/);
    expect(await reasonOf(wav(1))).toMatch(/^sample rate 1 Hz is outside/);
    expect(await reasonOf(wav(16000, 32))).toBe('accepted');
    expect(await reasonOf(wav(16000, 33))).toMatch(/^33 channels is outside/);
    await expect(decodeAudioBytes(wav(3), 'three.wav', { sampleRate: 16000 })).rejects.toThrow('three.wav: sample rate 3 Hz is outside');
  });

  it('a compressed file over the size limit is refused before it is decoded', async () => {
    const big = new Uint8Array(MAX_COMPRESSED_FILE_BYTES + 1);
    big.set([0x66, 0x4c, 0x61, 0x43]); // fLaC
    await expect(decodeAudioBytes(big, 'big.flac')).rejects.toThrow(/big\.flac: FLAC file of 32 MiB is over the 32 MiB limit/);
  });
});

describe('the import applies them, with a configurable duration limit', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ser-plausible-'));
    mkdirSync(join(dir, 'c'));
    // 4000 Hz x 2 s, 2.5 s and 3 s; 3 Hz; 33 channels.
    const at = (name: string, bytes: Uint8Array) => writeFileSync(join(dir, 'c', name), bytes);
    at('03-01-01-01-01-01-01.wav', wav(4000, 1, 8000));
    at('03-01-02-01-01-01-01.wav', wav(4000, 1, 10_000));
    at('03-01-03-01-01-01-01.wav', wav(4000, 1, 12_000));
    at('03-01-04-01-01-01-01.wav', wav(3, 1, 8));
    at('03-01-05-01-01-01-01.wav', wav(16000, 33, 8));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('files over maxDurationSeconds are listed with the reason; the limit itself is accepted', async () => {
    const store = openStore(':memory:');
    try {
      const r = await importDataset(store, { folder: join(dir, 'c'), corpus: 'ravdess', maxDurationSeconds: 2.5 });
      const byName = Object.fromEntries(listFiles(store.db, r.datasetId, { includeErrors: true }).map((f) => [f.relPath.slice(6, 8), f]));
      expect(byName['01'].error).toBeNull();
      expect(byName['02'].error).toBeNull();
      expect(byName['03'].error).toBe(
        '3.0 s long, over the limit of 2.5 s per file; raise the limit with --max-duration (seconds), or maxDurationSeconds on datasets.import',
      );
      expect(byName['03'].duration).toBe(3);
      expect(byName['04'].error).toMatch(/^sample rate 3 Hz is outside/);
      expect(byName['05'].error).toMatch(/^33 channels is outside/);
      expect(r.errors).toHaveLength(3);
      // Small files are hashed whether usable or not, as before.
      expect(byName['03'].contentHash).toMatch(/^[0-9a-f]{40}$/);

      // The limit stays with the dataset: a re-import without it still refuses the 3 s file.
      const again = await importDataset(store, { folder: join(dir, 'c'), corpus: 'ravdess' });
      expect(again.errors).toHaveLength(3);
      const raised = await importDataset(store, { folder: join(dir, 'c'), corpus: 'ravdess', maxDurationSeconds: 600 });
      expect(raised.errors).toHaveLength(2);
      const fresh = openStore(':memory:');
      try {
        // A new dataset starts from the default, 10 min.
        expect((await importDataset(fresh, { folder: join(dir, 'c'), corpus: 'ravdess' })).errors).toHaveLength(2);
      } finally {
        fresh.close();
      }
      await expect(importDataset(store, { folder: join(dir, 'c'), maxDurationSeconds: 0 })).rejects.toThrow(/positive number of seconds \(got 0\)/);
    } finally {
      store.close();
    }
  });

  it('the API request takes an optional positive maxDurationSeconds', () => {
    const schema = requestSchemas['datasets.import'];
    expect(schema.parse({ folder: '/x' }).maxDurationSeconds).toBeUndefined();
    expect(schema.parse({ folder: '/x', maxDurationSeconds: 700 }).maxDurationSeconds).toBe(700);
    expect(schema.parse({ folder: '/x', maxDurationSeconds: 86_400 }).maxDurationSeconds).toBe(86_400);
    for (const bad of [0, -1, 86_401, 'long']) expect(schema.safeParse({ folder: '/x', maxDurationSeconds: bad }).success, `${bad}`).toBe(false);
  });

  it("the recorder's save refuses a take the import would refuse", async () => {
    const store = openStore(':memory:');
    try {
      const folder = join(dir, 'takes');
      const save = (samples: Float32Array, sampleRate: number) =>
        saveRecording({ store, datasetFolder: folder, label: 'happy', speaker: 's1', samples, sampleRate });
      await expect(save(new Float32Array(10), 3999)).rejects.toThrow('cannot save the recording: sample rate 3,999 Hz is outside');
      await expect(save(new Float32Array(4000 * 600 + 1), 4000)).rejects.toThrow('cannot save the recording: 10.0 min long, over the limit');
      const ok = await save(new Float32Array(4000 * 600), 4000);
      expect(ok.dataset.errors).toEqual([]);
    } finally {
      store.close();
    }
  });
});
