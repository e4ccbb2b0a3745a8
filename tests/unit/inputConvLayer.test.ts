// InputConv2D: a convolution on a model input skips its input gradient while training, and changes nothing else.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { getModelPreset } from '../../src-main/core/models/presets';
import { conv2d, InputConv2D, skipInputGradients } from '../../src-main/core/tfjs/inputConvLayer';

const SHAPE = [6, 10, 12, 1];

function buildModel(useBias: boolean, stride: number, padding: 'same' | 'valid'): tf.LayersModel {
  const input = tf.input({ shape: SHAPE.slice(1) });
  const conv = conv2d({
    filters: 4,
    kernelSize: 3,
    strides: stride,
    padding,
    useBias,
    biasInitializer: 'randomNormal',
    kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }),
  });
  let x = conv.apply(input) as tf.SymbolicTensor;
  // A second convolution reads a layer output: its input gradient is needed and must stay.
  x = conv2d({ filters: 2, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.glorotNormal({ seed: 4 }) }).apply(
    x,
  ) as tf.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotNormal({ seed: 5 }) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** Loss, gradients of every trainable weight (in order) and the Conv2DBackpropInput calls of one training-mode step. */
async function gradients(model: tf.LayersModel, x: tf.Tensor): Promise<{ loss: number; grads: Float32Array[]; backpropInput: number[][] }> {
  let loss = 0;
  let grads: Float32Array[] = [];
  const info = await tf.profile(() => {
    const { value, grads: g } = tf.variableGrads(() => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar);
    loss = value.dataSync()[0];
    grads = model.trainableWeights.map((w) => g[(w.read() as tf.Variable).name].dataSync() as Float32Array);
  });
  const backpropInput = info.kernels.filter((k) => k.name === 'Conv2DBackpropInput').map((k) => k.outputShapes[0] as number[]);
  return { loss, grads, backpropInput };
}

describe('InputConv2D', () => {
  const x = tf.randomNormal(SHAPE, 0, 1, 'float32', 11);

  for (const [useBias, stride, padding] of [
    [true, 1, 'same'],
    [false, 2, 'valid'],
    [true, 2, 'same'],
  ] as const) {
    it(`gives the stock layer's loss and weight gradients without the input gradient (bias ${useBias}, stride ${stride}, ${padding})`, async () => {
      const stock = buildModel(useBias, stride, padding);
      const marked = skipInputGradients(buildModel(useBias, stride, padding));
      marked.setWeights(stock.getWeights());
      const a = await gradients(stock, x);
      const b = await gradients(marked, x);
      expect(b.loss).toBeCloseTo(a.loss, 4);
      expect(b.grads.length).toBe(a.grads.length);
      b.grads.forEach((g, i) => {
        const scale = Math.max(1, ...a.grads[i].map(Math.abs));
        g.forEach((v, j) => expect(Math.abs(v - a.grads[i][j]) / scale).toBeLessThan(1e-5));
      });
      // Stock: both convolutions propagate to their input; marked: only the second (input shape [6, h, w, 4]).
      expect(a.backpropInput.map((s) => s[3]).sort()).toEqual([1, 4]);
      expect(b.backpropInput.map((s) => s[3])).toEqual([4]);
      // Inference is the stock layer's.
      const pa = (stock.predict(x) as tf.Tensor).dataSync();
      const pb = (marked.predict(x) as tf.Tensor).dataSync();
      pb.forEach((v, i) => expect(v).toBeCloseTo(pa[i], 5));
    });
  }

  it('marks only convolutions that read a model input, and saves as a plain Conv2D', () => {
    const preset = getModelPreset('resnet');
    if (preset.family !== 'neural') throw new Error('resnet is neural');
    const model = preset.build({ inputShape: [64, 94, 1], numClasses: 8, seed: 1, params: {} });
    const marked = model.layers.filter((l) => l instanceof InputConv2D && l.inputGradientUnused).map((l) => l.name);
    expect(marked).toEqual(['stem_conv']);
    expect(model.layers.filter((l) => l instanceof InputConv2D).length).toBe(15);
    const json = JSON.stringify(model.toJSON(null, false));
    expect(json).toContain('"class_name":"Conv2D"');
    expect(json).not.toContain('InputConv2D');
  });
});
