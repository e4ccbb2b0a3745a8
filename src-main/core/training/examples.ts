import * as tf from '@tensorflow/tfjs';

/** One labelled utterance ready for a network: inputs[i] is row-major with shape inputShapes[i]. */
export interface Example {
  fileId: number;
  label: number;
  inputs: Float32Array[];
  /** The file's speaker, where known (speaker-adaptive batch norm groups by it). */
  speaker?: string | null;
  /** A speed-perturbed training copy of the file (speedPerturbation); absent for the recording itself. */
  speed?: number;
}

/** Stacks examples into one tensor per model input: [batch, ...shape]. */
export function stackInputs(examples: Example[], inputShapes: number[][]): tf.Tensor[] {
  return inputShapes.map((shape, i) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const buf = new Float32Array(examples.length * size);
    examples.forEach((ex, j) => {
      const x = ex.inputs[i];
      if (x.length !== size)
        throw new Error(`Input ${i} of file ${ex.fileId} has ${x.length} values; the model expects ${size} (${shape.join('x')}).`);
      buf.set(x, j * size);
    });
    return tf.tensor(buf, [examples.length, ...shape]);
  });
}

/** Softmax outputs for every example, in order, computed in inference mode batch by batch. */
export async function predictProbabilities(
  model: tf.LayersModel,
  examples: Example[],
  inputShapes: number[][],
  batchSize = 64,
): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let start = 0; start < examples.length; start += batchSize) {
    const batch = examples.slice(start, start + batchSize);
    const xs = stackInputs(batch, inputShapes);
    const probs = model.predict(xs.length === 1 ? xs[0] : xs) as tf.Tensor2D;
    const data = await probs.data();
    const k = probs.shape[1];
    for (let j = 0; j < batch.length; j++) out.push(Float32Array.from(data.subarray(j * k, (j + 1) * k)));
    probs.dispose();
    xs.forEach((t) => t.dispose());
  }
  return out;
}

/** Index of the largest value. */
export function argmax(p: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
  return best;
}
