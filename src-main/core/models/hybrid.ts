import * as tf from '@tensorflow/tfjs';
import { fuseBatchNormRelu } from '../tfjs/batchNormLayer';
import { convPoolBlocks } from './convBlocks';
import { skipInputGradients } from '../tfjs/inputConvLayer';
import { SeedSequence } from './initializers';
import { seededDropout } from './seededDropout';

export interface HybridOptions {
  /** [mel bands, frames, 1] log-mel input of the CNN branch. */
  inputShape: [number, number, number];
  /** Length of the prosody / functionals vector of the dense branch. */
  auxDims: number;
  numClasses: number;
  seed?: number;
  filters?: number[];
  auxUnits?: number;
  dropout?: number;
}

/**
 * Two-input model: a CNN branch on the log-mel spectrogram and a dense branch on utterance
 * level prosody/functionals, concatenated before the softmax head. Inputs: [logmel, aux].
 */
export function buildHybrid(opts: HybridOptions): tf.LayersModel {
  const filters = opts.filters ?? [16, 32, 64];
  const auxUnits = opts.auxUnits ?? 64;
  const dropout = opts.dropout ?? 0.3;
  const seeds = new SeedSequence(opts.seed ?? 42);

  const spec = tf.input({ shape: opts.inputShape, name: 'logmel' });
  let x = convPoolBlocks(spec, filters, seeds, 'cnn');
  x = tf.layers.globalAveragePooling2d({ name: 'cnn_gap' }).apply(x) as tf.SymbolicTensor;

  const aux = tf.input({ shape: [opts.auxDims], name: 'aux' });
  let y = tf.layers
    .dense({ units: auxUnits, activation: 'relu', kernelInitializer: seeds.heNormal(), name: 'aux_dense1' })
    .apply(aux) as tf.SymbolicTensor;
  y = seededDropout(dropout, seeds.take(), 'aux_dropout').apply(y) as tf.SymbolicTensor;
  y = tf.layers
    .dense({ units: auxUnits / 2, activation: 'relu', kernelInitializer: seeds.heNormal(), name: 'aux_dense2' })
    .apply(y) as tf.SymbolicTensor;

  let z = tf.layers.concatenate({ name: 'fuse' }).apply([x, y]) as tf.SymbolicTensor;
  z = tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: seeds.heNormal(), name: 'fuse_dense' }).apply(z) as tf.SymbolicTensor;
  z = seededDropout(dropout, seeds.take(), 'fuse_dropout').apply(z) as tf.SymbolicTensor;
  const output = tf.layers
    .dense({ units: opts.numClasses, activation: 'softmax', kernelInitializer: seeds.glorot(), name: 'probs' })
    .apply(z) as tf.SymbolicTensor;
  return skipInputGradients(fuseBatchNormRelu(tf.model({ inputs: [spec, aux], outputs: output, name: 'hybrid' })));
}
