import * as tf from '@tensorflow/tfjs';

/**
 * Turns the shared [bands, frames, 1] spectrogram input into a [frames, bands] sequence, so
 * every spectrogram model takes the same tensor and the data pipeline has one shape.
 */
export function spectrogramToSequence(input: tf.SymbolicTensor, bands: number, frames: number): tf.SymbolicTensor {
  const x = tf.layers.reshape({ targetShape: [bands, frames], name: 'squeeze_channel' }).apply(input) as tf.SymbolicTensor;
  return tf.layers.permute({ dims: [2, 1], name: 'frames_first' }).apply(x) as tf.SymbolicTensor;
}
