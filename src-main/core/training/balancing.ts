import * as tf from '@tensorflow/tfjs';
import type { Random } from './random';

/** Per-class weights n / (k · count_c) (sklearn 'balanced'); classes absent from y get weight 0. */
export function classWeights(y: number[], numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const c of y) counts[c]++;
  const present = counts.filter((c) => c > 0).length;
  return counts.map((c) => (c === 0 ? 0 : y.length / (present * c)));
}

/**
 * Indices into y where every class is repeated (cycling through its examples in a seeded order)
 * up to the size of the largest class, then shuffled.
 */
export function oversampledIndices(y: number[], numClasses: number, rng: Random): number[] {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  y.forEach((c, i) => byClass[c].push(i));
  const target = Math.max(...byClass.map((b) => b.length));
  const out: number[] = [];
  for (const members of byClass) {
    if (!members.length) continue;
    const order = rng.shuffle(members.slice());
    for (let i = 0; i < target; i++) out.push(order[i % order.length]);
  }
  return rng.shuffle(out);
}

/** Length of oversampledIndices(y, numClasses): classes present × the largest class count. */
export function oversampledSize(y: number[], numClasses: number): number {
  const counts = new Array<number>(numClasses).fill(0);
  for (const c of y) counts[c]++;
  return counts.filter((n) => n > 0).length * Math.max(...counts);
}

const EPS = 1e-7;

/**
 * Mean (optionally class-weighted) cross-entropy on softmax outputs; with gamma > 0 the focal
 * loss of Lin et al., -(1 - p_t)^γ · log p_t, which down-weights examples already classified well.
 */
export function classificationLoss(probs: tf.Tensor2D, oneHot: tf.Tensor2D, opts: { weights?: number[]; focalGamma?: number }): tf.Scalar {
  return tf.tidy(() => {
    const pt = probs.clipByValue(EPS, 1 - EPS).mul(oneHot).sum(1);
    let perExample = pt.log().neg();
    if (opts.focalGamma && opts.focalGamma > 0) perExample = perExample.mul(tf.sub(1, pt).pow(opts.focalGamma));
    if (opts.weights) perExample = perExample.mul(oneHot.mul(tf.tensor1d(opts.weights)).sum(1));
    return perExample.mean() as tf.Scalar;
  });
}
