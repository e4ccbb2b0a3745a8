import * as tf from '@tensorflow/tfjs';
import { fuseBatchNormRelu } from '../tfjs/batchNormLayer';
import { convPoolBlocks } from './convBlocks';
import { skipInputGradients } from '../tfjs/inputConvLayer';
import { initRecurrentOrthogonal, SeedSequence } from './initializers';
import { seededDropout } from './seededDropout';

export interface CnnRnnOptions {
  /** [mel bands, frames, 1], NHWC. */
  inputShape: [number, number, number];
  numClasses: number;
  cell: 'gru' | 'lstm';
  seed?: number;
  filters?: number[];
  rnnUnits?: number;
  dropout?: number;
}

/**
 * CNN front end (conv blocks with 2x2 pooling) followed by a GRU or LSTM over the pooled
 * time axis: the conv stack learns local spectro-temporal patterns, the RNN their order.
 */
export function buildCnnRnn(opts: CnnRnnOptions): tf.LayersModel {
  const filters = opts.filters ?? [16, 32, 64];
  const units = opts.rnnUnits ?? 64;
  const dropout = opts.dropout ?? 0.3;
  const seeds = new SeedSequence(opts.seed ?? 42);

  const input = tf.input({ shape: opts.inputShape, name: 'logmel' });
  let x = convPoolBlocks(input, filters, seeds, 'block');
  // [bands', frames', C] → [frames', bands' * C]: one feature vector per pooled time step.
  const [bands, frames, channels] = x.shape.slice(1) as number[];
  x = tf.layers.permute({ dims: [2, 1, 3], name: 'frames_first' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reshape({ targetShape: [frames, bands * channels], name: 'to_sequence' }).apply(x) as tf.SymbolicTensor;
  const rnnArgs = {
    units,
    kernelInitializer: seeds.glorot(),
    recurrentInitializer: seeds.glorot(),
    name: opts.cell,
  };
  const rnn = opts.cell === 'gru' ? tf.layers.gru(rnnArgs) : tf.layers.lstm(rnnArgs);
  x = rnn.apply(x) as tf.SymbolicTensor;
  x = seededDropout(dropout, seeds.take(), 'dropout').apply(x) as tf.SymbolicTensor;
  const output = tf.layers
    .dense({ units: opts.numClasses, activation: 'softmax', kernelInitializer: seeds.glorot(), name: 'probs' })
    .apply(x) as tf.SymbolicTensor;
  const model = skipInputGradients(fuseBatchNormRelu(tf.model({ inputs: input, outputs: output, name: `cnn-${opts.cell}` })));
  initRecurrentOrthogonal(model, seeds);
  return model;
}
