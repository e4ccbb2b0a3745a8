// Ensembles end to end on real RAVDESS audio (actors 01–03: train 01, validation 02, test 03) through the CLI: an SVM on
// speaker-normalised functionals and a tiny SimpleCNN on log-mel spectrograms (so the members differ in features and in
// speaker adaptation), combined with equal and validation-fitted weights.
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitEnsembleWeights } from '../../src-shared/ensemble';
import type { EnsembleResult } from '../../src-shared/ensemble';
import { dispatch } from '../../src-main/core/api/dispatch';
import { createHandlers } from '../../src-main/core/api/handlers';
import { JobQueue } from '../../src-main/core/jobs';
import { openStore, type Store } from '../../src-main/core/store/db';
import { getRunDetail, listRunSummaries, loadRunsForComparison } from '../../src-main/core/store/runQueries';
import { compareRuns } from '../../src-main/core/evaluation/compare';
import { listEvaluations, listModels } from '../../src-main/core/store/runs';
import { buildEnsemble } from '../../src-main/core/training/ensemble';
import { activateBackend } from '../../src-main/core/training/pipeline';
import { loadPredictor, predictPaths, type SpeakerStatsSource } from '../../src-main/core/training/predict';
import { classifyRecording, loadRecorderModel, modelClassifier } from '../../src-main/core/recorder/classifier';
import { fitModelSpeakerStats } from '../../src-main/core/training/speakerProfile';
import { loadAudio } from '../../src-main/core/audio/load';
import { ser as runSer } from '../helpers/cli';
import { makeTempDir, removeDir } from '../helpers/fixtures';
import { RAVDESS_16K } from '../helpers/shared';

