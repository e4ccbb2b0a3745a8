import * as tf from '@tensorflow/tfjs';

/*
 * @tensorflow/tfjs-backend-wasm 4.x has no Conv2DBackpropFilter, so any conv net fails on its first training step.
 * This composes it from kernels wasm does have (the way the wasm backend builds its own composite kernels: calling
 * kernel functions directly and disposing the intermediates), so training runs on wasm when nothing faster is there.
 */

const WASM = 'wasm';

type KernelArgs = Parameters<tf.KernelFunc>[0];
interface DisposingBackend {
  disposeData(dataId: tf.DataId): boolean;
}

/** Runs a wasm kernel function on TensorInfos, outside the engine (no tape, no tracking). */
function kernel(backend: unknown, name: string, inputs: tf.NamedTensorInfoMap | tf.TensorInfo[], attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
  const config = tf.getKernel(name, WASM);
  if (!config) throw new Error(`the wasm backend has no ${name} kernel, needed to compose Conv2DBackpropFilter`);
  return config.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend: backend as object, attrs }) as tf.TensorInfo;
}

/**
 * dW[ky,kx] = patches(ky,kx)^T x dy: for each filter tap, a strided slice of the padded input ([N*outH*outW, inC])
 * times dy ([N*outH*outW, outC]). kh*kw matrix products instead of one im2col, which wasm cannot do in place.
 */
function conv2DBackpropFilter({ inputs, backend, attrs = {} }: KernelArgs): tf.TensorInfo {
  const dispose = (...infos: tf.TensorInfo[]) => infos.forEach((t) => (backend as DisposingBackend).disposeData(t.dataId));
  const temps: tf.TensorInfo[] = [];
  let x = inputs.x as tf.TensorInfo;
  let dy = inputs.dy as tf.TensorInfo;
  if (attrs.dataFormat === 'NCHW') {
    x = kernel(backend, tf.Transpose, { x }, { perm: [0, 2, 3, 1] });
    dy = kernel(backend, tf.Transpose, { x: dy }, { perm: [0, 2, 3, 1] });
    temps.push(x, dy);
  }
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, attrs.strides as number | [number, number], 1,
    attrs.pad as 'same' | 'valid' | number, attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
  const { batchSize: n, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, strideHeight: sh, strideWidth: sw } = info;
  const spanH = (outHeight - 1) * sh + 1;
  const spanW = (outWidth - 1) * sw + 1;
  const bottom = Math.max(0, spanH + info.filterHeight - 1 - inHeight - info.padInfo.top);
  const right = Math.max(0, spanW + info.filterWidth - 1 - inWidth - info.padInfo.left);
  let padded = x;
  if (info.padInfo.top > 0 || info.padInfo.left > 0 || bottom > 0 || right > 0) {
    padded = kernel(backend, tf.PadV2, { x }, { paddings: [[0, 0], [info.padInfo.top, bottom], [info.padInfo.left, right], [0, 0]], constantValue: 0 });
    temps.push(padded);
  }
  const rows = n * outHeight * outWidth;
  const dyRows = kernel(backend, tf.Reshape, { x: dy }, { shape: [1, rows, outChannels] });
  temps.push(dyRows);
  const taps: tf.TensorInfo[] = [];
  for (let ky = 0; ky < info.filterHeight; ky++) {
    for (let kx = 0; kx < info.filterWidth; kx++) {
      const patch = kernel(backend, tf.StridedSlice, { x: padded }, {
        begin: [0, ky, kx, 0], end: [n, ky + spanH, kx + spanW, inChannels], strides: [1, sh, sw, 1],
        beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
      });
      const patchRows = kernel(backend, tf.Reshape, { x: patch }, { shape: [1, rows, inChannels] });
      taps.push(kernel(backend, tf.BatchMatMul, { a: patchRows, b: dyRows }, { transposeA: true, transposeB: false }));
      dispose(patch, patchRows);
    }
  }
  const stacked = taps.length === 1 ? taps[0] : kernel(backend, tf.Concat, taps, { axis: 0 });
  const dw = kernel(backend, tf.Reshape, { x: stacked }, { shape: filterShape });
  dispose(...temps, ...taps, ...(stacked === taps[0] ? [] : [stacked]));
  return dw;
}

/** Kernels composed here, registered only where the wasm backend lacks them. */
const COMPOSED: Record<string, tf.KernelFunc> = {
  [tf.Conv2DBackpropFilter]: conv2DBackpropFilter,
};

const registered = new Set<string>();

/**
 * Registers the wasm training kernels the backend lacks (idempotent; import the wasm backend first). Returns every
 * kernel composed here so far, for the backend description.
 */
export function registerWasmGradientKernels(): string[] {
  for (const [name, kernelFunc] of Object.entries(COMPOSED)) {
    if (tf.getKernel(name, WASM)) continue;
    tf.registerKernel({ kernelName: name, backendName: WASM, kernelFunc });
    registered.add(name);
  }
  return [...registered];
}
