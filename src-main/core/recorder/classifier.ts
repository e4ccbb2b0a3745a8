import { resample } from '../../../src-shared/audio/resample';
import { currentBackend, selectBackend, type SelectedBackend } from '../tfjs/backend';
import { type BackendName } from '../../../src-shared/config/backends';
import { classifySamples, loadPredictor, type Predictor, type SpeakerStatsSource } from '../training/predict';
import { UTTERANCE_WINDOW_SECONDS, type Classification, type WindowClassifier } from '../../../src-shared/live/liveWindow';
import { errorMessage } from '../../../src-shared/api/errors';

// The bridge from a saved model (training/predict.ts) to the recorder: one-shot classification of
// a take, and the WindowClassifier that live mode slides over a stream.

/**
 * A saved model as live mode's classifier: its input length (or `windowSeconds`), its sample rate, its predictions
 * (adapted to `speaker`, an enrolled profile, when given).
 */
export function modelClassifier(model: Predictor, opts: { windowSeconds?: number; speaker?: SpeakerStatsSource } = {}): WindowClassifier {
  return {
    inputSeconds: opts.windowSeconds ?? (model.inputSeconds > 0 ? model.inputSeconds : UTTERANCE_WINDOW_SECONDS),
    sampleRate: model.sampleRate,
    classify: (samples, sampleRate) => classifySamples(model, samples, sampleRate, opts.speaker),
  };
}

/**
 * Loads a saved model directory for the recorder, first switching TensorFlow.js to the fastest
 * backend unless one was chosen already (the pure-JS cpu default is ~7x slower per window than
 * wasm); errors name the directory.
 */
export async function loadRecorderModel(
  dir: string,
  opts: { backend?: BackendName | 'auto' } = {},
): Promise<Predictor & { backend: SelectedBackend }> {
  const backend = opts.backend || !currentBackend() ? await selectBackend(opts.backend ?? 'auto') : currentBackend()!;
  try {
    return Object.assign(await loadPredictor(dir), { backend });
  } catch (err) {
    const message = errorMessage(err);
    throw new Error(message.includes(dir) ? message : `cannot load the model in ${dir}: ${message}`);
  }
}

/** Classifies one recording, resampled from `sampleRate` Hz to the model's rate first (adapted to `speaker` when given). */
export function classifyRecording(
  model: Predictor,
  samples: Float32Array,
  sampleRate: number,
  speaker?: SpeakerStatsSource,
): Promise<Classification> {
  const input = sampleRate === model.sampleRate ? samples : resample(samples, sampleRate, model.sampleRate);
  return classifySamples(model, input, model.sampleRate, speaker);
}
