// A study of ensembles on real RAVDESS audio (actors 01–06): two member studies on the same folds, each cell's runs
// combined (weights fitted on validation), stored as a completed study that compares fold by fold with its members.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../src-main/core/datasets/import';
import { openStore, type Store } from '../../src-main/core/store/db';
import { listEvaluations } from '../../src-main/core/store/runs';
import { getRunDetail } from '../../src-main/core/store/runQueries';
import { getStudy, listCells } from '../../src-main/core/store/studies';
import { ensembleStudies } from '../../src-main/core/studies/ensembleStudy';
import { compareStudyReports, studyReport } from '../../src-main/core/studies/report';
import { createStudy, runStudy } from '../../src-main/core/studies/runner';
import { ser } from '../helpers/cli';
import { RAVDESS_16K } from '../helpers/shared';

let dir: string;
let store: Store;
let datasetId: number;
let svm: number;
let forest: number;

const study = (model: unknown, seeds = [1]) =>
  createStudy(store, { datasetId, base: { model }, folds: { kind: 'kfold', k: 3 }, seeds, valFraction: 0.2 }).studyId;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ser-study-ensemble-'));
  const data = join(dir, 'ravdess');
  mkdirSync(data);
  for (const a of ['01', '02', '03', '04', '05', '06']) symlinkSync(join(RAVDESS_16K, `Actor_${a}`), join(data, `Actor_${a}`));
  process.env.SER_CACHE_DIR = join(dir, 'cache');
  store = openStore(join(dir, 'workbench.sqlite'));
  datasetId = (await importDataset(store, { folder: data })).datasetId;
  svm = study({ preset: 'svm', params: { class_weight: 'balanced' } });
  forest = study({ preset: 'forest', params: { n_estimators: 60 } });
  for (const id of [svm, forest]) expect((await runStudy(store, id, { inProcess: true })).status).toBe('completed');
}, 600_000);

afterAll(() => {
  store?.close();
  delete process.env.SER_CACHE_DIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('ensembles of studies', () => {
  it('combines each fold × seed of two studies into a completed study whose test figures are the weighted members', async () => {
    const { studyId, cells } = await ensembleStudies(store, { studyIds: [svm, forest], weights: 'val', name: 'svm+forest' });
    expect(cells).toBe(3);
    expect(getStudy(store.db, studyId)).toMatchObject({ status: 'completed', name: 'svm+forest' });
    const report = studyReport(store.db, studyId);
    expect(report.aggregate.complete).toBe(true);
    expect(report.aggregate.metrics!.uar.perFold.every((v) => v !== null && v > 0.2)).toBe(true);
    // Every ensemble cell's test predictions are the members' (same files), mixed with weights on the simplex.
    const memberCells = [svm, forest].map((id) => listCells(store.db, id));
    for (const cell of listCells(store.db, studyId)) {
      const ens = listEvaluations(store.db, cell.runId!).find((e) => e.split === 'test')!;
      const members = memberCells.map((cs) =>
        listEvaluations(store.db, cs.find((c) => c.fold === cell.fold)!.runId!).find((e) => e.split === 'test')!,
      );
      expect(ens.predictions.map((p) => p.fileId)).toEqual(members[0].predictions.map((p) => p.fileId));
      const [p0, p1] = [members[0].predictions[0].probabilities, members[1].predictions[0].probabilities];
      const e0 = ens.predictions[0].probabilities;
      // e = w p0 + (1 − w) p1 for one w in [0, 1], the same for every class.
      const label = Object.keys(e0).find((l) => Math.abs(p0[l] - p1[l]) > 1e-3)!;
      const w = (e0[label] - p1[label]) / (p0[label] - p1[label]);
      expect(w).toBeGreaterThanOrEqual(-1e-6);
      expect(w).toBeLessThanOrEqual(1 + 1e-6);
      for (const l of Object.keys(e0)) expect(e0[l]).toBeCloseTo(w * p0[l] + (1 - w) * p1[l], 5);
    }
    // Paired with a member over the same folds.
    const cmp = compareStudyReports(store.db, studyId, svm);
    expect(cmp.folds).toBe(3);
    expect(cmp.uar.n).toBe(3);
  }, 600_000);

  it('refuses studies on other folds, unfinished studies and a single study, naming the problem', async () => {
    const other = createStudy(store, { datasetId, base: { model: 'svm' }, folds: { kind: 'kfold', k: 2 }, seeds: [1] }).studyId;
    await expect(ensembleStudies(store, { studyIds: [svm, other], weights: 'equal' })).rejects.toThrow(/is queued; only completed studies/);
    await runStudy(store, other, { inProcess: true });
    await expect(ensembleStudies(store, { studyIds: [svm, other], weights: 'equal' })).rejects.toThrow(/other folds than study/);
    await expect(ensembleStudies(store, { studyIds: [svm, svm], weights: 'equal' })).rejects.toThrow(/at least two different/);
  }, 600_000);

  it('ser study ensemble prints the new study', () => {
    const r = ser(['study', 'ensemble', String(svm), String(forest), '--weights', 'equal', '--db', join(dir, 'workbench.sqlite'), '--json'], {
      env: { SER_CACHE_DIR: join(dir, 'cache') },
      timeout: 300_000,
    });
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    // Members run on the fastest backend that starts (the native kernels here), not tfjs's pure-JS fallback.
    expect(r.stderr).toMatch(/^backend: native /m);
    const report = JSON.parse(r.stdout) as { status: string; cells: unknown[]; spec: { base: unknown } };
    expect(report.status).toBe('completed');
    expect(report.cells).toHaveLength(3);
    expect(report.spec.base).toEqual({ ensembleOf: [svm, forest], weights: 'equal' });
  }, 300_000);

  it('ser train --recipe <ensemble recipe> trains every member on one split and saves their ensemble', () => {
    const r = ser(
      [
        'train',
        '--dataset',
        String(datasetId),
        '--recipe',
        'ensemble-compare-cnn',
        '--epochs',
        '1',
        '--test-speakers',
        '05,06',
        '--val-speakers',
        '04',
        '--in-process',
        '--db',
        join(dir, 'workbench.sqlite'),
        '--json',
      ],
      { env: { SER_CACHE_DIR: join(dir, 'cache') }, timeout: 600_000 },
    );
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      members: { runId: number }[];
      ensemble: { weights: number[]; weighting: string; test: { n: number }; runId: number };
    };
    expect(out.members).toHaveLength(2);
    expect(out.ensemble.weighting).toBe('val');
    expect(out.ensemble.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(out.ensemble.test.n).toBe(120);
    // The members are the recipes' runs, on the same split: a linear SVM on ComParE and a SimpleCNN on 4 s log-mel.
    const configs = out.members.map(
      (m) => getRunDetail(store.db, m.runId)!.config as { model: { preset: string }; features: unknown; split: unknown },
    );
    expect(configs.map((c) => c.model.preset)).toEqual(['linear-svm', 'simplecnn']);
    expect(configs[0].features).toMatchObject({ kind: 'compare' });
    expect(configs[0].split).toEqual(configs[1].split);
  }, 600_000);
});
