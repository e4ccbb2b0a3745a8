import * as tf from '@tensorflow/tfjs';
import { MultiHeadSelfAttention, SinusoidalPositionEncoding } from './attention';
import { SeedSequence } from './initializers';
import { seededDropout } from './seededDropout';
import { spectrogramToSequence } from './sequenceInput';

export interface TransformerOptions {
  /** [mel bands, frames, 1]; frames become the token sequence. */
  inputShape: [number, number, number];
  numClasses: number;
  seed?: number;
  dModel?: number;
  numHeads?: number;
  numLayers?: number;
  ffUnits?: number;
  dropout?: number;
}

/**
 * Transformer encoder over frames: linear projection to d_model, sinusoidal positions,
 * post-norm encoder layers (self-attention + feed-forward, residuals, layer norm),
 * mean pooling over time, softmax head. Defaults: d_model 64, 4 heads, 2 layers.
 */
export function buildTransformer(opts: TransformerOptions): tf.LayersModel {
  const d = opts.dModel ?? 64;
  const heads = opts.numHeads ?? 4;
  const layers = opts.numLayers ?? 2;
  const ff = opts.ffUnits ?? 2 * d;
  const dropout = opts.dropout ?? 0.1;
  const seeds = new SeedSequence(opts.seed ?? 42);
  const [bands, frames] = opts.inputShape;

  const input = tf.input({ shape: opts.inputShape, name: 'logmel' });
  let x = spectrogramToSequence(input, bands, frames);
  x = tf.layers.dense({ units: d, kernelInitializer: seeds.glorot(), name: 'project' }).apply(x) as tf.SymbolicTensor;
  x = new SinusoidalPositionEncoding({ name: 'positions' }).apply(x) as tf.SymbolicTensor;
  for (let l = 1; l <= layers; l++) {
    const p = `enc${l}`;
    let a = new MultiHeadSelfAttention({ numHeads: heads, seed: seeds.take(), name: `${p}_attention` }).apply(x) as tf.SymbolicTensor;
    a = seededDropout(dropout, seeds.take(), `${p}_attention_dropout`).apply(a) as tf.SymbolicTensor;
    x = tf.layers.add({ name: `${p}_attention_residual` }).apply([x, a]) as tf.SymbolicTensor;
    x = tf.layers.layerNormalization({ name: `${p}_norm1` }).apply(x) as tf.SymbolicTensor;
    let f = tf.layers.dense({ units: ff, activation: 'relu', kernelInitializer: seeds.glorot(), name: `${p}_ff1` }).apply(x) as tf.SymbolicTensor;
    f = tf.layers.dense({ units: d, kernelInitializer: seeds.glorot(), name: `${p}_ff2` }).apply(f) as tf.SymbolicTensor;
    f = seededDropout(dropout, seeds.take(), `${p}_ff_dropout`).apply(f) as tf.SymbolicTensor;
    x = tf.layers.add({ name: `${p}_ff_residual` }).apply([x, f]) as tf.SymbolicTensor;
    x = tf.layers.layerNormalization({ name: `${p}_norm2` }).apply(x) as tf.SymbolicTensor;
  }
  x = tf.layers.globalAveragePooling1d({ name: 'mean_over_time' }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers
    .dense({ units: opts.numClasses, activation: 'softmax', kernelInitializer: seeds.glorot(), name: 'probs' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'transformer' });
}
