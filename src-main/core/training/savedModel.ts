import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { FeatureConfigSchema } from '../../../src-shared/config/features';
import { SPEED_FACTOR_RANGE } from '../../../src-shared/audio/speedPerturbation';
import { loadClassical, type ClassicalModel } from '../models/classical';
import { processAlive } from '../store/db';
import { commitStagingDir, createStagingDir, modelSaveError, removeAbandonedSaves } from '../store/modelFolders';
// Registers the custom layers (attention, positions, seeded dropout) before any model is deserialised.
import '../models/attention';
import '../models/seededDropout';
import '../tfjs/cpuGreeting';

export const SAVED_MODEL_FORMAT = 'ser-workbench-model';

const NormalizationSchema = z.object({
  mode: z.enum(['per-band', 'global', 'utterance', 'none']),
  mean: z.array(z.number()),
  std: z.array(z.number()),
});
/** One model input as saved (training/preprocessing.ts InputSpec); the ONNX export's preprocessing.json reuses it. */
export const InputSpecSchema = z.object({
  source: z.enum(['features', 'auxFeatures']),
  role: z.enum(['spectrogram', 'vector']),
  rows: z.number().int().positive(),
  frames: z.number().int().positive(),
  normalization: NormalizationSchema,
});
const MetaSchema = z.object({
  format: z.literal(SAVED_MODEL_FORMAT),
  version: z.literal(1),
  /** 'neural' = tfjs layers model in model.json + weights.bin; 'onnx' = a model.onnx loaded for evaluation (never saved here); otherwise classical.json. */
  kind: z.enum(['neural', 'svm', 'forest', 'logreg', 'linear-svm', 'onnx']),
  preset: z.string(),
  name: z.string(),
  labels: z.array(z.string()).min(2),
  features: FeatureConfigSchema,
  auxFeatures: FeatureConfigSchema.optional(),
  preprocessing: z.object({
    inputs: z.array(InputSpecSchema),
    speakerNormalization: z.boolean().optional(),
    speakerAdaptiveBatchNorm: z.boolean().optional(),
    testTimeSpeeds: z.array(z.number().min(SPEED_FACTOR_RANGE[0]).max(SPEED_FACTOR_RANGE[1])).min(1).optional(),
  }),
  /** The full run config that produced the model. */
  trainingConfig: z.record(z.string(), z.unknown()),
  runId: z.number().int().nullable(),
  backend: z.string().nullable(),
  params: z.number().int().nullable(),
  /** Test-split headline numbers at save time. */
  metrics: z.record(z.string(), z.number()).nullable(),
  createdAt: z.string(),
});
export type SavedModelMeta = z.infer<typeof MetaSchema>;

export interface SavedModelContents {
  meta: SavedModelMeta;
  network?: tf.LayersModel;
  classical?: ClassicalModel;
}

function weightBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (!data) return new Uint8Array();
  const buf = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
  return new Uint8Array(buf);
}

/** The files of a saved model folder, by name. */
async function modelFiles(dir: string, contents: SavedModelContents): Promise<[string, string | Uint8Array][]> {
  const meta: [string, string] = ['meta.json', JSON.stringify(contents.meta, null, 2)];
  if (contents.network) {
    let files: [string, string | Uint8Array][] = [];
    await contents.network.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const modelJson = {
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
          convertedBy: null,
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
        };
        files = [['weights.bin', weightBytes(artifacts.weightData)], ['model.json', JSON.stringify(modelJson)], meta];
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    return files;
  }
  if (contents.classical) return [['classical.json', JSON.stringify(contents.classical.toJSON())], meta];
  throw new Error(`Cannot save model to ${dir}: neither a network nor a classical model was given.`);
}

/**
 * Saves a self-contained model directory: meta.json (labels, feature configs, normalisation,
 * training config) plus model.json + weights.bin (tfjs layers format) or classical.json.
 * Uses a file IOHandler of our own since tfjs-node (and its file://) is not available.
 * The folder appears whole or not at all: it is written into a staging folder beside `dir`, flushed and renamed
 * onto `dir` (see store/modelFolders.ts); on failure the staging folder is removed and the error says why (disk full:
 * which folder, what to do). Register the model only after this resolves.
 */
export async function saveModelDir(dir: string, contents: SavedModelContents): Promise<void> {
  const files = await modelFiles(dir, contents);
  // Staging folders of this target left by killed processes: nothing else would ever remove them when `dir` is not
  // under the store's models/ folder.
  removeAbandonedSaves(dirname(dir), processAlive, basename(dir));
  let staging: string | null = null;
  try {
    staging = createStagingDir(dir);
    for (const [name, data] of files) writeFileSync(join(staging, name), data);
    commitStagingDir(staging, dir);
  } catch (err) {
    if (staging) rmSync(staging, { recursive: true, force: true });
    throw modelSaveError(dir, err);
  }
}

/** Reads a model directory written by saveModelDir; errors name the directory and the missing piece. */
export async function readModelDir(dir: string): Promise<SavedModelContents> {
  const metaPath = join(dir, 'meta.json');
  if (!existsSync(metaPath)) throw new Error(`${dir} is not a saved model: meta.json is missing.`);
  let metaJson: unknown;
  try {
    metaJson = JSON.parse(readFileSync(metaPath, 'utf8'));
  } catch (err) {
    throw new Error(`${metaPath}: not valid JSON (${(err as Error).message}).`);
  }
  const parsed = MetaSchema.safeParse(metaJson);
  if (!parsed.success) {
    throw new Error(`${metaPath}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'meta'}: ${i.message}`).join('; ')}`);
  }
  const meta = parsed.data;
  if (meta.kind === 'neural') {
    const modelPath = join(dir, 'model.json');
    const weightsPath = join(dir, 'weights.bin');
    for (const p of [modelPath, weightsPath]) if (!existsSync(p)) throw new Error(`${dir}: ${p.slice(dir.length + 1)} is missing.`);
    const modelJson = JSON.parse(readFileSync(modelPath, 'utf8')) as tf.io.ModelJSON;
    const bytes = readFileSync(weightsPath);
    const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const network = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights), weightData }),
    );
    return { meta, network };
  }
  const classicalPath = join(dir, 'classical.json');
  if (!existsSync(classicalPath)) throw new Error(`${dir}: classical.json is missing.`);
  const classical = await loadClassical(JSON.parse(readFileSync(classicalPath, 'utf8')));
  return { meta, classical };
}
