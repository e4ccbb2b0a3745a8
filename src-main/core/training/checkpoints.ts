import * as tf from '@tensorflow/tfjs';

/** The weights of the best epoch so far (by the monitored metric), to put back once training ends. */
export class BestCheckpoint {
  private weights: tf.Tensor[] | null = null;

  /** Keeps a copy of the model's current weights, replacing the previous best. */
  save(model: tf.LayersModel): void {
    this.dispose();
    this.weights = model.getWeights().map((w) => w.clone());
  }

  /** Puts the saved weights back; false when none were saved. */
  restore(model: tf.LayersModel): boolean {
    if (!this.weights) return false;
    model.setWeights(this.weights);
    return true;
  }

  dispose(): void {
    this.weights?.forEach((t) => t.dispose());
    this.weights = null;
  }
}

/**
 * Stochastic weight averaging: a running sum of the weights at the end of every epoch from `fromEpoch` on, whose mean
 * (a flatter optimum than any single epoch) becomes the final model.
 */
export class WeightAverager {
  private sum: tf.Tensor[] | null = null;
  /** First and last epoch added so far. */
  range: [number, number] | null = null;

  constructor(readonly fromEpoch: number) {}

  /** Adds the model's weights at the end of `epoch` when it is inside the window. */
  add(model: tf.LayersModel, epoch: number): void {
    if (epoch < this.fromEpoch) return;
    const current = model.getWeights();
    const next = this.sum ? current.map((w, i) => tf.add(this.sum![i], w)) : current.map((w) => w.clone());
    this.sum?.forEach((t) => t.dispose());
    this.sum = next;
    this.range = [this.range?.[0] ?? epoch, epoch];
  }

  /** Sets the model to the mean of the added weights; false when none were added. */
  applyMean(model: tf.LayersModel): boolean {
    if (!this.sum || !this.range) return false;
    const n = this.range[1] - this.range[0] + 1;
    const mean = tf.tidy(() => this.sum!.map((t) => t.div(n)));
    model.setWeights(mean);
    mean.forEach((t) => t.dispose());
    return true;
  }

  dispose(): void {
    this.sum?.forEach((t) => t.dispose());
    this.sum = null;
  }
}
