import { chmodSync, copyFileSync, mkdirSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectFolder } from '../../src-main/core/datasets/detect';
import { importDataset } from '../../src-main/core/datasets/import';
import { relabelDataset } from '../../src-main/core/datasets/relabel';
import { openStore, type Store } from '../../src-main/core/store/db';
import { deleteDataset, getDataset, listDatasets, listFiles } from '../../src-main/core/store/datasets';
import { generateBrokenFixtures, makeTempDir, removeDir, speak, writeCorpus } from '../helpers/fixtures';
import { RAVDESS_16K, RAVDESS_48K } from '../helpers/shared';

let tmp: string;
let store: Store;

beforeAll(() => {
  tmp = makeTempDir('ser-import-');
  store = openStore(join(tmp, 'workbench.sqlite'));
});
afterAll(() => {
  store.close();
  removeDir(tmp);
});

describe('importing the real RAVDESS folder', () => {
  it('reports 960 files, 8 classes, 16 speakers and no errors', async () => {
    const progress: number[] = [];
    const r = await importDataset(store, { folder: RAVDESS_16K, onProgress: (done) => progress.push(done) });
    expect(r).toMatchObject({ corpus: 'ravdess', name: 'ravdess-16k', files: 960, speakers: 16, errors: [] });
    expect(Object.keys(r.classes).sort()).toEqual(['angry', 'calm', 'disgust', 'fearful', 'happy', 'neutral', 'sad', 'surprised']);
    expect(r.classes.neutral).toBe(64);
    expect(progress.at(-1)).toBe(960);
    const rows = listFiles(store.db, r.datasetId);
    expect(rows).toHaveLength(960);
    expect(new Set(rows.map((f) => f.sampleRate))).toEqual(new Set([16000]));
    expect(new Set(rows.map((f) => f.channels))).toEqual(new Set([1]));
    expect(rows.filter((f) => f.gender === 'male')).toHaveLength(480);
    expect(new Set(rows.map((f) => f.contentHash)).size).toBe(960);
    for (const f of rows) {
      expect(f.duration!).toBeGreaterThan(2);
      expect(f.path).toBe(realpathSync(join(RAVDESS_16K, f.relPath))); // datasets are keyed by real paths
    }
  });

  it('re-imports by updating rows in place: same dataset, same file ids, no duplicates', async () => {
    const before = listFiles(store.db, 1);
    const r = await importDataset(store, { folder: RAVDESS_16K + '/', name: 'RAVDESS speech', labelMap: { calm: 'neutral' } });
    expect(r.datasetId).toBe(1);
    expect(r.name).toBe('RAVDESS speech');
    expect(r.classes.neutral).toBe(192);
    expect(r.classes.calm).toBeUndefined();
    const after = listFiles(store.db, 1);
    expect(after.map((f) => f.id)).toEqual(before.map((f) => f.id));
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM files').get()).toEqual({ n: 960 });
    const calm = after.find((f) => f.originalLabel === '02')!;
    expect(calm.label).toBe('neutral');
    // Without --map the stored overrides stay.
    const again = await importDataset(store, { folder: RAVDESS_16K });
    expect(again.classes.neutral).toBe(192);
    expect(getDataset(store.db, 1)!.labelMap).toEqual({ calm: 'neutral' });
    expect(relabelDataset(store, 1, {}).calm).toBe(128);
  });

  it('records channels and rate of the 48 kHz originals, two of them stereo', async () => {
    const r = await importDataset(store, { folder: RAVDESS_48K, corpus: 'ravdess' });
    const rows = listFiles(store.db, r.datasetId);
    expect(rows).toHaveLength(60);
    expect(
      rows
        .filter((f) => f.channels === 2)
        .map((f) => f.relPath)
        .sort(),
    ).toEqual(['Actor_01/03-01-02-01-01-02-01.wav', 'Actor_01/03-01-08-01-02-02-01.wav']);
    expect(new Set(rows.map((f) => f.sampleRate))).toEqual(new Set([48000]));
    expect(listDatasets(store.db).map((d) => d.fileCount)).toEqual([960, 60]);
  });
});

