import * as tf from '@tensorflow/tfjs';

/**
 * Adaptive batch normalisation (AdaBN; Li et al., "Revisiting Batch Normalization for Practical Domain Adaptation",
 * 2016): a trained network's batch-norm layers get their moving mean and variance re-estimated on the data of a new
 * domain — here one speaker's unlabelled utterances — while every learnt weight stays as it is.
 */

type LayerVariable = tf.LayersModel['weights'][number];

interface BatchNormStats {
  layer: tf.layers.Layer;
  mean: LayerVariable;
  variance: LayerVariable;
}

/** The model's batch-norm layers with their moving statistics, in the model's (topological) layer order. */
export function batchNormLayers(model: tf.LayersModel): BatchNormStats[] {
  const out: BatchNormStats[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const mean = layer.weights.find((w) => w.originalName.endsWith('moving_mean'));
    const variance = layer.weights.find((w) => w.originalName.endsWith('moving_variance'));
    if (!mean || !variance) throw new Error(`Batch-norm layer ${layer.name} has no moving statistics.`);
    const axis = (layer.getConfig() as { axis: number }).axis;
    if (axis !== -1 && axis !== (layer.input as tf.SymbolicTensor).shape.length - 1) {
      throw new Error(`Batch-norm layer ${layer.name} normalises axis ${axis}; adaptation handles the channels-last axis only.`);
    }
    out.push({ layer, mean, variance });
  }
  return out;
}

/** Copies of every batch-norm layer's moving statistics, to put back with restoreBatchNormStats. */
export function snapshotBatchNormStats(model: tf.LayersModel): tf.Tensor[] {
  return batchNormLayers(model).flatMap((b) => [b.mean.read().clone(), b.variance.read().clone()]);
}

/** Writes back a snapshot taken by snapshotBatchNormStats from the same model (the caller still owns and disposes it). */
export function restoreBatchNormStats(model: tf.LayersModel, snapshot: tf.Tensor[]): void {
  const layers = batchNormLayers(model);
  if (snapshot.length !== layers.length * 2)
    throw new Error(`Batch-norm snapshot has ${snapshot.length} tensors; the model needs ${layers.length * 2}.`);
  layers.forEach((b, i) => {
    b.mean.write(snapshot[2 * i]);
    b.variance.write(snapshot[2 * i + 1]);
  });
}

/** Sub-models from the model's inputs to each batch-norm layer's input, built once per model. */
const probes = new WeakMap<tf.LayersModel, tf.LayersModel[]>();

function probesOf(model: tf.LayersModel, layers: BatchNormStats[]): tf.LayersModel[] {
  let p = probes.get(model);
  if (!p) {
    p = layers.map((b) => tf.model({ inputs: model.inputs, outputs: b.layer.input as tf.SymbolicTensor }));
    probes.set(model, p);
  }
  return p;
}

/**
 * Re-estimates every batch-norm layer's moving mean and (biased) variance from `batches` of model inputs, layer by
 * layer in order: each layer's statistics are those of its input over all examples and positions, computed with the
 * layers before it already adapted — exactly what inference with these statistics will see. Batches are combined
 * exactly (Chan et al.'s pairwise update), so the result does not depend on how the data is batched.
 * `batches()` is called once per batch-norm layer and must yield the same inputs each time; each yielded batch is
 * disposed here once used. Returns the number of layers adapted.
 */
export async function adaptBatchNorm(model: tf.LayersModel, batches: () => Iterable<tf.Tensor[]>): Promise<number> {
  const layers = batchNormLayers(model);
  const subModels = probesOf(model, layers);
  for (const [i, b] of layers.entries()) {
    let count = 0;
    let mean: Float64Array | null = null;
    let m2: Float64Array | null = null;
    for (const xs of batches()) {
      const [bm, bv, n] = tf.tidy(() => {
        const y = subModels[i].predict(xs.length === 1 ? xs[0] : xs) as tf.Tensor;
        const axes = y.shape.slice(0, -1).map((_, a) => a);
        const m = tf.moments(y, axes);
        return [m.mean, m.variance, y.size / y.shape[y.rank - 1]] as const;
      });
      xs.forEach((x) => x.dispose());
      const [batchMean, batchVar] = [Float64Array.from(await bm.data()), Float64Array.from(await bv.data())];
      bm.dispose();
      bv.dispose();
      if (!mean || !m2) {
        mean = batchMean;
        m2 = batchVar.map((v) => v * n);
      } else {
        const total = count + n;
        for (let c = 0; c < mean.length; c++) {
          const delta = batchMean[c] - mean[c];
          mean[c] += (delta * n) / total;
          m2[c] += batchVar[c] * n + (delta * delta * count * n) / total;
        }
      }
      count += n;
    }
    if (!mean || !m2 || count === 0) throw new Error('Batch-norm adaptation needs at least one example.');
    const variance = m2.map((v) => v / count);
    for (const [v, values] of [
      [b.mean, mean],
      [b.variance, variance],
    ] as const) {
      const t = tf.tensor1d(Float32Array.from(values));
      v.write(t);
      t.dispose();
    }
  }
  return layers.length;
}

/** Runs `fn`, which may rewrite the model's batch-norm statistics; the model's own are back in place afterwards. */
export async function keepingBatchNormStats<T>(model: tf.LayersModel, fn: () => Promise<T>): Promise<T> {
  const snapshot = snapshotBatchNormStats(model);
  try {
    return await fn();
  } finally {
    restoreBatchNormStats(model, snapshot);
    snapshot.forEach((t) => t.dispose());
  }
}

const locks = new WeakMap<tf.LayersModel, Promise<unknown>>();

/**
 * Runs `fn` with the model to itself. Prediction with another speaker's batch-norm statistics swaps them in and out
 * around awaits; a prediction of the same (cached, shared) model in between would otherwise see the wrong ones.
 */
export function exclusive<T>(model: tf.LayersModel, fn: () => Promise<T>): Promise<T> {
  const run = (locks.get(model) ?? Promise.resolve()).then(fn, fn);
  locks.set(
    model,
    run.catch(() => undefined),
  );
  return run;
}

/** The moving statistics as plain arrays (mean, variance per layer, in snapshot order): what a speaker profile stores. */
export function readBatchNormStats(model: tf.LayersModel): number[][] {
  return batchNormLayers(model).flatMap((b) => [Array.from(b.mean.read().dataSync()), Array.from(b.variance.read().dataSync())]);
}

/** Writes statistics read by readBatchNormStats (from this model's architecture) into the model. */
export function writeBatchNormStats(model: tf.LayersModel, stats: number[][]): void {
  const tensors = stats.map((s) => tf.tensor1d(Float32Array.from(s)));
  try {
    const layers = batchNormLayers(model);
    tensors.forEach((t, i) => {
      const expected = (i % 2 === 0 ? layers[i >> 1]?.mean : layers[i >> 1]?.variance)?.shape[0];
      if (expected !== t.shape[0])
        throw new Error(`batch-norm statistics ${i} have ${t.shape[0]} values; the model's layer has ${expected ?? 'none'}`);
    });
    restoreBatchNormStats(model, tensors);
  } finally {
    tensors.forEach((t) => t.dispose());
  }
}
