import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ApiEvent, StudyReport } from '../../src-shared/api/contract';
import { dispatch } from '../../src-main/core/api/dispatch';
import { createHandlers } from '../../src-main/core/api/handlers';
import { importDataset } from '../../src-main/core/datasets/import';
import { JobQueue } from '../../src-main/core/jobs';
import { openStore } from '../../src-main/core/store/db';
import { createStudy } from '../../src-main/core/studies/runner';
import { makeTempDir, removeDir } from '../helpers/fixtures';
import { RAVDESS_16K } from '../helpers/shared';

const tmp = makeTempDir('ser-study-api-');
afterAll(() => removeDir(tmp));

describe('studies through the API', () => {
  it('resumes a study left queued by an earlier session, reports every cell, and validates requests', async () => {
    const corpus = join(tmp, 'ravdess-4');
    mkdirSync(corpus);
    for (let a = 1; a <= 4; a++) symlinkSync(join(RAVDESS_16K, `Actor_0${a}`), join(corpus, `Actor_0${a}`));
    const path = join(tmp, 'w.sqlite');
    let store = openStore(path);
    const { datasetId } = await importDataset(store, { folder: corpus });
    // Stored by a "previous session" that quit before training anything.
    const { studyId, cells } = createStudy(store, { datasetId, base: { model: 'svm' }, folds: { kind: 'loso' }, seeds: [1] });
    expect(cells).toBe(4);
    store.close();

    store = openStore(path);
    const events: ApiEvent[] = [];
    let settled!: (e: ApiEvent) => void;
    const done = new Promise<ApiEvent>((r) => (settled = r));
    const jobs = new JobQueue((e) => {
      events.push(e);
      if ((e.type === 'job.done' || e.type === 'job.error') && e.kind === 'study') settled(e);
    });
    const handlers = createHandlers({ store, jobs, mode: 'browser' });
    expect(jobs.active).toBe(1); // resumed on start, nobody asked
    expect((await done).type).toBe('job.done');

    const cellEvents = events.filter((e) => e.type === 'study.cell' && e.status === 'completed');
    expect(cellEvents.map((e) => (e as { cell: string }).cell).sort()).toEqual(['f0/s1/p0', 'f1/s1/p0', 'f2/s1/p0', 'f3/s1/p0']);
    expect(events).toContainEqual({ type: 'study.status', studyId, status: 'completed' });
    expect(events.some((e) => e.type === 'job.progress' && e.kind === 'study' && e.done === 4 && e.total === 4)).toBe(true);

    const got = await dispatch(handlers, 1, 'studies.get', { id: studyId });
    expect('result' in got, JSON.stringify(got)).toBe(true);
    const report = (got as { result: StudyReport }).result;
    expect(report.status).toBe('completed');
    expect(report.aggregate.metrics!.uar.perFold).toHaveLength(4);
    expect(report.aggregate.perSpeaker.map((s) => s.speaker)).toEqual(['01', '02', '03', '04']);
    // every cell is an ordinary run, visible in the run history
    const runs = await dispatch(handlers, 2, 'runs.list', {});
    expect((runs as { result: unknown[] }).result).toHaveLength(4);

    const list = (await dispatch(handlers, 3, 'studies.list', {})) as { result: { id: number; counts: Record<string, number> }[] };
    expect(list.result[0]).toMatchObject({ id: studyId, counts: { completed: 4 } });
    const retry = (await dispatch(handlers, 4, 'studies.retry', { id: studyId })) as { result: { queued: number } };
    expect(retry.result).toEqual({ queued: 0, jobId: null });
    expect(jobs.active).toBe(0);

    // schema-validated before it touches the store
    const bad = await dispatch(handlers, 5, 'studies.create', { spec: { datasetId, folds: { kind: 'kfold', k: 1 } } });
    expect(bad).toMatchObject({ error: { code: 'invalid' } });
    const tooMany = await dispatch(handlers, 6, 'studies.create', { spec: { datasetId, base: { model: 'svm' }, folds: { kind: 'kfold', k: 5 } } });
    expect(tooMany).toMatchObject({ error: { code: 'invalid', message: '5 folds need at least 5 speakers; the dataset has 4' } });
    expect(await dispatch(handlers, 7, 'studies.get', { id: 99 })).toMatchObject({ error: { code: 'not_found' } });
    expect((await dispatch(handlers, 8, 'studies.list', {})) as { result: unknown[] }).toMatchObject({ result: [{ id: studyId }] });
    store.close();
  }, 600_000);
});
