import * as tf from '@tensorflow/tfjs';
import { GRADIENT_KERNELS } from './nativeElementwiseKernels';
import { NATIVE_BACKEND } from './nativeTensorData';

type GradFunc = tf.GradConfig['gradFunc'];
type GradMap = ReturnType<GradFunc>;

/*
 * tfjs composes these gradients from many full-size element-wise ops (batch norm alone: ~10 tensors the size of the
 * activations, plus a tile). On the native backend each becomes one fused pass. Gradients are registered globally,
 * so every override dispatches on the active backend and keeps the original (batch norm: minus its tile) for wasm,
 * cpu and anything unusual.
 */

function onNative(...tensors: (tf.Tensor | undefined)[]): boolean {
  return tf.getBackend() === NATIVE_BACKEND && tensors.every((t) => t === undefined || t.dtype === 'float32');
}

function run(kernel: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}): tf.Tensor | tf.Tensor[] {
  return tf.engine().runKernel(kernel, inputs, attrs);
}

/** dy of a single-output kernel. */
function single(dy: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(dy) ? dy[0] : dy;
}

const reluGrad = (dys: tf.Tensor | tf.Tensor[], [x]: tf.Tensor[]): GradMap | null => {
  const dy = single(dys);
  if (!onNative(dy, x)) return null;
  return { x: () => run(GRADIENT_KERNELS.reluGrad, { dy, x }) as tf.Tensor };
};

const squareGrad = (dys: tf.Tensor | tf.Tensor[], [x]: tf.Tensor[]): GradMap | null => {
  const dy = single(dys);
  if (!onNative(dy, x)) return null;
  return { x: () => run(GRADIENT_KERNELS.squareGrad, { dy, x }) as tf.Tensor };
};

/** Sum and Mean: dy spread back over the reduced axes (scaled by 1/count for Mean). */
function reductionGrad(mean: boolean) {
  return (dys: tf.Tensor | tf.Tensor[], [x]: tf.Tensor[], attrs: tf.NamedAttrMap): GradMap | null => {
    const dy = single(dys);
    if (!onNative(dy, x)) return null;
    const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
    const expandedShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const count = axes.reduce((n, a) => n * x.shape[a], 1);
    const scale = mean ? 1 / count : 1;
    return { x: () => run(GRADIENT_KERNELS.broadcastScale, { x: dy }, { shape: x.shape, expandedShape, scale }) as tf.Tensor };
  };
}

/**
 * tfjs's own FusedBatchNorm gradient, minus its tile of 1/sqrt(variance) to the full activation shape (a broadcast
 * multiply does the same): for wasm and cpu, where the tile alone cost ~1 s of a 9 s ResNet step on wasm.
 */
function broadcastBatchNormGrad(
  dy: tf.Tensor,
  x: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
  scale: tf.Tensor | undefined,
  epsilon: number,
): GradMap {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const channelShape = [...x.shape.slice(0, -1).map(() => 1), mean.shape[0]];
  const scaleValue = scale ?? tf.scalar(1);
  const xMinusMean = tf.sub(x, mean);
  const dyTimesScale = tf.mul(dy, scaleValue);
  const rsqrt = tf.rsqrt(tf.add(variance, tf.scalar(epsilon)));
  const minusHalfRCube = tf.mul(tf.mul(tf.mul(rsqrt, rsqrt), rsqrt), tf.scalar(-0.5));
  return {
    x: () => tf.mul(tf.mul(dy, tf.reshape(rsqrt, channelShape)), scaleValue),
    mean: () => tf.reshape(tf.sum(tf.mul(tf.mul(rsqrt, tf.scalar(-1)), dyTimesScale), axes), mean.shape),
    variance: () => tf.reshape(tf.sum(tf.mul(tf.mul(minusHalfRCube, xMinusMean), dyTimesScale), axes), mean.shape),
    scale: () => tf.reshape(tf.sum(tf.mul(dy, tf.mul(xMinusMean, rsqrt)), axes), mean.shape),
    offset: () => tf.reshape(tf.sum(dy, axes), mean.shape),
  };
}

