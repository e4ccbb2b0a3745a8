import * as tf from '@tensorflow/tfjs';
import { type Attrs, type NativeImpl, floats, outputArray, sizeOf } from './nativeTensorData';

const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2, elu: 3, sigmoid: 4, leakyrelu: 5 };

/** Addon code of a tfjs fused activation, or null for the ones left to JS (prelu). */
function activationCode(attrs: Attrs): number | null {
  const name = (attrs.activation as string | undefined) ?? 'linear';
  return ACTIVATIONS[name] ?? null;
}

function convDims(info: tf.backend_util.Conv2DInfo): Int32Array {
  return Int32Array.from([
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterHeight,
    info.filterWidth,
    info.outChannels,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
    info.outHeight,
    info.outWidth,
  ]);
}

type Shape4 = [number, number, number, number];
type Padding = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

function isNhwc(attrs: Attrs): boolean {
  return attrs.dataFormat === undefined || attrs.dataFormat === 'NHWC';
}

/** A bias that broadcasts along the last axis only: its size (1 or channels), else null. */
function channelBias(bias: tf.TensorInfo | undefined, channels: number): number | null {
  if (!bias) return 0;
  const n = sizeOf(bias.shape);
  const last = bias.shape.length === 0 ? 1 : bias.shape[bias.shape.length - 1];
  return n === last && (n === 1 || n === channels) ? n : null;
}

const conv2d: NativeImpl = ({ inputs, attrs = {} }, addon, backend) => {
  const { x, filter, bias, preluActivationWeights } = inputs;
  const act = activationCode(attrs);
  if (!x || !filter || !isNhwc(attrs) || act === null || preluActivationWeights || x.shape.length !== 4) return null;
  const xv = floats(backend, x);
  const wv = floats(backend, filter);
  const bv = bias ? floats(backend, bias) : null;
  if (!xv || !wv || (bias && !bv)) return null;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4,
    filter.shape as Shape4,
    attrs.strides as number | [number, number],
    attrs.dilations as number | [number, number],
    attrs.pad as Padding,
    attrs.dimRoundingMode as Rounding,
  );
  if (channelBias(bias, info.outChannels) === null) return null;
  const y = outputArray(sizeOf(info.outShape));
  addon.conv2d(xv, wv, y, convDims(info), bv, act, (attrs.leakyreluAlpha as number | undefined) ?? 0.2);
  return backend.makeTensorInfo(info.outShape, 'float32', y);
};

const conv2dBackpropInput: NativeImpl = ({ inputs, attrs = {} }, addon, backend) => {
  const { dy, filter } = inputs;
  if (!dy || !filter || !isNhwc(attrs)) return null;
  const dyv = floats(backend, dy);
  const wv = floats(backend, filter);
  if (!dyv || !wv) return null;
  const inputShape = attrs.inputShape as Shape4;
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as Shape4,
    attrs.strides as number | [number, number],
    1,
    attrs.pad as Padding,
    attrs.dimRoundingMode as Rounding,
  );
  const dx = outputArray(sizeOf(inputShape));
  addon.conv2dBackpropInput(dyv, wv, dx, convDims(info));
  return backend.makeTensorInfo(inputShape, 'float32', dx);
};

const conv2dBackpropFilter: NativeImpl = ({ inputs, attrs = {} }, addon, backend) => {
  const { x, dy } = inputs;
  if (!x || !dy || !isNhwc(attrs)) return null;
  const xv = floats(backend, x);
  const dyv = floats(backend, dy);
  if (!xv || !dyv) return null;
  const filterShape = attrs.filterShape as Shape4;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4,
    filterShape,
    attrs.strides as number | [number, number],
    1,
    attrs.pad as Padding,
    attrs.dimRoundingMode as Rounding,
  );
  const dw = outputArray(sizeOf(filterShape));
  addon.conv2dBackpropFilter(xv, dyv, dw, convDims(info));
  return backend.makeTensorInfo(filterShape, 'float32', dw);
};

