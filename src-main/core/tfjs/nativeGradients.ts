import * as tf from '@tensorflow/tfjs';
import { GRADIENT_KERNELS } from './nativeElementwiseKernels';
import { NATIVE_BACKEND } from './nativeTensorData';

type GradFunc = tf.GradConfig['gradFunc'];
type GradMap = ReturnType<GradFunc>;

/*
 * tfjs composes these gradients from many full-size element-wise ops (batch norm alone: ~10 tensors the size of the
 * activations, plus a tile). On the native backend each becomes one fused pass. Gradients are registered globally,
 * so every override dispatches on the active backend and keeps the original for wasm, cpu and anything unusual.
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

const batchNormGrad = (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap): GradMap | null => {
  const dy = single(dys);
  const [x, mean, variance, scale] = saved;
  if (!onNative(dy, x, mean, variance, scale)) return null;
  const c = x.shape[x.shape.length - 1];
  const perChannel = (t: tf.Tensor | undefined) => t === undefined || (t.rank === 1 && t.size === c);
  if (mean.rank !== 1 || !perChannel(mean) || !perChannel(variance) || !perChannel(scale)) return null;
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

/** Gradient of the fused training batch norm (a native-only kernel, so no dispatch): one pass for dx, dgamma, dbeta. */
const batchNormTrainingGradConfig: tf.GradConfig = {
  kernelName: GRADIENT_KERNELS.batchNormTraining,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy, dmean, dvariance] = dys as tf.Tensor[];
    const [x, gamma, mean, variance] = saved;
    const inputs: tf.NamedTensorMap = { dy, x, mean, variance, dmean, dvariance };
    if (gamma) inputs.gamma = gamma;
    const [dx, dgamma, dbeta] = run(GRADIENT_KERNELS.batchNormTrainingGrad, inputs, { epsilon: attrs.epsilon as number }) as tf.Tensor[];
    return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
  },
};

let installed = false;

/** Installs the backend-dispatching gradients (idempotent). The saved inputs stay those of the original configs. */
export function installNativeGradients(): void {
  if (installed) return;
  installed = true;
  tf.registerGradient(batchNormTrainingGradConfig);
  for (const [kernelName, nativeGrad] of Object.entries(OVERRIDES)) {
    const original = tf.getGradient(kernelName);
    if (!original) continue;
    tf.registerGradient({
      ...original,
      gradFunc: (dy, saved, attrs) => nativeGrad(dy, saved, attrs) ?? original.gradFunc(dy, saved, attrs),
    });
  }
}
