import * as tf from '@tensorflow/tfjs';
import { activation, batchNormalization } from '../tfjs/batchNormLayer';
import { conv2d } from '../tfjs/inputConvLayer';
import type { SeedSequence } from './initializers';

/**
 * The seeds' conv front end: per block 3x3 conv → batch-norm → ReLU → 2x2 max-pool, layers named
 * `<prefix><n>_conv|bn|relu|pool` (saved models depend on these names). Draws one initializer seed per block.
 */
export function convPoolBlocks(x: tf.SymbolicTensor, filters: number[], seeds: SeedSequence, prefix: string): tf.SymbolicTensor {
  filters.forEach((f, i) => {
    const p = `${prefix}${i + 1}`;
    x = conv2d({ filters: f, kernelSize: 3, padding: 'same', kernelInitializer: seeds.heNormal(), name: `${p}_conv` }).apply(x) as tf.SymbolicTensor;
    x = batchNormalization({ axis: -1, momentum: 0.9, name: `${p}_bn` }).apply(x) as tf.SymbolicTensor;
    x = activation({ activation: 'relu', name: `${p}_relu` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.maxPooling2d({ poolSize: 2, padding: 'same', name: `${p}_pool` }).apply(x) as tf.SymbolicTensor;
  });
  return x;
}
