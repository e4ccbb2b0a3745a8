import * as tf from '@tensorflow/tfjs';
import type { Conv2D, ConvLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/convolutional';

/*
 * tfjs differentiates a convolution with respect to both of its inputs whenever it is on the tape (the fused conv2d
 * op's gradient computes both eagerly). For a convolution that reads the model input, the input gradient is computed
 * and thrown away: on the ResNet that was the stem's Conv2DBackpropInput, 11 CPU ms of a 420 ms training step. This
 * subclass, when marked by skipInputGradients and called in training mode, computes only the kernel (and bias)
 * gradient and hands back zeros for the input. Anywhere else it is the stock layer, under the stock class name.
 */

const StockClass = tf.serialization.SerializationMap.getMap().classNameMap.Conv2D?.[0] as typeof Conv2D | undefined;
if (!StockClass) throw new Error('tfjs-layers did not register Conv2D; is @tensorflow/tfjs loaded twice?');
const Stock: typeof Conv2D = StockClass;

/** What the fast path reads from the layer (the stock layer keeps these as fields). */
interface ConvFields {
  kernel: tf.LayerVariable | null;
  bias: tf.LayerVariable | null;
  strides: number[];
  padding: 'valid' | 'same' | 'causal';
  dataFormat: string;
  dilationRate: number[];
  activation: { getClassName(): string } | null;
}

export class InputConv2D extends Stock {
  /** Serialised under the stock name: saved models keep an ordinary Conv2D layer. */
  static override className = 'Conv2D';

  /**
   * The input of this layer is a model input, so nothing uses its gradient while training (set by
   * skipInputGradients; not serialised). Inference and gradients taken outside training mode are unaffected.
   */
  inputGradientUnused = false;

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const f = this as unknown as ConvFields;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const plain =
      f.kernel !== null &&
      x.rank === 4 &&
      x.dtype === 'float32' &&
      f.dataFormat === 'channelsLast' &&
      f.padding !== 'causal' &&
      f.dilationRate.every((d) => d === 1) &&
      (f.activation === null || f.activation.getClassName() === 'linear');
    if (!this.inputGradientUnused || kwargs.training !== true || !plain || f.kernel === null) return super.call(inputs, kwargs);
    const strides = f.strides as [number, number];
    const pad = f.padding as 'valid' | 'same';
    const kernel = f.kernel.read() as tf.Tensor4D;
    const bias = f.bias?.read() as tf.Tensor1D | undefined;
    const convolve = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const save = args.pop() as tf.GradSaveFunc;
      const [input, w, b] = args as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D | undefined];
      const conv = tf.conv2d(input, w, strides, pad);
      const value = b ? tf.add(conv, b) : conv;
      save([input, w]);
      return {
        value,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, ws] = saved;
          const dw = tf
            .engine()
            .runKernel(tf.Conv2DBackpropFilter, { x: xs, dy }, { strides, pad, dataFormat: 'NHWC', filterShape: ws.shape }) as tf.Tensor;
          const grads = [tf.zerosLike(xs), dw];
          if (b) grads.push(tf.sum(dy, [0, 1, 2]));
          return grads;
        },
      };
    });
    return tf.tidy(() => (bias ? convolve(x, kernel, bias) : convolve(x, kernel)));
  }
}
tf.serialization.registerClass(InputConv2D);

/** Drop-in for tf.layers.conv2d(): the stock layer, which skips its input gradient once skipInputGradients marks it. */
export function conv2d(args: ConvLayerArgs & { filters: number }): InputConv2D {
  return new InputConv2D(args);
}

/** Marks every InputConv2D of `model` that reads a model input directly; returns the model. */
export function skipInputGradients<M extends tf.LayersModel>(model: M): M {
  const inputLayers = new Set(model.inputLayers);
  for (const layer of model.layers) {
    if (!(layer instanceof InputConv2D)) continue;
    const sources = layer.inboundNodes.flatMap((node) => node.inboundLayers);
    layer.inputGradientUnused = sources.length > 0 && sources.every((l) => inputLayers.has(l));
  }
  return model;
}
