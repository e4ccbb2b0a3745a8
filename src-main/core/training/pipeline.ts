import * as tf from '@tensorflow/tfjs';
import { basename } from 'node:path';
import { createClassical, LinearClassifier, type ClassicalModel } from '../models/classical';
import { selectBackend, type SelectedBackend } from '../tfjs/backend';
import { batchNormLayers } from '../tfjs/batchNormAdaptation';
import { getModelPreset } from '../models/presets';
import type { Store } from '../store/db';
import { parseRunConfig, type RunConfig } from '../../../src-shared/config/run';
import { argmaxRows, evaluatePredictions } from '../../../src-shared/metrics';
import { prepareRunData, type RunData } from './data';
import { evaluateOnDataset, scorePredictions } from './evaluate';
import type { RunOutcome, RunProgressEvent } from './events';
import { predictInputs, toLoadedModel, type LoadedModel } from './predict';
import { inputShapes } from './preprocessing';
import { averageWithCopies } from './testTimeCopies';
import { saveModelDir, type SavedModelMeta } from './savedModel';
import { MIN_ADAPTATION_FILES } from './speakerAdaptation';
import { trainNetwork } from './trainer';

export interface ExecuteContext {
  store: Store;
  runId: number;
  /** Directory the trained model is saved to. */
  modelDir: string;
  emit(event: RunProgressEvent): void;
  /** Aborting stops the run after the current batch (or file); the outcome is then `cancelled`. */
  signal?: AbortSignal;
  /** Feature worker processes (0 = in this process). */
  featureWorkers?: number;
}

/** Makes `preference` the active tfjs backend ('auto': the fastest that starts, see selectBackend). */
export async function activateBackend(preference: RunConfig['backend']): Promise<SelectedBackend> {
  const selected = await selectBackend(preference);
  await tf.ready();
  return selected;
}

/**
 * One whole run inside the current process (normally the train worker): backend, dataset →
 * split → features, training, test (and cross-corpus) evaluation, saved model. Progress and
 * results go out through ctx.emit; the caller persists them.
 */
