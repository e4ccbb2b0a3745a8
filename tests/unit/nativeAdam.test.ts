// The fused Adam optimizer: the same parameters and moments as tfjs's AdamOptimizer, one native kernel per variable.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { FusedAdamOptimizer, adam } from '../../src-main/core/tfjs/adamOptimizer';
import { NATIVE_BACKEND, nativeKernelStats, registerNativeBackend, resetNativeKernelStats } from '../../src-main/core/tfjs/nativeKernels';

const status = registerNativeBackend();
if (!status.ok) console.warn(`fused Adam tests skipped: ${status.reason}`);

function random(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed * 2654435761 + 7;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

/** Steps of Adam on a small regression (a matrix and a bias); the variables and optimizer weights afterwards. */
async function train(backend: string, optimizer: tf.Optimizer, steps: number): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const w = tf.variable(tf.tensor2d(random(15, 1), [5, 3]), true, `w${backend}${steps}`);
  const b = tf.variable(tf.tensor1d(random(3, 2)), true, `b${backend}${steps}`);
  const x = tf.tensor2d(random(40, 3), [8, 5]);
  const t = tf.tensor2d(random(24, 4), [8, 3]);
  for (let i = 0; i < steps; i++) {
    optimizer.minimize(() => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, w), b), t))) as tf.Scalar);
  }
  const state = (await optimizer.getWeights()).map((n) => n.tensor);
  const out = [w, b, ...state].map((v) => Float32Array.from(v.dataSync()));
  tf.dispose([w, b, x, t]);
  optimizer.dispose();
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

describe.skipIf(!status.ok)('fused Adam optimizer', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('matches tf.train.adam on cpu over 20 steps: variables, moments and beta powers', async () => {
    resetNativeKernelStats();
    const fused = await train(NATIVE_BACKEND, adam(0.05, 0.8, 0.95, 1e-6), 20);
    expect(nativeKernelStats().native.SerNativeAdam).toBe(40);
    const stock = await train('cpu', tf.train.adam(0.05, 0.8, 0.95, 1e-6), 20);
    expect(fused.length).toBe(stock.length);
    // iterations, 2 beta powers, then m and v of both variables
    expect(fused.length).toBe(2 + 1 + 4);
    fused.forEach((v, i) => expect(maxAbsDiff(v, stock[i])).toBeLessThanOrEqual(1e-6));
    // The parameters moved: the comparison is not between two untouched copies.
    const start = random(15, 1);
    expect(maxAbsDiff(fused[0], start)).toBeGreaterThan(0.1);
  });

  it('is the stock optimizer off the native backend and serialises as Adam', async () => {
    resetNativeKernelStats();
    const fused = await train('cpu', adam(0.01), 3);
    const stock = await train('cpu', tf.train.adam(0.01), 3);
    fused.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(stock[i])));
    expect(nativeKernelStats().native.SerNativeAdam).toBeUndefined();
    expect(FusedAdamOptimizer.className).toBe('Adam');
    expect(adam(0.01).getClassName()).toBe('Adam');
  });
});
