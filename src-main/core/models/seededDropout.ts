import * as tf from '@tensorflow/tfjs';

/**
 * Dropout whose masks come from a seeded counter, so a fixed run seed gives identical
 * training. tfjs' own Dropout either uses Math.random (no seed) or repeats one mask
 * forever (fixed seed); this draws seed + k for the k-th training call instead.
 */
export class SeededDropout extends tf.layers.Layer {
  static className = 'SeededDropout';
  readonly rate: number;
  readonly seed: number;
  private calls = 0;

  constructor(args: { rate: number; seed: number; name?: string }) {
    super({ name: args.name });
    this.rate = args.rate;
    this.seed = args.seed;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs.training || this.rate <= 0) return x;
    const seed = this.seed * 7919 + this.calls++;
    return tf.tidy(() => {
      const keep = tf.randomUniform(x.shape, 0, 1, 'float32', seed).greaterEqual(this.rate);
      return x.mul(keep.cast('float32')).div(1 - this.rate);
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
tf.serialization.registerClass(SeededDropout);

/** Seeded dropout layer (see SeededDropout). */
export function seededDropout(rate: number, seed: number, name?: string): SeededDropout {
  return new SeededDropout({ rate, seed, name });
}
