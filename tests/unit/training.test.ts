import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../src-shared/api/errors';
import { buildSimpleCnn } from '../../src-main/core/models/simpleCnn';
import { augmentSpectrogram, mixBatch, rollTime, shiftPitch, stretchTime } from '../../src-main/core/training/augmentation';
import { classificationLoss, classWeights, oversampledIndices, oversampledSize } from '../../src-main/core/training/balancing';
import { parseRunConfig } from '../../src-shared/config/run';
import { EarlyStopping } from '../../src-main/core/training/earlyStopping';
import type { Example } from '../../src-main/core/training/examples';
import { applyNormalization, fitFrames, fitNormalization, normalizeBySpeaker } from '../../src-main/core/training/normalization';
import { Random } from '../../src-main/core/training/seededRandom';
import { cosineLearningRate, PlateauSchedule } from '../../src-main/core/training/schedules';
import { clipByGlobalNorm, trainNetwork } from '../../src-main/core/training/trainer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** [bands, frames] matrix with x[b, t] = 100·b + t, so every moved value says where it came from. */
function ramp(bands: number, frames: number): Float32Array {
  const x = new Float32Array(bands * frames);
  for (let b = 0; b < bands; b++) for (let t = 0; t < frames; t++) x[b * frames + t] = 100 * b + t;
  return x;
}

describe('run config', () => {
  it('fills defaults and resolves preset names (model and features)', () => {
    const c = parseRunConfig({ datasetId: 3, model: 'resnet' });
    expect(c.model).toEqual({ preset: 'resnet', params: {} });
    expect(c.features.kind).toBe('logmel');
    expect(c.features.nMels).toBe(64);
    expect(c.split).toMatchObject({ kind: 'speaker' });
    expect(c.optimizer.kind).toBe('adam');
    expect(c.epochs).toBe(30);
    // A resolved config parses to itself: what is stored re-runs identically.
    expect(parseRunConfig(JSON.parse(JSON.stringify(c)))).toEqual(c);
  });

  it('gives classical models the run seed and functionals', () => {
    const c = parseRunConfig({ datasetId: 1, model: 'svm', seed: 9 });
    expect(c.model.params).toMatchObject({ kernel: 'rbf', seed: 9 });
    expect(c.features.kind).toBe('functionals');
    expect(parseRunConfig({ datasetId: 1, model: 'hybrid' }).auxFeatures?.kind).toBe('functionals');
  });

  it('lists every problem in one readable message', () => {
    expect(() => parseRunConfig({ datasetId: 0, model: 'resnet', epochs: -1, batchSize: 'big' })).toThrow(
      /Invalid run config: datasetId: .*; epochs: .*; batchSize: /,
    );
    expect(() => parseRunConfig({ datasetId: 1, model: 'vgg' })).toThrow(/model/);
    expect(() => parseRunConfig({ datasetId: 1, model: { preset: 'resnet', params: { widths: 'wide' } } })).toThrow(/model\.params\.widths/);
    expect(() => parseRunConfig({ datasetId: 1, model: 'resnet', features: 'functionals' })).toThrow(/resnet needs a time-frequency/);
    expect(() => parseRunConfig({ datasetId: 1, model: 'forest', features: 'seed-logmel' })).toThrow(/forest works on utterance-level/);
    expect(() => parseRunConfig({ datasetId: 1, model: 'resnet', features: 'nope' })).toThrow(/unknown feature preset "nope"/);
  });
});

describe('augmentation (spectrogram domain)', () => {
  it('rolls time circularly', () => {
    const y = rollTime(ramp(2, 5), 2, 5, 2);
    expect(Array.from(y)).toEqual([3, 4, 0, 1, 2, 103, 104, 100, 101, 102]);
  });

  it('time stretch at rate 1 is the identity; rate 2 reads every other frame and holds the last', () => {
    const x = ramp(2, 6);
    expect(stretchTime(x, 2, 6, 1)).toEqual(x);
    expect(Array.from(stretchTime(x, 2, 6, 2).subarray(0, 6))).toEqual([0, 2, 4, 5, 5, 5]);
  });

  it('pitch shift by an octave reads band b from b/2', () => {
    const x = ramp(8, 3);
    expect(shiftPitch(x, 8, 3, 0)).toEqual(x);
    const y = shiftPitch(x, 8, 3, 12);
    expect(y[6 * 3]).toBeCloseTo(300, 4); // band 6 ← band 3
    expect(y[5 * 3]).toBeCloseTo(250, 4); // band 5 ← halfway between 2 and 3
  });

  it('SpecAugment zeroes whole bands and whole frames; same seed, same result', () => {
    const x = new Float32Array(16 * 20).fill(1);
    const aug = parseRunConfig({
      datasetId: 1,
      model: 'resnet',
      augmentation: { specAugment: { p: 1, timeMasks: 1, maxTimeWidth: 5, freqMasks: 1, maxFreqWidth: 4 } },
    }).augmentation;
    const a = augmentSpectrogram(x, 16, 20, aug, new Random(11));
    const b = augmentSpectrogram(x, 16, 20, aug, new Random(11));
    expect(a).toEqual(b);
    expect(x.every((v) => v === 1)).toBe(true); // input untouched
    const zeroBands = Array.from({ length: 16 }, (_, r) => a.subarray(r * 20, (r + 1) * 20).every((v) => v === 0)).filter(Boolean).length;
    const zeroFrames = Array.from({ length: 20 }, (_, t) => Array.from({ length: 16 }, (_, r) => a[r * 20 + t]).every((v) => v === 0)).filter(
      Boolean,
    ).length;
    expect(zeroBands + zeroFrames).toBeGreaterThan(0);
    expect(zeroBands).toBeLessThanOrEqual(4);
    expect(zeroFrames).toBeLessThanOrEqual(5);
  });
});