const batchNormGrad = (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap): GradMap | null => {
  const dy = single(dys);
  const [x, mean, variance, scale] = saved;
  const c = x.shape[x.shape.length - 1];
  const perChannel = (t: tf.Tensor | undefined) => t === undefined || (t.rank === 1 && t.size === c);
  if (mean.rank !== 1 || !perChannel(mean) || !perChannel(variance) || !perChannel(scale)) return null;
  if (!onNative(dy, x, mean, variance, scale)) return broadcastBatchNormGrad(dy, x, mean, variance, scale, attrs.varianceEpsilon as number);
  // Computed here, not in the thunks: tfjs runs each thunk in its own tidy, which would dispose the other outputs.
  const inputs: tf.NamedTensorMap = scale ? { dy, x, mean, variance, scale } : { dy, x, mean, variance };
  const [dx, dmean, dvariance, dscale, doffset] = run(GRADIENT_KERNELS.batchNormGrad, inputs, {
    varianceEpsilon: attrs.varianceEpsilon as number,
  }) as tf.Tensor[];
  return { x: () => dx, mean: () => dmean, variance: () => dvariance, scale: () => dscale, offset: () => doffset };
};

const OVERRIDES: Record<string, (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => GradMap | null> = {
  [tf.Relu]: reluGrad,
  [tf.Square]: squareGrad,
  [tf.Sum]: reductionGrad(false),
  [tf.Mean]: reductionGrad(true),
  [tf.FusedBatchNorm]: batchNormGrad,
};

/**
 * Gradient of the fused training batch norm (a native-only kernel, so no dispatch): one pass for dx, dgamma, dbeta.
 * With attrs.relu (relu fused into the forward) the same pass masks dy, recomputing the mask from x, gamma and beta.
 */
const batchNormTrainingGradConfig: tf.GradConfig = {
  kernelName: GRADIENT_KERNELS.batchNormTraining,
  inputsToSave: ['x', 'gamma', 'beta'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy, dmean, dvariance] = dys as tf.Tensor[];
    const [x, gamma, beta, mean, variance] = saved;
    const inputs: tf.NamedTensorMap = { dy, x, mean, variance, dmean, dvariance };
    if (gamma) inputs.gamma = gamma;
    if (beta) inputs.beta = beta;
    const [dx, dgamma, dbeta] = run(GRADIENT_KERNELS.batchNormTrainingGrad, inputs, {
      epsilon: attrs.epsilon as number,
      relu: attrs.relu === true,
    }) as tf.Tensor[];
    return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
  },
};

/**
 * Gradient of a residual block's tail, relu(batchNormTraining(x) + residual): dy masked where the output is 0 is the
 * residual's gradient and the batch norm's incoming gradient.
 */
const batchNormResidualGradConfig: tf.GradConfig = {
  kernelName: GRADIENT_KERNELS.batchNormResidualTraining,
  inputsToSave: ['x', 'gamma', 'beta'],
  outputsToSave: [true, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy, dmean, dvariance] = dys as tf.Tensor[];
    const [x, gamma, beta, y, mean, variance] = saved;
    const masked = attrs.relu === true ? (run(GRADIENT_KERNELS.reluGrad, { dy, x: y }) as tf.Tensor) : tf.clone(dy);
    const inputs: tf.NamedTensorMap = { dy: masked, x, mean, variance, dmean, dvariance, gamma, beta };
    const [dx, dgamma, dbeta] = run(GRADIENT_KERNELS.batchNormTrainingGrad, inputs, { epsilon: attrs.epsilon as number, relu: false }) as tf.Tensor[];
    return { x: () => dx, gamma: () => dgamma, beta: () => dbeta, residual: () => masked };
  },
};

const originals = new Map<string, tf.GradConfig>();

/**
 * Installs the backend-dispatching gradients (idempotent): fused kernels on the native backend, the tile-free batch
 * norm gradient elsewhere. The saved inputs stay those of the original configs.
 */
export function installGradientOverrides(): void {
  if (originals.size > 0) return;
  tf.registerGradient(batchNormTrainingGradConfig);
  tf.registerGradient(batchNormResidualGradConfig);
  for (const [kernelName, override] of Object.entries(OVERRIDES)) {
    const original = tf.getGradient(kernelName) as tf.GradConfig | undefined;
    if (!original) continue;
    originals.set(kernelName, original);
    tf.registerGradient({
      ...original,
      gradFunc: (dy, saved, attrs) => override(dy, saved, attrs) ?? original.gradFunc(dy, saved, attrs),
    });
  }
}

/** The tfjs gradient an override replaced (tests compare against it). */
export function originalGradient(kernelName: string): tf.GradConfig | undefined {
  return originals.get(kernelName);
}
