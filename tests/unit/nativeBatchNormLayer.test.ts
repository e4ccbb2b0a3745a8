// The fused BatchNormalization layer: same outputs, gradients, moving statistics and saved form as the stock layer.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FusedBatchNormalization,
  ReluAwareActivation,
  ResidualAdd,
  activation,
  batchNormalization,
  fuseBatchNormRelu,
  residualAdd,
} from '../../src-main/core/tfjs/batchNormLayer';
import { getModelPreset } from '../../src-main/core/models/presets';
import { NATIVE_BACKEND, nativeKernelStats, registerNativeBackend, resetNativeKernelStats } from '../../src-main/core/tfjs/nativeKernels';

const status = registerNativeBackend();
if (!status.ok) console.warn(`fused batch-norm tests skipped: ${status.reason}`);

function random(shape: number[], seed: number, offset = 0): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  let s = seed * 2654435761 + 3;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1 + offset;
  }
  return out;
}

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0;
  let mag = 1;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    mag = Math.max(mag, Math.abs(b[i]));
  }
  return err / mag;
}

/**
 * One training step of conv -> BN -> relu -> sum on `backend`, with the stock or the fused layer:
 * the output, the gradients of gamma, beta and the conv kernel, and the moving statistics after the step.
 */
async function step(backend: string, fused: boolean, xShape: number[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const make = fused ? batchNormalization : tf.layers.batchNormalization;
  const bn = make({ momentum: 0.8, epsilon: 1e-3, gammaInitializer: 'randomNormal', betaInitializer: 'randomNormal' });
  const conv = tf.layers.conv2d({
    filters: xShape[3],
    kernelSize: 3,
    padding: 'same',
    useBias: false,
    kernelInitializer: tf.initializers.glorotNormal({ seed: 5 }),
  });
  const x = tf.tensor(random(xShape, 1, 0.7), xShape);
  conv.apply(x);
  bn.apply(conv.apply(x));
  // Same starting gamma/beta on every run (initialisers draw from the global RNG).
  bn.setWeights([tf.tensor(random([xShape[3]], 2, 1)), tf.tensor(random([xShape[3]], 3)), tf.zeros([xShape[3]]), tf.ones([xShape[3]])]);
  const weights = [...conv.trainableWeights, ...bn.trainableWeights].map((w) => w.read() as tf.Variable);
  const r = tf.tensor(random(xShape, 4), xShape);
  let out: tf.Tensor | undefined;
  const { grads } = tf.variableGrads(() => {
    out = tf.keep(tf.relu(bn.apply(conv.apply(x), { training: true }) as tf.Tensor));
    return tf.sum(tf.mul(out, r)) as tf.Scalar;
  }, weights);
  const result = [out as tf.Tensor, ...weights.map((w) => grads[w.name]), ...bn.nonTrainableWeights.map((w) => w.read())];
  return result.map((t) => Float32Array.from(t.dataSync()));
}

describe.skipIf(!status.ok)('fused BatchNormalization layer', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each([[[4, 6, 5, 8]], [[1, 9, 7, 16]], [[3, 4, 4, 3]]])(
    'matches the stock layer on cpu (x%j): output, gradients, moving stats',
    async (xShape) => {
      resetNativeKernelStats();
      const fusedNative = await step(NATIVE_BACKEND, true, xShape);
      expect(nativeKernelStats().native.SerNativeBatchNormTraining).toBe(1);
      expect(nativeKernelStats().native.SerNativeBatchNormTrainingGrad).toBe(1);
      const stockCpu = await step('cpu', false, xShape);
      const stockNative = await step(NATIVE_BACKEND, false, xShape);
      expect(fusedNative.length).toBe(6);
      fusedNative.forEach((v, i) => {
        expect(maxRelErr(v, stockCpu[i])).toBeLessThanOrEqual(1e-4);
        expect(maxRelErr(stockNative[i], stockCpu[i])).toBeLessThanOrEqual(1e-4);
      });
    },
  );

  it.each([[[12, 7]], [[3, 10, 5]]])('matches the stock layer on rank-%j inputs (after dense / recurrent layers)', async (shape) => {
    const run = async (backend: string, fused: boolean) => {
      await tf.setBackend(backend);
      const bn = (fused ? batchNormalization : tf.layers.batchNormalization)({ momentum: 0.5 });
      const x = tf.tensor(random(shape, 11, 2), shape);
      bn.apply(x);
      const c = shape[shape.length - 1];
      bn.setWeights([tf.tensor(random([c], 12, 1)), tf.tensor(random([c], 13)), tf.zeros([c]), tf.ones([c])]);
      const r = tf.tensor(random(shape, 14), shape);
      const weights = bn.trainableWeights.map((w) => w.read() as tf.Variable);
      const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(bn.apply(a, { training: true }) as tf.Tensor, r)))(x);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(bn.apply(x, { training: true }) as tf.Tensor, r)) as tf.Scalar, weights);
      return [dx, ...weights.map((w) => grads[w.name]), ...bn.nonTrainableWeights.map((w) => w.read())].map((t) => Float32Array.from(t.dataSync()));
    };
    const fused = await run(NATIVE_BACKEND, true);
    const stock = await run('cpu', false);
    fused.forEach((v, i) => expect(maxRelErr(v, stock[i])).toBeLessThanOrEqual(1e-4));
  });

  it('is the stock layer off the native backend', async () => {
    resetNativeKernelStats();
    const fusedCpu = await step('cpu', true, [2, 5, 5, 4]);
    const stockCpu = await step('cpu', false, [2, 5, 5, 4]);
    fusedCpu.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(stockCpu[i])));
    expect(nativeKernelStats().native.SerNativeBatchNormTraining).toBeUndefined();
  });

  it('saves as BatchNormalization and reloads as the fused layer with its weights', async () => {
    await tf.setBackend(NATIVE_BACKEND);
    const input = tf.input({ shape: [6, 5, 3] });
    const output = batchNormalization({ name: 'bn' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    model.layers[1].setWeights([tf.fill([3], 2), tf.fill([3], 0.5), tf.fill([3], 0.1), tf.fill([3], 4)]);
    const topology = model.toJSON(null, false) as { config: { layers: { class_name: string }[] } };
    expect(topology.config.layers[1].class_name).toBe('BatchNormalization');
    const saved: { artifacts?: tf.io.ModelArtifacts } = {};
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved.artifacts = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved.artifacts as tf.io.ModelArtifacts));
    expect(loaded.layers[1]).toBeInstanceOf(FusedBatchNormalization);
    const x = tf.tensor4d(random([2, 6, 5, 3], 9), [2, 6, 5, 3]);
    const a = (model.predict(x) as tf.Tensor).dataSync();
    const b = (loaded.predict(x) as tf.Tensor).dataSync();
    expect(maxRelErr(b, a)).toBeLessThanOrEqual(1e-6);
    // Inference uses the moving statistics: (x - 0.1) / sqrt(4 + eps) * 2 + 0.5.
    expect(a[0]).toBeCloseTo(((x.dataSync()[0] - 0.1) / Math.sqrt(4 + 1e-3)) * 2 + 0.5, 5);
  });

  /** conv -> BN -> relu -> conv (-> BN as a second output when bnIsOutput): the first BN is fused with its relu. */
  function reluModel(bnIsOutput = false): tf.LayersModel {
    const input = tf.input({ shape: [6, 7, 3] });
    const conv = (name: string, seed: number) =>
      tf.layers.conv2d({
        filters: 8,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        kernelInitializer: tf.initializers.glorotNormal({ seed }),
        name,
      });
    const h = conv('c1', 1).apply(input) as tf.SymbolicTensor;
    const bn = batchNormalization({
      name: 'bn',
      momentum: 0.7,
      gammaInitializer: tf.initializers.randomNormal({ mean: 1, seed: 2 }),
      betaInitializer: tf.initializers.randomNormal({ seed: 3 }),
    });
    const b = bn.apply(h) as tf.SymbolicTensor;
    const r = activation({ activation: 'relu', name: 'relu' }).apply(b) as tf.SymbolicTensor;
    const out = conv('c2', 4).apply(r) as tf.SymbolicTensor;
    return fuseBatchNormRelu(tf.model({ inputs: input, outputs: bnIsOutput ? [out, b] : out }));
  }

  /** Output, gradients of every trainable weight, and the moving statistics after one step of model on backend. */
  async function modelStep(model: tf.LayersModel, backend: string): Promise<Float32Array[]> {
    await tf.setBackend(backend);
    const x = tf.tensor(random([4, 6, 7, 3], 21, 0.3), [4, 6, 7, 3]);
    const r = tf.tensor(random([4, 6, 7, 8], 22), [4, 6, 7, 8]);
    const before = model.getWeights().map((w) => w.clone());
    let out: tf.Tensor | undefined;
    const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => {
      const y = model.apply(x, { training: true }) as tf.Tensor | tf.Tensor[];
      out = tf.keep(Array.isArray(y) ? y[0] : y);
      return tf.sum(tf.mul(out, r)) as tf.Scalar;
    }, weights);
    const moving = model.getLayer('bn').nonTrainableWeights.map((w) => w.read());
    const result = [out as tf.Tensor, ...weights.map((w) => grads[w.name]), ...moving].map((t) => Float32Array.from(t.dataSync()));
    model.setWeights(before); // the next backend starts from the same moving statistics
    return result;
  }

  it('fuses the relu after a batch norm into its kernels: same output, gradients and moving stats as stock on cpu', async () => {
    const model = reluModel();
    expect((model.getLayer('bn') as FusedBatchNormalization).reluFollows).toBe(true);
    expect(model.getLayer('relu')).toBeInstanceOf(ReluAwareActivation);
    resetNativeKernelStats();
    const fused = await modelStep(model, NATIVE_BACKEND);
    // The relu ran inside the batch-norm kernels: no Relu forward, no ReluGrad backward.
    expect(nativeKernelStats().native.SerNativeBatchNormTraining).toBe(1);
    expect(nativeKernelStats().native.Relu).toBeUndefined();
    expect(nativeKernelStats().native.SerNativeReluGrad).toBeUndefined();
    const stock = await modelStep(model, 'cpu');
    expect(fused.length).toBe(7);
    fused.forEach((v, i) => expect(maxRelErr(v, stock[i])).toBeLessThanOrEqual(1e-4));
    // Some pre-activations are negative, so the mask matters.
    expect(stock[0].some((v) => v !== 0)).toBe(true);
  });

  it('keeps the relu separate when the batch-norm output is also a model output', async () => {
    const model = reluModel(true);
    expect((model.getLayer('bn') as FusedBatchNormalization).reluFollows).toBe(false);
    resetNativeKernelStats();
    await tf.setBackend(NATIVE_BACKEND);
    const [, b] = model.apply(tf.tensor(random([2, 6, 7, 3], 23), [2, 6, 7, 3]), { training: true }) as tf.Tensor[];
    expect(b.dataSync().some((v) => v < 0)).toBe(true);
    expect(nativeKernelStats().native.Relu).toBe(1);
  });

  /** A residual block tail: relu(add([bn(conv(x)), shortcut(x)])), the shortcut a 1x1 conv (+ its own batch norm). */
  function residualModel(shortcutBn: boolean, reluAfter = true): tf.LayersModel {
    const input = tf.input({ shape: [6, 7, 3] });
    const conv = tf.layers.conv2d({
      filters: 8,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      kernelInitializer: tf.initializers.glorotNormal({ seed: 8 }),
    });
    const bn = batchNormalization({ momentum: 0.8, epsilon: 1e-3, gammaInitializer: 'randomNormal', betaInitializer: 'randomNormal', name: 'bn' });
    let shortcut = tf.layers
      .conv2d({ filters: 8, kernelSize: 1, useBias: false, kernelInitializer: tf.initializers.glorotNormal({ seed: 9 }) })
      .apply(input) as tf.SymbolicTensor;
    if (shortcutBn) shortcut = batchNormalization({ momentum: 0.8, epsilon: 1e-3, name: 'proj_bn' }).apply(shortcut) as tf.SymbolicTensor;
    let out = residualAdd({ name: 'add' }).apply([bn.apply(conv.apply(input)) as tf.SymbolicTensor, shortcut]) as tf.SymbolicTensor;
    if (reluAfter) out = activation({ activation: 'relu', name: 'out' }).apply(out) as tf.SymbolicTensor;
    const head = tf.layers
      .conv2d({ filters: 8, kernelSize: 1, kernelInitializer: tf.initializers.glorotNormal({ seed: 10 }) })
      .apply(out) as tf.SymbolicTensor;
    return fuseBatchNormRelu(tf.model({ inputs: input, outputs: head }));
  }

  for (const [shortcutBn, reluAfter] of [
    [false, true],
    [true, true],
    [false, false],
  ] as const) {
    it(`fuses a residual tail bn + add${reluAfter ? ' + relu' : ''} (shortcut bn: ${shortcutBn}): same output, gradients and moving stats as stock on cpu`, async () => {
      const model = residualModel(shortcutBn, reluAfter);
      expect((model.getLayer('bn') as FusedBatchNormalization).residualAdd).toBe(model.getLayer('add'));
      expect((model.getLayer('add') as ResidualAdd).reluFollows).toBe(reluAfter);
      resetNativeKernelStats();
      const fused = await modelStep(model, NATIVE_BACKEND);
      const stats = nativeKernelStats().native;
      expect(stats.SerNativeBatchNormResidualTraining).toBe(1);
      expect(stats.Add).toBeUndefined(); // the add ran inside the batch-norm kernel
      expect(stats.Relu).toBeUndefined();
      const stock = await modelStep(model, 'cpu');
      fused.forEach((v, i) => expect(maxRelErr(v, stock[i])).toBeLessThanOrEqual(1e-4));
    });
  }

  it('the ResNet preset fuses the second batch norm of each of its 6 blocks into the add', () => {
    const preset = getModelPreset('resnet');
    if (preset.family !== 'neural') throw new Error('resnet is neural');
    const model = preset.build({ inputShape: [16, 20, 1], numClasses: 4, seed: 1, params: {} });
    const fused = model.layers.filter((l) => l instanceof FusedBatchNormalization && l.residualAdd !== null).map((l) => l.name);
    expect(fused).toEqual(['s1b1_bn2', 's1b2_bn2', 's2b1_bn2', 's2b2_bn2', 's3b1_bn2', 's3b2_bn2']);
    expect(model.layers.filter((l) => l instanceof ResidualAdd && l.reluFollows).length).toBe(6);
  });

  it('saves a fused residual tail as plain BatchNormalization + Add layers', async () => {
    const topology = residualModel(true).toJSON(null, false) as { config: { layers: { class_name: string }[] } };
    expect(topology.config.layers.map((l) => l.class_name).filter((c) => c === 'Add' || c === 'BatchNormalization')).toEqual([
      'BatchNormalization',
      'BatchNormalization',
      'Add',
    ]);
  });

  it('saves the fused pair as plain BatchNormalization + Activation layers', async () => {
    const model = reluModel();
    const topology = model.toJSON(null, false) as { config: { layers: { class_name: string }[] } };
    expect(topology.config.layers.map((l) => l.class_name)).toEqual(['InputLayer', 'Conv2D', 'BatchNormalization', 'Activation', 'Conv2D']);
    const loaded = await tf.models.modelFromJSON({ modelTopology: topology as unknown as tf.io.ModelJSON['modelTopology'] });
    expect(loaded.getLayer('relu')).toBeInstanceOf(ReluAwareActivation);
  });
});
