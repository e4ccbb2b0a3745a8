import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import './cpuGreeting';
import { loadNativeAddon, type NativeAddon } from './nativeAddon';
import { nativeBuffers } from './nativeBufferPool';
import { CONV_KERNELS } from './nativeConvKernels';
import { ELEMENTWISE_KERNELS, NATIVE_ONLY_KERNELS } from './nativeElementwiseKernels';
import { installGradientOverrides } from './gradientOverrides';
import { NATIVE_BACKEND, type NativeImpl } from './nativeTensorData';

export { NATIVE_BACKEND } from './nativeTensorData';

/**
 * The JS cpu backend with the hot kernels swapped for native ones. Kernels the addon doesn't cover, and attribute
 * combinations it doesn't support (NCHW, prelu, int32 tensors...), run the cpu backend's own JS kernel.
 */
class NativeBackend extends MathBackendCPU {
  // The overrides below tell the buffer pool which tensors view which buffers, and which values escaped.
  override write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): tf.DataId {
    const dataId = super.write(values, shape, dtype);
    nativeBuffers.attach(values);
    return dataId;
  }

  override move(dataId: tf.DataId, values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType, refCount: number): void {
    super.move(dataId, values, shape, dtype, refCount);
    nativeBuffers.attach(values);
  }

  override readSync(dataId: tf.DataId): tf.backend_util.BackendValues {
    if (this.data.has(dataId)) nativeBuffers.escape(this.data.get(dataId).values);
    return super.readSync(dataId);
  }

  override disposeData(dataId: tf.DataId, force = false): boolean {
    const values = this.data.has(dataId) ? this.data.get(dataId).values : undefined;
    const released = super.disposeData(dataId, force);
    if (values !== undefined && !this.data.has(dataId)) nativeBuffers.detach(values);
    return released;
  }

  override dispose(): void {
    nativeBuffers.clear();
    super.dispose();
  }
}

const NATIVE_IMPLS: Record<string, NativeImpl> = { ...CONV_KERNELS, ...ELEMENTWISE_KERNELS };

/** Names of the tfjs kernels the addon implements (each falls back to JS outside its supported attributes). */
export const NATIVE_KERNEL_NAMES: readonly string[] = Object.keys(NATIVE_IMPLS);

const counts = { native: new Map<string, number>(), fallback: new Map<string, number>() };

/** How often each overridden kernel ran natively and how often it fell back to JS since the last reset. */
export function nativeKernelStats(): { native: Record<string, number>; fallback: Record<string, number> } {
  return { native: Object.fromEntries(counts.native), fallback: Object.fromEntries(counts.fallback) };
}

export function resetNativeKernelStats(): void {
  counts.native.clear();
  counts.fallback.clear();
}

function bump(map: Map<string, number>, name: string): void {
  map.set(name, (map.get(name) ?? 0) + 1);
}

/** Empty tensors are left to the JS kernels (the addon rejects zero-sized dimensions). */
function hasEmptyInput(inputs: tf.NamedTensorInfoMap): boolean {
  return Object.values(inputs).some((t) => t !== undefined && t.shape.some((d) => d === 0));
}

function withFallback(name: string, impl: NativeImpl, addon: NativeAddon, js: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const out = hasEmptyInput(args.inputs) ? null : impl(args, addon, args.backend as MathBackendCPU);
    if (out) {
      bump(counts.native, name);
      return out;
    }
    bump(counts.fallback, name);
    return js(args);
  };
}

function nativeOnly(name: string, impl: NativeImpl, addon: NativeAddon): tf.KernelFunc {
  return (args) => {
    const out = impl(args, addon, args.backend as MathBackendCPU);
    if (!out) throw new Error(`native kernel ${name} got inputs it does not support (float32 tensors expected)`);
    bump(counts.native, name);
    return out;
  };
}

export type NativeBackendStatus = { ok: true; detail: string } | { ok: false; reason: string };
let registration: NativeBackendStatus | undefined;

/**
 * Registers the 'native' backend (idempotent): every cpu kernel, with the NATIVE_KERNEL_NAMES ones running in the
 * addon, plus fused gradients that apply while it is active. Doesn't switch to it (see selectBackend). Fails with
 * the reason when the addon isn't built or won't load.
 */
export function registerNativeBackend(): NativeBackendStatus {
  if (registration) return registration;
  const load = loadNativeAddon();
  if (!load.ok) {
    registration = { ok: false, reason: load.reason };
    return registration;
  }
  const { addon } = load;
  const cpuKernels = tf.getKernelsForBackend('cpu');
  if (cpuKernels.length === 0) {
    registration = { ok: false, reason: 'the tfjs cpu backend registered no kernels (two copies of @tensorflow/tfjs-core installed?)' };
    return registration;
  }
  for (const config of cpuKernels) {
    const impl = NATIVE_IMPLS[config.kernelName];
    tf.registerKernel({
      ...config,
      backendName: NATIVE_BACKEND,
      kernelFunc: impl ? withFallback(config.kernelName, impl, addon, config.kernelFunc) : config.kernelFunc,
    });
  }
  for (const [name, impl] of Object.entries(NATIVE_ONLY_KERNELS)) {
    tf.registerKernel({ kernelName: name, backendName: NATIVE_BACKEND, kernelFunc: nativeOnly(name, impl, addon) });
  }
  installGradientOverrides();
  // Priority 0: never picked implicitly over cpu; selectBackend() chooses it explicitly.
  tf.registerBackend(NATIVE_BACKEND, () => new NativeBackend(), 0);
  const config = addon.blasConfig();
  const blas = [config.split(' ').slice(0, 2).join(' '), config.split(' | ')[1]].filter(Boolean).join(', ');
  registration = { ok: true, detail: `native kernels (${blas}, convolutions: ${addon.setConvEngine()}, ${addon.threads()} threads)` };
  return registration;
}

/** Frees the idle buffers the native kernels keep for reuse (e.g. after training). */
export function releaseNativeBuffers(): void {
  nativeBuffers.clear();
}

/** Sets how many threads the native kernels use (>= 1); returns the count in effect, or null without the addon. */
export function setNativeThreads(n: number): number | null {
  const load = loadNativeAddon();
  return load.ok ? load.addon.setThreads(Math.max(1, Math.floor(n))) : null;
}

/** Chooses the convolution implementation ('auto': oneDNN when built with it); returns the one in effect, or null without the addon. */
export function setNativeConvEngine(engine: 'auto' | 'im2col'): 'onednn' | 'im2col' | null {
  const load = loadNativeAddon();
  return load.ok ? load.addon.setConvEngine(engine) : null;
}