/** BatchMatMul and _FusedMatMul; outer dims must match or one side must have a single matrix. */
const matMul: NativeImpl = ({ inputs, attrs = {} }, addon, backend) => {
  const { a, b, bias, preluActivationWeights } = inputs;
  const act = activationCode(attrs);
  if (!a || !b || act === null || preluActivationWeights || a.shape.length < 2 || b.shape.length < 2) return null;
  const av = floats(backend, a);
  const bv = floats(backend, b);
  const biasv = bias ? floats(backend, bias) : null;
  if (!av || !bv || (bias && !biasv)) return null;
  const transA = attrs.transposeA === true;
  const transB = attrs.transposeB === true;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb || m === 0 || n === 0 || k === 0) return null;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = sizeOf(outerA);
  const batchB = sizeOf(outerB);
  const sameOuter = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
  if (!sameOuter && batchA !== 1 && batchB !== 1) return null;
  if (channelBias(bias, n) === null) return null;
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const outShape = [...outer, m, n];
  const c = outputArray(sizeOf(outShape));
  addon.matmul(
    av,
    bv,
    c,
    Int32Array.from([batchA, batchB, m, n, k, transA ? 1 : 0, transB ? 1 : 0]),
    biasv,
    act,
    (attrs.leakyreluAlpha as number | undefined) ?? 0.2,
  );
  return backend.makeTensorInfo(outShape, 'float32', c);
};

function poolInfo(xShape: readonly number[], attrs: Attrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computePool2DInfo(
    xShape as Shape4,
    attrs.filterSize as number | [number, number],
    attrs.strides as number | [number, number],
    1,
    attrs.pad as Padding,
    attrs.dimRoundingMode as Rounding,
  );
}

function pool(kind: 'max' | 'avg'): NativeImpl {
  return ({ inputs, attrs = {} }, addon, backend) => {
    const { x } = inputs;
    const xv = floats(backend, x);
    if (!x || !xv || x.shape.length !== 4) return null;
    const info = poolInfo(x.shape, attrs);
    const y = outputArray(sizeOf(info.outShape));
    addon.pool(kind, xv, y, convDims(info));
    return backend.makeTensorInfo(info.outShape, 'float32', y);
  };
}

const maxPoolGrad: NativeImpl = ({ inputs, attrs = {} }, addon, backend) => {
  const { dy, input } = inputs;
  const dyv = floats(backend, dy);
  const xv = floats(backend, input);
  if (!input || !dyv || !xv) return null;
  const dx = outputArray(sizeOf(input.shape));
  addon.maxPoolGrad(dyv, xv, dx, convDims(poolInfo(input.shape, attrs)));
  return backend.makeTensorInfo(input.shape, 'float32', dx);
};

const avgPoolGrad: NativeImpl = ({ inputs, attrs = {} }, addon, backend) => {
  const { dy, input } = inputs;
  const dyv = floats(backend, dy);
  if (!input || !dyv || input.dtype !== 'float32') return null;
  const dx = outputArray(sizeOf(input.shape));
  addon.avgPoolGrad(dyv, dx, convDims(poolInfo(input.shape, attrs)));
  return backend.makeTensorInfo(input.shape, 'float32', dx);
};

/** Convolution, matrix-product and pooling kernels (forward and gradients), by tfjs kernel name. */
export const CONV_KERNELS: Record<string, NativeImpl> = {
  [tf.Conv2D]: conv2d,
  [tf.FusedConv2D]: conv2d,
  [tf.Conv2DBackpropInput]: conv2dBackpropInput,
  [tf.Conv2DBackpropFilter]: conv2dBackpropFilter,
  [tf.BatchMatMul]: matMul,
  [tf._FusedMatMul]: matMul,
  [tf.MaxPool]: pool('max'),
  [tf.AvgPool]: pool('avg'),
  [tf.MaxPoolGrad]: maxPoolGrad,
  [tf.AvgPoolGrad]: avgPoolGrad,
};
