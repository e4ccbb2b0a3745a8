import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './nativeAddon';
import { type Attrs, type NativeImpl, floats, outputArray, sizeOf } from './nativeTensorData';

// Op codes of native/src/kernels.h (BinaryOp, UnaryOp, ReduceOp).
const BINARY = { add: 0, sub: 1, mul: 2, div: 3, squaredDifference: 4, maximum: 5, minimum: 6, reluGrad: 7, squareGrad: 8 } as const;
const UNARY = {
  relu: 0,
  relu6: 1,
  step: 2,
  square: 3,
  sqrt: 4,
  rsqrt: 5,
  neg: 6,
  exp: 7,
  log: 8,
  abs: 9,
  sigmoid: 10,
  tanh: 11,
  reciprocal: 12,
  elu: 13,
  leakyRelu: 14,
} as const;
const REDUCE = { sum: 0, mean: 1, max: 2, min: 3 } as const;
const MAX_RANK = 8;

/** Element strides of a tensor of `shape` seen through the broadcast output shape `out` (0 on broadcast axes). */
function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const strides = new Array<number>(out.length).fill(0);
  let stride = 1;
  for (let i = shape.length - 1, d = out.length - 1; i >= 0; i--, d--) {
    strides[d] = shape[i] === 1 && out[d] !== 1 ? 0 : stride;
    stride *= shape[i];
  }
  return strides;
}

/**
 * Runs a broadcasting binary op into `out` (default: the broadcast of both shapes); null when the shapes need more
 * axes than the addon takes.
 */
function runBinary(
  addon: NativeAddon,
  backend: MathBackendCPU,
  op: number,
  aShape: readonly number[],
  av: Float32Array,
  bShape: readonly number[],
  bv: Float32Array,
  out: number[] = tf.broadcast_util.assertAndGetBroadcastShape([...aShape], [...bShape]),
): tf.TensorInfo | null {
  if (out.length > MAX_RANK) return null;
  const n = sizeOf(out);
  if (n === 0) return null;
  const dims = Int32Array.from([out.length, ...out, ...broadcastStrides(aShape, out), ...broadcastStrides(bShape, out)]);
  const values = outputArray(n);
  addon.binary(op, av, bv, values, dims);
  return backend.makeTensorInfo(out, 'float32', values);
}

function binary(op: number): NativeImpl {
  return ({ inputs }, addon, backend) => {
    const { a, b } = inputs;
    const av = floats(backend, a);
    const bv = floats(backend, b);
    if (!av || !bv || !a || !b) return null;
    return runBinary(addon, backend, op, a.shape, av, b.shape, bv);
  };
}

function unary(op: number, alphaAttr?: string): NativeImpl {
  return ({ inputs, attrs = {} }, addon, backend) => {
    const { x } = inputs;
    const xv = floats(backend, x);
    if (!xv || !x || xv.length === 0) return null;
    const alpha = alphaAttr ? Number((attrs as Attrs)[alphaAttr] ?? 0) : 0;
    const values = outputArray(xv.length);
    addon.unary(op, xv, values, alpha);
    return backend.makeTensorInfo(x.shape, 'float32', values);
  };
}

function reduction(op: number): NativeImpl {
  return ({ inputs, attrs = {} }, addon, backend) => {
    const { x } = inputs;
    const xv = floats(backend, x);
    if (!xv || !x || xv.length === 0 || x.shape.length > MAX_RANK) return null;
    // Max names its axes reductionIndices; the other reductions call them axis.
    const axes = tf.util.parseAxisParam((attrs.axis ?? attrs.reductionIndices) as number | number[], x.shape);
    const reduced = x.shape.map((_, i) => (axes.includes(i) ? 1 : 0));
    const kept = x.shape.filter((_, i) => !axes.includes(i));
    const outShape = attrs.keepDims === true ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : kept;
    const values = outputArray(sizeOf(kept));
    addon.reduce(op, xv, values, Int32Array.from(x.shape), Int32Array.from(reduced));
    return backend.makeTensorInfo(outShape, 'float32', values);
  };
}

const addN: NativeImpl = ({ inputs }, addon, backend) => {
  const tensors = Object.values(inputs).filter((t): t is tf.TensorInfo => t !== undefined);
  if (tensors.length === 0) return null;
  const shape = tensors[0].shape;
  const arrays: Float32Array[] = [];
  for (const t of tensors) {
    const v = floats(backend, t);
    if (!v || !tf.util.arraysEqual(t.shape, shape)) return null;
    arrays.push(v);
  }
  const values = outputArray(arrays[0].length);
  addon.addN(arrays, values);
  return backend.makeTensorInfo(shape, 'float32', values);
};

