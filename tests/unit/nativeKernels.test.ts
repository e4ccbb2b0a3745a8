// Every native kernel against the pure-JS cpu kernel on the same inputs, plus fallbacks and a short training run.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../../src-main/core/tfjs/nativeAddon';
import {
  NATIVE_BACKEND,
  nativeKernelStats,
  registerNativeBackend,
  resetNativeKernelStats,
  setNativeConvEngine,
} from '../../src-main/core/tfjs/nativeKernels';

const status = registerNativeBackend();
if (!status.ok) console.warn(`native kernel tests skipped: ${status.reason}`);

/** Deterministic uniform values in [-1, 1). */
function random(shape: number[], seed: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  let s = seed * 2654435761 + 1;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

/** Runs fn on a backend with fresh copies of the inputs; returns copies of the outputs' values. */
async function runOn(
  backend: string,
  inputs: { shape: number[]; values: Float32Array | Int32Array; dtype?: 'float32' | 'int32' }[],
  fn: (...t: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): Promise<{ shape: number[]; values: Float32Array }[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const ts = inputs.map((i) => tf.tensor(i.values.slice(), i.shape, i.dtype ?? 'float32'));
    const out = fn(...ts);
    return (Array.isArray(out) ? out : [out]).map((o) => ({ shape: o.shape, values: Float32Array.from(o.dataSync()) }));
  });
}

/** max |a - b| relative to max(1, max |b|): the tolerance the issue asks for (1e-4). */
function relativeError(a: Float32Array, b: Float32Array): number {
  let err = 0;
  let mag = 1;
  for (let i = 0; i < b.length; i++) {
    if (Number.isNaN(b[i]) && Number.isNaN(a[i])) continue;
    err = Math.max(err, Math.abs(a[i] - b[i]));
    mag = Math.max(mag, Math.abs(b[i]));
  }
  return err / mag;
}

