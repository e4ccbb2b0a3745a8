import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent, ImportPreview, ImportResult } from '../../src-shared/api/contract';
import { dispatch } from '../../src-main/core/api/dispatch';
import { createHandlers } from '../../src-main/core/api/handlers';
import { JobQueue } from '../../src-main/core/jobs';
import { openStore, type Store } from '../../src-main/core/store/db';
import { makeTempDir, removeDir } from '../helpers/fixtures';
import { RAVDESS_16K } from '../helpers/shared';

// The import wizard's live preview is the API method datasets.previewImport; these call it the way the
// renderer does (through dispatch, so the request schema applies) on a corpus built from real RAVDESS
// recordings, and check that the import it previews gives the same classes and speakers.

let tmp: string;
let store: Store;
let handlers: ReturnType<typeof createHandlers>;
const events: ApiEvent[] = [];
let root: string;
let id = 0;

beforeAll(() => {
  tmp = makeTempDir('ser-preview-api-');
  store = openStore(join(tmp, 'w.sqlite'));
  handlers = createHandlers({ store, jobs: new JobQueue((e) => events.push(e)), mode: 'browser' });
  root = join(tmp, 'corpus');
  const put = (folder: string, actor: number, code: string, count: number) => {
    const dir = join(RAVDESS_16K, `Actor_0${actor}`);
    readdirSync(dir)
      .filter((f) => f.split('-')[2] === code)
      .sort()
      .slice(0, count)
      .forEach((f, i) => {
        const path = join(root, folder, `s${actor}_${actor % 2 ? 'male' : 'female'}_${i}.wav`);
        mkdirSync(dirname(path), { recursive: true });
        symlinkSync(join(dir, f), path);
      });
  };
  put('Neutral', 1, '01', 3);
  put('2_Sadness', 2, '04', 3);
  put('Happy-2', 3, '03', 3);
  put('misc', 4, '05', 2);
  mkdirSync(join(root, 'Neutral'), { recursive: true });
  symlinkSync(join(RAVDESS_16K, 'Actor_05', readdirSync(join(RAVDESS_16K, 'Actor_05'))[0]), join(root, 'Neutral', 'take.wav'));
});
afterAll(() => {
  store.close();
  removeDir(tmp);
});

async function call<T>(method: string, params: unknown): Promise<{ result?: T; error?: { code: string; message: string } }> {
  return (await dispatch(handlers, ++id, method, params)) as { result?: T; error?: { code: string; message: string } };
}