export async function executeRun(configInput: unknown, ctx: ExecuteContext): Promise<RunOutcome> {
  const started = performance.now();
  const config = parseRunConfig(configInput);
  const selected = await activateBackend(config.backend);
  const backend = selected.name;
  ctx.emit({ type: 'status', status: 'running', backend });
  const log = (message: string) => ctx.emit({ type: 'log', message });
  log(`Backend: ${selected.detail}.`);

  const data = await prepareRunData(ctx.store, config, {
    onProgress: (stage, done, total, detail) => ctx.emit({ type: 'progress', stage, done, total, detail }),
    onLog: log,
    signal: ctx.signal,
    workers: ctx.featureWorkers,
  });
  for (const e of data.errors.slice(0, 20)) log(`Skipped ${e.file}: ${e.reason}`);
  log(`Split: ${data.train.length} train, ${data.val.length} validation, ${data.test.length} test files; classes ${data.labels.join(', ')}.`);

  const preset = getModelPreset(config.model.preset);
  const meta: SavedModelMeta = {
    format: 'ser-workbench-model',
    version: 1,
    kind: preset.family === 'neural' ? 'neural' : (preset.name as SavedModelMeta['kind']),
    preset: preset.name,
    name: config.name ?? `${preset.label} · run ${ctx.runId}`,
    labels: data.labels,
    features: config.features,
    auxFeatures: preset.family === 'neural' ? config.auxFeatures : undefined,
    preprocessing: data.preprocessing,
    trainingConfig: config as unknown as Record<string, unknown>,
    runId: ctx.runId,
    backend,
    params: null,
    metrics: null,
    createdAt: new Date().toISOString(),
  };

  let model: LoadedModel;
  let epochs = 0;
  let bestEpoch = 0;
  let outOfFoldVal: Float32Array[] | null = null;
  if (preset.family === 'neural') {
    const shapes = inputShapes(data.preprocessing);
    const network = preset.build({
      inputShape: shapes[0] as [number, number, number],
      auxDims: shapes[1]?.[0],
      numClasses: data.labels.length,
      seed: config.seed,
      params: config.model.params,
    });
    meta.params = network.countParams();
    if (config.speakerAdaptiveBatchNorm) {
      const layers = batchNormLayers(network).length;
      if (layers === 0) throw new Error(`speakerAdaptiveBatchNorm: ${preset.label} has no batch-norm layers to adapt; turn it off for this model.`);
      log(
        `Speaker-adaptive batch norm: the ${layers} batch-norm layers are re-estimated on each validation and test speaker's own files (${MIN_ADAPTATION_FILES} or more; no labels) before predicting them.`,
      );
    }
    log(`${preset.label}: ${meta.params.toLocaleString('en')} parameters, input ${shapes.map((s) => s.join('x')).join(' + ')}.`);
    const result = await trainNetwork({
      model: network,
      inputShapes: shapes,
      train: data.train,
      val: data.val,
      labels: data.labels,
      config,
      onBatch: (point, eta, total) => {
        ctx.emit({ type: 'batch', point, etaSeconds: eta });
        ctx.emit({
          type: 'progress',
          stage: 'train',
          done: point.step,
          total,
          detail: `epoch ${point.epoch}/${config.epochs} loss ${point.loss?.toFixed(3)}`,
        });
      },
      onEpoch: (point, eta) => ctx.emit({ type: 'epoch', point, etaSeconds: eta }),
      onLog: log,
      signal: ctx.signal,
    });
    epochs = result.epochs.length;
    bestEpoch = result.bestEpoch;
    if (result.cancelled) {
      network.dispose();
      return { status: 'cancelled', backend, seconds: (performance.now() - started) / 1000, epochs, bestEpoch, metrics: null, modelDir: null };
    }
    const kept = result.averagedEpochs
      ? `the average of epochs ${result.averagedEpochs[0]}–${result.averagedEpochs[1]}`
      : `the weights of epoch ${bestEpoch}`;
    log(`Training took ${result.seconds.toFixed(1)} s; keeping ${kept}.`);
    model = toLoadedModel(null, meta, { network });
  } else {
    const fit = await trainClassical(config, data, ctx, log);
    outOfFoldVal = fit.outOfFoldVal;
    epochs = 1;
    bestEpoch = 1;
    model = toLoadedModel(null, meta, { classical: fit.model });
  }
  if (ctx.signal?.aborted)
    return { status: 'cancelled', backend, seconds: (performance.now() - started) / 1000, epochs, bestEpoch, metrics: null, modelDir: null };

  // Validation split, scored with the model as kept (best epoch or weight average) and adapted as the test split is:
  // the figure a study selects grid points on, so selection never looks at test.
  // A model fitted on the validation speakers (fitOn 'train+val') is scored on them out-of-fold instead.
  if (data.val.length) {
    const valProbs =
      outOfFoldVal ??
      (await predictInputs(
        model,
        data.val.map((e) => e.inputs),
        data.val.map((e) => e.speaker ?? null),
      ));
    const val = scorePredictions(
      data.val.map((e) => data.files.get(e.fileId)!),
      data.val.map((e) => e.label),
      valProbs,
      data.labels,
    );
    ctx.emit({ type: 'evaluation', split: 'val', datasetId: config.datasetId, ...val });
  }

  // Test split: the examples are already preprocessed.
  const testFiles = data.test.map((e) => data.files.get(e.fileId)!);
  let probs = await predictInputs(
    model,
    data.test.map((e) => e.inputs),
    data.test.map((e) => e.speaker ?? null),
  );
  if (data.testCopies.length) {
    const copyProbs = await predictInputs(
      model,
      data.testCopies.map((e) => e.inputs),
      data.testCopies.map((e) => e.speaker ?? null),
    );
    probs = averageWithCopies(data.test, probs, data.testCopies, copyProbs);
    log(`Test-time speed copies: each test file's probabilities averaged with its copies at ×${data.preprocessing.testTimeSpeeds!.join(', ×')}.`);
  }
  const test = scorePredictions(
    testFiles,
    data.test.map((e) => e.label),
    probs,
    data.labels,
  );
  // A leave-corpus-out test set is one whole corpus: the evaluation belongs to it.
  const testCorpora = [...new Set(testFiles.map((f) => f.datasetId))].sort((a, b) => a - b);
  ctx.emit({ type: 'evaluation', split: 'test', datasetId: testCorpora.length === 1 ? testCorpora[0] : config.datasetId, ...test });
  // Multi-corpus test sets are also scored per corpus ('test:<datasetId>'): a pooled figure can hide a corpus the model fails on.
  if (testCorpora.length > 1) {
    for (const id of testCorpora) {
      const at = testFiles.flatMap((f, i) => (f.datasetId === id ? [i] : []));
      const part = scorePredictions(
        at.map((i) => testFiles[i]),
        at.map((i) => data.test[i].label),
        at.map((i) => probs[i]),
        data.labels,
      );
      ctx.emit({ type: 'evaluation', split: `test:${id}`, datasetId: id, ...part });
      log(`Test on dataset ${id}: UAR ${(part.report.uar * 100).toFixed(1)} % on ${part.report.n} files.`);
    }
  }
  log(
    `Test: accuracy ${(test.report.accuracy * 100).toFixed(1)} %, UAR ${(test.report.uar * 100).toFixed(1)} %, macro-F1 ${(test.report.macroF1 * 100).toFixed(1)} % on ${test.report.n} files.`,
  );

  if (config.crossEvaluation) {
    const cross = await evaluateOnDataset(ctx.store, model, config.crossEvaluation.datasetId, {
      labelMap: config.crossEvaluation.labelMap,
      onProgress: (stage, done, total, detail) => ctx.emit({ type: 'progress', stage: `cross-corpus ${stage}`, done, total, detail }),
      signal: ctx.signal,
      workers: ctx.featureWorkers,
    });
    ctx.emit({
      type: 'evaluation',
      split: `cross:${config.crossEvaluation.datasetId}`,
      datasetId: config.crossEvaluation.datasetId,
      report: cross.report,
      predictions: cross.predictions,
    });
    const skipped = Object.entries(cross.skipped).map(([l, n]) => `${l} ×${n}`);
    log(
      `Cross-corpus (dataset ${config.crossEvaluation.datasetId}): accuracy ${(cross.report.accuracy * 100).toFixed(1)} %, UAR ${(cross.report.uar * 100).toFixed(1)} %${skipped.length ? `; skipped ${skipped.join(', ')}` : ''}.`,
    );
  }

  meta.metrics = { accuracy: test.report.accuracy, uar: test.report.uar, macroF1: test.report.macroF1 };
  await saveModelDir(ctx.modelDir, { meta, network: model.network, classical: model.classical });
  ctx.emit({
    type: 'model',
    path: ctx.modelDir,
    kind: meta.kind,
    name: meta.name || basename(ctx.modelDir),
    labels: meta.labels,
    featureConfig: meta.features as unknown as Record<string, unknown>,
  });
  model.network?.dispose();
  return {
    status: 'completed',
    backend,
    seconds: (performance.now() - started) / 1000,
    epochs,
    bestEpoch,
    metrics: test.report,
    modelDir: ctx.modelDir,
  };
}