describe('bad input', () => {
  it('records broken files with their reason and imports the rest', async () => {
    const root = join(tmp, 'mixed');
    speak(join(root, 'happy', 'hello.wav'), 'hello there, what a lovely day');
    speak(join(root, 'sad', 'bye.wav'), 'goodbye, it is over');
    const broken = generateBrokenFixtures(join(root, 'angry'));
    writeFileSync(join(root, 'README.txt'), 'not audio, not an audio extension: ignored');
    const r = await importDataset(store, { folder: root });
    expect(r.corpus).toBe('folders');
    expect(r.files).toBe(2 + broken.length);
    expect(r.classes).toEqual({ happy: 1, sad: 1 });
    expect(r.speakers).toBe(0);
    expect(r.errors.map((e) => e.file).sort()).toEqual(broken.map((b) => b.path).sort());
    for (const b of broken) expect(r.errors.find((e) => e.file === b.path)!.reason, b.path).toMatch(b.reason);
    const good = listFiles(store.db, r.datasetId);
    expect(good.map((f) => f.relPath)).toEqual(['happy/hello.wav', 'sad/bye.wav']);
    expect(good[0].sampleRate).toBe(22050);
    expect(listFiles(store.db, r.datasetId, { includeErrors: true })).toHaveLength(r.files);
  });

  it('flags names that do not follow the chosen convention', async () => {
    const root = join(tmp, 'ravdess-like');
    writeCorpus(root, ['Actor_01/03-01-05-01-01-01-01.wav', 'Actor_02/03-01-04-01-01-01-02.wav', 'Actor_02/take2.wav']);
    const r = await importDataset(store, { folder: root, corpus: 'ravdess' });
    expect(r.errors).toEqual([{ file: join(root, 'Actor_02/take2.wav'), reason: expect.stringMatching(/does not follow the convention \(RAVDESS/) }]);
    expect(r.classes).toEqual({ angry: 1, sad: 1 });
  });

  it('keeps rows of files deleted from disk, flagged, so splits and results still resolve', async () => {
    const root = join(tmp, 'shrinking');
    writeCorpus(root, ['happy/a.wav', 'happy/b.wav', 'sad/c.wav', 'sad/d.wav']);
    const first = await importDataset(store, { folder: root });
    rmSync(join(root, 'sad', 'd.wav'));
    const second = await importDataset(store, { folder: root });
    expect(second.datasetId).toBe(first.datasetId);
    expect(second.files).toBe(3);
    expect(second.errors).toEqual([{ file: join(root, 'sad/d.wav'), reason: 'file no longer present on disk' }]);
    expect(listFiles(store.db, first.datasetId, { includeErrors: true })).toHaveLength(4);
  });

  it('refuses a missing folder, a file, an empty folder and an unknown label override, writing nothing', async () => {
    const snapshot = () => store.db.prepare('SELECT (SELECT COUNT(*) FROM datasets) AS d, (SELECT COUNT(*) FROM files) AS f').get();
    const before = snapshot();
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.txt'), 'no audio here');
    await expect(importDataset(store, { folder: join(tmp, 'does-not-exist') })).rejects.toThrow(/folder not found: .*does-not-exist/);
    await expect(importDataset(store, { folder: join(empty, 'notes.txt') })).rejects.toThrow(/not a folder/);
    await expect(importDataset(store, { folder: empty })).rejects.toThrow(/no audio files/);
    await expect(importDataset(store, { folder: RAVDESS_48K, labelMap: { clam: 'neutral' } })).rejects.toThrow(/"clam"/);
    expect(snapshot()).toEqual(before);
    expect(getDataset(store.db, 1)!.fileCount).toBe(960);
  });

  // root reads everything, so the permission check can only be exercised as a normal user.
  it.skipIf(process.getuid?.() === 0)('refuses an unreadable folder', async () => {
    const locked = join(tmp, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o000);
    try {
      await expect(importDataset(store, { folder: locked })).rejects.toThrow(/cannot read folder/);
    } finally {
      chmodSync(locked, 0o755);
    }
  });

  it('stops on cancel without writing', async () => {
    const controller = new AbortController();
    const root = join(tmp, 'cancelled');
    writeCorpus(root, ['happy/a.wav', 'sad/b.wav']);
    const before = listDatasets(store.db).length;
    const p = importDataset(store, { folder: root, signal: controller.signal, onProgress: () => controller.abort() });
    await expect(p).rejects.toThrow();
    expect(listDatasets(store.db)).toHaveLength(before);
  });
});

describe('other corpora by convention (synthetic trees)', () => {
  it('detects CREMA-D, TESS, SAVEE and EMO-DB and fills speaker and gender', async () => {
    const trees: { name: string; files: string[]; corpus: string; speakers: number; genders: (string | null)[]; classes: Record<string, number> }[] =
      [
        {
          name: 'crema',
          corpus: 'cremad',
          files: ['1001_DFA_ANG_XX.wav', '1001_DFA_HAP_XX.wav', '1002_IEO_SAD_HI.wav'],
          speakers: 2,
          genders: [null],
          classes: { angry: 1, happy: 1, sad: 1 },
        },
        {
          name: 'tess',
          corpus: 'tess',
          files: ['OAF_angry/OAF_back_angry.wav', 'YAF_ps/YAF_back_ps.wav'],
          speakers: 2,
          genders: ['female'],
          classes: { angry: 1, surprised: 1 },
        },
        {
          name: 'savee',
          corpus: 'savee',
          files: ['DC_a01.wav', 'JE_su02.wav', 'KL_sa03.wav'],
          speakers: 3,
          genders: ['male'],
          classes: { angry: 1, surprised: 1, sad: 1 },
        },
        {
          name: 'emodb',
          corpus: 'emodb',
          files: ['03a01Fa.wav', '08a01Wa.wav', '09b02Lb.wav'],
          speakers: 2,
          genders: ['female', 'male'],
          classes: { happy: 1, angry: 1 },
        },
      ];
    for (const t of trees) {
      const root = join(tmp, t.name);
      writeCorpus(root, t.files);
      expect(detectFolder(root).corpus, t.name).toBe(t.corpus);
      const r = await importDataset(store, { folder: root });
      expect(r.corpus, t.name).toBe(t.corpus);
      expect(r.classes, t.name).toEqual(t.classes);
      expect(r.speakers, t.name).toBe(t.speakers);
      const genders = [...new Set(listFiles(store.db, r.datasetId).map((f) => f.gender))].sort();
      expect(genders, t.name).toEqual(t.genders);
    }
    // EMO-DB boredom is dropped by default and can be kept by an override.
    const emodb = await importDataset(store, { folder: join(tmp, 'emodb'), labelMap: { L: 'boredom' } });
    expect(emodb.classes).toEqual({ happy: 1, angry: 1, boredom: 1 });
    expect(emodb.speakers).toBe(3);
  });

  it('deleting a dataset removes its rows but not the audio', async () => {
    const root = join(tmp, 'savee');
    const id = listDatasets(store.db).find((d) => d.root.endsWith('/savee'))!.id;
    expect(deleteDataset(store.db, id)).toBe(true);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM files WHERE dataset_id = ?').get(id)).toEqual({ n: 0 });
    expect(readdirSync(root)).toHaveLength(3);
    copyFileSync(join(root, 'DC_a01.wav'), join(root, 'DC_a02.wav'));
    expect((await importDataset(store, { folder: root })).files).toBe(4);
  });
});
