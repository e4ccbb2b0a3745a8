import { z } from 'zod';
import { FeatureConfigSchema } from '../../../src-shared/config/features';
import { SPEED_FACTOR_RANGE } from '../../../src-shared/audio/speedPerturbation';
import type { OnnxExportResult } from '../../../src-shared/api/contract';
import { InputSpecSchema, type SavedModelMeta } from '../training/savedModel';

/**
 * preprocessing.json beside a model.onnx: how to turn a recording into the graph's inputs (feature configs, each
 * input's normalisation statistics and ONNX name) and what its outputs mean (labels). The export writes it; a model
 * trained elsewhere declares its inputs in the same file to be evaluated here.
 */
export const PreprocessingJsonSchema = z.object({
  labels: z.array(z.string().min(1)).min(2),
  features: FeatureConfigSchema,
  auxFeatures: FeatureConfigSchema.nullable(),
  inputs: z
    .array(InputSpecSchema.extend({ onnxInput: z.string().min(1), dims: z.array(z.union([z.number().int().positive(), z.string()])).min(2) }))
    .min(1),
  speakerNormalization: z.boolean(),
  /** Test-time speed copies: a prediction averages the graph's output over the recording and its copies at these speeds. */
  testTimeSpeeds: z.array(z.number().min(SPEED_FACTOR_RANGE[0]).max(SPEED_FACTOR_RANGE[1])).min(1).optional(),
});
export type PreprocessingJson = z.infer<typeof PreprocessingJsonSchema>;

/** An exported ensemble's preprocessing.json: each member's own (its inputs named m1_…, m2_… in the graph) and the weights. */
export const EnsemblePreprocessingJsonSchema = z.object({
  labels: z.array(z.string().min(1)).min(2),
  weights: z.array(z.number().min(0)).min(2),
  members: z.array(PreprocessingJsonSchema).min(2),
});
export type EnsemblePreprocessingJson = z.infer<typeof EnsemblePreprocessingJsonSchema>;
export type PreprocessingFile = PreprocessingJson | EnsemblePreprocessingJson;

export function preprocessingJson(meta: SavedModelMeta, inputs: OnnxExportResult['inputs']): PreprocessingJson {
  return {
    labels: meta.labels,
    features: meta.features,
    auxFeatures: meta.auxFeatures ?? null,
    inputs: meta.preprocessing.inputs.map((spec, i) => ({ ...spec, onnxInput: inputs[i].name, dims: inputs[i].dims })),
    speakerNormalization: Boolean(meta.preprocessing.speakerNormalization),
    ...(meta.preprocessing.testTimeSpeeds?.length ? { testTimeSpeeds: meta.preprocessing.testTimeSpeeds } : {}),
  };
}
