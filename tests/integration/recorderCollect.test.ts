import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAudio } from '../../src-main/core/audio/load';
import { importDataset } from '../../src-main/core/datasets/import';
import { fileTimestamp, saveRecording } from '../../src-main/core/recorder/collect';
import { listFiles } from '../../src-main/core/store/datasets';
import { openStore, type Store } from '../../src-main/core/store/db';
import { RAVDESS_16K } from '../helpers/shared';

const ANGRY = join(RAVDESS_16K, 'Actor_01', '03-01-05-01-01-01-01.wav');
const HAPPY = join(RAVDESS_16K, 'Actor_02', '03-01-03-01-01-01-02.wav');

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ser-collect-'));
  store = openStore(':memory:');
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('saveRecording (collect mode)', () => {
  it('writes <folder>/<label>/<speaker>_<time>.wav and registers it as a folders dataset, ready to train on', async () => {
    const angry = await loadAudio(ANGRY);
    const happy = await loadAudio(HAPPY);
    const folder = join(dir, 'my-voice');
    const t = new Date('2026-11-26T00:53:01.123Z');
    const first = await saveRecording({
      store,
      datasetFolder: folder,
      label: 'angry',
      speaker: 'alice',
      samples: angry.samples,
      sampleRate: 16000,
      now: t,
    });
    expect(relative(folder, first.file)).toBe(join('angry', 'alice_20261126T005301123Z.wav'));
    expect(first.dataset.corpus).toBe('folders');
    expect(first.dataset.classes).toEqual({ angry: 1 });

    const second = await saveRecording({
      store,
      datasetFolder: folder,
      label: 'happy',
      speaker: 'bob',
      samples: happy.samples,
      sampleRate: 16000,
      now: t,
    });
    // The same dataset, updated in place (re-import by path, no duplicates).
    expect(second.datasetId).toBe(first.datasetId);
    expect(second.dataset.classes).toEqual({ angry: 1, happy: 1 });
    const rows = listFiles(store.db, first.datasetId);
    expect(rows.map((r) => [r.relPath, r.label, r.sampleRate, r.error])).toEqual([
      ['angry/alice_20261126T005301123Z.wav', 'angry', 16000, null],
      ['happy/bob_20261126T005301123Z.wav', 'happy', 16000, null],
    ]);
    // The saved audio is the take, to 16-bit precision.
    const back = await loadAudio(first.file);
    expect(back.sampleRate).toBe(16000);
    expect(back.samples).toEqual(angry.samples);
  });

  it('never overwrites a take saved in the same millisecond', async () => {
    const { samples } = await loadAudio(ANGRY);
    const now = new Date('2026-11-26T10:00:00.000Z');
    const a = await saveRecording({ store, datasetFolder: dir, label: 'angry', speaker: 'alice', samples, sampleRate: 16000, now });
    const b = await saveRecording({ store, datasetFolder: dir, label: 'angry', speaker: 'alice', samples, sampleRate: 16000, now });
    expect(a.file).not.toBe(b.file);
    expect(b.file.endsWith(`alice_${fileTimestamp(new Date(now.getTime() + 1))}.wav`)).toBe(true);
    expect(b.dataset.classes).toEqual({ angry: 2 });
  });

  it('refuses labels and speakers that are not safe file names, writing nothing', async () => {
    const samples = new Float32Array(1600);
    const base = { store, datasetFolder: dir, samples, sampleRate: 16000 };
    await expect(saveRecording({ ...base, label: '../etc', speaker: 'a' })).rejects.toThrow(/label "..\/etc" must be one word/);
    await expect(saveRecording({ ...base, label: 'happy', speaker: 'a/b' })).rejects.toThrow(/speaker "a\/b" may use only/);
    await expect(saveRecording({ ...base, label: 'happy', speaker: 'a', samples: new Float32Array(0) })).rejects.toThrow(/empty/);
    expect(existsSync(join(dir, 'happy'))).toBe(false);
  });

  it('will not turn an imported corpus into a folders dataset', async () => {
    const ravdess = join(RAVDESS_16K, 'Actor_01');
    await importDataset(store, { folder: ravdess, corpus: 'ravdess' });
    await expect(
      saveRecording({ store, datasetFolder: ravdess, label: 'happy', speaker: 'me', samples: new Float32Array(1600), sampleRate: 16000 }),
    ).rejects.toThrow(/is the ravdess dataset "Actor_01"; collect recordings into a folder of their own/);
    expect(existsSync(join(ravdess, 'happy'))).toBe(false);
  });
});