describe('schedules and early stopping', () => {
  it('cosine goes from the base LR to minLr, after a linear warm-up', () => {
    expect(cosineLearningRate(0, 10, 1e-3, 1e-5)).toBeCloseTo(1e-3, 10);
    expect(cosineLearningRate(5, 10, 1e-3, 1e-5)).toBeCloseTo((1e-3 + 1e-5) / 2, 10);
    expect(cosineLearningRate(10, 10, 1e-3, 1e-5)).toBeCloseTo(1e-5, 10);
    expect(cosineLearningRate(0.5, 10, 1e-3, 0, 1)).toBeCloseTo(5e-4, 6);
  });

  it('plateau halves the LR after `patience` epochs without improvement, not before', () => {
    const s = new PlateauSchedule(1e-3, { factor: 0.5, patience: 2, minLr: 1e-4, mode: 'max' });
    expect([0.3, 0.4, 0.4, 0.39].map((v) => s.step(v))).toEqual([1e-3, 1e-3, 1e-3, 1e-3]);
    expect(s.step(0.38)).toBe(5e-4);
    expect(s.step(0.5)).toBe(5e-4);
  });

  it('early stopping remembers the best epoch and stops after patience', () => {
    const e = new EarlyStopping({ mode: 'min', patience: 2, minDelta: 0 });
    expect(e.update(1.0, 1)).toEqual({ improved: true, stop: false });
    expect(e.update(0.8, 2)).toEqual({ improved: true, stop: false });
    expect(e.update(0.9, 3)).toEqual({ improved: false, stop: false });
    expect(e.update(0.85, 4)).toEqual({ improved: false, stop: true });
    expect(e.bestEpoch).toBe(2);
  });
});

describe('class balancing and losses', () => {
  it('class weights follow n / (k · count)', () => {
    expect(classWeights([0, 0, 0, 1], 2)).toEqual([4 / 6, 2]);
    expect(classWeights([0, 0, 1], 3)).toEqual([0.75, 1.5, 0]);
  });

  it('oversampling gives every class as many examples as the largest, each original kept', () => {
    const y = [0, 0, 0, 0, 1, 2, 2];
    const idx = oversampledIndices(y, 3, new Random(1));
    const counts = [0, 0, 0];
    for (const i of idx) counts[y[i]]++;
    expect(counts).toEqual([4, 4, 4]);
    expect(oversampledSize(y, 3)).toBe(idx.length);
    expect(new Set(idx)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6]));
  });

  it('cross-entropy, class-weighted and focal losses match hand computation', () => {
    const probs = tf.tensor2d([
      [0.7, 0.2, 0.1],
      [0.25, 0.5, 0.25],
    ]);
    const oneHot = tf.tensor2d([
      [1, 0, 0],
      [0, 0, 1],
    ]);
    const ce = [-Math.log(0.7), -Math.log(0.25)];
    expect(classificationLoss(probs, oneHot, {}).dataSync()[0]).toBeCloseTo((ce[0] + ce[1]) / 2, 5);
    expect(classificationLoss(probs, oneHot, { weights: [1, 1, 3] }).dataSync()[0]).toBeCloseTo((ce[0] + 3 * ce[1]) / 2, 5);
    const focal = (0.3 ** 2 * ce[0] + 0.75 ** 2 * ce[1]) / 2;
    expect(classificationLoss(probs, oneHot, { focalGamma: 2 }).dataSync()[0]).toBeCloseTo(focal, 5);
    // Soft (mixup) targets: -Σ y log p.
    const soft = tf.tensor2d([
      [0.6, 0.4, 0],
      [0, 0, 1],
    ]);
    expect(classificationLoss(probs, soft, {}).dataSync()[0]).toBeCloseTo((-0.6 * Math.log(0.7) - 0.4 * Math.log(0.2) + ce[1]) / 2, 5);
  });

  it('mixup blends inputs and targets with one λ per batch, pairing each example with a shuffled partner', () => {
    const inputs = [[Float32Array.from([0, 0])], [Float32Array.from([10, 10])], [Float32Array.from([20, 20])]];
    const { inputs: mixed, targets } = mixBatch(inputs, [0, 1, 2], 3, 0.4, new Random(5));
    for (let i = 0; i < 3; i++) {
      const row = Array.from(targets.subarray(i * 3, i * 3 + 3));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      // The mixed input is the same blend of the two source examples as the target row.
      const expected = row[0] * 0 + row[1] * 10 + row[2] * 20;
      expect(mixed[i][0][0]).toBeCloseTo(expected, 4);
    }
    const lambdas = Array.from({ length: 2000 }, () => new Random(1).beta(0.4, 0.4));
    expect(lambdas.every((l) => l >= 0 && l <= 1)).toBe(true);
    const r = new Random(2);
    const draws = Array.from({ length: 4000 }, () => r.beta(2, 5));
    expect(draws.reduce((a, b) => a + b, 0) / draws.length).toBeCloseTo(2 / 7, 1.5);
  });

  it('clips gradients to a global norm, leaving small ones alone', () => {
    const g = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) }; // norm 5
    const clipped = clipByGlobalNorm(g, 1);
    expect(Array.from(clipped.a.dataSync())).toEqual([expect.closeTo(0.6, 6), 0]);
    expect(Array.from(clipped.b.dataSync())).toEqual([0, expect.closeTo(0.8, 6)]);
    expect(clipByGlobalNorm(g, 10)).toBe(g);
  });
});

