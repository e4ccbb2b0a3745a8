import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../src-shared/config/run';
import type { EvaluationReport } from '../../src-shared/metrics';
import { openStore } from '../../src-main/core/store/db';
import { REPO_ROOT } from '../helpers/shared';

/** Runs the real `ser` binary against the temp DB; returns exit code, stdout, stderr. */
function ser(dbPath: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'ser.mjs'), ...args, '--db', dbPath], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('ser runs / compare / export on a seeded database', () => {
  let dir: string;
  let dbPath: string;
  const labels = ['angry', 'happy', 'sad'];
  // Stored evaluations as written out (what evaluatePredictions gives for the predictions noted), not computed here:
  // a call outside a test would make every metrics mutant "static" and rerun this slow CLI test for each one.
  // true [0, 0, 1, 1, 2, 2], predicted [0, 0, 1, 2, 2, 2]
  const report1: EvaluationReport = {
    labels,
    accuracy: 5 / 6,
    uar: 5 / 6,
    macroF1: (1 + 2 / 3 + 0.8) / 3,
    perClass: {
      angry: { precision: 1, recall: 1, f1: 1, support: 2 },
      happy: { precision: 1, recall: 0.5, f1: 2 / 3, support: 2 },
      sad: { precision: 2 / 3, recall: 1, f1: 0.8, support: 2 },
    },
    confusion: [
      [2, 0, 0],
      [0, 1, 1],
      [0, 0, 2],
    ],
    confusionNormalized: [
      [1, 0, 0],
      [0, 0.5, 0.5],
      [0, 0, 1],
    ],
    n: 6,
  };
  // true [0, 0, 1, 1, 2, 2, 3], predicted [0, 1, 1, 1, 2, 0, 3]
  const report2: EvaluationReport = {
    labels: [...labels, 'calm'],
    accuracy: 5 / 7,
    uar: 0.75,
    macroF1: (0.5 + 0.8 + 2 / 3 + 1) / 4,
    perClass: {
      angry: { precision: 0.5, recall: 0.5, f1: 0.5, support: 2 },
      happy: { precision: 2 / 3, recall: 1, f1: 0.8, support: 2 },
      sad: { precision: 1, recall: 0.5, f1: 2 / 3, support: 2 },
      calm: { precision: 1, recall: 1, f1: 1, support: 1 },
    },
    confusion: [
      [1, 1, 0, 0],
      [0, 2, 0, 0],
      [1, 0, 1, 0],
      [0, 0, 0, 1],
    ],
    confusionNormalized: [
      [0.5, 0.5, 0, 0],
      [0, 1, 0, 0],
      [0.5, 0, 0.5, 0],
      [0, 0, 0, 1],
    ],
    n: 7,
  };
  const config1 = {
    datasetId: 1,
    model: { preset: 'resnet', params: {} },
    split: { kind: 'speaker', seed: 1 },
    optimizer: { kind: 'adam', learningRate: 0.001 },
    epochs: 2,
    seed: 42,
  };
  const config2 = { ...config1, optimizer: { kind: 'adamw', learningRate: 0.001 }, epochs: 3 };
  const config3 = { ...config1, model: { preset: 'svm', params: { kernel: 'rbf' } } };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ser-compare-cli-'));
    dbPath = join(dir, 'wb.sqlite');
    const store = openStore(dbPath);
    const db = store.db;
    db.prepare(`INSERT INTO datasets (id, name, root, corpus) VALUES (1, 'ravdess-16k', '/data/ravdess', 'ravdess')`).run();
    const addRun = db.prepare(
      `INSERT INTO runs (id, name, dataset_id, config, status, backend, error, note, created_at, started_at, finished_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    addRun.run(
      1,
      'baseline',
      1,
      JSON.stringify(config1),
      'completed',
      'wasm',
      null,
      'first, "careful"',
      '2025-03-01T10:00:00.000Z',
      '2025-03-01T10:00:00.000Z',
      '2025-03-01T10:02:05.500Z',
    );
    addRun.run(
      2,
      'adamw',
      1,
      JSON.stringify(config2),
      'completed',
      'cpu',
      null,
      '',
      '2025-03-02T10:00:00.000Z',
      '2025-03-02T10:00:00.000Z',
      '2025-03-02T10:00:30.000Z',
    );
    addRun.run(
      3,
      'crashed',
      1,
      JSON.stringify(config3),
      'failed',
      'wasm',
      'worker exited with code 1',
      '',
      '2025-03-03T10:00:00.000Z',
      '2025-03-03T10:00:00.000Z',
      null,
    );
    const addEpoch = db.prepare(`INSERT INTO epoch_metrics (run_id, epoch, metrics) VALUES (?, ?, ?)`);
    addEpoch.run(1, 1, JSON.stringify({ loss: 1.8, val_loss: 1.7, val_uar: 0.3 }));
    addEpoch.run(1, 2, JSON.stringify({ loss: 1.2, val_loss: 1.4, val_uar: 0.45 }));
    addEpoch.run(2, 1, JSON.stringify({ loss: 1.9, val_loss: 1.8, val_uar: 0.28 }));
    db.prepare(`INSERT INTO batch_metrics (run_id, epoch, batch, step, loss, accuracy, lr) VALUES (1, 1, 0, 0, 2.1, 0.2, 0.001)`).run();
    const addEval = db.prepare(`INSERT INTO evaluations (run_id, dataset_id, split, metrics, predictions) VALUES (?, 1, ?, ?, ?)`);
    // Run 1 also has a validation evaluation stored later: the test one must still be the headline.
    addEval.run(
      1,
      'test',
      JSON.stringify(report1),
      JSON.stringify([{ file: 'a.wav', label: 'angry', predicted: 'angry', probabilities: { angry: 0.9, happy: 0.05, sad: 0.05 } }]),
    );
    addEval.run(1, 'val', JSON.stringify({ ...report1, accuracy: 0.123 }), '[]');
    addEval.run(2, 'test', JSON.stringify(report2), '[]');
    store.close();
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ser runs --json lists every run with status, metrics and duration, newest first', () => {
    const r = ser(dbPath, 'runs', '--json');
    expect(r.code, r.stderr).toBe(0);
    const runs = JSON.parse(r.stdout) as {
      id: number;
      status: string;
      datasetName: string;
      model: string;
      backend: string;
      accuracy: number | null;
      uar: number | null;
      seconds: number | null;
      epochs: number;
    }[];
    expect(runs.map((x) => x.id)).toEqual([3, 2, 1]);
    expect(runs[2]).toMatchObject({
      status: 'completed',
      datasetName: 'ravdess-16k',
      model: 'resnet',
      backend: 'wasm',
      accuracy: report1.accuracy,
      uar: report1.uar,
      seconds: 125.5,
      epochs: 2,
    });
    expect(runs[0]).toMatchObject({ status: 'failed', model: 'svm', accuracy: null, seconds: null });

    const text = ser(dbPath, 'runs');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^id\s+status\s+dataset\s+model\s+backend\s+acc%\s+UAR%\s+F1%\s+duration\s+date/);
    expect(text.stdout).toMatch(/\n1\s+completed\s+ravdess-16k\s+resnet\s+wasm\s+83\.3\s+83\.3\s+82\.2\s+2 min 06 s\s+2025-03-01 10:00/);
    expect(ser(dbPath, 'runs', '--status', 'failed', '--json').stdout).toContain('"worker exited with code 1"');
  });

  it('ser compare --json gives runs, config_diff, metrics and a label-set warning', () => {
    const r = ser(dbPath, 'compare', '1', '2', '3', '--json');
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.runs.map((x: { id: number }) => x.id)).toEqual([1, 2, 3]);
    // Stored configs are read through the run config schema: what was stored, every default filled in.
    expect(c.runs[0].config).toEqual(parseRunConfig(config1));
    // The SVM's features and parameters come from its preset's defaults: they differ too, and the diff says so.
    expect(c.configDiff).toEqual({
      'model.preset': ['resnet', 'resnet', 'svm'],
      'optimizer.kind': ['adam', 'adamw', 'adam'],
      epochs: [2, 3, 2],
      'features.kind': ['logmel', 'logmel', 'functionals'],
      'features.hop': [512, 512, 256],
      'features.nMfcc': [40, 40, 13],
      'features.deltas': [0, 0, 1],
      'features.yinFrameLength': [2048, 2048, 1024],
      'features.length.mode': ['fixed', 'fixed', 'variable'],
      'features.length.seconds': [3, 3, null],
      'features.length.maxSeconds': [null, null, 30],
      'model.params.kernel': [null, null, 'rbf'],
      'model.params.C': [null, null, 1],
      'model.params.gamma': [null, null, 'scale'],
      'model.params.class_weight': [null, null, 'none'],
      'model.params.seed': [null, null, 42],
    });
    expect(c.metrics.accuracy).toEqual([report1.accuracy, report2.accuracy, null]);
    expect(c.metrics.uar).toEqual([report1.uar, report2.uar, null]);
    expect(Object.keys(c.perClassF1)).toEqual(labels);
    expect(c.warnings.join('\n')).toMatch(/different label sets/);
    expect(c.warnings.join('\n')).toMatch(/Run 3 has no evaluation \(status failed\)/);
    expect(c.curves[0].epochs).toHaveLength(2);

    const text = ser(dbPath, 'compare', '1', '2');
    expect(text.stdout).toMatch(/optimizer\.kind\s+adam\s+adamw/);
    expect(text.stdout).toMatch(/UAR\s+83\.3\s+/);
  });

  it('ser compare refuses unknown or too few ids with a readable message', () => {
    const missing = ser(dbPath, 'compare', '1', '99');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No run with id 99/);
    const one = ser(dbPath, 'compare', '1', '1');
    expect(one.stderr).toMatch(/at least two different run ids/);
    expect(ser(dbPath, 'compare', '1', 'x').stderr).toMatch(/"x" is not a run id/);
  });

  it('ser export writes the full run as JSON and a summary row as CSV', () => {
    const jsonPath = join(dir, 'run1.json');
    const r = ser(dbPath, 'export', '1', '--out', jsonPath, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ file: jsonPath, format: 'json', runs: [1] });
    const doc = JSON.parse(readFileSync(jsonPath, 'utf8'));
    expect(doc).toMatchObject({ format: 'ser-run', version: 2, run: { id: 1, name: 'baseline', config: config1, status: 'completed' } });
    expect(doc.run.epochs).toEqual([
      { epoch: 1, metrics: { loss: 1.8, val_loss: 1.7, val_uar: 0.3 } },
      { epoch: 2, metrics: { loss: 1.2, val_loss: 1.4, val_uar: 0.45 } },
    ]);
    expect(doc.run.batches).toHaveLength(1);
    expect(doc.run.evaluation.accuracy).toBe(report1.accuracy);
    expect(doc.run.evaluation.confusion).toEqual(report1.confusion);
    expect(doc.run.evaluation.predictions[0].file).toBe('a.wav');

    const csvPath = join(dir, 'runs.csv');
    expect(ser(dbPath, 'export', '1', '2', '--out', csvPath).code).toBe(0);
    const lines = readFileSync(csvPath, 'utf8').split('\r\n');
    expect(lines[0]).toMatch(/^id,name,status,datasetId,datasetName,model,backend,split,accuracy,uar,macroF1,/);
    expect(lines[0]).toContain('f1.angry');
    expect(lines[0]).toContain('config.optimizer.kind');
    expect(lines[1]).toContain('"first, ""careful"""');
    expect(lines).toHaveLength(4); // header, 2 rows, trailing empty

    const curvesPath = join(dir, 'curves.csv');
    expect(ser(dbPath, 'export', '1', '2', '--out', curvesPath, '--epochs').code).toBe(0);
    expect(readFileSync(curvesPath, 'utf8')).toBe('runId,epoch,loss,val_loss,val_uar\r\n1,1,1.8,1.7,0.3\r\n1,2,1.2,1.4,0.45\r\n2,1,1.9,1.8,0.28\r\n');

    const bad = ser(dbPath, 'export', '1', '--out', join(dir, 'run.txt'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/must end in \.json or \.csv/);
  });
});
