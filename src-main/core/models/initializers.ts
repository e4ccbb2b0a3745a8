import * as tf from '@tensorflow/tfjs';

type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;

/**
 * Hands out one distinct seed per layer so weight init is reproducible: tfjs initializers
 * fall back to Math.random when no seed is given.
 */
export class SeedSequence {
  private next: number;
  constructor(seed = 42) {
    this.next = (seed >>> 0) * 1000 + 1;
  }
  /** A new integer seed, different from every previous one from this sequence. */
  take(): number {
    return this.next++;
  }
  glorot(): Initializer {
    return tf.initializers.glorotUniform({ seed: this.take() });
  }
  heNormal(): Initializer {
    return tf.initializers.heNormal({ seed: this.take() });
  }
  orthogonal(): Initializer {
    return tf.initializers.orthogonal({ seed: this.take(), gain: 1 });
  }
}
