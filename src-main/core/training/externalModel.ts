import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PreprocessingJsonSchema, type PreprocessingJson } from '../export/preprocessingJson';
import { batchFeeds } from '../export/onnxRuntime';
import type { SavedModelMeta } from './savedModel';

/** An ONNX graph that maps a batch of model inputs (one Float32Array per graph input and utterance) to probabilities. */
export interface OnnxRunner {
  predict(inputs: Float32Array[][]): Promise<Float32Array[]>;
}

/**
 * A model.onnx, exported here or trained elsewhere, with the preprocessing.json beside it that says how its inputs are
 * made and what its outputs mean. It classifies like a saved model, so any dataset's held-out speakers can score it.
 */
/** preprocessing.json beside a model file from outside the workbench, validated; errors name the file. */
function readPreprocessing(file: string, kind: string): PreprocessingJson {
  if (!existsSync(file)) throw new Error(`${file}: no such file`);
  const prePath = join(dirname(file), 'preprocessing.json');
  if (!existsSync(prePath)) {
    throw new Error(
      `${file}: preprocessing.json is missing beside it; ${kind} model needs it to say which features feed which input and what its outputs are (ser export-model writes one)`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(prePath, 'utf8'));
  } catch (err) {
    throw new Error(`${prePath}: not valid JSON (${(err as Error).message})`);
  }
  if (raw && typeof raw === 'object' && 'members' in raw)
    throw new Error(`${prePath}: an exported ensemble cannot be evaluated as one model here; evaluate the saved ensemble folder it came from`);
  const parsed = PreprocessingJsonSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${prePath}: ${issue.path.join('.') || 'file'}: ${issue.message}`);
  }
  return parsed.data;
}

/** The saved-model meta a model from outside the workbench gets: its preprocessing, no run, no training record. */
function externalMeta(file: string, kind: 'onnx' | 'neural', pre: PreprocessingJson): SavedModelMeta {
  return {
    format: 'ser-workbench-model',
    version: 1,
    kind,
    preset: kind === 'onnx' ? 'onnx' : 'tfjs',
    name: basename(dirname(file)),
    labels: pre.labels,
    features: pre.features,
    auxFeatures: pre.auxFeatures ?? undefined,
    preprocessing: {
      inputs: pre.inputs.map(({ onnxInput: _n, dims: _d, ...spec }) => spec),
      speakerNormalization: pre.speakerNormalization,
      testTimeSpeeds: pre.testTimeSpeeds,
    },
    trainingConfig: {},
    runId: null,
    backend: null,
    params: null,
    metrics: null,
    createdAt: new Date().toISOString(),
  };
}

/**
 * A tfjs layers model trained elsewhere (model.json with its weight files), with a preprocessing.json beside it in the
 * export's format (inputs in the model's input order; onnxInput names them).
 */
export async function loadTfjsModel(file: string): Promise<{ meta: SavedModelMeta; network: tf.LayersModel }> {
  const pre = readPreprocessing(file, 'a tfjs');
  let network: tf.LayersModel;
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as tf.io.ModelJSON;
    const buffers = json.weightsManifest.flatMap((group) => group.paths.map((p) => readFileSync(join(dirname(file), p))));
    const all = Buffer.concat(buffers);
    network = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      }),
    );
  } catch (err) {
    throw new Error(`${file}: not a loadable tfjs layers model (${(err as Error).message})`);
  }
  if (network.inputs.length !== pre.inputs.length)
    throw new Error(`${file}: the model has ${network.inputs.length} inputs, preprocessing.json describes ${pre.inputs.length}`);
  return { meta: externalMeta(file, 'neural', pre), network };
}

export async function loadOnnxModel(file: string): Promise<{ meta: SavedModelMeta; onnx: OnnxRunner }> {
  const pre = readPreprocessing(file, 'an ONNX');
  const ort = await import('onnxruntime-node');
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  try {
    session = await ort.InferenceSession.create(file);
  } catch (err) {
    throw new Error(`${file}: onnxruntime cannot load it (${(err as Error).message})`);
  }
  const missing = pre.inputs.map((i) => i.onnxInput).filter((n) => !session.inputNames.includes(n));
  if (missing.length)
    throw new Error(`${file}: preprocessing.json names inputs ${missing.join(', ')}, the graph has ${session.inputNames.join(', ')}`);
  const onnx: OnnxRunner = {
    async predict(inputs) {
      if (inputs.length === 0) return [];
      const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
      for (const f of batchFeeds(
        inputs,
        pre.inputs.map((spec) => ({ name: spec.onnxInput, dims: spec.dims })),
      ))
        feeds[f.name] = new ort.Tensor('float32', f.data, f.dims);
      const out = (await session.run(feeds))[session.outputNames[0]].data as Float32Array;
      const k = pre.labels.length;
      if (out.length !== k * inputs.length)
        throw new Error(`${file}: the graph gives ${out.length / inputs.length} outputs per input, preprocessing.json lists ${k} labels`);
      return inputs.map((_, i) => out.slice(i * k, (i + 1) * k));
    },
  };
  return { meta: externalMeta(file, 'onnx', pre), onnx };
}