let dir: string;
let db: string;
const env = () => ({ SER_CACHE_DIR: join(dir, 'cache') });
const ser = (...args: string[]) => runSer([...args, '--db', db], { env: env(), timeout: 120_000 });
/** Runs `ser … --json`, failing with its stderr when it does not succeed. */
function serJson<T>(...args: string[]): T {
  const r = ser(...args, '--json');
  if (r.code !== 0) throw new Error(`ser ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout) as T;
}

interface TrainOut {
  runId: number;
  modelDir: string;
  modelId: number;
}
interface PredictOut {
  labels: string[];
  predictions: { file: string; label: string; probabilities: Record<string, number> }[];
}

const split = ['--test-speakers', '03', '--val-speakers', '02'];
const files = ['03-01-05-01-01-01-03.wav', '03-01-03-02-02-02-03.wav', '03-01-01-01-02-01-03.wav'].map((f) => join(RAVDESS_16K, 'Actor_03', f));
let svm: TrainOut;
let cnn: TrainOut;

beforeAll(() => {
  dir = makeTempDir('ser-ensemble-');
  db = join(dir, 'workbench.sqlite');
  const data = join(dir, 'ravdess');
  mkdirSync(data);
  for (const a of ['Actor_01', 'Actor_02', 'Actor_03']) symlinkSync(join(RAVDESS_16K, a), join(data, a));
  // --in-process: one process start-up fewer per run.
  svm = serJson<TrainOut>('train', '--data', data, '--model', 'svm', '--speaker-norm', ...split, '--in-process', '--out', join(dir, 'svm'));
  // Tiny on purpose (two shared cores): a different feature path (log-mel) from the SVM's functionals.
  const cnnConfig = join(dir, 'cnn.json');
  writeFileSync(
    cnnConfig,
    JSON.stringify({ model: { preset: 'simplecnn', params: { filters: [4, 8, 8, 8], denseUnits: 16 } }, epochs: 2, batchSize: 20 }),
  );
  cnn = serJson<TrainOut>('train', '--dataset', '1', '--config', cnnConfig, ...split, '--in-process', '--out', join(dir, 'cnn'));
}, 120_000);

afterAll(() => {
  if (dir) removeDir(dir);
});

describe('ser ensemble', () => {
  let equal: EnsembleResult;
  let byVal: EnsembleResult;

  it('fits weights on the members’ stored validation predictions and stores the ensemble as a run with val and test evaluations', () => {
    byVal = serJson<EnsembleResult>(
      'ensemble',
      '--models',
      `${svm.modelDir},${cnn.modelDir}`,
      '--weights',
      'val',
      '--out',
      join(dir, 'ens-val'),
      '--name',
      'svm+cnn',
    );
    expect(byVal.members).toEqual([svm.modelDir, cnn.modelDir]);
    expect(byVal.weighting).toBe('val');
    expect(byVal.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    for (const w of byVal.weights) expect(w).toBeGreaterThanOrEqual(0);
    expect(byVal.labels).toHaveLength(8);
    expect(byVal.val).not.toBeNull();
    expect(byVal.test?.n).toBe(60);
    expect(byVal.runId).not.toBeNull();

    // The same weights from the stored validation predictions (never test), fitted here independently of the CLI.
    const store = openStore(db);
    try {
      const val = (runId: number) => listEvaluations(store.db, runId).find((e) => e.split === 'val')!.predictions;
      const [a, b] = [val(svm.runId), val(cnn.runId)];
      const byFile = new Map(b.map((p) => [p.fileId, p]));
      const probs = [a, a.map((p) => byFile.get(p.fileId)!)].map((ps) => ps.map((p) => Float32Array.from(byVal.labels, (l) => p.probabilities[l])));
      const expected = fitEnsembleWeights(
        probs,
        a.map((p) => byVal.labels.indexOf(p.label)),
      );
      byVal.weights.forEach((w, i) => expect(w).toBeCloseTo(expected[i], 9));

      // Results and Compare list it like a trained run: model 'ensemble', the members' split, its test figures.
      const run = listRunSummaries(store.db).find((r) => r.id === byVal.runId)!;
      expect(run).toMatchObject({ model: 'ensemble', status: 'completed', name: 'svm+cnn', datasetId: 1 });
      expect(run.split).toBe(listRunSummaries(store.db).find((r) => r.id === svm.runId)!.split);
      expect(run.ensemble?.members.map((m) => m.runId)).toEqual([svm.runId, cnn.runId]);
      // The SVM member normalises per speaker: the ensemble says so (its figures are reported with adaptation).
      expect(run.ensemble?.adaptation).toEqual({ speakerNormalization: true, speakerAdaptiveBatchNorm: false });
      expect(byVal.adaptation).toEqual({ speakerNormalization: true, speakerAdaptiveBatchNorm: false });
      expect(run.uar).toBeCloseTo(byVal.test!.uar, 12);
      const detail = getRunDetail(store.db, byVal.runId!)!;
      expect(detail.evaluation?.predictions).toHaveLength(60);
      expect(listModels(store.db).find((m) => m.path === byVal.dir)).toMatchObject({ kind: 'ensemble', runId: byVal.runId });
      // Compare: beside its member, same dataset and split, so no "different test sets" warning; the configs differ in kind.
      const comparison = compareRuns(loadRunsForComparison(store.db, [svm.runId, byVal.runId!]));
      expect(comparison.warnings.filter((w) => /test/.test(w))).toEqual([]);
      expect(comparison.metrics.uar[1]).toBeCloseTo(byVal.test!.uar, 12);
      expect(comparison.configDiff.kind).toEqual([null, 'ensemble']);
    } finally {
      store.close();
    }
    const meta = JSON.parse(readFileSync(join(byVal.dir, 'meta.json'), 'utf8')) as { kind: string; members: { dir: string }[]; runId: number };
    expect(meta.kind).toBe('ensemble');
    expect(meta.runId).toBe(byVal.runId);
    for (const m of meta.members) expect(existsSync(join(byVal.dir, m.dir, 'meta.json'))).toBe(true);
  });

  it('predicts the weighted mean of its members’ own predictions, also after the folder is moved', async () => {
    equal = serJson<EnsembleResult>('ensemble', '--models', `${svm.modelDir},${cnn.modelDir}`, '--out', join(dir, 'ens-equal'));
    expect(equal.weights).toEqual([0.5, 0.5]);
    const moved = join(dir, 'moved', 'ensemble');
    mkdirSync(join(dir, 'moved'));
    renameSync(equal.dir, moved);
    // The SVM member standardises functionals per speaker, so the files are predicted as one speaker's (alone, each
    // would have no statistics: refused, naming the member).
    const e = serJson<PredictOut>('predict', '--model', moved, '--one-speaker', ...files);
    const lone = serJson<{ predictions: { file: string; error?: string }[] }>('predict', '--model', moved, files[0]);
    expect(lone.predictions[0].error).toMatch(/ensemble member 0 \(.*\): .*standardises its utterance-level features per speaker/);
    // The members alone, through predictPaths as `ser predict --model <member> --one-speaker` runs them (in this
    // process: two CLI start-ups fewer on two shared cores).
    await activateBackend('auto');
    const [a, b] = await Promise.all(
      [svm.modelDir, cnn.modelDir].map(async (m) => ({
        predictions: (await predictPaths(await loadPredictor(m), files, { oneSpeaker: true })) as PredictOut['predictions'],
      })),
    );
    expect(e.labels).toEqual(equal.labels);
    // The CLI reports resolved paths (../shared may be a link to the corpora).
    expect(e.predictions.map((p) => p.file)).toEqual(files.map((f) => realpathSync(f)));
    e.predictions.forEach((p, i) => {
      for (const l of e.labels)
        expect(Math.abs(p.probabilities[l] - (a.predictions[i].probabilities[l] + b.predictions[i].probabilities[l]) / 2)).toBeLessThan(1e-6);
    });
    // The members disagree on some file here, so the check is not one member's answer twice.
    expect(a.predictions.some((p, i) => p.label !== b.predictions[i].label)).toBe(true);

    // The recorder's classifier: a window long enough for every member, a take at 48 kHz classified as the members' mean,
    // with the speaker's statistics (here from the three files) for the member that needs them.
    const recorder = await loadRecorderModel(moved);
    const [svmModel, cnnModel] = await Promise.all([svm.modelDir, cnn.modelDir].map((m) => loadPredictor(m)));
    expect(modelClassifier(recorder).inputSeconds).toBe(Math.max(svmModel.inputSeconds, cnnModel.inputSeconds));
    const utterances = await Promise.all(files.map((f) => loadAudio(f, { sampleRate: 16_000 })));
    const speaker: SpeakerStatsSource = (m) => fitModelSpeakerStats(m, utterances);
    const take = (await loadAudio(files[0], { sampleRate: 48_000 })).samples;
    const [ra, rb, re] = await Promise.all([svmModel, cnnModel, recorder].map((m) => classifyRecording(m, take, 48_000, speaker)));
    for (const l of e.labels) expect(Math.abs(re.probabilities[l] - (ra.probabilities[l] + rb.probabilities[l]) / 2)).toBeLessThan(1e-6);
    renameSync(moved, equal.dir);
  });

  it('ser evaluate scores it on a dataset, as the ensemble run stored it on the test files', () => {
    const r = serJson<{ n: number; uar: number; evaluationId: number }>('evaluate', '--model', equal.dir, '--dataset', '1');
    expect(r.n).toBe(180);
    expect(r.uar).toBeGreaterThan(0);
    const store = openStore(db);
    try {
      const all = listEvaluations(store.db, equal.runId!);
      const stored = all.find((x) => x.split === 'test')!.predictions;
      const evaluated = new Map(all.find((x) => x.id === r.evaluationId)!.predictions.map((p) => [p.fileId, p]));
      // Both are stored rounded to 1e-6.
      for (const p of stored)
        for (const l of equal.labels)
          expect(Math.abs(evaluated.get(p.fileId)!.probabilities[l] - p.probabilities[l])).toBeLessThanOrEqual(1.000001e-6);
    } finally {
      store.close();
    }
  });

  it('refuses a member with other labels, naming the models and their labels', () => {
    const odd = join(dir, 'odd-labels');
    cpSync(svm.modelDir, odd, { recursive: true });
    const meta = JSON.parse(readFileSync(join(odd, 'meta.json'), 'utf8')) as { labels: string[]; name: string };
    meta.labels = meta.labels.map((l) => (l === 'calm' ? 'bored' : l));
    meta.name = 'odd svm';
    writeFileSync(join(odd, 'meta.json'), JSON.stringify(meta));
    const r = ser('ensemble', '--models', `${cnn.modelDir},${odd}`, '--out', join(dir, 'never'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/must have the same labels \(in any order\), but odd svm .* differs from /);
    expect(r.stderr).toContain('bored');
    expect(r.stderr).toContain(cnn.modelDir);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('refuses --weights val when a member was not trained in this database, and says why', async () => {
    const foreign = join(dir, 'foreign');
    cpSync(cnn.modelDir, foreign, { recursive: true });
    const meta = JSON.parse(readFileSync(join(foreign, 'meta.json'), 'utf8')) as { runId: number };
    meta.runId = 999;
    writeFileSync(join(foreign, 'meta.json'), JSON.stringify(meta));
    const store = openStore(db);
    try {
      const build = (weights: 'val' | 'equal') =>
        buildEnsemble(store, { models: [svm.modelDir, foreign], weights, out: join(dir, `foreign-${weights}`) });
      await expect(build('val')).rejects.toThrow(
        `--weights val needs members trained on the same split of one dataset in this database, but ${foreign} was trained in run 999, which is not in ${db}.`,
      );
      expect(existsSync(join(dir, 'foreign-val'))).toBe(false);
      // Equal weights need no common split: the ensemble is saved and registered, but no run is stored for it.
      const r = await build('equal');
      expect(r).toMatchObject({ runId: null, val: null, test: null, weights: [0.5, 0.5] });
      expect(listModels(store.db).find((m) => m.id === r.modelId)).toMatchObject({ kind: 'ensemble', runId: null });
    } finally {
      store.close();
    }
  });

  it('refuses --weights val for members trained on different splits, naming the runs', async () => {
    const other = serJson<TrainOut>(
      'train',
      '--dataset',
      '1',
      '--model',
      'forest',
      '--test-speakers',
      '02',
      '--val-speakers',
      '03',
      '--in-process',
      '--out',
      join(dir, 'forest'),
    );
    const store = openStore(db);
    try {
      await expect(buildEnsemble(store, { models: [svm.modelDir, other.modelDir], weights: 'val', out: join(dir, 'split-val') })).rejects.toThrow(
        `--weights val needs members trained on the same split of one dataset in this database, but runs ${svm.runId} and ${other.runId} were tested on different files.`,
      );
    } finally {
      store.close();
    }
  });

  it('a damaged ensemble folder fails to load with the file and the cause', async () => {
    const broken = join(dir, 'broken');
    cpSync(byVal.dir, broken, { recursive: true });
    const metaPath = join(broken, 'meta.json');
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { weights: number[] };
    writeFileSync(metaPath, JSON.stringify({ ...meta, weights: [0.9, 0.5] }));
    await expect(loadPredictor(broken)).rejects.toThrow(`${metaPath}: not a valid ensemble (weights: weights sum to 1.4, not 1)`);
    writeFileSync(metaPath, JSON.stringify(meta));
    removeDir(join(broken, 'members', '1'));
    await expect(loadPredictor(broken)).rejects.toThrow(/member 1 \(.*\) is missing: members\/1 does not exist/);
  });

  it('models.ensemble builds the same ensemble from stored model ids, and the schema refuses a lone model', async () => {
    const store: Store = openStore(db);
    try {
      const handlers = createHandlers({ store, jobs: new JobQueue(() => {}), mode: 'browser' });
      const bad = await dispatch(handlers, 1, 'models.ensemble', { models: [svm.modelId] });
      expect(bad).toMatchObject({ error: { code: 'invalid' } });
      expect(JSON.stringify(bad)).toMatch(/models/);
      const r = (await dispatch(handlers, 2, 'models.ensemble', { models: [svm.modelId, cnn.modelId], weights: 'val', out: join(dir, 'api') })) as {
        result: EnsembleResult;
      };
      expect(r.result.weights).toEqual(byVal.weights);
      expect(r.result.test).toEqual(byVal.test);
      expect(r.result.modelId).not.toBeNull();
    } finally {
      store.close();
    }
  });
});