async function expectSameAsCpu(
  inputs: { shape: number[]; values: Float32Array | Int32Array; dtype?: 'float32' | 'int32' }[],
  fn: (...t: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  tolerance = 1e-4,
): Promise<void> {
  const ref = await runOn('cpu', inputs, fn);
  const got = await runOn(NATIVE_BACKEND, inputs, fn);
  expect(got.length).toBe(ref.length);
  got.forEach((g, i) => {
    expect(g.shape).toEqual(ref[i].shape);
    expect(g.values.length).toBe(ref[i].values.length);
    expect(relativeError(g.values, ref[i].values)).toBeLessThanOrEqual(tolerance);
  });
}

const f32 = (shape: number[], seed: number) => ({ shape, values: random(shape, seed) });

describe.skipIf(!status.ok)('native kernels vs the tfjs cpu kernels', () => {
  beforeAll(() => resetNativeKernelStats());
  afterAll(async () => {
    setNativeConvEngine('auto');
    await tf.setBackend('cpu');
  });

  // [x shape, filter shape, strides, pad, dilations]
  const convCases: [number[], number[], number | [number, number], 'same' | 'valid' | number, number][] = [
    [[1, 7, 9, 3], [3, 3, 3, 5], 1, 'same', 1],
    [[2, 10, 13, 16], [3, 3, 16, 8], 2, 'same', 1],
    [[3, 11, 8, 4], [3, 3, 4, 6], 2, 'valid', 1],
    [[2, 9, 9, 8], [5, 3, 8, 16], [1, 2], 'valid', 1],
    [[2, 8, 7, 5], [3, 3, 5, 7], 1, 2, 1],
    [[2, 6, 5, 16], [1, 1, 16, 32], 1, 'valid', 1],
    [[1, 9, 11, 3], [3, 3, 3, 4], 1, 'same', 2],
    [[4, 64, 94, 1], [3, 3, 1, 16], 1, 'same', 1],
    // One input channel (the spectrogram stem): odd output channels, strides, explicit padding, dilation.
    [[2, 13, 10, 1], [3, 5, 1, 5], [2, 1], 'valid', 1],
    [[2, 8, 8, 1], [2, 2, 1, 4], 2, 'same', 1],
    [[1, 9, 12, 1], [3, 3, 1, 8], 1, 1, 1],
    [[1, 11, 12, 1], [3, 3, 1, 6], 1, 'same', 2],
  ];

  for (const engine of ['auto', 'im2col'] as const) {
    describe(`convolutions (${engine})`, () => {
      beforeAll(() => {
        setNativeConvEngine(engine);
      });

      it.each(convCases)('conv2d x%j w%j stride %j pad %j dilation %j', async (xs, ws, strides, pad, dil) => {
        await expectSameAsCpu([f32(xs, 1), f32(ws, 2)], (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, pad, 'NHWC', dil));
      });

      it.each(convCases.filter((c) => c[4] === 1))('conv2d gradients (input and filter) x%j w%j stride %j pad %j', async (xs, ws, strides, pad) => {
        const before = nativeKernelStats().native;
        await expectSameAsCpu([f32(xs, 3), f32(ws, 4)], (x, w) => {
          const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad), 0.5)));
          return g([x, w]);
        });
        const after = nativeKernelStats().native;
        expect(after[tf.Conv2DBackpropInput] ?? 0).toBeGreaterThan(before[tf.Conv2DBackpropInput] ?? 0);
        expect(after[tf.Conv2DBackpropFilter] ?? 0).toBeGreaterThan(before[tf.Conv2DBackpropFilter] ?? 0);
      });
    });
  }

  it.each(['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const)('fused conv2d with bias and %s', async (activation) => {
    await expectSameAsCpu([f32([2, 9, 10, 6], 5), f32([3, 3, 6, 8], 6), f32([8], 7)], (x, w, b) =>
      tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'same', bias: b, activation, leakyreluAlpha: 0.1 }),
    );
  });

  it('fused conv2d on one input channel with bias and relu', async () => {
    await expectSameAsCpu([f32([2, 9, 10, 1], 11), f32([3, 3, 1, 8], 12), f32([8], 13)], (x, w, b) =>
      tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'same', bias: b, activation: 'relu' }),
    );
  });

  it('fused conv2d gradients with bias and relu', async () => {
    await expectSameAsCpu([f32([2, 8, 9, 4], 8), f32([3, 3, 4, 8], 9), f32([8], 10)], (x, w, b) =>
      tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
        tf.sum(tf.fused.conv2d({ x: a as tf.Tensor4D, filter: c as tf.Tensor4D, strides: 2, pad: 'same', bias: d, activation: 'relu' })),
      )([x, w, b]),
    );
  });

  it.each([
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[4, 33, 65], [4, 65, 17], false, false],
    [[4, 33, 65], [1, 65, 17], false, false],
    [[1, 9, 6], [3, 9, 5], true, false],
    [[2, 3, 4, 5], [2, 3, 5, 6], false, false],
    [[300, 200], [200, 130], false, false],
  ] as [number[], number[], boolean, boolean][])('matMul a%j b%j transposeA %s transposeB %s', async (as, bs, ta, tb) => {
    await expectSameAsCpu([f32(as, 11), f32(bs, 12)], (a, b) => tf.matMul(a, b, ta, tb));
  });

  it('fused matMul with bias and relu, and its gradients', async () => {
    const fn = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias: c, activation: 'relu' });
    await expectSameAsCpu([f32([6, 10], 13), f32([10, 4], 14), f32([4], 15)], fn);
    await expectSameAsCpu([f32([6, 10], 13), f32([10, 4], 14), f32([4], 15)], (a, b, c) =>
      tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.sum(fn(x, y, z)))([a, b, c]),
    );
  });

  // [x shape, filter, strides, pad]
  const poolCases: [number[], number | [number, number], number | [number, number], 'same' | 'valid'][] = [
    [[1, 7, 9, 3], 2, 2, 'valid'],
    [[2, 7, 9, 3], 3, 2, 'same'],
    [[2, 8, 8, 5], [3, 2], 1, 'same'],
    [[3, 9, 11, 16], 2, 2, 'same'],
  ];

  it.each(poolCases)('maxPool and avgPool with gradients x%j filter %j stride %j pad %j', async (xs, filter, strides, pad) => {
    // Distinct values so that max-pool ties (resolved by scan order) cannot differ.
    const x = { shape: xs, values: random(xs, 16).map((v, i) => v + i * 1e-3) };
    await expectSameAsCpu([x], (t) => [tf.maxPool(t as tf.Tensor4D, filter, strides, pad), tf.avgPool(t as tf.Tensor4D, filter, strides, pad)]);
    await expectSameAsCpu([x], (t) =>
      tf.grads((a: tf.Tensor) =>
        tf.add(
          tf.sum(tf.square(tf.maxPool(a as tf.Tensor4D, filter, strides, pad))),
          tf.sum(tf.square(tf.avgPool(a as tf.Tensor4D, filter, strides, pad))),
        ),
      )([t]),
    );
  });

  const binaryCases: [number[], number[]][] = [
    [
      [2, 3, 4],
      [2, 3, 4],
    ],
    [[2, 3, 4], [4]],
    [
      [2, 1, 4],
      [3, 1],
    ],
    [[5, 6], []],
    [[], [5, 6]],
    [
      [1, 6],
      [5, 1],
    ],
    [[4, 64, 94, 16], [16]],
    [
      [3, 1, 5, 1, 2],
      [4, 1, 3, 2],
    ],
  ];
  it.each(binaryCases)('add, sub, mul, div, squaredDifference, maximum, minimum a%j b%j', async (as, bs) => {
    const b = { shape: bs, values: random(bs, 18).map((v) => v + Math.sign(v || 1) * 0.5) }; // away from 0 for div
    await expectSameAsCpu([f32(as, 17), b], (x, y) => [
      tf.add(x, y),
      tf.sub(x, y),
      tf.mul(x, y),
      tf.div(x, y),
      tf.squaredDifference(x, y),
      tf.maximum(x, y),
      tf.minimum(x, y),
    ]);
  });

  it('unary ops', async () => {
    const x = f32([3, 5, 7], 19);
    const pos = { shape: [3, 5, 7], values: x.values.map((v) => Math.abs(v) + 0.1) };
    await expectSameAsCpu([x, pos], (a, p) => [
      tf.relu(a),
      tf.relu6(tf.mul(a, 8)),
      tf.step(a, 0.3),
      tf.square(a),
      tf.sqrt(p),
      tf.rsqrt(p),
      tf.neg(a),
      tf.exp(a),
      tf.log(p),
      tf.abs(a),
      tf.sigmoid(a),
      tf.tanh(a),
      tf.reciprocal(p),
      tf.elu(a),
      tf.leakyRelu(a, 0.15),
    ]);
  });

  it.each([
    [[4, 5, 6], [0]],
    [[4, 5, 6], [2]],
    [[4, 5, 6], [1]],
    [
      [4, 5, 6],
      [0, 2],
    ],
    [
      [4, 5, 6],
      [0, 1, 2],
    ],
    [
      [2, 8, 9, 16],
      [0, 1, 2],
    ],
    [
      [2, 8, 9, 16],
      [1, 2],
    ],
    [[3, 1, 5], [1]],
    [[7], [0]],
  ] as [number[], number[]][])('sum, mean, max, min of x%j over axes %j (with and without keepDims)', async (xs, axes) => {
    await expectSameAsCpu([f32(xs, 20)], (x) => [
      tf.sum(x, axes),
      tf.mean(x, axes),
      tf.max(x, axes),
      tf.min(x, axes),
      tf.sum(x, axes, true),
      tf.mean(x, axes, true),
    ]);
  });

  it('addN and batchNorm (per-channel and cyclic parameters)', async () => {
    await expectSameAsCpu([f32([3, 4, 5], 21), f32([3, 4, 5], 22), f32([3, 4, 5], 23)], (a, b, c) => tf.addN([a, b, c]));
    const v = { shape: [5], values: random([5], 26).map((x) => Math.abs(x) + 0.2) };
    await expectSameAsCpu([f32([3, 4, 5], 24), f32([5], 25), v, f32([5], 27), f32([5], 28)], (x, m, vv, o, s) => tf.batchNorm(x, m, vv, o, s, 1e-3));
    await expectSameAsCpu([f32([3, 4, 5], 24), f32([5], 25), v], (x, m, vv) => tf.batchNorm(x, m, vv, undefined, undefined, 1e-3));
  });

  it('fused gradients of relu, square, sum, mean and batchNorm (moments of the input, as in layers)', async () => {
    const x = f32([2, 6, 7, 8], 29);
    const gamma = f32([8], 30);
    const beta = f32([8], 31);
    await expectSameAsCpu([x, gamma, beta], (a, g, b) =>
      tf.grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => {
        const { mean, variance } = tf.moments(xi, [0, 1, 2]);
        const y = tf.relu(tf.batchNorm(xi, mean, variance, bi, gi, 1e-3));
        return tf.add(tf.sum(tf.square(y)), tf.mean(y));
      })([a, g, b]),
    );
  });
});

