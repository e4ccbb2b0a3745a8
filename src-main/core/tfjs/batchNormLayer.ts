import * as tf from '@tensorflow/tfjs';
import type { BatchNormalization, BatchNormalizationLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/normalization';
import { GRADIENT_KERNELS } from './nativeElementwiseKernels';
import { NATIVE_BACKEND } from './nativeTensorData';

/*
 * tfjs-layers trains BatchNormalization as moments() + batchNorm(): about 30 passes over the activations per layer
 * once the gradients of the mean, the variance and their three-way fan-out are counted, which made batch norm cost
 * more than the convolutions on the native backend. This subclass runs the same maths as two native kernels (batch
 * statistics + normalisation; the complete backward pass) while the native backend is active, and is the stock layer
 * everywhere else: same weights, same config, same class name in saved models.
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

export class FusedBatchNormalization extends Stock {
  /** Serialised under the stock name, so saved models load anywhere tfjs or Keras runs. */
  static override className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const settings = this.getConfig() as unknown as BatchNormSettings;
    const lastAxis = settings.axis === -1 || settings.axis === x.rank - 1;
    const fusable = kwargs.training === true && tf.getBackend() === NATIVE_BACKEND && x.dtype === 'float32' && x.rank >= 2 && lastAxis && settings.center && settings.scale;
    if (!fusable) return super.call(inputs, kwargs);
    // Built weights, in addWeight order: trainable gamma, beta, then moving mean and variance.
    const [gamma, beta, movingMean, movingVariance] = this.weights;
    return tf.tidy(() => {
      const [y, mean, variance] = tf.engine().runKernel(
        GRADIENT_KERNELS.batchNormTraining,
        { x, gamma: gamma.read(), beta: beta.read() },
        { epsilon: settings.epsilon },
      ) as tf.Tensor[];
      // Exponential moving averages exactly as the stock layer updates them (biased batch variance).
      const decay = 1 - settings.momentum;
      for (const [variable, value] of [[movingMean, mean], [movingVariance, variance]] as const) {
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
