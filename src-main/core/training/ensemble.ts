import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EvaluationReport, FilePrediction } from '../../../src-shared/api/contract';
import {
  alignLabels,
  combineProbabilities,
  EnsembleRequestSchema,
  equalWeights,
  fitEnsembleWeights,
  reorder,
  type EnsembleMeta,
  type EnsembleMember,
  type EnsembleRequest,
  type EnsembleResult,
  type EnsembleRunConfig,
} from '../../../src-shared/ensemble';
import { errorMessage } from '../../../src-shared/api/errors';
import { parseRunConfig, type RunConfig } from '../../../src-shared/config/run';
import { evaluatePredictions } from '../../../src-shared/metrics';
import type { Store } from '../store/db';
import { commitStagingDir, createStagingDir, modelSaveError, modelsRoot } from '../store/modelFolders';
import { getRunSummary } from '../store/runQueries';
import { createRun, finishRun, getModel, listEvaluations, markRunStarted, recordEvaluation, recordModel, type StoredEvaluation } from '../store/runs';
import { evaluateOnDataset } from './evaluate';
import { adaptationOf, isEnsembleDir, loadEnsemble, loadModel, type LoadedModel } from './predict';
import { SAVED_MODEL_FORMAT } from './savedModel';

/**
 * Building a saved ensemble from saved models: checks the labels, copies every member into the ensemble folder
 * (members/0, members/1, … so the folder is self-contained and can be moved), weights the members equally or on their
 * common validation split, and, when the members were all trained on one stored split, stores the ensemble as a run of
 * its own with val and test evaluations (Results and Compare list it like a trained run).
 */

/** What a member's stored run says about its split: the same dataset and files for every member, or no common split. */
interface MemberRun {
  runId: number;
  datasetId: number;
  split: unknown;
  val: StoredEvaluation | null;
  test: StoredEvaluation | null;
}

/** Canonical JSON (sorted keys) so configs compare by content. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** A training config read the way the store reads runs' configs (defaults filled in), or null when it does not parse. */
function parsedConfig(config: unknown): RunConfig | null {
  try {
    return parseRunConfig(config);
  } catch {
    return null;
  }
}

/**
 * The stored run a member was trained in, or why there is none. The saved meta's runId alone could name another run in
 * another database, so the stored run's config must equal the model's training config.
 */
function memberRun(store: Store, model: LoadedModel): MemberRun | string {
  const name = model.dir ?? model.meta.name;
  const runId = model.meta.runId;
  if (runId === null) return `${name} has no run id`;
  const run = getRunSummary(store.db, runId);
  if (!run) return `${name} was trained in run ${runId}, which is not in ${store.path}`;
  if (!run.config || canonical(run.config) !== canonical(parsedConfig(model.meta.trainingConfig)))
    return `run ${runId} in ${store.path} is not the run ${name} was trained in (its config differs)`;
  if (run.datasetId === null) return `the dataset of run ${runId} (${name}) has been deleted`;
  const evaluations = listEvaluations(store.db, runId);
  const last = (split: string) => evaluations.filter((e) => e.split === split).at(-1) ?? null;
  return { runId, datasetId: run.datasetId, split: run.config.split, val: last('val'), test: last('test') };
}

const fileIds = (e: StoredEvaluation | null) =>
  (e?.predictions ?? [])
    .map((p) => p.fileId ?? -1)
    .sort((a, b) => a - b)
    .join(',');

/** The members' common stored split, or the reason they have none. */
function commonSplit(store: Store, members: LoadedModel[]): { runs: MemberRun[] } | { reason: string } {
  const runs: MemberRun[] = [];
  for (const m of members) {
    const r = memberRun(store, m);
    if (typeof r === 'string') return { reason: r };
    runs.push(r);
  }
  const [first] = runs;
  for (const r of runs.slice(1)) {
    if (r.datasetId !== first.datasetId)
      return { reason: `run ${r.runId} used dataset ${r.datasetId}, run ${first.runId} dataset ${first.datasetId}` };
    if (fileIds(r.test) !== fileIds(first.test)) return { reason: `runs ${first.runId} and ${r.runId} were tested on different files` };
    if (fileIds(r.val) !== fileIds(first.val)) return { reason: `runs ${first.runId} and ${r.runId} were validated on different files` };
  }
  return { runs };
}

