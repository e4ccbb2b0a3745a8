import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StudySpecSchema } from '../../src-shared/config/study';
import { expandStudy, gridPoints } from '../../src-shared/studies/expand';
import { openStore, type Store } from '../../src-main/core/store/db';
import { upsertDataset } from '../../src-main/core/store/datasets';
import { createRun } from '../../src-main/core/store/runs';
import {
  cancelStudy,
  claimCell,
  finishCell,
  getStudy,
  insertStudy,
  linkCellRun,
  listCells,
  refreshStudyStatus,
  requeueOrphanedCells,
  retryStudy,
} from '../../src-main/core/store/studies';

const speakers = ['01', '02', '03', '04', '05', '06'];

function storeWithStudy(): { store: Store; studyId: number } {
  const store = openStore(join(mkdtempSync(join(tmpdir(), 'ser-study-')), 'w.sqlite'));
  const datasetId = upsertDataset(store.db, { name: 'd', root: '/data/d', corpus: 'ravdess', labelMap: {} });
  const spec = StudySpecSchema.parse({ datasetId, folds: { kind: 'kfold', k: 3 }, seeds: [1, 2], base: { model: 'svm' } });
  const cells = expandStudy(spec, speakers);
  return { store, studyId: insertStudy(store.db, { spec, points: gridPoints(spec.grid), folds: 3, cells }) };
}

describe('the study queue in the store', () => {
  it('stores the study with every cell queued, in expansion order', () => {
    const { store, studyId } = storeWithStudy();
    const study = getStudy(store.db, studyId)!;
    expect(study).toMatchObject({ status: 'queued', folds: 3, counts: { queued: 6, running: 0, completed: 0 } });
    expect(study.spec.seeds).toEqual([1, 2]);
    expect(listCells(store.db, studyId).map((c) => c.key)).toEqual(['f0/s1/p0', 'f0/s2/p0', 'f1/s1/p0', 'f1/s2/p0', 'f2/s1/p0', 'f2/s2/p0']);
    store.close();
  });

  it('claims each cell once, finishes it once, and links the run both ways', () => {
    const { store, studyId } = storeWithStudy();
    const a = claimCell(store.db, studyId)!;
    const b = claimCell(store.db, studyId)!;
    expect([a.key, b.key]).toEqual(['f0/s1/p0', 'f0/s2/p0']);
    expect(a).toMatchObject({ status: 'running', attempts: 1, ownerPid: process.pid, ownerHost: hostname() });
    expect(getStudy(store.db, studyId)!.status).toBe('running');
    const runId = createRun(store.db, { datasetId: null, config: a.config });
    linkCellRun(store.db, a.id, runId);
    expect(store.db.prepare('SELECT study_id AS s, study_cell AS c FROM runs WHERE id = ?').get(runId)).toEqual({ s: studyId, c: 'f0/s1/p0' });
    expect(finishCell(store.db, a.id, { status: 'completed', runId })).toBe(true);
    // a second verdict for the same cell is refused: each cell is stored once
    expect(finishCell(store.db, a.id, { status: 'failed', runId: null, error: 'late' })).toBe(false);
    expect(listCells(store.db, studyId)[0]).toMatchObject({ status: 'completed', runId, error: null, ownerPid: null });
    store.close();
  });

  it("a run cancelled by shutdown goes back to the queue; a cancelled study's cells do not", () => {
    const { store, studyId } = storeWithStudy();
    const a = claimCell(store.db, studyId)!;
    finishCell(store.db, a.id, { status: 'cancelled', runId: null });
    expect(listCells(store.db, studyId)[0].status).toBe('queued');
    const again = claimCell(store.db, studyId)!;
    expect(again).toMatchObject({ id: a.id, attempts: 2 });
    expect(cancelStudy(store.db, studyId)).toEqual({ running: 1 });
    finishCell(store.db, again.id, { status: 'cancelled', runId: null });
    expect(getStudy(store.db, studyId)!.counts).toMatchObject({ cancelled: 6, queued: 0 });
    expect(claimCell(store.db, studyId)).toBeNull();
    expect(refreshStudyStatus(store.db, studyId)).toBe('cancelled');
    // retry puts failed and cancelled cells back, leaves completed ones alone
    expect(retryStudy(store.db, studyId)).toBe(6);
    expect(getStudy(store.db, studyId)!.status).toBe('queued');
    store.close();
  });

  it('status: completed when every cell completed, failed when any failed; retry re-queues only the failed', () => {
    const { store, studyId } = storeWithStudy();
    for (let i = 0; i < 6; i++) {
      const c = claimCell(store.db, studyId)!;
      finishCell(store.db, c.id, i === 3 ? { status: 'failed', runId: null, error: 'out of memory' } : { status: 'completed', runId: null });
      expect(refreshStudyStatus(store.db, studyId)).toBe(i < 5 ? 'running' : 'failed');
    }
    expect(getStudy(store.db, studyId)!.finishedAt).not.toBeNull();
    expect(listCells(store.db, studyId)[3]).toMatchObject({ status: 'failed', error: 'out of memory' });
    expect(retryStudy(store.db, studyId)).toBe(1);
    expect(getStudy(store.db, studyId)!).toMatchObject({ status: 'running', finishedAt: null });
    const c = claimCell(store.db, studyId)!;
    expect(c.key).toBe('f1/s2/p0');
    finishCell(store.db, c.id, { status: 'completed', runId: null });
    expect(refreshStudyStatus(store.db, studyId)).toBe('completed');
    store.close();
  });

  it("re-queues cells whose owner died, never a live process's", () => {
    const { store, studyId } = storeWithStudy();
    const mine = claimCell(store.db, studyId)!;
    const dead = claimCell(store.db, studyId)!;
    const live = claimCell(store.db, studyId)!;
    const other = claimCell(store.db, studyId)!;
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!; // exited: its pid is free
    const runId = createRun(store.db, { datasetId: null, config: dead.config }); // still 'queued': it never reported running
    linkCellRun(store.db, dead.id, runId);
    const owner = store.db.prepare('UPDATE study_cells SET owner_pid = ?, owner_host = ? WHERE id = ?');
    owner.run(gone, hostname(), dead.id);
    owner.run(process.ppid, hostname(), live.id);
    owner.run(1234, 'another-machine', other.id);
    // this process's own running cells count as orphaned too: a restarted process cannot still be running them
    expect(requeueOrphanedCells(store.db, studyId)).toBe(2);
    const status = Object.fromEntries(listCells(store.db, studyId).map((c) => [c.id, c.status]));
    expect([status[mine.id], status[dead.id], status[live.id], status[other.id]]).toEqual(['queued', 'queued', 'running', 'running']);
    expect(store.db.prepare('SELECT status, error FROM runs WHERE id = ?').get(runId)).toEqual({
      status: 'interrupted',
      error: 'The process running this study cell stopped.',
    });
    store.close();
  });

  it('migration 4 keeps older databases working: runs without a study', () => {
    const { store } = storeWithStudy();
    const runId = createRun(store.db, { datasetId: null, config: {} });
    expect(store.db.prepare('SELECT study_id AS s, study_cell AS c FROM runs WHERE id = ?').get(runId)).toEqual({ s: null, c: null });
    store.close();
  });
});
