import { adaptBatchNorm, exclusive, keepingBatchNormStats, readBatchNormStats, writeBatchNormStats } from '../tfjs/batchNormAdaptation';
import { predictProbabilities, stackInputs, type Example } from './examples';
import { applySpeakerStats, fitSpeakerStats, type SpeakerStats } from './normalization';
import { inputShapes, toModelInputs } from './preprocessing';
import { recordingFeatures, type RecordingFeatures } from './recordingInputs';
import { MIN_ADAPTATION_FILES } from './speakerAdaptation';
import type { LoadedModel } from './predict';

// Enrolment: one speaker's unlabelled utterances, turned once per model into the statistics that speaker adaptation
// would take from a test set grouped by speaker (speaker normalisation, adaptive batch norm), then applied to every
// later take of that speaker alone. With the same utterances the result is what `ser predict --one-speaker` gives.

/** One model's statistics of one speaker; present only for what the model adapts. */
export interface ModelSpeakerStats {
  /** Speaker normalisation of the primary features. */
  features?: SpeakerStats;
  auxFeatures?: SpeakerStats;
  /** Adaptive batch norm: moving mean and variance per batch-norm layer (readBatchNormStats order). */
  batchNorm?: number[][];
}

export interface Utterance {
  samples: Float32Array;
  sampleRate: number;
}

/** True when the model uses speaker statistics at prediction time, i.e. a profile changes its answers. */
export const adaptsToSpeaker = (model: LoadedModel): boolean =>
  Boolean(model.preprocessing.speakerNormalization || (model.preprocessing.speakerAdaptiveBatchNorm && model.network));

function normalized(matrices: RecordingFeatures, stats: ModelSpeakerStats, model: LoadedModel): RecordingFeatures {
  if (!model.preprocessing.speakerNormalization) return matrices;
  if (!stats.features || (matrices.auxFeatures && !stats.auxFeatures))
    throw new Error('the speaker profile has no speaker-normalisation statistics for this model');
  return {
    features: applySpeakerStats(matrices.features, stats.features),
    auxFeatures: matrices.auxFeatures && applySpeakerStats(matrices.auxFeatures, stats.auxFeatures!),
  };
}

/**
 * The statistics of one speaker for `model`, from their utterances (no labels). Batch-norm statistics need at least
 * MIN_ADAPTATION_FILES utterances, as they do per speaker in evaluation; the model's own statistics are back in place
 * afterwards.
 */
export async function fitModelSpeakerStats(model: LoadedModel, utterances: Utterance[]): Promise<ModelSpeakerStats> {
  if (utterances.length === 0) throw new Error('enrolment needs at least one utterance');
  let matrices = utterances.map((u) => recordingFeatures(model, u.samples, u.sampleRate));
  const stats: ModelSpeakerStats = {};
  if (model.preprocessing.speakerNormalization) {
    stats.features = fitSpeakerStats(matrices.map((m) => m.features));
    if (model.auxFeatureConfig) stats.auxFeatures = fitSpeakerStats(matrices.map((m) => m.auxFeatures!));
    matrices = matrices.map((m) => normalized(m, stats, model));
  }
  const network = model.network;
  if (model.preprocessing.speakerAdaptiveBatchNorm && network) {
    if (utterances.length < MIN_ADAPTATION_FILES)
      throw new Error(`batch-norm statistics need at least ${MIN_ADAPTATION_FILES} utterances of the speaker; the profile has ${utterances.length}`);
    const examples: Example[] = matrices.map((m, i) => ({
      fileId: i,
      label: 0,
      inputs: toModelInputs(m, model.preprocessing, `utterance ${i + 1}`),
    }));
    const shapes = inputShapes(model.preprocessing);
    stats.batchNorm = await exclusive(network, () =>
      keepingBatchNormStats(network, async () => {
        // Batches of 32, as predictWithSpeakerAdaptation adapts (the result does not depend on batching).
        await adaptBatchNorm(network, function* () {
          for (let s = 0; s < examples.length; s += 32) yield stackInputs(examples.slice(s, s + 32), shapes);
        });
        return readBatchNormStats(network);
      }),
    );
  }
  return stats;
}

/** A lone take's model inputs with the speaker's statistics. */
export function speakerInputs(model: LoadedModel, stats: ModelSpeakerStats, samples: Float32Array, sampleRate: number, file: string): Float32Array[] {
  return toModelInputs(normalized(recordingFeatures(model, samples, sampleRate), stats, model), model.preprocessing, file);
}

/**
 * Class probabilities of a network that adapts batch norm per speaker, for inputs made by speakerInputs, with the
 * speaker's batch-norm statistics in place (the model's own are back afterwards).
 */
export async function predictWithBatchNormStats(model: LoadedModel, inputs: Float32Array[][], stats: ModelSpeakerStats): Promise<Float32Array[]> {
  const network = model.network;
  if (!network || !model.preprocessing.speakerAdaptiveBatchNorm)
    throw new Error(`Model ${model.dir ?? model.meta.name} does not adapt batch norm to speakers.`);
  if (!stats.batchNorm) throw new Error('the speaker profile has no batch-norm statistics for this model');
  const batchNorm = stats.batchNorm;
  return exclusive(network, () =>
    keepingBatchNormStats(network, async () => {
      writeBatchNormStats(network, batchNorm);
      return predictProbabilities(network, toExamples(inputs), inputShapes(model.preprocessing));
    }),
  );
}

const toExamples = (inputs: Float32Array[][]): Example[] => inputs.map((x, i) => ({ fileId: i, label: 0, inputs: x }));
