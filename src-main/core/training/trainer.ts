import * as tf from '@tensorflow/tfjs';
import type { BatchPoint, EpochPoint } from '../../../src-shared/api/contract';
import { evaluatePredictions } from '../../../src-shared/metrics';
import { adam } from '../tfjs/adamOptimizer';
import { augmentSpectrogram, hasAugmentation, mixBatch } from './augmentation';
import { classificationLoss, classWeights, oversampledIndices, oversampledSize } from './balancing';
import type { RunConfig } from '../../../src-shared/config/run';
import { BestCheckpoint, WeightAverager } from './checkpoints';
import { EarlyStopping } from './earlyStopping';
import { argmax, predictProbabilities, stackInputs, type Example } from './examples';
import { Random } from './seededRandom';
import { cosineLearningRate, PlateauSchedule } from './schedules';
import { predictWithSpeakerAdaptation } from './speakerAdaptation';

export type TrainingConfig = Pick<
  RunConfig,
  | 'optimizer'
  | 'schedule'
  | 'epochs'
  | 'batchSize'
  | 'monitor'
  | 'earlyStopping'
  | 'balancing'
  | 'augmentation'
  | 'seed'
  | 'weightAveraging'
  | 'speakerAdaptiveBatchNorm'
>;

export interface TrainerOptions {
  model: tf.LayersModel;
  /** Per model input, without the batch axis; a [bands, frames, 1] first input gets augmentation. */
  inputShapes: number[][];
  train: Example[];
  /** May be empty: checkpointing and early stopping then follow the training loss. */
  val: Example[];
  labels: string[];
  config: TrainingConfig;
  onBatch?(point: BatchPoint, etaSeconds: number, totalSteps: number): void;
  onEpoch?(point: EpochPoint, etaSeconds: number): void;
  onLog?(message: string): void;
  /** Aborting stops training after the current batch; the result then says `cancelled`. */
  signal?: AbortSignal;
}

export interface TrainResult {
  epochs: EpochPoint[];
  /** 1-based epoch whose weights the model holds now; 0 if none finished (or weights were averaged). */
  bestEpoch: number;
  /** With weight averaging: the first and last epoch averaged into the final weights. */
  averagedEpochs: [number, number] | null;
  /** Validation scores of the averaged weights (null without averaging or validation files). */
  averagedMetrics: Record<string, number> | null;
  stoppedEarly: boolean;
  cancelled: boolean;
  seconds: number;
}

/**
 * Evaluation of a model on examples: loss, accuracy, UAR, macro-F1. `speakerAdaptive`: each speaker's files are
 * predicted with batch-norm statistics re-estimated on them (predictWithSpeakerAdaptation).
 */
export async function scoreExamples(model: tf.LayersModel, examples: Example[], inputShapes: number[][], labels: string[], speakerAdaptive = false) {
  const probs = speakerAdaptive
    ? (
        await predictWithSpeakerAdaptation(
          model,
          examples,
          inputShapes,
          examples.map((e) => e.speaker),
        )
      ).probs
    : await predictProbabilities(model, examples, inputShapes);
  let loss = 0;
  for (let i = 0; i < examples.length; i++) loss -= Math.log(Math.max(probs[i][examples[i].label], 1e-7));
  const report = evaluatePredictions(
    examples.map((e) => e.label),
    probs.map(argmax),
    labels,
  );
  return { loss: loss / examples.length, accuracy: report.accuracy, uar: report.uar, macroF1: report.macroF1 };
}

/**
 * Custom training loop: seeded shuffling and augmentation, Adam/AdamW with global-norm clipping,
 * LR schedules, per-batch and per-epoch callbacks, best-checkpoint restore and early stopping.
 * Yields to the event loop after every batch so a cancel message can arrive.
 */
