import type * as tf from '@tensorflow/tfjs';
import { adaptBatchNorm, keepingBatchNormStats } from '../tfjs/batchNormAdaptation';
import { predictProbabilities, stackInputs, type Example } from './examples';

/** Speakers with fewer files keep the training statistics: a handful of utterances is too few to estimate them from. */
export const MIN_ADAPTATION_FILES = 8;

export interface AdaptedPrediction {
  probs: Float32Array[];
  /** Files predicted with their own speaker's batch-norm statistics. */
  adaptedFiles: number;
  speakers: number;
}

/**
 * Class probabilities with speaker-adaptive batch norm (see batchNormAdaptation): the files of each speaker with at
 * least MIN_ADAPTATION_FILES files are predicted with batch-norm statistics re-estimated on that speaker's files
 * (no labels); other files, and files of unknown speaker, with the training statistics. The model's own statistics
 * are back in place afterwards.
 */
export async function predictWithSpeakerAdaptation(
  model: tf.LayersModel,
  examples: Example[],
  inputShapes: number[][],
  speakers: (string | null | undefined)[],
  batchSize = 32,
): Promise<AdaptedPrediction> {
  const groups = new Map<string, number[]>();
  speakers.forEach((s, i) => {
    if (s === null || s === undefined) return;
    const g = groups.get(s) ?? [];
    g.push(i);
    groups.set(s, g);
  });
  const probs: Float32Array[] = new Array(examples.length);
  const adapted = [...groups.values()].filter((g) => g.length >= MIN_ADAPTATION_FILES);
  const inAdapted = new Set(adapted.flat());
  const rest = examples.map((_, i) => i).filter((i) => !inAdapted.has(i));
  if (rest.length)
    (
      await predictProbabilities(
        model,
        rest.map((i) => examples[i]),
        inputShapes,
      )
    ).forEach((p, j) => (probs[rest[j]] = p));
  if (adapted.length === 0) return { probs, adaptedFiles: 0, speakers: 0 };
  await keepingBatchNormStats(model, async () => {
    // Each adaptation rewrites every layer from its input alone, so one speaker's statistics never leak into the next.
    for (const group of adapted) {
      const members = group.map((i) => examples[i]);
      await adaptBatchNorm(model, function* () {
        for (let s = 0; s < members.length; s += batchSize) yield stackInputs(members.slice(s, s + batchSize), inputShapes);
      });
      (await predictProbabilities(model, members, inputShapes)).forEach((p, j) => (probs[group[j]] = p));
    }
  });
  return { probs, adaptedFiles: inAdapted.size, speakers: adapted.length };
}
