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
}

/** Seeded mulberry32 + Box–Muller normals, enough for initialisation. */
function normals(n: number, seed: number): Float64Array {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const th = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(th);
    if (i + 1 < n) out[i + 1] = r * Math.sin(th);
  }
  return out;
}

/**
 * A rows x cols matrix with orthonormal rows (rows ≤ cols) or columns (rows > cols), by
 * Gram–Schmidt on seeded Gaussian vectors, row-major. tfjs' own orthogonal initializer runs a
 * QR decomposition in JS that takes seconds for an LSTM's recurrent kernel.
 */
export function orthogonalMatrix(rows: number, cols: number, seed: number): Float32Array {
  const k = Math.min(rows, cols);
  const len = Math.max(rows, cols);
  const v = normals(k * len, seed);
  for (let i = 0; i < k; i++) {
    const vi = v.subarray(i * len, (i + 1) * len);
    // Twice-iterated Gram–Schmidt keeps the vectors orthogonal to float precision.
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < i; j++) {
        const vj = v.subarray(j * len, (j + 1) * len);
        let dot = 0;
        for (let t = 0; t < len; t++) dot += vi[t] * vj[t];
        for (let t = 0; t < len; t++) vi[t] -= dot * vj[t];
      }
    }
    let norm = 0;
    for (let t = 0; t < len; t++) norm += vi[t] * vi[t];
    norm = Math.sqrt(norm);
    for (let t = 0; t < len; t++) vi[t] /= norm;
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] = rows <= cols ? v[r * len + c] : v[c * len + r];
  }
  return out;
}

/** Sets every recurrent kernel of a built model to a seeded orthogonal matrix (Keras' default init). */
export function initRecurrentOrthogonal(model: tf.LayersModel, seeds: SeedSequence): void {
  for (const layer of model.layers) {
    const weights = layer.weights;
    if (!weights.some((w) => /recurrent_kernel$/.test(w.originalName))) continue;
    tf.tidy(() => {
      const values = layer.getWeights().map((t, i) => {
        if (!/recurrent_kernel$/.test(weights[i].originalName)) return t;
        const [rows, cols] = t.shape;
        return tf.tensor2d(orthogonalMatrix(rows, cols, seeds.take()), [rows, cols]);
      });
      layer.setWeights(values);
    });
  }
}
