import * as tf from '@tensorflow/tfjs';

/*
 * @tensorflow/tfjs-backend-wasm 4.x has no Conv2DBackpropFilter, so any conv net fails on its first training step,
 * and its Conv2DBackpropInput is a scalar loop (~4 s of a 5 s ResNet step). Both are composed here as one XNNPACK
 * convolution each, from kernels wasm does have (the way the wasm backend builds its own composite kernels: calling
 * kernel functions directly and disposing the intermediates), so training runs on wasm when nothing faster is there.
 */

const WASM = 'wasm';

type KernelArgs = Parameters<tf.KernelFunc>[0];
interface DisposingBackend {
  disposeData(dataId: tf.DataId): boolean;
}

/** Runs a wasm kernel function on TensorInfos, outside the engine (no tape, no tracking). */
function kernel(backend: unknown, name: string, inputs: tf.NamedTensorInfoMap | tf.TensorInfo[], attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
  const config = tf.getKernel(name, WASM) as tf.KernelConfig | undefined;
  if (!config) throw new Error(`the wasm backend has no ${name} kernel, needed to compose Conv2DBackpropFilter`);
  return config.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend: backend as object, attrs }) as tf.TensorInfo;
}

/**
 * dW[ky,kx,ci,co] = sum over n,oy,ox of xpad[n, oy*s+ky, ox*s+kx, ci] * dy[n, oy, ox, co]: a 'valid' convolution of
 * the padded input seen as [inC, H, W, N] (channels as batch, batch as channels) with dy seen as an
 * [outH, outW, N, outC] filter dilated by the stride; its [inC, kh, kw, outC] result is dW transposed. One XNNPACK
 * convolution, ~10x faster than a matrix product per filter tap over strided slices.
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
    x.shape as [number, number, number, number],
    filterShape,
    attrs.strides as number | [number, number],
    1,
    attrs.pad as 'same' | 'valid' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
  const { batchSize: n, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight: kh, filterWidth: kw } = info;
  const { top, left } = info.padInfo;
  // Rows/columns the windows actually reach; tfjs may leave trailing input unused, or pad past it.
  const reachH = (outHeight - 1) * info.strideHeight + kh;
  const reachW = (outWidth - 1) * info.strideWidth + kw;
  let padded = x;
  const bottom = Math.max(0, reachH - top - inHeight);
  const right = Math.max(0, reachW - left - inWidth);
  if (top > 0 || left > 0 || bottom > 0 || right > 0) {
    padded = kernel(
      backend,
      tf.PadV2,
      { x },
      {
        paddings: [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    temps.push(padded);
  }
  if (padded.shape[1] !== reachH || padded.shape[2] !== reachW) {
    padded = kernel(backend, tf.Slice, { x: padded }, { begin: [0, 0, 0, 0], size: [n, reachH, reachW, inChannels] });
    temps.push(padded);
  }
  const images = kernel(backend, tf.Transpose, { x: padded }, { perm: [3, 1, 2, 0] });
  const filter = kernel(backend, tf.Transpose, { x: dy }, { perm: [1, 2, 0, 3] });
  const product = kernel(
    backend,
    tf.Conv2D,
    { x: images, filter },
    {
      strides: [1, 1],
      pad: 'valid',
      dataFormat: 'NHWC',
      dilations: [info.strideHeight, info.strideWidth],
    },
  );
  const dw = kernel(backend, tf.Transpose, { x: product }, { perm: [1, 2, 0, 3] });
  dispose(...temps, images, filter, product);
  return dw;
}

/**
 * dx = 'valid' convolution of dy (dilated by the stride, padded by kernel - 1 - pad) with the filter rotated 180
 * degrees and its channel axes swapped: the transposed convolution, as one XNNPACK call. NCHW keeps wasm's own kernel.
 */
