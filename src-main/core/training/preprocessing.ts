import { applyNormalization, fitFrames, type NormalizationStats } from './normalization';

/** A feature matrix as the extractors return it: [bands|dims, frames], row-major. */
export interface Matrix {
  shape: [number, number];
  data: Float32Array;
}

/** How one model input is made from a feature matrix; saved with the model so prediction repeats it exactly. */
export interface InputSpec {
  /** Which feature config of the run feeds this input. */
  source: 'features' | 'auxFeatures';
  /** spectrogram → [rows, frames, 1] (cropped/padded to `frames`); vector → [rows] (the flattened matrix). */
  role: 'spectrogram' | 'vector';
  rows: number;
  frames: number;
  normalization: NormalizationStats;
}

export interface Preprocessing {
  inputs: InputSpec[];
  /** Features were standardised per speaker before the inputs' own normalisation (see RunConfig.speakerNormalization). */
  speakerNormalization?: boolean;
  /** Batch-norm statistics are re-estimated per speaker at evaluation (see RunConfig.speakerAdaptiveBatchNorm). */
  speakerAdaptiveBatchNorm?: boolean;
  /** Every prediction averages the recording's probabilities with its copies' at these speeds (RunConfig.testTimeSpeedPerturbation). */
  testTimeSpeeds?: number[];
}

/** Model input shapes without the batch axis. */
export function inputShapes(p: Preprocessing): number[][] {
  return p.inputs.map((s) => (s.role === 'spectrogram' ? [s.rows, s.frames, 1] : [s.rows]));
}

/** Raw (unnormalised) input values of one spec: spectrograms fitted to the frame count, vectors flattened. */
export function rawInput(m: Matrix, spec: Pick<InputSpec, 'role' | 'rows' | 'frames'>, file: string): Float32Array {
  if (spec.role === 'vector') {
    if (m.data.length !== spec.rows) throw new Error(`${file}: feature vector has ${m.data.length} values, the model expects ${spec.rows}.`);
    return m.data;
  }
  if (m.shape[0] !== spec.rows) throw new Error(`${file}: features have ${m.shape[0]} bands, the model expects ${spec.rows}.`);
  return fitFrames(m.data, spec.rows, spec.frames);
}

/** Model inputs for one utterance from its feature matrices. */
export function toModelInputs(matrices: Partial<Record<InputSpec['source'], Matrix>>, p: Preprocessing, file: string): Float32Array[] {
  return p.inputs.map((spec) => {
    const m = matrices[spec.source];
    if (!m) throw new Error(`${file}: missing ${spec.source === 'features' ? 'primary' : 'auxiliary'} features.`);
    return applyNormalization(rawInput(m, spec, file), spec.normalization);
  });
}