describe.skipIf(!status.ok)('native backend falls back to the JS kernels outside what the addon supports', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('NCHW convolution runs the JS kernel and still matches cpu', async () => {
    resetNativeKernelStats();
    await expectSameAsCpu([f32([2, 3, 9, 8], 32), f32([3, 3, 3, 4], 33)], (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same', 'NCHW'));
    const stats = nativeKernelStats();
    expect(stats.fallback[tf.Conv2D]).toBe(1);
    expect(stats.native[tf.Conv2D]).toBeUndefined();
  });

  it('prelu fused activation and int32 arithmetic run in JS', async () => {
    resetNativeKernelStats();
    await expectSameAsCpu([f32([1, 6, 6, 2], 34), f32([3, 3, 2, 3], 35), f32([3], 36)], (x, w, a) =>
      tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'valid', activation: 'prelu', preluActivationWeights: a }),
    );
    await expectSameAsCpu(
      [
        { shape: [4], values: Int32Array.of(1, 2, 3, 4), dtype: 'int32' },
        { shape: [4], values: Int32Array.of(5, 6, 7, 8), dtype: 'int32' },
      ],
      (a, b) => tf.add(a, b),
    );
    const stats = nativeKernelStats();
    expect(stats.fallback[tf.FusedConv2D]).toBe(1);
    expect(stats.fallback[tf.Add]).toBe(1);
  });

  it('empty tensors run in JS', async () => {
    resetNativeKernelStats();
    await expectSameAsCpu([{ shape: [0, 5, 5, 2], values: new Float32Array(0) }, f32([3, 3, 2, 4], 37)], (x, w) =>
      tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'),
    );
    await expectSameAsCpu([{ shape: [0, 3], values: new Float32Array(0) }, f32([3], 38)], (a, b) => tf.add(a, b));
    expect(nativeKernelStats().fallback[tf.Conv2D]).toBe(1);
    expect(nativeKernelStats().fallback[tf.Add]).toBe(1);
  });

  it('the addon rejects inconsistent buffers instead of reading past them', () => {
    const load = loadNativeAddon();
    if (!load.ok) throw new Error(load.reason);
    const dims = Int32Array.from([1, 4, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 4, 4]);
    expect(() => load.addon.conv2d(new Float32Array(15), new Float32Array(9), new Float32Array(16), dims)).toThrow(/x has 15 values, expected 16/);
    expect(() => load.addon.binary(0, new Float32Array(3), new Float32Array(4), new Float32Array(4), Int32Array.from([1, 4, 1, 1]))).toThrow(
      /strides reach past/,
    );
  });
});

