import * as tf from '@tensorflow/tfjs';
import type { Random } from './seededRandom';

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
 * Mean (optionally class-weighted) cross-entropy -Σ y_c log p_c on softmax outputs, for one-hot
 * or soft (mixup) targets; with gamma > 0 the focal loss of Lin et al., -Σ y_c (1 - p_c)^γ log p_c,
 * which down-weights examples already classified well. Class weights weigh each example by Σ y_c w_c.
 */
export function classificationLoss(probs: tf.Tensor2D, targets: tf.Tensor2D, opts: { weights?: number[]; focalGamma?: number }): tf.Scalar {
  return tf.tidy(() => {
    const p = probs.clipByValue(EPS, 1 - EPS);
    let terms = p.log().neg().mul(targets);
    if (opts.focalGamma && opts.focalGamma > 0) terms = terms.mul(tf.sub(1, p).pow(opts.focalGamma));
    let perExample = terms.sum(1);
    if (opts.weights) perExample = perExample.mul(targets.mul(tf.tensor1d(opts.weights)).sum(1));
    return perExample.mean() as tf.Scalar;
  });
}
