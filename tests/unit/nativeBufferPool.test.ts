// Output-buffer recycling of the native backend: reuse only what nothing can still see.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { BufferPool, nativeBuffers } from '../../src-main/core/tfjs/nativeBufferPool';
import { NATIVE_BACKEND, registerNativeBackend } from '../../src-main/core/tfjs/nativeKernels';

describe('BufferPool', () => {
  const n = 1 << 16; // 256 KB: above the pooling threshold

  it('hands a released buffer back for the next request of that size', () => {
    const pool = new BufferPool();
    const a = pool.take(n);
    pool.attach(a);
    pool.detach(a);
    expect(pool.idleBytes).toBe(n * 4);
    const b = pool.take(n);
    expect(b.buffer).toBe(a.buffer);
    expect(pool.idleBytes).toBe(0);
    expect(pool.take(n).buffer).not.toBe(a.buffer);
  });

  it('keeps a buffer while any tensor still views it, and forever once its values escaped', () => {
    const pool = new BufferPool();
    const a = pool.take(n);
    pool.attach(a);
    pool.attach(a.subarray(10)); // e.g. a contiguous slice sharing the buffer
    pool.detach(a);
    expect(pool.idleBytes).toBe(0);
    pool.detach(a.subarray(10));
    expect(pool.idleBytes).toBe(n * 4);

    const c = pool.take(2 * n);
    pool.attach(c);
    pool.escape(c);
    pool.detach(c);
    expect(pool.idleBytes).toBe(n * 4);
  });

  it('ignores foreign and small arrays and respects its byte cap', () => {
    const pool = new BufferPool(8 * n * 4, 1024); // room for two of the three 3n-float buffers below
    const foreign = new Float32Array(n);
    pool.attach(foreign);
    pool.detach(foreign);
    const small = pool.take(16);
    pool.attach(small);
    pool.detach(small);
    expect(pool.idleBytes).toBe(0);
    const big = [pool.take(3 * n), pool.take(3 * n), pool.take(3 * n)];
    for (const b of big) {
      pool.attach(b);
      pool.detach(b);
    }
    expect(pool.idleBytes).toBe(6 * n * 4);
    pool.clear();
    expect(pool.idleBytes).toBe(0);
  });
});

const status = registerNativeBackend();

describe.skipIf(!status.ok)('the native backend with recycled buffers', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  const shape = [256, 256];
  /** Many same-size native outputs; a wrongly recycled buffer gets overwritten with 7s. */
  const churn = () => {
    for (let i = 0; i < 20; i++) tf.tidy(() => tf.add(tf.fill(shape, 3), tf.fill(shape, 4)).dataSync());
  };

  it('never recycles values handed out by dataSync', async () => {
    await tf.setBackend(NATIVE_BACKEND);
    const a = tf.add(tf.ones(shape), tf.ones(shape)); // native Add: a pooled buffer of 2s
    const read = a.dataSync();
    a.dispose();
    churn();
    expect(read.every((v) => v === 2)).toBe(true);
  });

  it('keeps a buffer while a slice that shares it lives', async () => {
    await tf.setBackend(NATIVE_BACKEND);
    const a = tf.add(tf.ones(shape), tf.ones(shape));
    const flat = tf.reshape(a, [256 * 256]);
    const half = tf.slice(flat, [0], [256 * 128]); // contiguous: the JS slice kernel returns a subarray
    tf.dispose([a, flat]);
    churn();
    expect(half.dataSync().every((v) => v === 2)).toBe(true);
    half.dispose();
  });

  it('reuses buffers across training-like churn (outputs that are never read)', async () => {
    await tf.setBackend(NATIVE_BACKEND);
    nativeBuffers.clear();
    const x = tf.randomNormal([64, 1024]);
    for (let i = 0; i < 5; i++) tf.tidy(() => tf.relu(tf.mul(tf.add(x, 1), 2)));
    expect(nativeBuffers.idleBytes).toBeGreaterThanOrEqual(64 * 1024 * 4);
    const y = tf.tidy(() => tf.relu(tf.mul(tf.add(x, 1), 2)));
    const expected = tf.tidy(() => {
      const v = x.dataSync();
      return Float32Array.from(v, (t) => Math.max(0, (t + 1) * 2));
    });
    const got = y.dataSync();
    expect(Math.max(...Array.from(got, (v, i) => Math.abs(v - expected[i])))).toBeLessThan(1e-5);
    tf.dispose([x, y]);
  });
});