describe('datasets.previewImport', () => {
  it('lists the first files with parsed label, speaker and gender, highlighting unknown names and unmatched files', async () => {
    const r = await call<ImportPreview>('datasets.previewImport', { folder: root, corpus: 'folders', pattern: '{speaker}_{gender}_{_}', limit: 5 });
    const p = r.result!;
    expect(p).toMatchObject({
      corpus: 'folders',
      labelSource: 'folders',
      naming: { pattern: '{speaker}_{gender}_{_}' },
      files: 12,
      speakers: 3,
      problemCount: 1,
      unusedRows: [],
    });
    expect(p.description).toMatch(/^folder per label: .* \+ pattern \{speaker\}_\{gender\}_\{_\}$/);
    expect(p.sample.map((s) => [s.file, s.label, s.speaker, s.gender, s.unknownLabel, s.problem !== null])).toEqual([
      ['2_Sadness/s2_female_0.wav', 'sad', 's2', 'female', false, false],
      ['2_Sadness/s2_female_1.wav', 'sad', 's2', 'female', false, false],
      ['2_Sadness/s2_female_2.wav', 'sad', 's2', 'female', false, false],
      ['Happy-2/s3_male_0.wav', 'happy', 's3', 'male', false, false],
      ['Happy-2/s3_male_1.wav', 'happy', 's3', 'male', false, false],
    ]);
    expect(p.problems).toEqual([
      {
        file: 'Neutral/take.wav',
        reason: 'name does not match the pattern {speaker}_{gender}_{_}: ends after {speaker} "take"; the pattern expects "_" and 2 more field(s)',
      },
    ]);
    expect(p.unknownLabels).toEqual([{ label: 'misc', files: 2, examples: ['misc/s4_female_0.wav', 'misc/s4_female_1.wav'] }]);
    expect(p.labels).toEqual({ '2_Sadness': 'sad', 'Happy-2': 'happy', misc: null, Neutral: 'neutral' });
    expect(p.classes).toEqual({ sad: 3, happy: 3, neutral: 3 });
    expect(p.genders).toEqual({ female: 3, male: 6 });

    const misc = (await call<ImportPreview>('datasets.previewImport', { folder: root, corpus: 'folders', limit: 20 })).result!;
    expect(misc.sample.filter((s) => s.unknownLabel).map((s) => s.file)).toEqual(['misc/s4_female_0.wav', 'misc/s4_female_1.wav']);
  });

  it("applies the request's label map to the rows and counts, while `labels` stays the map before it", async () => {
    const p = (await call<ImportPreview>('datasets.previewImport', { folder: root, corpus: 'folders', labelMap: { misc: 'angry', sad: 'neutral' } }))
      .result!;
    expect(p.unknownLabels).toEqual([]);
    expect(p.classes).toEqual({ neutral: 7, happy: 3, angry: 2 });
    expect(p.labels.misc).toBeNull();
    expect(p.sample.find((s) => s.file.startsWith('misc/'))).toMatchObject({ originalLabel: 'misc', label: 'angry', unknownLabel: false });
  });

  it('previews what the import then gives', async () => {
    const params = { folder: root, corpus: 'folders', pattern: '{speaker}_{gender}_{_}' };
    const preview = (await call<ImportPreview>('datasets.previewImport', params)).result!;
    const started = await call<{ jobId: string }>('datasets.import', params);
    const jobId = started.result!.jobId;
    await expect.poll(() => events.find((e) => e.type === 'job.done' && e.jobId === jobId), { timeout: 60_000 }).toBeTruthy();
    const done = events.find((e) => e.type === 'job.done' && e.jobId === jobId) as { result: ImportResult };
    expect(done.result.classes).toEqual(preview.classes);
    expect(done.result.speakers).toBe(preview.speakers);
    expect(done.result.unknownLabels.map((u) => [u.label, u.files.length])).toEqual(preview.unknownLabels.map((u) => [u.label, u.files]));
    expect(done.result.errors.map((e) => e.file)).toEqual(preview.problems.map((p) => join(root, p.file)));

    // Now the folder is a dataset: a preview without a pattern uses the stored one (the wizard fills its field
    // from `naming`), and an empty pattern asks for none.
    const again = (await call<ImportPreview>('datasets.previewImport', { folder: root })).result!;
    expect(again).toMatchObject({ naming: { pattern: '{speaker}_{gender}_{_}' }, speakers: 3, labelSource: 'folders' });
    const none = (await call<ImportPreview>('datasets.previewImport', { folder: root, pattern: '', metadata: '' })).result!;
    expect(none).toMatchObject({ naming: {}, speakers: 0, problemCount: 0 });
  });

  it('answers a bad pattern, a missing CSV or a bad request with a readable error', async () => {
    expect(await call('datasets.previewImport', { folder: root, pattern: '{speaker}_{label' })).toMatchObject({
      error: { code: 'failed', message: 'pattern "{speaker}_{label": "{" at position 11 is never closed' },
    });
    expect(await call('datasets.previewImport', { folder: root, metadata: join(tmp, 'nope.csv') })).toMatchObject({
      error: { message: expect.stringMatching(/metadata file not found: .*nope\.csv/) },
    });
    const csv = join(tmp, 'labels.csv');
    writeFileSync(csv, 'path,label\nNeutral/take.wav,happy\n');
    expect(await call('datasets.previewImport', { folder: root, metadata: csv, pattern: '{label}_{_}_{_}' })).toMatchObject({
      error: { message: expect.stringMatching(/both the pattern's \{label\} and the "label" column/) },
    });
    expect(await call('datasets.previewImport', { folder: root, limit: 0 })).toMatchObject({ error: { code: 'invalid' } });
    expect(await call('datasets.previewImport', { folder: root, metadata: '/etc/passwd' })).toMatchObject({
      error: { code: 'invalid', message: expect.stringMatching(/metadata file must be a \.csv, \.tsv or \.txt file/) },
    });
    expect(await call('datasets.previewImport', { folder: root, corpus: 'iemocap' })).toMatchObject({ error: { code: 'invalid' } });
    expect(await call('datasets.previewImport', { folder: join(tmp, 'nowhere') })).toMatchObject({
      error: { message: expect.stringMatching(/folder not found/) },
    });
  });
});