describe('normalisation', () => {
  it('per-band statistics from the given (training) items; applying them standardises each band', () => {
    const items = [Float32Array.from([1, 3, 10, 10]), Float32Array.from([5, 7, 20, 40])]; // 2 bands x 2 frames
    const s = fitNormalization(items, 2, 'per-band');
    expect(s.mean).toEqual([4, 20]);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(5), 6);
    const y = applyNormalization(items[0], s);
    expect(y[0]).toBeCloseTo(-3 / Math.sqrt(5), 5);
    expect(fitNormalization(items, 2, 'global').mean).toEqual([12, 12]);
  });

  it("speaker normalisation standardises each band over all of one speaker's frames; no speaker = on its own", () => {
    const m = (data: number[]) => ({ shape: [2, 2] as [number, number], data: Float32Array.from(data) });
    // Speaker a: band 0 frames 1,3,5,7 (mean 4, std sqrt 5); band 1 constant 10 (shifted, not scaled).
    const items = new Map([
      [1, m([1, 3, 10, 10])],
      [2, m([5, 7, 10, 10])],
      [3, m([100, 300, 0, 2])],
      [4, m([2, 4, 6, 8])],
    ]);
    const speakers: Record<number, string | null> = { 1: 'a', 2: 'a', 3: 'b', 4: null };
    const out = normalizeBySpeaker(items, (id) => speakers[id]);
    const s5 = Math.sqrt(5);
    expect(Array.from(out.get(1)!.data)).toEqual([-3 / s5, -1 / s5, 0, 0].map((v) => Math.fround(v)));
    expect(Array.from(out.get(2)!.data)).toEqual([1 / s5, 3 / s5, 0, 0].map((v) => Math.fround(v)));
    expect(Array.from(out.get(3)!.data)).toEqual([-1, 1, -1, 1]);
    expect(Array.from(out.get(4)!.data)).toEqual([-1, 1, -1, 1]);
    expect(Array.from(items.get(1)!.data)).toEqual([1, 3, 10, 10]); // inputs untouched
  });

  it('utterance mode standardises each band of each utterance on its own', () => {
    const s = fitNormalization([Float32Array.from([0, 0, 0, 0])], 2, 'utterance');
    const y = applyNormalization(Float32Array.from([1, 3, 10, 30]), s);
    expect(Array.from(y)).toEqual([-1, 1, -1, 1]);
  });

  it('fits frames by cropping or padding with the minimum (the silence floor)', () => {
    const x = Float32Array.from([1, 2, 3, -80, 5, 6]);
    expect(Array.from(fitFrames(x, 2, 2))).toEqual([1, 2, -80, 5]);
    expect(Array.from(fitFrames(x, 2, 4))).toEqual([1, 2, 3, -80, -80, 5, 6, -80]);
  });
});

