// Training on @tensorflow/tfjs-backend-wasm, which lacks Conv2DBackpropFilter until wasmGradients.ts composes it.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src-main/core/tfjs/backend';
import { originalGradient } from '../../src-main/core/tfjs/gradientOverrides';

function random(shape: number[], seed: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  let s = seed * 2654435761 + 7;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

/** Input and filter gradients of sum(conv2d(x, w) * r): the Conv2DBackpropInput/Filter kernels of `backend`. */
async function convGradients(
  backend: string,
  xs: number[],
  ws: number[],
  strides: number | [number, number],
  pad: 'same' | 'valid' | number,
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(random(xs, 1), xs as [number, number, number, number]);
    const w = tf.tensor4d(random(ws, 2), ws as [number, number, number, number]);
    const probe = tf.conv2d(x, w, strides, pad);
    const r = tf.tensor(random(probe.shape, 3), probe.shape);
    const grads = tf.grads((a: tf.Tensor, f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, strides, pad), r)))([x, w]);
    return grads.map((g) => Float32Array.from(g.dataSync()));
  });
}

describe('wasm backend training', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is selected with the composed gradient kernel named in its description', async () => {
    const selected = await selectBackend('wasm');
    expect(selected.name).toBe('wasm');
    expect(selected.detail).toMatch(/composed gradient kernels: Conv2DBackpropFilter, Conv2DBackpropInput/);
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBeDefined();
  });

  it.each([
    [[2, 9, 11, 3], [3, 3, 3, 4], 1, 'same'],
    [[1, 10, 13, 8], [3, 3, 8, 16], 2, 'same'],
    [[3, 11, 8, 4], [3, 3, 4, 6], 2, 'valid'],
    [[2, 9, 9, 5], [5, 3, 5, 2], [1, 2], 'valid'],
    [[2, 8, 7, 5], [3, 3, 5, 7], 1, 2],
    [[2, 6, 5, 16], [1, 1, 16, 8], 2, 'same'],
    [[2, 7, 6, 3], [3, 3, 3, 4], 2, 3],
    [[1, 12, 9, 2], [4, 4, 2, 3], 3, 'same'],
  ] as [number[], number[], number | [number, number], 'same' | 'valid' | number][])(
    'Conv2DBackpropInput and Conv2DBackpropFilter x%j w%j stride %j pad %j match the cpu kernels',
    async (xs, ws, strides, pad) => {
      const cpu = await convGradients('cpu', xs, ws, strides, pad);
      const wasm = await convGradients('wasm', xs, ws, strides, pad);
      cpu.forEach((ref, k) => {
        const scale = Math.max(1, ...ref.map(Math.abs));
        const err = Math.max(...wasm[k].map((v, i) => Math.abs(v - ref[i])));
        expect(err / scale).toBeLessThanOrEqual(1e-4);
      });
    },
  );

  it.each(['wasm', 'cpu'])("the tile-free batch-norm gradient equals tfjs's own on %s", async (backend) => {
    await tf.setBackend(backend);
    const grads = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(random([3, 5, 4, 6], 5), [3, 5, 4, 6]);
        const gamma = tf.tensor1d(random([6], 6));
        const beta = tf.tensor1d(random([6], 7));
        const r = tf.tensor4d(random([3, 5, 4, 6], 8), [3, 5, 4, 6]);
        return tf
          .grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
            const { mean, variance } = tf.moments(a, [0, 1, 2]);
            return tf.sum(tf.mul(tf.batchNorm(a, mean, variance, b, g, 1e-3), r));
          })([x, gamma, beta])
          .map((t) => Float32Array.from(t.dataSync()));
      });
    const ours = grads();
    const override = tf.getGradient(tf.FusedBatchNorm);
    const original = originalGradient(tf.FusedBatchNorm);
    expect(original).toBeDefined();
    tf.registerGradient(original as tf.GradConfig);
    const reference = (() => {
      try {
        return grads();
      } finally {
        tf.registerGradient(override);
      }
    })();
    ours.forEach((g, k) => {
      const scale = Math.max(1, ...reference[k].map(Math.abs));
      expect(Math.max(...g.map((v, i) => Math.abs(v - reference[k][i]))) / scale).toBeLessThanOrEqual(1e-5);
    });
  });

  it('trains a small conv net with batch norm: the loss falls', async () => {
    await tf.setBackend('wasm');
    const input = tf.input({ shape: [16, 12, 1] });
    let h = tf.layers
      .conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tf.initializers.heNormal({ seed: 1 }) })
      .apply(input) as tf.SymbolicTensor;
    h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
    h = tf.layers.activation({ activation: 'relu' }).apply(h) as tf.SymbolicTensor;
    h = tf.layers
      .conv2d({
        filters: 16,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: 2 }),
      })
      .apply(h) as tf.SymbolicTensor;
    h = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
    const out = tf.layers
      .dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })
      .apply(h) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    model.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy' });
    // Three classes that differ in where the energy is: learnable in a few steps.
    const labels = Array.from({ length: 24 }, (_, i) => i % 3);
    const x = tf.tidy(() => {
      const noise = tf.tensor4d(random([24, 16, 12, 1], 4), [24, 16, 12, 1]).mul(0.3);
      const band = tf.stack(
        labels.map((c) =>
          tf
            .oneHot(tf.fill([12], c * 5, 'int32'), 16)
            .transpose()
            .expandDims(-1),
        ),
      );
      return noise.add(band.toFloat());
    });
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 3).toFloat();
    const losses: number[] = [];
    for (let i = 0; i < 15; i++) losses.push(Number(await model.trainOnBatch(x, y)));
    expect(tf.getBackend()).toBe('wasm');
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[14]).toBeLessThan(losses[0] * 0.7);
    model.dispose();
    tf.dispose([x, y]);
  });
});
