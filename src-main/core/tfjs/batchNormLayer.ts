import * as tf from '@tensorflow/tfjs';
import type { Activation, ActivationLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/core';
import type { BatchNormalization, BatchNormalizationLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/normalization';
import type { Add } from '@tensorflow/tfjs-layers/dist/layers/merge';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';
import { GRADIENT_KERNELS } from './nativeElementwiseKernels';
import { NATIVE_BACKEND } from './nativeTensorData';

/*
 * tfjs-layers trains BatchNormalization as moments() + batchNorm(): about 30 passes over the activations per layer
 * once the gradients of the mean, the variance and their three-way fan-out are counted, which made batch norm cost
 * more than the convolutions on the native backend. This subclass runs the same maths as two native kernels (batch
 * statistics + normalisation; the complete backward pass) while the native backend is active, and is the stock layer
 * everywhere else: same weights, same config, same class name in saved models.
 *
 * BN followed by ReLU (fuseBatchNormRelu marks such layers) also applies the relu in those kernels, and the relu
 * Activation layer after it (ReluAwareActivation) passes the already-rectified tensor through: two fewer passes
 * forward and backward. The saved model keeps both layers, so it loads anywhere.
 */

const Stock = tf.serialization.SerializationMap.getMap().classNameMap.BatchNormalization?.[0] as typeof BatchNormalization | undefined;
if (!Stock) throw new Error('tfjs-layers did not register BatchNormalization; is @tensorflow/tfjs loaded twice?');

/** The tfjs-layers class itself, for comparisons and for code that must have the unfused layer. */
export const StockBatchNormalization: typeof BatchNormalization = Stock;

/** The layer config fields the fused path needs (getConfig() is the public view of the stock layer's settings). */
interface BatchNormSettings {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
}

/** Outputs of a fused BN + relu: already rectified, so a relu activation applied to them is the identity. */
const rectified = new WeakSet<tf.Tensor>();

/** Placeholder outputs of batch norms deferred to the residual add after them: the placeholder -> (layer, its input). */
const deferred = new WeakMap<tf.Tensor, { layer: FusedBatchNormalization; x: tf.Tensor }>();

export class FusedBatchNormalization extends Stock {
  /** Serialised under the stock name, so saved models load anywhere tfjs or Keras runs. */
  static override className = 'BatchNormalization';

  /**
   * Apply relu inside the fused training kernels (set by fuseBatchNormRelu when every consumer of this layer's output
   * is a relu activation; not serialised). Those consumers then see rectified values, which relu leaves unchanged.
   */
  reluFollows = false;

  /**
   * The residual add this layer's output goes to, alone (set by fuseResidualBlocks; not serialised). While training on
   * the native backend this layer then hands the add a placeholder, and the add computes relu?(bn(x) + shortcut) in
   * one pass through this layer (normalizeWithResidual).
   */
  residualAdd: ResidualAdd | null = null;

  private fusable(x: tf.Tensor, kwargs: Record<string, unknown>): boolean {
    const settings = this.getConfig() as unknown as BatchNormSettings;
    const lastAxis = settings.axis === -1 || settings.axis === x.rank - 1;
    return (
      kwargs.training === true &&
      tf.getBackend() === NATIVE_BACKEND &&
      x.dtype === 'float32' &&
      x.rank >= 2 &&
      lastAxis &&
      settings.center &&
      settings.scale
    );
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!this.fusable(x, kwargs)) return super.call(inputs, kwargs);
    if (this.residualAdd) {
      const placeholder = tf.clone(x);
      deferred.set(placeholder, { layer: this, x });
      return placeholder;
    }
    const out = this.trainingStep(GRADIENT_KERNELS.batchNormTraining, x, null, this.reluFollows);
    if (this.reluFollows) rectified.add(out);
    return out;
  }

  /** relu?(bn(x) + residual) in training mode, updating the moving statistics: the deferred half of a residual add. */
  normalizeWithResidual(x: tf.Tensor, residual: tf.Tensor, relu: boolean): tf.Tensor {
    const out = this.trainingStep(GRADIENT_KERNELS.batchNormResidualTraining, x, residual, relu);
    if (relu) rectified.add(out);
    return out;
  }

  private trainingStep(kernel: string, x: tf.Tensor, residual: tf.Tensor | null, relu: boolean): tf.Tensor {
    const settings = this.getConfig() as unknown as BatchNormSettings;
    // Built weights, in addWeight order: trainable gamma, beta, then moving mean and variance.
    const [gamma, beta, movingMean, movingVariance] = this.weights;
    return tf.tidy(() => {
      const inputs: tf.NamedTensorMap = { x, gamma: gamma.read(), beta: beta.read() };
      if (residual) inputs.residual = residual;
      const [y, mean, variance] = tf.engine().runKernel(kernel, inputs, { epsilon: settings.epsilon, relu }) as tf.Tensor[];
      // Exponential moving averages exactly as the stock layer updates them (biased batch variance).
      const decay = 1 - settings.momentum;
      for (const [variable, value] of [
        [movingMean, mean],
        [movingVariance, variance],
      ] as const) {
        const current = variable.read();
        variable.write(tf.sub(current, tf.mul(tf.sub(current, value), decay)));
      }
      return y;
    });
  }
}
tf.serialization.registerClass(FusedBatchNormalization);

/** Drop-in for tf.layers.batchNormalization(): the same layer, fused into two native kernels while training on 'native'. */
export function batchNormalization(args?: BatchNormalizationLayerArgs): FusedBatchNormalization {
  return new FusedBatchNormalization(args);
}

const StockActivationClass = tf.serialization.SerializationMap.getMap().classNameMap.Activation?.[0] as typeof Activation | undefined;
if (!StockActivationClass) throw new Error('tfjs-layers did not register Activation; is @tensorflow/tfjs loaded twice?');
const StockActivation: typeof Activation = StockActivationClass;

/** The Activation layer, except that relu of a fused BN + relu output is the identity (no second pass, no ReluGrad). */
export class ReluAwareActivation extends StockActivation {
  /** Serialised under the stock name: saved models keep an ordinary Activation layer. */
  static override className = 'Activation';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (rectified.has(x) && (this.getConfig() as { activation?: string }).activation === 'relu') return x;
    return super.call(inputs, kwargs);
  }
}
tf.serialization.registerClass(ReluAwareActivation);