const batchNorm: NativeImpl = ({ inputs, attrs = {} }, addon, backend) => {
  const { x, mean, variance, offset, scale } = inputs;
  const xv = floats(backend, x);
  const mv = floats(backend, mean);
  const vv = floats(backend, variance);
  const ov = offset ? floats(backend, offset) : null;
  const sv = scale ? floats(backend, scale) : null;
  if (!x || !xv || !mv || !vv || (offset && !ov) || (scale && !sv) || xv.length === 0) return null;
  if (mv.length === 0 || vv.length === 0 || ov?.length === 0 || sv?.length === 0) return null;
  const values = outputArray(xv.length);
  addon.batchNorm(xv, mv, vv, ov, sv, values, Number(attrs.varianceEpsilon ?? 0.001));
  return backend.makeTensorInfo(x.shape, 'float32', values);
};

/** Custom kernel names used by the native gradients (registered for the native backend only). */
export const GRADIENT_KERNELS = {
  reluGrad: 'SerNativeReluGrad',
  squareGrad: 'SerNativeSquareGrad',
  broadcastScale: 'SerNativeBroadcastScale',
  batchNormGrad: 'SerNativeBatchNormGrad',
  /**
   * Fused training-mode batch norm of batchNormLayer.ts: inputs x, gamma?, beta?, residual? (added before the relu);
   * attrs epsilon, relu?; outputs [y, mean, variance].
   */
  batchNormTraining: 'SerNativeBatchNormTraining',
  batchNormTrainingGrad: 'SerNativeBatchNormTrainingGrad',
  /** batchNormTraining with a required residual input (gamma and beta required): relu?(bn(x) + residual). */
  batchNormResidualTraining: 'SerNativeBatchNormResidualTraining',
} as const;

/** Fused optimizer update of adamOptimizer.ts: inputs value, m, v, grad; attrs.params (see NativeAddon.adamUpdate); outputs [value, m, v]. */
export const ADAM_KERNEL = 'SerNativeAdam';

const adam: NativeImpl = ({ inputs, attrs = {} }, addon, backend) => {
  const { value, m, v, grad } = inputs;
  const [valuev, mv, vv, gv] = [value, m, v, grad].map((t) => floats(backend, t));
  if (!value || !valuev || !mv || !vv || !gv) return null;
  const out = [0, 1, 2].map(() => outputArray(valuev.length));
  addon.adamUpdate(valuev, mv, vv, gv, out[0], out[1], out[2], Float32Array.from(attrs.params as number[]));
  return out.map((o) => backend.makeTensorInfo(value.shape, 'float32', o));
};

/** dy * step(x) (inputs dy, x of one shape). */
const reluGrad: NativeImpl = ({ inputs }, addon, backend) => {
  const { dy, x } = inputs;
  const dyv = floats(backend, dy);
  const xv = floats(backend, x);
  if (!dy || !x || !dyv || !xv) return null;
  return runBinary(addon, backend, BINARY.reluGrad, dy.shape, dyv, x.shape, xv);
};

/** dy * 2x (inputs dy, x of one shape). */
const squareGrad: NativeImpl = ({ inputs }, addon, backend) => {
  const { dy, x } = inputs;
  const dyv = floats(backend, dy);
  const xv = floats(backend, x);
  if (!dy || !x || !dyv || !xv) return null;
  return runBinary(addon, backend, BINARY.squareGrad, dy.shape, dyv, x.shape, xv);
};

/**
 * x viewed as attrs.expandedShape (x's shape with 1 on reduced axes), broadcast to attrs.shape and multiplied by
 * attrs.scale: the gradient of Sum and Mean in one pass.
 */
const broadcastScale: NativeImpl = ({ inputs, attrs = {} }, addon, backend) => {
  const { x } = inputs;
  const xv = floats(backend, x);
  if (!x || !xv) return null;
  return runBinary(
    addon,
    backend,
    BINARY.mul,
    attrs.expandedShape as number[],
    xv,
    [],
    Float32Array.of(Number(attrs.scale)),
    attrs.shape as number[],
  );
};

/** Gradients of FusedBatchNorm with rank-1 per-channel parameters: [dx, dmean, dvariance, dscale, doffset]. */
const batchNormGrad: NativeImpl = ({ inputs, attrs = {} }, addon, backend) => {
  const { dy, x, mean, variance, scale } = inputs;
  const dyv = floats(backend, dy);
  const xv = floats(backend, x);
  const mv = floats(backend, mean);
  const vv = floats(backend, variance);
  const sv = scale ? floats(backend, scale) : null;
  if (!x || !mean || !dyv || !xv || !mv || !vv || (scale && !sv)) return null;
  const c = mv.length;
  const dx = outputArray(xv.length);
  const params = [0, 1, 2, 3].map(() => outputArray(c));
  addon.batchNormGrad(dyv, xv, mv, vv, sv, Number(attrs.varianceEpsilon), dx, params[0], params[1], params[2], params[3]);
  return [backend.makeTensorInfo(x.shape, 'float32', dx), ...params.map((p) => backend.makeTensorInfo(mean.shape, 'float32', p))];
};

