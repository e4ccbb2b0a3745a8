// Backend selection order, explicit requests and their errors.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { currentBackend, selectBackend, tf as sharedTf } from '../../src-main/core/tfjs/backend';
import { loadNativeAddon } from '../../src-main/core/tfjs/nativeAddon';

const nativeLoad = loadNativeAddon();
const nativeBuilt = nativeLoad.ok;

describe('selectBackend', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('shares the tfjs instance every module imports', () => {
    expect(sharedTf.engine()).toBe(tf.engine());
  });

  it('auto skips the uninstallable tfjs-node packages, saying why, and takes native when built (else wasm)', async () => {
    const selected = await selectBackend('auto');
    expect(selected.name).toBe(nativeBuilt ? 'native' : 'wasm');
    expect(tf.getBackend()).toBe(selected.name);
    expect(selected.detail).toMatch(/tfjs-node-gpu: @tensorflow\/tfjs-node-gpu is not installed/);
    expect(selected.detail).toMatch(/tfjs-node: @tensorflow\/tfjs-node is not installed/);
    expect(currentBackend()).toEqual(selected);
  });

  it('an explicit backend that cannot start is an error naming the reason', async () => {
    await expect(selectBackend('tfjs-node')).rejects.toThrow(/backend "tfjs-node" is unavailable: @tensorflow\/tfjs-node is not installed/);
    await expect(selectBackend('tfjs-node-gpu')).rejects.toThrow(/tfjs-node-gpu is not installed/);
    await expect(selectBackend('gpu' as never)).rejects.toThrow(/unknown backend "gpu"; choose one of auto, tfjs-node-gpu/);
  });

  it('switches between the available backends on request', async () => {
    expect((await selectBackend('cpu')).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect((await selectBackend('wasm')).detail).toMatch(/^wasm \(XNNPACK/);
    expect(tf.getBackend()).toBe('wasm');
  });

  it.skipIf(!nativeBuilt)('native names its libraries and thread count', async () => {
    const selected = await selectBackend('native');
    expect(selected.detail).toMatch(/native kernels \(OpenBLAS [\d.]+.*\d+ threads\)/);
    expect(tf.getBackend()).toBe('native');
  });

  it.skipIf(nativeBuilt)('without the addon, native is an error that says why (and how to build it)', async () => {
    const reason = nativeLoad.ok ? '' : nativeLoad.reason;
    expect(reason).toMatch(/node native\/build\.mjs|SER_DISABLE_NATIVE|failed to load/);
    await expect(selectBackend('native')).rejects.toThrow(`backend "native" is unavailable: ${reason}`);
  });
});
