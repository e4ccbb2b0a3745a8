// Multi-corpus runs on real audio: RAVDESS (actors 01–04) and EMO-DB (../shared/data/emodb-2s), trained together,
// tested on one whole corpus (leave-corpus-out), with per-dataset label maps.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../src-main/core/datasets/import';
import { openStore, type Store } from '../../src-main/core/store/db';
import { listEvaluations } from '../../src-main/core/store/runs';
import { getRunDetail } from '../../src-main/core/store/runQueries';
import { parseRunConfig } from '../../src-shared/config/run';
import { runFiles } from '../../src-main/core/training/data';
import { startRun } from '../../src-main/core/training/run';
import { ser } from '../helpers/cli';
import { DATA_DIR, RAVDESS_16K } from '../helpers/shared';

const SHARED_LABELS = ['angry', 'disgust', 'fearful', 'happy', 'neutral', 'sad'];

let dir: string;
let store: Store;
let ravdess: number;
let emodb: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ser-multicorpus-'));
  const data = join(dir, 'ravdess');
  mkdirSync(data);
  for (const a of ['Actor_01', 'Actor_02', 'Actor_03', 'Actor_04']) symlinkSync(join(RAVDESS_16K, a), join(data, a));
  process.env.SER_CACHE_DIR = join(dir, 'cache');
  store = openStore(join(dir, 'workbench.sqlite'));
  ravdess = (await importDataset(store, { folder: data })).datasetId;
  emodb = (await importDataset(store, { folder: join(DATA_DIR, 'emodb-2s') })).datasetId;
}, 120_000);

afterAll(() => {
  store?.close();
  delete process.env.SER_CACHE_DIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('multi-corpus runs', () => {
  it('gathers both corpora with their label maps and corpus-qualified speakers', () => {
    const config = parseRunConfig({
      datasetId: ravdess,
      labelMap: { calm: 'neutral', surprised: null },
      extraDatasets: [{ datasetId: emodb }],
      model: 'svm',
    });
    const files = runFiles(store, config);
    const fromR = files.filter((f) => f.datasetId === ravdess);
    const fromE = files.filter((f) => f.datasetId === emodb);
    // RAVDESS: 4 actors × 60, less 4 × 8 surprised; calm (8 per actor) joins neutral (4 per actor).
    expect(fromR).toHaveLength(4 * 52);
    expect(fromR.filter((f) => f.label === 'neutral')).toHaveLength(4 * 12);
    expect(fromR.some((f) => f.label === 'calm' || f.label === 'surprised')).toBe(false);
    // EMO-DB's boredom has no unified label (dropped at import): 535 − 81 files.
    expect(fromE).toHaveLength(535 - 81);
    expect(new Set(fromE.map((f) => f.speaker))).toEqual(
      new Set(['03', '08', '09', '10', '11', '12', '13', '14', '15', '16'].map((s) => `${emodb}:${s}`)),
    );
    expect(fromR.every((f) => f.speaker!.startsWith(`${ravdess}:`))).toBe(true);
    expect(() => runFiles(store, parseRunConfig({ datasetId: ravdess, labelMap: { boredom: 'neutral' }, model: 'svm' }))).toThrow(
      /label map for dataset \d+ names "boredom", which it does not have; its labels are angry, calm, disgust/,
    );
  });

  it('trains on both corpora with a per-corpus speaker split and scores each corpus separately', async () => {
    const result = await startRun(
      store,
      {
        datasetId: ravdess,
        extraDatasets: [{ datasetId: emodb }],
        labels: SHARED_LABELS,
        model: 'svm',
        split: { kind: 'kfold-speaker', k: 2, fold: 0, seed: 3 },
      },
      { inProcess: true },
    ).done;
    expect(result.error).toBeNull();
    const evals = listEvaluations(store.db, result.runId);
    const test = evals.find((e) => e.split === 'test')!;
    const perR = evals.find((e) => e.split === `test:${ravdess}`)!;
    const perE = evals.find((e) => e.split === `test:${emodb}`)!;
    // Half of each corpus's speakers are tested: 2 RAVDESS actors × 44 files with the shared labels, 5 EMO-DB speakers.
    expect(perR.report.n).toBe(2 * 44);
    expect(perE.report.n).toBeGreaterThan(150);
    expect(perR.report.n + perE.report.n).toBe(test.report.n);
    expect(perR.datasetId).toBe(ravdess);
    expect(perE.datasetId).toBe(emodb);
    // The pooled and per-corpus predictions are the same predictions, regrouped.
    const pooled = new Map(test.predictions.map((p) => [p.fileId, p.predicted]));
    for (const p of [...perR.predictions, ...perE.predictions]) expect(pooled.get(p.fileId)).toBe(p.predicted);
  }, 300_000);

  it('leave-corpus-out through the CLI: trained on RAVDESS only, tested on every EMO-DB file with the shared labels', () => {
    const db = join(dir, 'workbench.sqlite');
    const r = ser(
      [
        'train',
        '--db',
        db,
        '--dataset',
        String(ravdess),
        '--extra-datasets',
        String(emodb),
        '--test-corpus',
        String(emodb),
        '--labels',
        SHARED_LABELS.join(','),
        '--model',
        'svm',
        '--in-process',
        '--json',
      ],
      { env: { SER_CACHE_DIR: join(dir, 'cache') }, timeout: 300_000 },
    );
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { runId: number; metrics: { n: number; labels: string[] } };
    expect(out.metrics.n).toBe(535 - 81);
    expect(out.metrics.labels).toEqual(SHARED_LABELS);
    const evals = listEvaluations(store.db, out.runId);
    expect(evals.find((e) => e.split === 'test')!.datasetId).toBe(emodb);
    // --model with no --config/--recipe trains the model's default recipe (resources/recipes/svm.json).
    expect(getRunDetail(store.db, out.runId)!.config).toMatchObject({
      model: { preset: 'svm', params: { class_weight: 'balanced' } },
      features: { kind: 'functionals' },
    });
    // Validation came from RAVDESS speakers only (15 % of 4 actors = 1 actor × 44 files).
    expect(evals.find((e) => e.split === 'val')!.report.n).toBe(44);
    const bad = ser(['train', '--db', db, '--dataset', String(ravdess), '--test-corpus', String(emodb), '--model', 'svm', '--json']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/split: a leave-corpus-out split needs at least two datasets/);
  }, 300_000);
});
