// Training runs end to end on real RAVDESS audio (actors 01 and 02), through the train worker.
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../src-main/core/datasets/import';
import { openStore, type Store } from '../../src-main/core/store/db';
import { listEvaluations, listModels } from '../../src-main/core/store/runs';
import { getRunDetail } from '../../src-main/core/store/runQueries';
import { evaluateOnDataset } from '../../src-main/core/training/evaluate';
import { activateBackend } from '../../src-main/core/training/pipeline';
import { classifyFile, loadModel, predictPaths } from '../../src-main/core/training/predict';
import { startRun, type RunEvent } from '../../src-main/core/training/run';
import { RAVDESS_16K } from '../helpers/shared';

let dir: string;
let store: Store;
let datasetId: number;

// Small enough for two shared cores: 60 training files, a 4-8-8-8 SimpleCNN, batches of 20.
const tiny = (over: Record<string, unknown> = {}) => ({
  datasetId,
  model: { preset: 'simplecnn', params: { filters: [4, 8, 8, 8], denseUnits: 16 } },
  split: { kind: 'speaker', testSpeakers: ['02'], seed: 1 },
  epochs: 2,
  batchSize: 20,
  augmentation: { specAugment: { p: 0.5 } },
  seed: 7,
  ...over,
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ser-train-'));
  const data = join(dir, 'ravdess');
  mkdirSync(data);
  for (const a of ['Actor_01', 'Actor_02']) symlinkSync(join(RAVDESS_16K, a), join(data, a));
  process.env.SER_CACHE_DIR = join(dir, 'cache');
  store = openStore(join(dir, 'workbench.sqlite'));
  datasetId = (await importDataset(store, { folder: data })).datasetId;
});

