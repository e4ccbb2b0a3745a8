// Speaker-adaptive batch norm (AdaBN): re-estimated statistics are exactly those a training-mode pass over all of a
// speaker's files would normalise with, whatever the batching; the model's own statistics come back afterwards.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { adaptBatchNorm, batchNormLayers, restoreBatchNormStats, snapshotBatchNormStats } from '../../src-main/core/tfjs/batchNormAdaptation';
import { batchNormalization } from '../../src-main/core/tfjs/batchNormLayer';
import { parseRunConfig } from '../../src-shared/config/run';
import { predictProbabilities, type Example } from '../../src-main/core/training/examples';
import { MIN_ADAPTATION_FILES, predictWithSpeakerAdaptation } from '../../src-main/core/training/speakerAdaptation';

const SHAPE = [8, 10, 1];

/** conv → BN → relu → conv → BN → relu, plus a 1x1 shortcut with its own BN, → GAP → softmax; no dropout. */
function buildModel(): tf.LayersModel {
  const input = tf.input({ shape: SHAPE });
  const conv = (filters: number, kernel: number, seed: number) =>
    tf.layers.conv2d({ filters, kernelSize: kernel, padding: 'same', useBias: false, kernelInitializer: tf.initializers.glorotNormal({ seed }) });
  // Moving statistics far from anything the data gives, so adaptation visibly changes them.
  const bn = () =>
    batchNormalization({
      axis: -1,
      movingMeanInitializer: tf.initializers.constant({ value: 0.5 }),
      movingVarianceInitializer: tf.initializers.constant({ value: 4 }),
    });
  let x = conv(4, 3, 1).apply(input) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'relu' }).apply(bn().apply(x)) as tf.SymbolicTensor;
  let y = conv(4, 3, 2).apply(x) as tf.SymbolicTensor;
  y = bn().apply(y) as tf.SymbolicTensor;
  const shortcut = bn().apply(conv(4, 1, 3).apply(x)) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'relu' }).apply(tf.layers.add().apply([y, shortcut])) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotNormal({ seed: 4 }) })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** `n` examples of a "speaker": noise around its own offset and scale. */
function speakerExamples(n: number, offset: number, scale: number, seed: number): Example[] {
  const size = SHAPE.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, (_, i) => ({
    fileId: seed * 100 + i,
    label: i % 3,
    inputs: [tf.tidy(() => tf.randomNormal([size], offset, scale, 'float32', seed * 100 + i).dataSync() as Float32Array)],
  }));
}

const stack = (examples: Example[]) =>
  tf.tensor(
    examples.flatMap((e) => [...e.inputs[0]]),
    [examples.length, ...SHAPE],
  );
function* chunks(examples: Example[], size: number) {
  for (let s = 0; s < examples.length; s += size) yield [stack(examples.slice(s, s + size))];
}
const statsOf = (model: tf.LayersModel) => batchNormLayers(model).map((b) => [...b.mean.read().dataSync(), ...b.variance.read().dataSync()]);

describe('speaker-adaptive batch norm', () => {
  it('finds the batch-norm layers and their moving statistics', () => {
    const model = buildModel();
    expect(batchNormLayers(model)).toHaveLength(3);
    expect(statsOf(model)[0]).toEqual([0.5, 0.5, 0.5, 0.5, 4, 4, 4, 4]);
  });

  it('re-estimates every layer so inference matches a training-mode pass over all the files, in any batching', async () => {
    const model = buildModel();
    const files = speakerExamples(10, 2, 3, 1);
    const all = stack(files);
    // Training mode normalises each layer with the statistics of the whole batch: the target of adaptation.
    const snapshot = snapshotBatchNormStats(model);
    const target = (model.apply(all, { training: true }) as tf.Tensor).dataSync();
    restoreBatchNormStats(model, snapshot);
    const before = (model.predict(all) as tf.Tensor).dataSync();
    expect(Math.max(...before.map((v, i) => Math.abs(v - target[i])))).toBeGreaterThan(0.01);

    expect(await adaptBatchNorm(model, () => chunks(files, 3))).toBe(3);
    const adapted = (model.predict(all) as tf.Tensor).dataSync();
    expect(Math.max(...adapted.map((v, i) => Math.abs(v - target[i])))).toBeLessThan(1e-4);
    const byThree = statsOf(model);

    // One batch of all ten gives the same statistics as batches of 3, 3, 3 and 1.
    restoreBatchNormStats(model, snapshot);
    await adaptBatchNorm(model, () => chunks(files, 10));
    statsOf(model).forEach((s, l) => s.forEach((v, i) => expect(v).toBeCloseTo(byThree[l][i], 4)));

    // The snapshot puts the model's own statistics back.
    restoreBatchNormStats(model, snapshot);
    expect([...(model.predict(all) as tf.Tensor).dataSync()]).toEqual([...before]);
    snapshot.forEach((t) => t.dispose());
  });

  it('adapts each speaker with enough files on its own; other files keep the training statistics', async () => {
    const model = buildModel();
    const a = speakerExamples(MIN_ADAPTATION_FILES + 2, 2, 3, 2);
    const b = speakerExamples(MIN_ADAPTATION_FILES, -1, 0.5, 3);
    const few = speakerExamples(MIN_ADAPTATION_FILES - 1, 4, 2, 4);
    const unknown = speakerExamples(2, 0, 1, 5);
    const examples = [...a, ...b, ...few, ...unknown];
    const speakers = [...a.map(() => 'a'), ...b.map(() => 'b'), ...few.map(() => 'few'), ...unknown.map(() => null)];
    const order = examples.map((_, i) => i).sort((i, j) => ((i * 7919) % 31) - ((j * 7919) % 31));
    const stats = statsOf(model);
    const result = await predictWithSpeakerAdaptation(
      model,
      order.map((i) => examples[i]),
      [SHAPE],
      order.map((i) => speakers[i]),
      4,
    );
    expect(result).toMatchObject({ adaptedFiles: a.length + b.length, speakers: 2 });
    expect(statsOf(model)).toEqual(stats);

    const plain = await predictProbabilities(model, examples, [SHAPE]);
    const expected = [...plain];
    for (const [group, start] of [
      [a, 0],
      [b, a.length],
    ] as const) {
      const snapshot = snapshotBatchNormStats(model);
      await adaptBatchNorm(model, () => chunks(group, 64));
      (await predictProbabilities(model, group, [SHAPE])).forEach((p, j) => (expected[start + j] = p));
      restoreBatchNormStats(model, snapshot);
      snapshot.forEach((t) => t.dispose());
    }
    order.forEach((i, j) => [...result.probs[j]].forEach((v, c) => expect(v).toBeCloseTo(expected[i][c], 5)));
    // Adaptation changed the adapted speakers' predictions and nobody else's.
    const changed = order.filter((i, j) => Math.max(...result.probs[j].map((v, c) => Math.abs(v - plain[i][c]))) > 1e-3);
    expect(new Set(changed.map((i) => speakers[i]))).toEqual(new Set(['a', 'b']));
  });

  it('is refused for classical models, which have no batch norm', () => {
    expect(() => parseRunConfig({ datasetId: 1, model: 'svm', speakerAdaptiveBatchNorm: true })).toThrow(
      /speakerAdaptiveBatchNorm: svm has no batch-norm layers/,
    );
    expect(parseRunConfig({ datasetId: 1, model: 'resnet', speakerAdaptiveBatchNorm: true }).speakerAdaptiveBatchNorm).toBe(true);
  });
});
