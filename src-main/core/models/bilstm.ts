import * as tf from '@tensorflow/tfjs';
import { initRecurrentOrthogonal, SeedSequence } from './initializers';
import { seededDropout } from './seededDropout';
import { spectrogramToSequence } from './sequenceInput';

export interface BiLstmOptions {
  /** [mel bands (or MFCCs), frames, 1]; read as a sequence of frames. */
  inputShape: [number, number, number];
  numClasses: number;
  seed?: number;
  units?: number;
  dropout?: number;
}

/** Bidirectional LSTM over the frame sequence, mean-pooled over time, softmax head; orthogonal recurrent init. */
export function buildBiLstm(opts: BiLstmOptions): tf.LayersModel {
  const units = opts.units ?? 64;
  const dropout = opts.dropout ?? 0.3;
  const seeds = new SeedSequence(opts.seed ?? 42);
  const [bands, frames] = opts.inputShape;

  const input = tf.input({ shape: opts.inputShape, name: 'logmel' });
  let x = spectrogramToSequence(input, bands, frames);
  const lstm = tf.layers.lstm({
    units,
    returnSequences: true,
    kernelInitializer: seeds.glorot(),
    recurrentInitializer: seeds.glorot(),
  });
  x = tf.layers.bidirectional({ layer: lstm as tf.RNN, mergeMode: 'concat', name: 'bilstm' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling1d({ name: 'mean_over_time' }).apply(x) as tf.SymbolicTensor;
  x = seededDropout(dropout, seeds.take(), 'dropout').apply(x) as tf.SymbolicTensor;
  const output = tf.layers
    .dense({ units: opts.numClasses, activation: 'softmax', kernelInitializer: seeds.glorot(), name: 'probs' })
    .apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output, name: 'bilstm' });
  // Also gives the backward LSTM its own recurrent init (Bidirectional clones the forward config).
  initRecurrentOrthogonal(model, seeds);
  return model;
}