afterAll(() => {
  store?.close();
  delete process.env.SER_CACHE_DIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('training runs', () => {
  let modelDir: string;
  let runId: number;

  it('trains in a worker and stores status, every epoch and batch, the test evaluation and the model', async () => {
    const events: RunEvent[] = [];
    const handle = startRun(store, tiny({ outDir: join(dir, 'model-a') }), { onEvent: (e) => events.push(e) });
    expect(getRunDetail(store.db, handle.runId, { batches: true })?.status).toMatch(/queued|running/);
    const result = await handle.done;
    expect(result.error).toBeNull();
    expect(result.status).toBe('completed');
    expect(result.backend).toMatch(/native|cpu|wasm/);
    runId = result.runId;
    modelDir = result.modelDir!;

    const run = getRunDetail(store.db, runId, { batches: true })!;
    expect(run.status).toBe('completed');
    expect(run.backend).toBe(result.backend);
    expect(run.epochsData.map((e) => e.epoch)).toEqual([1, 2]);
    expect(run.epochsData[0].metrics.loss).toBeGreaterThan(0);
    expect(run.batches).toHaveLength(6); // 60 files / 20 per batch x 2 epochs
    expect(run.evaluation?.n).toBe(60);
    expect(run.evaluation?.labels).toHaveLength(8);
    expect(run.evaluation?.predictions).toHaveLength(60);
    expect(run.accuracy).toBe(result.metrics?.accuracy);
    expect(run.config).toMatchObject({ model: { preset: 'simplecnn' }, seed: 7 });
    expect(run.modelId).not.toBeNull();
    expect(listModels(store.db)[0]).toMatchObject({ runId: runId, path: modelDir, kind: 'neural' });
    for (const f of ['meta.json', 'model.json', 'weights.bin']) expect(existsSync(join(modelDir, f))).toBe(true);

    const types = events.map((e) => e.type);
    expect(types[0]).toBe('status');
    expect(types.filter((t) => t === 'epoch')).toHaveLength(2);
    expect(types.indexOf('evaluation')).toBeGreaterThan(types.lastIndexOf('epoch'));
    expect(types.at(-1)).toBe('done');
  });

  it('the saved model reloads and predicts exactly what the run stored', async () => {
    await activateBackend('auto');
    const model = await loadModel(modelDir);
    const stored = getRunDetail(store.db, runId, { batches: true })!.evaluation!;
    const again = await evaluateOnDataset(store, model, datasetId, { fileIds: stored.predictions.map((p) => p.fileId!) });
    expect(again.report.confusion).toEqual(stored.confusion);
    const byFile = new Map(again.predictions.map((p) => [p.fileId, p]));
    for (const p of stored.predictions) {
      const q = byFile.get(p.fileId)!;
      expect(q.predicted).toBe(p.predicted);
      for (const l of Object.keys(p.probabilities)) expect(q.probabilities[l]).toBeCloseTo(p.probabilities[l], 5);
    }
    // Straight from the audio file (decode → features → normalise) gives the same answer.
    const first = stored.predictions[0];
    const direct = await classifyFile(model, first.file);
    expect(direct.label).toBe(first.predicted);
    expect(direct.probabilities[first.predicted]).toBeCloseTo(first.probabilities[first.predicted], 5);
  });

  it('the same config and seed gives identical metrics', async () => {
    const a = await startRun(store, tiny(), { inProcess: true }).done;
    const b = await startRun(store, tiny(), { inProcess: true }).done;
    const metrics = (id: number) => getRunDetail(store.db, id, { batches: true })!.epochsData.map((e) => ({ ...e.metrics, seconds: 0 }));
    expect(metrics(b.runId)).toEqual(metrics(a.runId));
    expect(b.metrics?.confusion).toEqual(a.metrics?.confusion);
  });

  it('cancel stops the run within a batch and marks it cancelled', async () => {
    let batchesAfterCancel = 0;
    let cancelled = false;
    // Batch events arrive from the worker after startRun has returned, so `handle` is set by then.
    const handle = startRun(store, tiny({ epochs: 50 }), {
      onEvent: (e) => {
        if (e.type !== 'batch') return;
        if (cancelled) batchesAfterCancel++;
        else if (e.point.step === 2) {
          cancelled = true;
          handle.cancel();
        }
      },
    });
    const result = await handle.done;
    expect(result.status).toBe('cancelled');
    expect(batchesAfterCancel).toBeLessThanOrEqual(1);
    expect(getRunDetail(store.db, result.runId, { batches: true })?.status).toBe('cancelled');
  });

  it('a killed worker marks the run failed with the reason and keeps finished epochs', async () => {
    const handle = startRun(store, tiny({ epochs: 50 }), {
      onEvent: (e) => {
        if (e.type === 'epoch' && e.point.epoch === 1) process.kill(handle.workerPid!, 'SIGKILL');
      },
    });
    const result = await handle.done;
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/SIGKILL/);
    const run = getRunDetail(store.db, result.runId, { batches: true })!;
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/SIGKILL/);
    expect(run.epochsData.length).toBeGreaterThanOrEqual(1);
  });

  it('trains an SVM on functionals, evaluates cross-corpus with a label map, and its saved model reloads', async () => {
    const result = await startRun(
      store,
      {
        datasetId,
        model: 'svm',
        split: { kind: 'speaker', testSpeakers: ['02'], seed: 1 },
        // The same folder stands in for corpus B: calm is scored as neutral, surprised is dropped.
        crossEvaluation: { datasetId, labelMap: { calm: 'neutral', surprised: null } },
      },
      { inProcess: true },
    ).done;
    expect(result.status).toBe('completed');
    expect(result.metrics!.n).toBe(60);
    const cross = listEvaluations(store.db, result.runId).find((e) => e.split === `cross:${datasetId}`)!;
    expect(cross.report.n).toBe(120 - 16);
    expect(cross.report.perClass.neutral.support).toBe(8 + 16);
    expect(cross.report.perClass.calm.support).toBe(0);
    const model = await loadModel(result.modelDir!);
    expect(model.meta.kind).toBe('svm');
    const again = await evaluateOnDataset(store, model, datasetId, {
      fileIds: getRunDetail(store.db, result.runId, { batches: true })!.evaluation!.predictions.map((p) => p.fileId!),
    });
    expect(again.report.confusion).toEqual(result.metrics!.confusion);
  });

  it('speaker normalisation: trains, is saved with the model, and evaluation groups by speaker the same way', async () => {
    const config = { datasetId, model: 'svm', split: { kind: 'speaker', testSpeakers: ['02'], seed: 1 } };
    const plain = await startRun(store, config, { inProcess: true }).done;
    const result = await startRun(store, { ...config, speakerNormalization: true }, { inProcess: true }).done;
    expect(result.status).toBe('completed');
    // A male training voice (01) against a female test voice (02): standardising each voice on its own helps.
    console.log(`speaker normalisation, SVM 01 -> 02: accuracy ${plain.metrics!.accuracy.toFixed(3)} -> ${result.metrics!.accuracy.toFixed(3)}`);
    expect(result.metrics!.accuracy).toBeGreaterThan(plain.metrics!.accuracy);
    const model = await loadModel(result.modelDir!);
    expect(model.preprocessing.speakerNormalization).toBe(true);
    const fileIds = getRunDetail(store.db, result.runId, { batches: true })!.evaluation!.predictions.map((p) => p.fileId!);
    const again = await evaluateOnDataset(store, model, datasetId, { fileIds });
    expect(again.report.confusion).toEqual(result.metrics!.confusion);
    // A lone file's functionals (one value per dimension) cannot be standardised on their own: refused, not answered.
    await expect(classifyFile(model, join(RAVDESS_16K, 'Actor_02', '03-01-05-02-01-01-02.wav'))).rejects.toThrow(
      /03-01-05-02-01-01-02.wav|recording: this model standardises its utterance-level features per speaker/,
    );
    // The test files (all of actor 02) predicted from their audio as one speaker give the run's confusion matrix.
    const stored = getRunDetail(store.db, result.runId, { batches: true })!.evaluation!.predictions;
    const asOne = await predictPaths(
      model,
      stored.map((p) => p.file),
      { oneSpeaker: true },
    );
    expect(asOne.map((p) => ('label' in p ? p.label : p.error))).toEqual(stored.map((p) => p.predicted));
  });

  it("speaker-adaptive batch norm: test files are predicted with their speaker's statistics, and so is a re-evaluation", async () => {
    const logs: string[] = [];
    const result = await startRun(store, tiny({ speakerAdaptiveBatchNorm: true, outDir: join(dir, 'model-adabn') }), {
      inProcess: true,
      onEvent: (e) => e.type === 'log' && logs.push(e.message),
    }).done;
    expect(result.error).toBeNull();
    expect(logs.join('\n')).toMatch(/Speaker-adaptive batch norm: the 4 batch-norm layers are re-estimated/);
    const model = await loadModel(result.modelDir!);
    expect(model.preprocessing.speakerAdaptiveBatchNorm).toBe(true);
    const stored = getRunDetail(store.db, result.runId, { batches: true })!.evaluation!;
    const again = await evaluateOnDataset(store, model, datasetId, { fileIds: stored.predictions.map((p) => p.fileId!) });
    expect(again.report.confusion).toEqual(stored.confusion);
    const byFile = new Map(again.predictions.map((p) => [p.fileId, p]));
    for (const p of stored.predictions)
      for (const l of model.labels) expect(byFile.get(p.fileId)!.probabilities[l]).toBeCloseTo(p.probabilities[l], 4);
    // A lone file keeps the training statistics, so its probabilities differ from its speaker-adapted ones.
    const lone = await classifyFile(model, stored.predictions[0].file);
    const gap = Math.max(...model.labels.map((l) => Math.abs(lone.probabilities[l] - stored.predictions[0].probabilities[l])));
    expect(gap).toBeGreaterThan(1e-3);
    // The test split is all of actor 02: predicting those files as one speaker from the audio repeats the run, and a
    // broken file among them is reported without disturbing the rest.
    const broken = join(dir, 'broken.wav');
    writeFileSync(broken, 'RIFF not really');
    const paths = [...stored.predictions.map((p) => p.file), broken];
    const asOne = await predictPaths(model, paths, { oneSpeaker: true });
    expect(asOne.at(-1)).toMatchObject({ file: broken, error: expect.stringMatching(/.+/) });
    stored.predictions.forEach((p, i) => {
      const q = asOne[i] as { label: string; probabilities: Record<string, number> };
      expect(q.label).toBe(p.predicted);
      for (const l of model.labels) expect(q.probabilities[l]).toBeCloseTo(p.probabilities[l], 4);
    });
  });

  it('speaker-adaptive batch norm on a network without batch norm fails the run with the reason', async () => {
    const result = await startRun(store, tiny({ model: { preset: 'bilstm', params: { units: 4 } }, speakerAdaptiveBatchNorm: true }), {
      inProcess: true,
    }).done;
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/speakerAdaptiveBatchNorm: BiLSTM has no batch-norm layers to adapt/);
    // The model folder reserved for the run is released when nothing was saved into it.
    expect(existsSync(join(dir, 'models', `run-${result.runId}`))).toBe(false);
  });

  it("two databases in one folder never write into each other's model folders (same run ids, shared models/)", async () => {
    const svm = { datasetId: 1, model: 'svm', split: { kind: 'speaker', testSpeakers: ['02'], seed: 1 } };
    const other = openStore(join(dir, 'other.sqlite'));
    try {
      await importDataset(other, { folder: join(dir, 'ravdess') });
      // Both stores' runs get the same id: a placeholder row moves the other database's next id to match.
      const mine = await startRun(store, { ...svm, datasetId }, { inProcess: true }).done;
      other.db.prepare("INSERT INTO runs (id, config, status) VALUES (?, '{}', 'failed')").run(mine.runId - 1);
      const theirs = await startRun(other, svm, { inProcess: true }).done;
      expect([mine.status, theirs.status]).toEqual(['completed', 'completed']);
      expect(theirs.runId).toBe(mine.runId);
      expect(mine.modelDir).toBe(join(dir, 'models', `run-${mine.runId}`));
      expect(theirs.modelDir).toBe(join(dir, 'models', `run-${mine.runId}-2`));
      // Each store's model row points at its own folder, and the first model is still the first run's.
      expect(listModels(other.db).find((m) => m.runId === theirs.runId)?.path).toBe(theirs.modelDir);
      expect((await loadModel(mine.modelDir!)).meta.runId).toBe(mine.runId);
      expect(listModels(store.db).find((m) => m.runId === mine.runId)?.path).toBe(mine.modelDir);
    } finally {
      other.close();
    }
  });

  it('rejects an invalid config before creating a run', () => {
    const before = store.db.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number };
    expect(() => startRun(store, { datasetId, model: 'resnet', epochs: 0 })).toThrow(/epochs/);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM runs').get()).toEqual(before);
  });
});
