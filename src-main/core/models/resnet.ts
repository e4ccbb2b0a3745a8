import * as tf from '@tensorflow/tfjs';
import { activation, batchNormalization, fuseBatchNormRelu, residualAdd } from '../tfjs/batchNormLayer';
import { conv2d, skipInputGradients } from '../tfjs/inputConvLayer';
import { SeedSequence } from './initializers';
import { seededDropout } from './seededDropout';

export interface ResNetOptions {
  /** [mel bands, frames, 1], NHWC. */
  inputShape: [number, number, number];
  numClasses: number;
  seed?: number;
  /** Channels per stage; stages after the first halve the resolution. */
  widths?: number[];
  blocksPerStage?: number;
  /** Hidden units of the dense head before the softmax. */
  headUnits?: number;
  dropout?: number;
}

/**
 * Seed ResNet for log-mel input: 3x3 conv stem 1→16, basic residual blocks at 16/32/64
 * channels (BN + ReLU, stride-2 between stages, 1x1 projection shortcuts), global
 * average pooling, dense head, softmax. ≈194k parameters for 64x94 input and 8 classes.
 */
export function buildResNet(opts: ResNetOptions): tf.LayersModel {
  const widths = opts.widths ?? [16, 32, 64];
  const blocks = opts.blocksPerStage ?? 2;
  const headUnits = opts.headUnits ?? 256;
  const dropout = opts.dropout ?? 0.3;
  const seeds = new SeedSequence(opts.seed ?? 42);

  const conv = (filters: number, kernel: number, strides: number, name: string) =>
    conv2d({
      filters,
      kernelSize: kernel,
      strides,
      padding: 'same',
      useBias: false,
      kernelInitializer: seeds.heNormal(),
      name,
    });
  const bn = (name: string) => batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-5, name });
  const relu = (name: string) => activation({ activation: 'relu', name });

  const input = tf.input({ shape: opts.inputShape, name: 'logmel' });
  let x = conv(widths[0], 3, 1, 'stem_conv').apply(input) as tf.SymbolicTensor;
  x = bn('stem_bn').apply(x) as tf.SymbolicTensor;
  x = relu('stem_relu').apply(x) as tf.SymbolicTensor;

  let channels = widths[0];
  widths.forEach((width, stage) => {
    for (let b = 0; b < blocks; b++) {
      const stride = stage > 0 && b === 0 ? 2 : 1;
      const p = `s${stage + 1}b${b + 1}`;
      let y = conv(width, 3, stride, `${p}_conv1`).apply(x) as tf.SymbolicTensor;
      y = bn(`${p}_bn1`).apply(y) as tf.SymbolicTensor;
      y = relu(`${p}_relu1`).apply(y) as tf.SymbolicTensor;
      y = conv(width, 3, 1, `${p}_conv2`).apply(y) as tf.SymbolicTensor;
      y = bn(`${p}_bn2`).apply(y) as tf.SymbolicTensor;
      let shortcut = x;
      if (stride !== 1 || channels !== width) {
        shortcut = conv(width, 1, stride, `${p}_proj`).apply(x) as tf.SymbolicTensor;
        shortcut = bn(`${p}_proj_bn`).apply(shortcut) as tf.SymbolicTensor;
      }
      x = residualAdd({ name: `${p}_add` }).apply([y, shortcut]) as tf.SymbolicTensor;
      x = relu(`${p}_out`).apply(x) as tf.SymbolicTensor;
      channels = width;
    }
  });

  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  if (headUnits > 0) {
    x = seededDropout(dropout, seeds.take(), 'head_dropout1').apply(x) as tf.SymbolicTensor;
    x = tf.layers
      .dense({ units: headUnits, activation: 'relu', kernelInitializer: seeds.glorot(), name: 'head_dense' })
      .apply(x) as tf.SymbolicTensor;
  }
  x = seededDropout(dropout, seeds.take(), 'head_dropout2').apply(x) as tf.SymbolicTensor;
  const output = tf.layers
    .dense({ units: opts.numClasses, activation: 'softmax', kernelInitializer: seeds.glorot(), name: 'probs' })
    .apply(x) as tf.SymbolicTensor;
  return skipInputGradients(fuseBatchNormRelu(tf.model({ inputs: input, outputs: output, name: 'resnet' })));
}