function conv2DBackpropInput(args: KernelArgs, original: tf.KernelFunc | undefined): tf.TensorInfo {
  const { inputs, backend, attrs = {} } = args;
  if (attrs.dataFormat === 'NCHW') {
    if (!original) throw new Error("Conv2DBackpropInput on wasm: NCHW needs the wasm backend's own kernel, which is missing");
    return original(args) as tf.TensorInfo;
  }
  const dispose = (...infos: tf.TensorInfo[]) => infos.forEach((t) => (backend as DisposingBackend).disposeData(t.dataId));
  const dy = inputs.dy as tf.TensorInfo;
  const filter = inputs.filter as tf.TensorInfo;
  const inputShape = attrs.inputShape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides as number | [number, number],
    1,
    attrs.pad as 'same' | 'valid' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
  const {
    batchSize: n,
    inHeight,
    inWidth,
    outHeight,
    outWidth,
    outChannels,
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
  } = info;
  const temps: tf.TensorInfo[] = [];
  let spread = dy;
  if (sh > 1 || sw > 1) {
    // Interleave stride-1 zeros: [n, oh, 1, ow, 1, c] padded to [n, oh, sh, ow, sw, c], viewed as [n, oh*sh, ow*sw, c].
    const split = kernel(backend, tf.Reshape, { x: dy }, { shape: [n, outHeight, 1, outWidth, 1, outChannels] });
    const zeros = kernel(
      backend,
      tf.PadV2,
      { x: split },
      {
        paddings: [
          [0, 0],
          [0, 0],
          [0, sh - 1],
          [0, 0],
          [0, sw - 1],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    spread = kernel(backend, tf.Reshape, { x: zeros }, { shape: [n, outHeight * sh, outWidth * sw, outChannels] });
    temps.push(split, zeros, spread);
  }
  // Pad so that a 'valid' kh x kw window yields exactly inHeight x inWidth outputs; crop where tfjs padding exceeds it.
  const padTop = kh - 1 - info.padInfo.top;
  const padLeft = kw - 1 - info.padInfo.left;
  const wantH = inHeight + kh - 1;
  const wantW = inWidth + kw - 1;
  const extraBottom = Math.max(0, wantH - Math.max(0, padTop) - spread.shape[1]);
  const extraRight = Math.max(0, wantW - Math.max(0, padLeft) - spread.shape[2]);
  let padded = spread;
  if (padTop > 0 || padLeft > 0 || extraBottom > 0 || extraRight > 0) {
    padded = kernel(
      backend,
      tf.PadV2,
      { x: spread },
      {
        paddings: [
          [0, 0],
          [Math.max(0, padTop), extraBottom],
          [Math.max(0, padLeft), extraRight],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    temps.push(padded);
  }
  if (padded.shape[1] !== wantH || padded.shape[2] !== wantW || padTop < 0 || padLeft < 0) {
    padded = kernel(
      backend,
      tf.Slice,
      { x: padded },
      { begin: [0, Math.max(0, -padTop), Math.max(0, -padLeft), 0], size: [n, wantH, wantW, outChannels] },
    );
    temps.push(padded);
  }
  const flipped = kernel(backend, tf.Reverse, { x: filter }, { dims: [0, 1] });
  const swapped = kernel(backend, tf.Transpose, { x: flipped }, { perm: [0, 1, 3, 2] });
  const dx = kernel(backend, tf.Conv2D, { x: padded, filter: swapped }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] });
  dispose(...temps, flipped, swapped);
  return dx;
}

/** Kernels composed here: added where the wasm backend lacks them, or replacing its slow ones (kept as fallback). */
const COMPOSED: Record<string, (args: KernelArgs, original: tf.KernelFunc | undefined) => tf.TensorInfo> = {
  [tf.Conv2DBackpropFilter]: (args) => conv2DBackpropFilter(args),
  [tf.Conv2DBackpropInput]: conv2DBackpropInput,
};

const registered = new Set<string>();

/**
 * Registers the composed wasm training kernels (idempotent; import the wasm backend first). Returns their names,
 * for the backend description.
 */
export function registerWasmGradientKernels(): string[] {
  for (const [name, compose] of Object.entries(COMPOSED)) {
    if (registered.has(name)) continue;
    // getKernel is typed as always found; it returns undefined for a missing kernel.
    const original = (tf.getKernel(name, WASM) as tf.KernelConfig | undefined)?.kernelFunc;
    if (original) tf.unregisterKernel(name, WASM);
    tf.registerKernel({ kernelName: name, backendName: WASM, kernelFunc: (args) => compose(args, original) });
    registered.add(name);
  }
  return [...registered];
}