describe.skipIf(!status.ok)('training on the native backend', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  /** Loss after each of `steps` Adam steps of a small conv net (conv-BN-relu, residual add, pool, dense) from fixed weights. */
  async function lossTrajectory(backend: string, steps: number): Promise<number[]> {
    await tf.setBackend(backend);
    const input = tf.input({ shape: [12, 10, 1] });
    let h = tf.layers
      .conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })
      .apply(input) as tf.SymbolicTensor;
    h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
    h = tf.layers.activation({ activation: 'relu' }).apply(h) as tf.SymbolicTensor;
    let r = tf.layers
      .conv2d({ filters: 8, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) })
      .apply(h) as tf.SymbolicTensor;
    r = tf.layers.batchNormalization().apply(r) as tf.SymbolicTensor;
    h = tf.layers.add().apply([h, r]) as tf.SymbolicTensor;
    h = tf.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
    h = tf.layers
      .conv2d({
        filters: 12,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
      })
      .apply(h) as tf.SymbolicTensor;
    h = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
    const out = tf.layers
      .dense({ units: 4, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) })
      .apply(h) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const x = tf.tensor4d(random([16, 12, 10, 1], 40), [16, 12, 10, 1]);
    const labels = Array.from({ length: 16 }, (_, i) => i % 4);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 4).toFloat();
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) losses.push(Number(await model.trainOnBatch(x, y)));
    model.dispose();
    tf.dispose([x, y]);
    return losses;
  }

  it('gives the cpu backend loss trajectory and learns', async () => {
    resetNativeKernelStats();
    const native = await lossTrajectory(NATIVE_BACKEND, 8);
    const stats = nativeKernelStats();
    const cpu = await lossTrajectory('cpu', 8);
    native.forEach((l, i) => expect(Math.abs(l - cpu[i])).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(cpu[i]))));
    expect(native[7]).toBeLessThan(native[0]);
    for (const k of [tf.FusedConv2D, tf.Conv2DBackpropFilter, tf.FusedBatchNorm, tf.MaxPool, tf.MaxPoolGrad])
      expect(stats.native[k]).toBeGreaterThan(0);
  });
});
