import * as tf from '@tensorflow/tfjs';

/**
 * Multi-head self-attention over [batch, time, dModel] (tfjs has no MultiHeadAttention layer).
 * Registered for serialization so saved transformer models load again.
 */
export class MultiHeadSelfAttention extends tf.layers.Layer {
  static className = 'MultiHeadSelfAttention';
  readonly numHeads: number;
  readonly seed: number;
  private wq!: tf.LayerVariable;
  private wk!: tf.LayerVariable;
  private wv!: tf.LayerVariable;
  private wo!: tf.LayerVariable;
  private bq!: tf.LayerVariable;
  private bk!: tf.LayerVariable;
  private bv!: tf.LayerVariable;
  private bo!: tf.LayerVariable;

  constructor(args: { numHeads: number; seed: number; name?: string }) {
    super({ name: args.name });
    this.numHeads = args.numHeads;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const d = shape[shape.length - 1] as number;
    if (d % this.numHeads !== 0) throw new Error(`MultiHeadSelfAttention: model width ${d} is not divisible by ${this.numHeads} heads.`);
    const kernel = (name: string, k: number) => this.addWeight(name, [d, d], 'float32', tf.initializers.glorotUniform({ seed: this.seed * 16 + k }));
    const bias = (name: string) => this.addWeight(name, [d], 'float32', tf.initializers.zeros());
    this.wq = kernel('query_kernel', 1);
    this.wk = kernel('key_kernel', 2);
    this.wv = kernel('value_kernel', 3);
    this.wo = kernel('output_kernel', 4);
    this.bq = bias('query_bias');
    this.bk = bias('key_bias');
    this.bv = bias('value_bias');
    this.bo = bias('output_bias');
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
    return tf.tidy(() => {
      const [b, t, d] = x.shape;
      const h = this.numHeads;
      const dk = d / h;
      const flat = x.reshape([b * t, d]);
      // [b*t, d] → [b, h, t, dk]
      const heads = (w: tf.LayerVariable, bias: tf.LayerVariable) =>
        tf.matMul(flat, w.read()).add(bias.read()).reshape([b, t, h, dk]).transpose([0, 2, 1, 3]);
      const q = heads(this.wq, this.bq);
      const k = heads(this.wk, this.bk);
      const v = heads(this.wv, this.bv);
      const weights = tf.softmax(tf.matMul(q, k, false, true).div(Math.sqrt(dk)));
      const context = tf
        .matMul(weights, v)
        .transpose([0, 2, 1, 3])
        .reshape([b * t, d]);
      return tf.matMul(context, this.wo.read()).add(this.bo.read()).reshape([b, t, d]);
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return Array.isArray(inputShape[0]) ? (inputShape[0] as tf.Shape) : inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numHeads: this.numHeads, seed: this.seed };
  }
}
tf.serialization.registerClass(MultiHeadSelfAttention);

/** Adds fixed sinusoidal position encodings (Vaswani et al.) to [batch, time, dModel]. */
export class SinusoidalPositionEncoding extends tf.layers.Layer {
  static className = 'SinusoidalPositionEncoding';

  constructor(args: { name?: string } = {}) {
    super({ name: args.name });
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
    return tf.tidy(() => x.add(positionTable(x.shape[1], x.shape[2]).expandDims(0)));
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }
}
tf.serialization.registerClass(SinusoidalPositionEncoding);

/** [time, d] table: sin on even, cos on odd dimensions, wavelengths 2π … 10000·2π. */
export function positionTable(time: number, d: number): tf.Tensor2D {
  const table = new Float32Array(time * d);
  for (let pos = 0; pos < time; pos++) {
    for (let i = 0; i < d; i++) {
      const angle = pos / Math.pow(10000, (2 * Math.floor(i / 2)) / d);
      table[pos * d + i] = i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return tf.tensor2d(table, [time, d]);
}