const StockAddClass = tf.serialization.SerializationMap.getMap().classNameMap.Add?.[0] as typeof Add | undefined;
if (!StockAddClass) throw new Error('tfjs-layers did not register Add; is @tensorflow/tfjs loaded twice?');
const StockAdd: typeof Add = StockAddClass;

/** The Add layer, except that it completes a batch norm deferred to it (fuseResidualBlocks) in one fused pass. */
export class ResidualAdd extends StockAdd {
  /** Serialised under the stock name: saved models keep an ordinary Add layer. */
  static override className = 'Add';

  /** A relu activation is all that consumes this layer's output, so the fused pass may rectify (not serialised). */
  reluFollows = false;

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    if (Array.isArray(inputs) && inputs.length === 2) {
      const [a, b] = inputs;
      const fromA = deferred.get(a);
      const pending = fromA ?? deferred.get(b);
      if (pending) return pending.layer.normalizeWithResidual(pending.x, fromA ? b : a, this.reluFollows);
    }
    return super.call(inputs, kwargs);
  }
}
tf.serialization.registerClass(ResidualAdd);

/** Drop-in for tf.layers.add() at the end of a residual block (see fuseResidualBlocks). */
export function residualAdd(args?: LayerArgs): ResidualAdd {
  return new ResidualAdd(args);
}

/** Drop-in for tf.layers.activation(): passes through tensors a fused BN + relu has already rectified. */
export function activation(args: ActivationLayerArgs): ReluAwareActivation {
  return new ReluAwareActivation(args);
}

/**
 * Marks the fused batch-norm layers of `model` whose output feeds only relu activations (and is not a model output)
 * to apply the relu themselves while training on the native backend, and fuses residual block tails
 * (fuseResidualBlocks); returns the model. Exact: the relu layers stay
 * and are the identity on rectified values (ReluAwareActivation skips them; a stock Activation recomputes them).
 */
export function fuseBatchNormRelu<M extends tf.LayersModel>(model: M): M {
  fuseResidualBlocks(model);
  for (const layer of model.layers) {
    if (layer instanceof FusedBatchNormalization) layer.reluFollows = onlyReluConsumers(model, layer);
  }
  return model;
}

/**
 * Residual block tails, relu(add([bn(x), shortcut])): each ResidualAdd with two inputs, one of them a fused batch norm
 * that feeds nothing else, computes that batch norm, the add and (when only relu activations consume it) the relu in
 * one native pass while training on the native backend. Exact, like fuseBatchNormRelu: the layers stay as they are.
 */
export function fuseResidualBlocks<M extends tf.LayersModel>(model: M): M {
  for (const layer of model.layers) {
    if (!(layer instanceof ResidualAdd) || layer.inboundNodes.length !== 1) continue;
    const sources = layer.inboundNodes[0].inboundLayers;
    if (sources.length !== 2) continue;
    const bn = sources.find(
      (s): s is FusedBatchNormalization =>
        s instanceof FusedBatchNormalization &&
        !isModelOutput(model, s) &&
        s.outboundNodes.length === 1 &&
        s.outboundNodes[0].outboundLayer === layer,
    );
    if (!bn) continue;
    bn.residualAdd = layer;
    layer.reluFollows = onlyReluConsumers(model, layer);
  }
  return model;
}

function isModelOutput(model: tf.LayersModel, layer: tf.layers.Layer): boolean {
  return model.outputs.some((o) => o.sourceLayer === layer);
}

/** Whether relu activations are all that read `layer`'s output (and it is not a model output), so it may rectify. */
function onlyReluConsumers(model: tf.LayersModel, layer: tf.layers.Layer): boolean {
  const consumers = layer.outboundNodes.map((node) => node.outboundLayer);
  const isRelu = (l: tf.layers.Layer) => l.getClassName() === 'Activation' && (l.getConfig() as { activation?: string }).activation === 'relu';
  return consumers.length > 0 && consumers.every(isRelu) && !isModelOutput(model, layer);
}