/** Member probabilities (member label order) and true labels (ensemble indices) on the common validation files. */
function validationSet(
  runs: MemberRun[],
  members: LoadedModel[],
  labels: string[],
): { files: FilePrediction[]; probs: Float32Array[][]; y: number[] } {
  const first = runs[0].val!.predictions;
  const byFile = runs.map((r) => new Map(r.val!.predictions.map((p) => [p.fileId, p])));
  const y = first.map((p) => {
    const i = labels.indexOf(p.label);
    if (i < 0) throw new Error(`Run ${runs[0].runId}'s validation file ${p.file} has label ${p.label}, which the ensemble does not know.`);
    return i;
  });
  const probs = members.map((m, k) =>
    first.map((p) => {
      const q = byFile[k].get(p.fileId)!;
      return Float32Array.from(m.labels, (l) => q.probabilities[l] ?? NaN);
    }),
  );
  return { files: first, probs, y };
}

function scoreStored(
  files: FilePrediction[],
  y: number[],
  probs: Float32Array[],
  labels: string[],
): { report: EvaluationReport; predictions: FilePrediction[] } {
  const yPred = probs.map((p) => p.reduce((best, v, i) => (v > p[best] ? i : best), 0));
  const report = evaluatePredictions(y, yPred, labels);
  const predictions = files.map((f, i) => ({
    fileId: f.fileId,
    file: f.file,
    label: labels[y[i]],
    predicted: labels[yPred[i]],
    probabilities: Object.fromEntries(labels.map((l, j) => [l, Math.round(probs[i][j] * 1e6) / 1e6])),
  }));
  return { report, predictions };
}

function resolveMemberDirs(store: Store, models: (number | string)[]): string[] {
  const dirs = models.map((m) => {
    if (typeof m === 'string') return resolve(m);
    const info = getModel(store.db, m);
    if (!info) throw new Error(`Saved model ${m} does not exist in ${store.path}.`);
    return info.path;
  });
  const seen = new Set<string>();
  for (const d of dirs) {
    if (seen.has(d)) throw new Error(`${d} is given twice: an ensemble's members must be different models.`);
    seen.add(d);
    if (!existsSync(d)) throw new Error(`${d} does not exist.`);
    if (isEnsembleDir(d)) throw new Error(`${d} is an ensemble itself; ensembles of ensembles are not supported: give its member models instead.`);
  }
  return dirs;
}

/** Where an ensemble goes by default: models/ensemble-<time> beside the database. */
function defaultEnsembleDir(store: Store): string {
  return join(modelsRoot(store.path), `ensemble-${new Date().toISOString().replace(/[:.]/g, '-')}`);
}

function writeMeta(dir: string, meta: EnsembleMeta): void {
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta, null, 2));
}

/**
 * Builds and saves an ensemble of saved models (folders, or model ids in `store`), registers it as a saved model, and
 * when the members share one stored split stores its run with val and test evaluations. `weights: 'val'` fits the
 * weights on the members' stored validation predictions (never test) and needs that common split.
 */
