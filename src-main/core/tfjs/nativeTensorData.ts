import type * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './nativeAddon';
import { nativeBuffers } from './nativeBufferPool';

/** Arguments tfjs passes to a kernel function. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];
/** A kernel attribute map, read field by field with the tfjs attribute types. */
export type Attrs = Record<string, unknown>;

/**
 * A native kernel implementation: its output(s), or null when the inputs or attributes are outside what it supports,
 * in which case the cpu backend's JS kernel runs instead.
 */
export type NativeImpl = (args: KernelArgs, addon: NativeAddon, backend: MathBackendCPU) => tf.TensorInfo | tf.TensorInfo[] | null;

/** The float32 values of a tensor held by the cpu backend, or null (other dtypes go to the JS kernels). */
export function floats(backend: MathBackendCPU, t: tf.TensorInfo | undefined): Float32Array | null {
  if (!t || t.dtype !== 'float32') return null;
  const values = backend.data.get(t.dataId).values;
  return values instanceof Float32Array ? values : null;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * A Float32Array for a kernel to overwrite completely: uninitialised and, when possible, recycled (see
 * nativeBufferPool.ts), sparing the zero fill and page faults of `new Float32Array(n)` on tensors of tens of MB.
 */
export function outputArray(n: number): Float32Array {
  return nativeBuffers.take(n);
}

/** Name under which the native-kernel backend is registered with TensorFlow.js. */
export const NATIVE_BACKEND = 'native';