describe('trainer', () => {
  // Three classes, each a bright band at a different height in noise: learnable in a few epochs.
  function bands(n: number, seed: number): Example[] {
    const rng = new Random(seed);
    return Array.from({ length: n }, (_, i) => {
      const label = i % 3;
      const x = new Float32Array(12 * 10).map(() => rng.normal());
      for (let t = 0; t < 10; t++) for (let b = label * 4; b < label * 4 + 2; b++) x[b * 10 + t] += 2.5;
      return { fileId: i, label, inputs: [x] };
    });
  }
  const train = bands(90, 1);
  const val = bands(30, 2);
  const config = parseRunConfig({
    datasetId: 1,
    model: 'simplecnn',
    epochs: 6,
    batchSize: 15,
    optimizer: { kind: 'adamw', learningRate: 0.01, weightDecay: 1e-3 },
    augmentation: { specAugment: { p: 0.5, maxTimeWidth: 2, maxFreqWidth: 1 }, noise: { p: 0.5, std: 0.1 }, timeShift: {} },
    balancing: { classWeights: true },
    earlyStopping: null,
  });
  const run = async () => {
    const model = buildSimpleCnn({ inputShape: [12, 10, 1], numClasses: 3, seed: 3, filters: [8, 8, 8, 8], denseUnits: 16 });
    const batches: number[] = [];
    const result = await trainNetwork({
      model,
      inputShapes: [[12, 10, 1]],
      train,
      val,
      labels: ['a', 'b', 'c'],
      config,
      onBatch: (p) => batches.push(p.step),
    });
    const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
    model.dispose();
    return { result, batches, weights };
  };

  it('learns a separable problem, reports every batch and epoch, and restores the best epoch', async () => {
    const before = tf.memory().numTensors;
    const { result, batches } = await run();
    expect(tf.memory().numTensors).toBe(before); // no tensor leaks per batch or epoch
    expect(batches).toEqual(Array.from({ length: 36 }, (_, i) => i + 1));
    expect(result.epochs).toHaveLength(6);
    const uars = result.epochs.map((e) => e.metrics.val_uar);
    expect(Math.max(...uars)).toBeGreaterThan(0.8);
    expect(result.epochs[result.bestEpoch - 1].metrics.val_uar).toBe(Math.max(...uars));
    for (const k of ['loss', 'accuracy', 'lr', 'val_loss', 'val_accuracy', 'val_uar', 'val_macro_f1', 'seconds']) {
      expect(result.epochs[0].metrics).toHaveProperty(k);
    }
  });

  it('same seed → identical metrics and weights on the same backend', async () => {
    const a = await run();
    const b = await run();
    expect(b.result.epochs.map((e) => ({ ...e.metrics, seconds: 0 }))).toEqual(a.result.epochs.map((e) => ({ ...e.metrics, seconds: 0 })));
    expect(b.weights).toEqual(a.weights);
  });

  it('weight averaging leaves the mean of the last N epochs in the model', async () => {
    const model = buildSimpleCnn({ inputShape: [12, 10, 1], numClasses: 3, seed: 3, filters: [4, 4, 4, 4], denseUnits: 8 });
    const snapshots: number[][][] = [];
    const result = await trainNetwork({
      model,
      inputShapes: [[12, 10, 1]],
      train,
      val,
      labels: ['a', 'b', 'c'],
      config: { ...config, epochs: 3, weightAveraging: { lastEpochs: 2 } },
      onEpoch: () => snapshots.push(model.getWeights().map((w) => Array.from(w.dataSync()))),
    });
    expect(result.averagedEpochs).toEqual([2, 3]);
    expect(result.bestEpoch).toBe(0);
    expect(result.averagedMetrics?.val_uar).toBeGreaterThanOrEqual(0);
    const final = model.getWeights().map((w) => Array.from(w.dataSync()));
    final.forEach((w, i) => w.forEach((v, j) => expect(v).toBeCloseTo((snapshots[1][i][j] + snapshots[2][i][j]) / 2, 5)));
  });

  it('stops within one batch when asked', async () => {
    const model = buildSimpleCnn({ inputShape: [12, 10, 1], numClasses: 3, seed: 3, filters: [4, 4, 4, 4], denseUnits: 8 });
    let seen = 0;
    const stop = new AbortController();
    const result = await trainNetwork({
      model,
      inputShapes: [[12, 10, 1]],
      train,
      val,
      labels: ['a', 'b', 'c'],
      config,
      onBatch: () => ++seen === 8 && stop.abort(new CancelledError()),
      signal: stop.signal,
    });
    expect(result.cancelled).toBe(true);
    expect(seen).toBe(8);
    expect(result.epochs).toHaveLength(1); // epoch 1 (6 batches) finished, epoch 2 was cut short
  });
});