export async function buildEnsemble(store: Store, request: EnsembleRequest): Promise<EnsembleResult> {
  const req = EnsembleRequestSchema.parse(request);
  const dirs = resolveMemberDirs(store, req.models);
  const members: LoadedModel[] = [];
  for (const d of dirs) {
    try {
      members.push(await loadModel(d));
    } catch (err) {
      throw new Error(`cannot use ${d} in an ensemble: ${errorMessage(err)}`);
    }
  }
  const { labels, order } = alignLabels(members.map((m, i) => ({ name: `${m.meta.name} (${dirs[i]})`, labels: m.labels })));

  const split = commonSplit(store, members);
  const runs = 'runs' in split ? split.runs : null;
  let weights = equalWeights(members.length);
  let val: ReturnType<typeof scoreStored> | null = null;
  let valSet: ReturnType<typeof validationSet> | null = null;
  if (runs && runs.every((r) => r.val?.predictions.length)) valSet = validationSet(runs, members, labels);
  if (req.weights === 'val') {
    if (!runs)
      throw new Error(
        `--weights val needs members trained on the same split of one dataset in this database, but ${(split as { reason: string }).reason}.`,
      );
    if (!valSet)
      throw new Error(
        `--weights val needs validation predictions, but run ${runs.find((r) => !r.val?.predictions.length)!.runId} has no validation split.`,
      );
    weights = fitEnsembleWeights(
      valSet.probs.map((probs, m) => probs.map((p) => reorder(p, order[m]))),
      valSet.y,
    );
  }

  const out = resolve(req.out ?? defaultEnsembleDir(store));
  if (existsSync(out) && (!statSync(out).isDirectory() || readdirSync(out).length > 0))
    throw new Error(`${out} already exists and is not an empty folder: choose another --out.`);
  const name = req.name ?? `ensemble of ${members.map((m) => m.meta.preset).join(' + ')}`;
  const memberEntries: EnsembleMember[] = members.map((m, i) => ({
    dir: `members/${i}`,
    name: m.meta.name,
    kind: m.meta.kind,
    preset: m.meta.preset,
    runId: m.meta.runId,
    labels: m.labels,
    adaptation: adaptationOf(m),
    source: dirs[i],
  }));
  const adaptation = {
    speakerNormalization: memberEntries.some((m) => m.adaptation.speakerNormalization),
    speakerAdaptiveBatchNorm: memberEntries.some((m) => m.adaptation.speakerAdaptiveBatchNorm),
  };

  // Built in a staging folder and renamed onto `out` when whole (see store/modelFolders.ts): a killed build leaves no
  // half an ensemble under `out`, and the model is registered only after the rename.
  let staging: string | null = null;
  let runId: number | null = null;
  try {
    staging = createStagingDir(out);
    mkdirSync(join(staging, 'members'));
    dirs.forEach((d, i) => cpSync(d, join(staging!, 'members', String(i)), { recursive: true, dereference: true }));
    const meta: EnsembleMeta = {
      format: SAVED_MODEL_FORMAT,
      version: 1,
      kind: 'ensemble',
      name,
      labels,
      members: memberEntries,
      weights,
      weighting: req.weights,
      adaptation,
      runId: null,
      metrics: { val: null, test: null },
      createdAt: new Date().toISOString(),
    };
    if (valSet) {
      const combined = combineProbabilities(
        valSet.probs.map((probs, m) => probs.map((p) => reorder(p, order[m]))),
        weights,
      );
      val = scoreStored(valSet.files, valSet.y, combined, labels);
      meta.metrics.val = { uar: val.report.uar, accuracy: val.report.accuracy, n: val.report.n };
    }
    if (runs) {
      const config: EnsembleRunConfig = {
        kind: 'ensemble',
        name: req.name ?? null,
        datasetId: runs[0].datasetId,
        split: runs[0].split as EnsembleRunConfig['split'],
        weighting: req.weights,
        weights,
        members: members.map((m, i) => ({ runId: runs[i].runId, preset: m.meta.preset, name: m.meta.name })),
        adaptation,
        modelDir: out,
      };
      runId = createRun(store.db, { name, datasetId: runs[0].datasetId, config });
      markRunStarted(store.db, runId, null);
      meta.runId = runId;
    }
    writeMeta(staging, meta);
    const ensemble = await loadEnsemble(staging);
    let test: EnsembleResult['test'] = null;
    if (runs && runId !== null) {
      try {
        if (val) recordEvaluation(store.db, { runId, datasetId: runs[0].datasetId, split: 'val', ...val });
        const testIds = runs[0].test?.predictions.map((p) => p.fileId!) ?? [];
        if (testIds.length) {
          // The saved ensemble itself on the common test files: every member's own features and adaptation, as `ser evaluate` runs it.
          const r = await evaluateOnDataset(store, ensemble, runs[0].datasetId, { fileIds: testIds });
          recordEvaluation(store.db, { runId, datasetId: runs[0].datasetId, split: 'test', report: r.report, predictions: r.predictions });
          test = { uar: r.report.uar, accuracy: r.report.accuracy, macroF1: r.report.macroF1, n: r.report.n };
          meta.metrics.test = { uar: test.uar, accuracy: test.accuracy, n: test.n };
          writeMeta(staging, meta);
        }
      } catch (err) {
        throw new Error(`the ensemble for ${out} could not be evaluated on its members' test files: ${errorMessage(err)}`);
      }
    }
    try {
      commitStagingDir(staging, out);
    } catch (err) {
      throw modelSaveError(out, err, 'the ensemble');
    }
    staging = null;
    if (runId !== null) finishRun(store.db, runId, 'completed');
    // The recorder's live window must hold the longest member input: register the feature config of that member.
    const longest = members.reduce((a, b) => (b.inputSeconds > a.inputSeconds ? b : a));
    const modelId = recordModel(store.db, { runId, name, path: out, kind: 'ensemble', labels, featureConfig: longest.featureConfig });
    return {
      dir: out,
      members: dirs,
      weights,
      labels,
      weighting: req.weights,
      val: val ? { uar: val.report.uar, accuracy: val.report.accuracy } : null,
      test,
      adaptation,
      runId,
      modelId,
    };
  } catch (err) {
    // Nothing half-built stays behind; an ensemble run already stored says why it failed.
    const failure = staging === null || (err as NodeJS.ErrnoException).code === undefined ? err : modelSaveError(out, err, 'the ensemble');
    if (runId !== null) finishRun(store.db, runId, 'failed', errorMessage(failure));
    if (staging) rmSync(staging, { recursive: true, force: true });
    throw failure;
  }
}