/** A fitted classical model, and with `fitOn: 'train+val'` the validation files' out-of-fold probabilities. */
export interface ClassicalFit {
  model: ClassicalModel;
  /** Per validation example, in data.val's order, from a model that did not train on its speaker; null when the kept model did not train on them either. */
  outOfFoldVal: Float32Array[] | null;
}

/**
 * Fits a classical model on the training vectors and reports validation scores as epoch 1. With `C: 'auto'` (the
 * linear models), every C of the grid is fitted on the training split and scored by UAR on the validation split only
 * (test is never looked at); the best C is kept, the smaller one on ties, and the model kept is the one fitted at that
 * C on the training split. Each C's validation UAR is logged and the chosen C is reported with the epoch metrics.
 * With `fitOn: 'train+val'` (speaker folds only) the validation speakers join the folds and the fit, and their scores
 * are out-of-fold.
 */
export async function trainClassical(
  config: RunConfig,
  data: RunData,
  ctx: Pick<ExecuteContext, 'emit'>,
  log: (m: string) => void,
): Promise<ClassicalFit> {
  const t0 = performance.now();
  const classical = createClassical(config.model.preset, config.model.params);
  const withVal = classical instanceof LinearClassifier && classical.params.fitOn === 'train+val';
  // Speed-perturbed copies join the fit with their files (validation ones only when validation is fitted on).
  const valIds = new Set(data.val.map((e) => e.fileId));
  const copies = data.perturbed.filter((e) => withVal || !valIds.has(e.fileId));
  const fitSet = [...data.train, ...(withVal ? data.val : []), ...copies];
  const trainX = fitSet.map((e) => e.inputs[0]);
  const trainY = fitSet.map((e) => e.label);
  const speeds = data.preprocessing.testTimeSpeeds;
  // With test-time copies the validation files are scored as test files will be: averaged with their copies.
  const valProbs = (m: Pick<ClassicalModel, 'predictProba'>) => probsWithCopies(m, data.val, data.perturbed, speeds);
  const valReport = (probs: Float32Array[]) =>
    scorePredictions(
      data.val.map((e) => data.files.get(e.fileId)!),
      data.val.map((e) => e.label),
      probs,
      data.labels,
    ).report;
  let outOfFoldVal: Float32Array[] | null = null;
  const speakers = new Set(fitSet.map((e) => e.speaker)).size;
  const fitSpeeds = [...new Set(copies.map((e) => e.speed))];
  log(
    `Fitting ${config.model.preset} on ${fitSet.length} vectors of ${trainX[0].length} functionals (${speakers} speakers${withVal ? ', training and validation' : ''}${fitSpeeds.length ? `; ${copies.length} of them speed-perturbed copies at ×${fitSpeeds.join(', ×')}` : ''}).`,
  );
  if (classical instanceof LinearClassifier && classical.params.C === 'auto' && classical.params.cSelection === 'speaker-cv') {
    const folds = speakerFolds(config, fitSet);
    const C = await chooseCBySpeakerFolds(config, fitSet, folds, data.labels, speeds, withVal ? 'training and validation' : 'training', log);
    await classical.fitGrid(trainX, trainY, data.labels.length, [C], () => 0);
    if (withVal) {
      outOfFoldVal = await outOfFoldProbabilities(config, fitSet, folds, data.val, C, data.labels.length, speeds);
      log(
        `Chose C = ${C} by mean UAR over folds of the training and validation speakers (ties go to the smaller C); fitted at that C on both. Validation figures are out-of-fold: each validation speaker scored by a model fitted at C = ${C} without its fold.`,
      );
    } else {
      log(`Chose C = ${C} by mean UAR over folds of the training speakers (ties go to the smaller C); fitted at that C on the whole training split.`);
    }
  } else if (classical instanceof LinearClassifier && classical.params.C === 'auto') {
    if (!data.val.length) {
      throw new Error(
        `${config.model.preset}: C "auto" is chosen on the validation split, but this run's split has no validation files. Give the split a validation part (valFraction or valSpeakers) or set model.params.C to a number.`,
      );
    }
    const { C, points } = await classical.fitGrid(trainX, trainY, data.labels.length, classical.params.Cs, (m) => valReport(valProbs(m)).uar);
    for (const p of points) {
      const note = p.converged ? '' : ` (stopped after ${p.iterations} iterations before converging)`;
      log(`C = ${p.C}: validation UAR ${(p.score * 100).toFixed(1)} %${note}.`);
    }
    log(`Chose C = ${C} by validation UAR (ties go to the smaller C); keeping the model fitted at that C on the training split.`);
  } else {
    await classical.fit(trainX, trainY, data.labels.length);
  }
  const metrics: Record<string, number> = { seconds: (performance.now() - t0) / 1000 };
  if (classical instanceof LinearClassifier) {
    const info = classical.fitInfo;
    metrics.C = info.C;
    if (!info.converged) log(`Warning: the solver stopped after ${info.iterations} iterations before converging (raise max_iter or tol).`);
    if (info.solverDims !== info.inputDims)
      log(`Input transform: ${info.inputDims} dimensions → ${info.solverDims} (selection / PCA fitted on the training split).`);
  }
  const trainProbs = classical.predictProba(trainX);
  metrics.accuracy = trainProbs.filter((p, i) => p.indexOf(Math.max(...p)) === fitSet[i].label).length / fitSet.length;
  if (data.val.length) {
    const v = valReport(outOfFoldVal ?? valProbs(classical));
    Object.assign(metrics, { val_accuracy: v.accuracy, val_uar: v.uar, val_macro_f1: v.macroF1 });
  }
  ctx.emit({ type: 'epoch', point: { epoch: 1, metrics }, etaSeconds: 0 });
  return { model: classical, outOfFoldVal };
}