/** Batch statistics and normalisation (then relu with attrs.relu) over all but the last axis in two passes: [y, mean, variance]. */
const batchNormTraining: NativeImpl = ({ inputs, attrs = {} }, addon, backend) => {
  const { x, gamma, beta, residual } = inputs;
  const xv = floats(backend, x);
  const gv = gamma ? floats(backend, gamma) : null;
  const bv = beta ? floats(backend, beta) : null;
  const rv = residual ? floats(backend, residual) : null;
  if (!x || !xv || (gamma && !gv) || (beta && !bv) || x.shape.length < 2) return null;
  if (residual && (!rv || !tf.util.arraysEqual(residual.shape, x.shape)))
    throw new Error(`${GRADIENT_KERNELS.batchNormTraining}: the residual must be a float32 tensor shaped like x`);
  const c = x.shape[x.shape.length - 1];
  const y = outputArray(xv.length);
  const mean = outputArray(c);
  const variance = outputArray(c);
  addon.batchNormTraining(xv, gv, bv, Number(attrs.epsilon), y, mean, variance, attrs.relu === true, rv);
  return [
    backend.makeTensorInfo(x.shape, 'float32', y),
    backend.makeTensorInfo([c], 'float32', mean),
    backend.makeTensorInfo([c], 'float32', variance),
  ];
};

/** Gradient of batchNormTraining (of its relu with attrs.relu, which needs beta): [dx, dgamma, dbeta]. */
const batchNormTrainingGrad: NativeImpl = ({ inputs, attrs = {} }, addon, backend) => {
  const { dy, x, mean, variance, gamma, beta, dmean, dvariance } = inputs;
  const [dyv, xv, mv, vv] = [dy, x, mean, variance].map((t) => floats(backend, t));
  const gv = gamma ? floats(backend, gamma) : null;
  const bv = beta ? floats(backend, beta) : null;
  const dmv = dmean ? floats(backend, dmean) : null;
  const dvv = dvariance ? floats(backend, dvariance) : null;
  if (!x || !dyv || !xv || !mv || !vv || (gamma && !gv) || (beta && !bv) || (dmean && !dmv) || (dvariance && !dvv)) return null;
  const dx = outputArray(xv.length);
  const dgamma = outputArray(mv.length);
  const dbeta = outputArray(mv.length);
  addon.batchNormTrainingGrad(dyv, xv, mv, vv, gv, Number(attrs.epsilon), dx, dgamma, dbeta, dmv, dvv, bv, attrs.relu === true);
  return [
    backend.makeTensorInfo(x.shape, 'float32', dx),
    backend.makeTensorInfo([mv.length], 'float32', dgamma),
    backend.makeTensorInfo([mv.length], 'float32', dbeta),
  ];
};

/** Element-wise, reduction and batch-norm kernels by tfjs kernel name, plus the custom gradient kernels. */
export const ELEMENTWISE_KERNELS: Record<string, NativeImpl> = {
  [tf.Add]: binary(BINARY.add),
  [tf.Sub]: binary(BINARY.sub),
  [tf.Multiply]: binary(BINARY.mul),
  [tf.RealDiv]: binary(BINARY.div),
  [tf.SquaredDifference]: binary(BINARY.squaredDifference),
  [tf.Maximum]: binary(BINARY.maximum),
  [tf.Minimum]: binary(BINARY.minimum),
  [tf.Relu]: unary(UNARY.relu),
  [tf.Relu6]: unary(UNARY.relu6),
  [tf.Step]: unary(UNARY.step, 'alpha'),
  [tf.Square]: unary(UNARY.square),
  [tf.Sqrt]: unary(UNARY.sqrt),
  [tf.Rsqrt]: unary(UNARY.rsqrt),
  [tf.Neg]: unary(UNARY.neg),
  [tf.Exp]: unary(UNARY.exp),
  [tf.Log]: unary(UNARY.log),
  [tf.Abs]: unary(UNARY.abs),
  [tf.Sigmoid]: unary(UNARY.sigmoid),
  [tf.Tanh]: unary(UNARY.tanh),
  [tf.Reciprocal]: unary(UNARY.reciprocal),
  [tf.Elu]: unary(UNARY.elu),
  [tf.LeakyRelu]: unary(UNARY.leakyRelu, 'alpha'),
  [tf.Sum]: reduction(REDUCE.sum),
  [tf.Mean]: reduction(REDUCE.mean),
  [tf.Max]: reduction(REDUCE.max),
  [tf.Min]: reduction(REDUCE.min),
  [tf.AddN]: addN,
  [tf.FusedBatchNorm]: batchNorm,
};

/** Kernels only the native backend has; the gradients in gradientOverrides.ts call them (no JS twin, no fallback). */
export const NATIVE_ONLY_KERNELS: Record<string, NativeImpl> = {
  [GRADIENT_KERNELS.reluGrad]: reluGrad,
  [GRADIENT_KERNELS.squareGrad]: squareGrad,
  [GRADIENT_KERNELS.broadcastScale]: broadcastScale,
  [GRADIENT_KERNELS.batchNormGrad]: batchNormGrad,
  [GRADIENT_KERNELS.batchNormTraining]: batchNormTraining,
  [GRADIENT_KERNELS.batchNormResidualTraining]: batchNormTraining,
  [GRADIENT_KERNELS.batchNormTrainingGrad]: batchNormTrainingGrad,
  [ADAM_KERNEL]: adam,
};
