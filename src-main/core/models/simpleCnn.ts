import * as tf from '@tensorflow/tfjs';
import { fuseBatchNormRelu } from '../tfjs/batchNormLayer';
import { convPoolBlocks } from './convBlocks';
import { skipInputGradients } from '../tfjs/inputConvLayer';
import { SeedSequence } from './initializers';
import { seededDropout } from './seededDropout';

export interface SimpleCnnOptions {
  /** [mel bands, frames, 1], NHWC. */
  inputShape: [number, number, number];
  numClasses: number;
  seed?: number;
  /** Filters of the four conv blocks. */
  filters?: number[];
  denseUnits?: number;
  dropout?: number;
}

/**
 * Seed SimpleCNN: four blocks of 3x3 conv → batch-norm → ReLU → 2x2 max-pool, global average
 * pooling, one hidden dense layer and a softmax. ≈116k parameters for 64x94 input, 8 classes.
 */
export function buildSimpleCnn(opts: SimpleCnnOptions): tf.LayersModel {
  const filters = opts.filters ?? [16, 32, 64, 128];
  const denseUnits = opts.denseUnits ?? 128;
  const dropout = opts.dropout ?? 0.3;
  const seeds = new SeedSequence(opts.seed ?? 42);

  const input = tf.input({ shape: opts.inputShape, name: 'logmel' });
  let x = convPoolBlocks(input, filters, seeds, 'block');
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: denseUnits, activation: 'relu', kernelInitializer: seeds.glorot(), name: 'dense' }).apply(x) as tf.SymbolicTensor;
  x = seededDropout(dropout, seeds.take(), 'dropout').apply(x) as tf.SymbolicTensor;
  const output = tf.layers
    .dense({ units: opts.numClasses, activation: 'softmax', kernelInitializer: seeds.glorot(), name: 'probs' })
    .apply(x) as tf.SymbolicTensor;
  return skipInputGradients(fuseBatchNormRelu(tf.model({ inputs: input, outputs: output, name: 'simplecnn' })));
}
