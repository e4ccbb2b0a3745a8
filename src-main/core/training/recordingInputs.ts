import { resample } from '../../../src-shared/audio/resample';
import { speedPerturb } from '../../../src-shared/audio/speedPerturbation';
import type { FeatureConfig } from '../../../src-shared/config/features';
import { computeFeatures } from '../features/compute';
import { normalizeSpeaker } from './normalization';
import { toModelInputs, type Matrix, type Preprocessing } from './preprocessing';

/** What turns a recording into a model's inputs: its feature configs and preprocessing (a saved model's meta has them). */
export interface InputRecipe {
  featureConfig: FeatureConfig;
  auxFeatureConfig?: FeatureConfig;
  preprocessing: Preprocessing;
}

export type RecordingFeatures = { features: Matrix; auxFeatures?: Matrix };

/** The model's feature matrices of mono samples at any rate (resampled to each feature config's rate). */
export function recordingFeatures(model: InputRecipe, samples: Float32Array, sampleRate: number): RecordingFeatures {
  const rate = model.featureConfig.sampleRate;
  const x = sampleRate === rate ? samples : resample(samples, sampleRate, rate);
  const matrices: RecordingFeatures = { features: computeFeatures(x, rate, model.featureConfig) };
  if (model.auxFeatureConfig) {
    const aux = model.auxFeatureConfig;
    const y = aux.sampleRate === rate ? x : resample(samples, sampleRate, aux.sampleRate);
    matrices.auxFeatures = computeFeatures(y, aux.sampleRate, aux);
  }
  return matrices;
}

/**
 * A lone recording's model inputs. Speaker normalisation needs several utterances of the speaker; a lone recording's
 * frames are its own (weaker) reference. Utterance-level features (one value per dimension) have no frames to take
 * statistics from: standardised alone they are all zeros, the same for every file, so that is refused rather than
 * answered. Kept free of tfjs so the standalone predictor (src-main/standalone) bundles it small.
 */
export function recordingInputs(model: InputRecipe, samples: Float32Array, sampleRate: number, file: string): Float32Array[] {
  const matrices = recordingFeatures(model, samples, sampleRate);
  if (model.preprocessing.speakerNormalization) {
    if (matrices.features.shape[1] < 2 || (matrices.auxFeatures && matrices.auxFeatures.shape[1] < 2))
      throw new Error(
        `${file}: this model standardises its utterance-level features per speaker, which one recording alone cannot do (each would become all zeros); classify several files of the speaker together (Predict's one-speaker option, --one-speaker) or with an enrolled speaker profile (the Recorder's speaker profile, ser enrol and --profile)`,
      );
    matrices.features = normalizeSpeaker([matrices.features])[0];
    if (matrices.auxFeatures) matrices.auxFeatures = normalizeSpeaker([matrices.auxFeatures])[0];
  }
  return toModelInputs(matrices, model.preprocessing, file);
}

/**
 * The recording at the model's rate, then its test-time speed copies (preprocessing.testTimeSpeeds), each perturbed
 * after resampling as the training copies were; a prediction averages the model's probabilities over them. Without
 * test-time speeds, the recording alone.
 */
export function recordingCopies(model: InputRecipe, samples: Float32Array, sampleRate: number): { samples: Float32Array; sampleRate: number }[] {
  const speeds = model.preprocessing.testTimeSpeeds ?? [];
  if (!speeds.length) return [{ samples, sampleRate }];
  const rate = model.featureConfig.sampleRate;
  const x = sampleRate === rate ? samples : resample(samples, sampleRate, rate);
  return [x, ...speeds.map((s) => speedPerturb(x, rate, s))].map((c) => ({ samples: c, sampleRate: rate }));
}