export async function trainNetwork(opts: TrainerOptions): Promise<TrainResult> {
  const { model, inputShapes, train, val, labels, config: c } = opts;
  if (train.length === 0) throw new Error('Training split is empty: no files to train on.');
  const k = labels.length;
  const started = performance.now();
  const rng = new Random(c.seed);
  const augRng = new Random(c.seed ^ 0x5bd1e995);
  const trainLabels = train.map((e) => e.label);
  const weights = c.balancing.classWeights ? classWeights(trainLabels, k) : undefined;
  const focalGamma = c.balancing.loss === 'focal' ? c.balancing.focalGamma : 0;
  const augment = hasAugmentation(c.augmentation) && inputShapes[0].length === 3 && inputShapes[0][2] === 1;
  const [bands, frames] = inputShapes[0];

  const optimizer = adam(c.optimizer.learningRate, c.optimizer.beta1, c.optimizer.beta2, c.optimizer.epsilon);
  // tfjs reads `learningRate` on every applyGradients but exposes no setter.
  const setLr = (lr: number) => ((optimizer as unknown as { learningRate: number }).learningRate = lr);
  const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const decayed = model.trainableWeights.filter((w) => /kernel$/.test(w.originalName)).map((w) => w.read() as tf.Variable);

  const hasVal = val.length > 0;
  const monitor = hasVal ? c.monitor : 'loss';
  const mode = monitor === 'val_loss' || monitor === 'loss' ? 'min' : 'max';
  if (!hasVal) opts.onLog?.('No validation files: the best checkpoint and early stopping follow the training loss.');
  const stopper = new EarlyStopping({ mode, patience: c.earlyStopping?.patience ?? null, minDelta: c.earlyStopping?.minDelta ?? 0 });
  const plateau = c.schedule.kind === 'plateau' ? new PlateauSchedule(c.optimizer.learningRate, { ...c.schedule, mode }) : null;
  const plateauPatience = c.schedule.kind === 'plateau' ? c.schedule.patience : 0;

  const epochs: EpochPoint[] = [];
  const best = new BestCheckpoint();
  const averager = new WeightAverager(c.weightAveraging ? Math.max(1, c.epochs - c.weightAveraging.lastEpochs + 1) : Infinity);
  let averagedMetrics: Record<string, number> | null = null;
  /** First and last epoch whose weights were averaged into the final model (null: best checkpoint kept). */
  let averaged: [number, number] | null = null;
  let lr = c.optimizer.learningRate;
  let step = 0;
  let cancelled = false;
  let stoppedEarly = false;
  const batchesPerEpoch = Math.ceil((c.balancing.oversample ? oversampledSize(trainLabels, k) : train.length) / c.batchSize);
  const totalSteps = batchesPerEpoch * c.epochs;

  try {
    for (let epoch = 1; epoch <= c.epochs && !cancelled; epoch++) {
      const epochStart = performance.now();
      const order = c.balancing.oversample ? oversampledIndices(trainLabels, k, rng) : rng.shuffle(train.map((_, i) => i));
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      for (let b = 0; b < order.length; b += c.batchSize) {
        if (opts.signal?.aborted) {
          cancelled = true;
          break;
        }
        let batch = order.slice(b, b + c.batchSize).map((i) => {
          const ex = train[i];
          if (!augment) return ex;
          const spec = augmentSpectrogram(ex.inputs[0], bands, frames, c.augmentation, augRng);
          return { ...ex, inputs: [spec, ...ex.inputs.slice(1)] };
        });
        let targets: Float32Array | undefined;
        const mixup = c.augmentation.mixup;
        if (mixup && batch.length > 1 && augRng.next() < mixup.p) {
          const mixed = mixBatch(
            batch.map((e) => e.inputs),
            batch.map((e) => e.label),
            k,
            mixup.alpha,
            augRng,
          );
          batch = batch.map((e, i) => ({ ...e, inputs: mixed.inputs[i] }));
          targets = mixed.targets;
        }
        if (c.schedule.kind === 'cosine') {
          lr = cosineLearningRate(epoch - 1 + b / order.length, c.epochs, c.optimizer.learningRate, c.schedule.minLr, c.schedule.warmupEpochs);
        }
        setLr(lr);
        const { loss, hits } = trainStep({
          model,
          batch,
          targets,
          inputShapes,
          numClasses: k,
          optimizer,
          trainable,
          decayed,
          lr,
          config: c,
          weights,
          focalGamma,
        });
        step++;
        lossSum += loss * batch.length;
        correct += hits;
        seen += batch.length;
        const elapsed = (performance.now() - started) / 1000;
        opts.onBatch?.(
          { epoch, batch: b / c.batchSize + 1, step, loss, accuracy: hits / batch.length, lr },
          (elapsed / step) * (totalSteps - step),
          totalSteps,
        );
        await new Promise((r) => setImmediate(r));
      }
      if (cancelled || seen === 0) break;

      const metrics: Record<string, number> = { loss: lossSum / seen, accuracy: correct / seen, lr };
      if (hasVal) {
        const v = await scoreExamples(model, val, inputShapes, labels, c.speakerAdaptiveBatchNorm);
        Object.assign(metrics, { val_loss: v.loss, val_accuracy: v.accuracy, val_uar: v.uar, val_macro_f1: v.macroF1 });
      }
      metrics.seconds = (performance.now() - epochStart) / 1000;
      const point: EpochPoint = { epoch, metrics };
      epochs.push(point);
      const value = metrics[monitor];
      const { improved, stop } = stopper.update(value, epoch);
      if (improved) best.save(model);
      averager.add(model, epoch);
      const elapsed = (performance.now() - started) / 1000;
      opts.onEpoch?.(point, (elapsed / epoch) * (c.epochs - epoch));
      if (plateau) {
        const next = plateau.step(value);
        if (next < lr)
          opts.onLog?.(
            `Epoch ${epoch}: ${monitor} has not improved for ${plateauPatience + 1} epochs; learning rate ${lr.toExponential(2)} → ${next.toExponential(2)}.`,
          );
        lr = next;
      }
      if (stop) {
        stoppedEarly = true;
        opts.onLog?.(`Early stop after epoch ${epoch}: ${monitor} best ${stopper.best?.toFixed(4)} at epoch ${stopper.bestEpoch}.`);
        break;
      }
    }
    averaged = cancelled ? null : averager.range;
    if (averaged && averager.applyMean(model)) {
      if (hasVal) {
        const v = await scoreExamples(model, val, inputShapes, labels, c.speakerAdaptiveBatchNorm);
        averagedMetrics = { val_loss: v.loss, val_accuracy: v.accuracy, val_uar: v.uar, val_macro_f1: v.macroF1 };
      }
      opts.onLog?.(
        `Averaged the weights of epochs ${averaged[0]}–${averaged[1]}${averagedMetrics ? `: val UAR ${averagedMetrics.val_uar.toFixed(4)}, val accuracy ${averagedMetrics.val_accuracy.toFixed(4)}` : ''}.`,
      );
    } else best.restore(model);
  } finally {
    best.dispose();
    averager.dispose();
    optimizer.dispose();
  }
  return {
    epochs,
    bestEpoch: averaged ? 0 : Math.max(stopper.bestEpoch, 0),
    averagedEpochs: averaged,
    averagedMetrics,
    stoppedEarly,
    cancelled,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * One optimisation step; returns the batch loss and the number of predictions matching each
 * example's own label. `targets` (soft, [batch · classes]) replaces the one-hot labels after mixup.
 */
interface TrainStep {
  model: tf.LayersModel;
  batch: Example[];
  targets: Float32Array | undefined;
  inputShapes: number[][];
  numClasses: number;
  optimizer: tf.AdamOptimizer;
  trainable: tf.Variable[];
  /** Kernels that AdamW's decoupled weight decay shrinks. */
  decayed: tf.Variable[];
  lr: number;
  config: TrainingConfig;
  /** Per-class loss weights, or undefined for none. */
  weights: number[] | undefined;
  focalGamma: number;
}

function trainStep(s: TrainStep): { loss: number; hits: number } {
  const { model, batch, targets, inputShapes, numClasses: k, optimizer, trainable, decayed, lr, config: c, weights, focalGamma } = s;
  const xs = stackInputs(batch, inputShapes);
  const yTrue = batch.map((e) => e.label);
  let predicted: tf.Tensor | null = null;
  try {
    const lossValue = tf.tidy(() => {
      const oneHot = (targets ? tf.tensor2d(targets, [batch.length, k]) : tf.oneHot(tf.tensor1d(yTrue, 'int32'), k).toFloat()) as tf.Tensor2D;
      const { value, grads } = tf.variableGrads(() => {
        const probs = model.apply(xs.length === 1 ? xs[0] : xs, { training: true }) as tf.Tensor2D;
        predicted = tf.keep(probs.argMax(-1));
        return classificationLoss(probs, oneHot, { weights, focalGamma });
      }, trainable);
      let g: tf.NamedTensorMap = grads;
      if (c.optimizer.clipNorm !== null) g = clipByGlobalNorm(grads, c.optimizer.clipNorm);
      (optimizer as tf.Optimizer).applyGradients(g);
      if (c.optimizer.kind === 'adamw' && c.optimizer.weightDecay > 0) {
        // Decoupled weight decay (Loshchilov & Hutter): shrink kernels directly, outside Adam's moments.
        const shrink = 1 - lr * c.optimizer.weightDecay;
        for (const v of decayed) v.assign(v.mul(shrink));
      }
      return value.dataSync()[0];
    });
    const pred = (predicted as tf.Tensor | null)?.dataSync() ?? new Int32Array();
    let hits = 0;
    for (let i = 0; i < yTrue.length; i++) if (pred[i] === yTrue[i]) hits++;
    if (!Number.isFinite(lossValue))
      throw new Error(`Training diverged: the loss became ${lossValue}. Lower the learning rate or enable gradient clipping.`);
    return { loss: lossValue, hits };
  } finally {
    xs.forEach((t) => t.dispose());
    (predicted as tf.Tensor | null)?.dispose();
  }
}

/** Scales all gradients together so their global L2 norm is at most maxNorm. */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  const names = Object.keys(grads);
  const norm = tf.tidy(
    () =>
      tf
        .addN(names.map((n) => grads[n].square().sum()))
        .sqrt()
        .dataSync()[0],
  );
  if (norm <= maxNorm || !Number.isFinite(norm)) return grads;
  const scale = maxNorm / norm;
  const out: tf.NamedTensorMap = {};
  for (const n of names) out[n] = grads[n].mul(scale);
  return out;
}