type Example = RunData['train'][number];
const speakerOf = (e: Example) => e.speaker ?? `file ${e.fileId}`;

/** Up to 4 folds of the given examples' speakers (natural order, dealt round-robin): speaker → fold. */
function speakerFolds(config: RunConfig, examples: Example[]): Map<string, number> {
  const speakers = [...new Set(examples.map(speakerOf))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (speakers.length < 3) {
    throw new Error(`${config.model.preset}: cSelection "speaker-cv" needs at least 3 training speakers, this split has ${speakers.length}.`);
  }
  const k = Math.min(4, speakers.length);
  return new Map(speakers.map((s, i) => [s, i % k]));
}

/**
 * C for a linear model by cross-validation over speakers: every C of the grid fitted on the other folds and scored by
 * UAR on the held-out one; the best mean wins, ties to the smaller C. Only `examples` are used (never test).
 */
async function chooseCBySpeakerFolds(
  config: RunConfig,
  examples: Example[],
  foldOf: Map<string, number>,
  labels: string[],
  speeds: number[] | undefined,
  who: string,
  log: (m: string) => void,
): Promise<number> {
  const k = new Set(foldOf.values()).size;
  const params = config.model.params as { Cs: number[] };
  const means = new Map<number, number>();
  for (let f = 0; f < k; f++) {
    // A speaker's perturbed copies stay in its fold and are fitted on, never scored (with test-time copies, its
    // files' scores average in their copies, as test files' do).
    const fit = examples.filter((e) => foldOf.get(speakerOf(e)) !== f);
    const inFold = examples.filter((e) => foldOf.get(speakerOf(e)) === f);
    const held = inFold.filter((e) => e.speed === undefined);
    const inner = createClassical(config.model.preset, config.model.params) as LinearClassifier;
    const heldY = held.map((e) => e.label);
    const { points } = await inner.fitGrid(
      fit.map((e) => e.inputs[0]),
      fit.map((e) => e.label),
      labels.length,
      params.Cs,
      (m) => evaluatePredictions(heldY, argmaxRows(probsWithCopies(m, held, inFold, speeds)), labels).uar,
    );
    for (const p of points) means.set(p.C, (means.get(p.C) ?? 0) + p.score / k);
  }
  const grid = [...means.keys()].sort((a, b) => a - b);
  for (const C of grid) log(`C = ${C}: mean UAR ${(means.get(C)! * 100).toFixed(1)} % over ${k} folds of the ${who} speakers.`);
  return grid.reduce((best, C) => (means.get(C)! > means.get(best)! ? C : best), grid[0]);
}

/**
 * Probabilities for `targets` (examples among `examples`), each from a model fitted at C without its speaker's fold:
 * one fit per fold that holds a target, calibrated as the kept model is (the SVM's probability scale included).
 */
async function outOfFoldProbabilities(
  config: RunConfig,
  examples: Example[],
  foldOf: Map<string, number>,
  targets: Example[],
  C: number,
  numClasses: number,
  speeds: number[] | undefined,
): Promise<Float32Array[]> {
  const out: Float32Array[] = new Array<Float32Array>(targets.length);
  for (const f of new Set(targets.map((e) => foldOf.get(speakerOf(e))!))) {
    const fit = examples.filter((e) => foldOf.get(speakerOf(e)) !== f);
    const model = createClassical(config.model.preset, { ...config.model.params, C });
    await model.fit(
      fit.map((e) => e.inputs[0]),
      fit.map((e) => e.label),
      numClasses,
    );
    const at = targets.flatMap((e, i) => (foldOf.get(speakerOf(e)) === f ? [i] : []));
    const inFold = examples.filter((e) => foldOf.get(speakerOf(e)) === f);
    probsWithCopies(
      model,
      at.map((i) => targets[i]),
      inFold,
      speeds,
    ).forEach((p, j) => (out[at[j]] = p));
  }
  return out;
}

/**
 * A classical model's probabilities for `targets`; with test-time speeds, each averaged with its copies at those
 * speeds found in `pool` (the same speaker-normalised copies a test file gets).
 */
function probsWithCopies(
  model: Pick<ClassicalModel, 'predictProba'>,
  targets: Example[],
  pool: Example[],
  speeds: number[] | undefined,
): Float32Array[] {
  const probs = model.predictProba(targets.map((e) => e.inputs[0]));
  if (!speeds?.length) return probs;
  const ids = new Set(targets.map((e) => e.fileId));
  const copies = pool.filter((e) => e.speed !== undefined && speeds.includes(e.speed) && ids.has(e.fileId));
  return averageWithCopies(targets, probs, copies, copies.length ? model.predictProba(copies.map((e) => e.inputs[0])) : []);
}
