import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { PreprocessingJsonSchema } from '../export/preprocessingJson';
import type { SavedModelMeta } from './savedModel';

/** An ONNX graph that maps a batch of model inputs (one Float32Array per graph input and utterance) to probabilities. */
export interface OnnxRunner {
  predict(inputs: Float32Array[][]): Promise<Float32Array[]>;
}

/**
 * A model.onnx, exported here or trained elsewhere, with the preprocessing.json beside it that says how its inputs are
 * made and what its outputs mean. It classifies like a saved model, so any dataset's held-out speakers can score it.
 */
export async function loadOnnxModel(file: string): Promise<{ meta: SavedModelMeta; onnx: OnnxRunner }> {
  if (!existsSync(file)) throw new Error(`${file}: no such file`);
  const prePath = join(dirname(file), 'preprocessing.json');
  if (!existsSync(prePath)) {
    throw new Error(
      `${file}: preprocessing.json is missing beside it; an ONNX model needs it to say which features feed which input and what its outputs are (ser export-model writes one)`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(prePath, 'utf8'));
  } catch (err) {
    throw new Error(`${prePath}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = PreprocessingJsonSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${prePath}: ${issue.path.join('.') || 'file'}: ${issue.message}`);
  }
  const pre = parsed.data;
  const ort = await import('onnxruntime-node');
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  try {
    session = await ort.InferenceSession.create(file);
  } catch (err) {
    throw new Error(`${file}: onnxruntime cannot load it (${(err as Error).message})`);
  }
  const missing = pre.inputs.map((i) => i.onnxInput).filter((n) => !session.inputNames.includes(n));
  if (missing.length) throw new Error(`${file}: preprocessing.json names inputs ${missing.join(', ')}, the graph has ${session.inputNames.join(', ')}`);
  const onnx: OnnxRunner = {
    async predict(inputs) {
      if (inputs.length === 0) return [];
      const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
      pre.inputs.forEach((spec, k) => {
        const size = inputs[0][k].length;
        const data = new Float32Array(size * inputs.length);
        inputs.forEach((x, i) => data.set(x[k], i * size));
        feeds[spec.onnxInput] = new ort.Tensor('float32', data, [inputs.length, ...(spec.dims.slice(1) as number[])]);
      });
      const out = (await session.run(feeds))[session.outputNames[0]].data as Float32Array;
      const k = pre.labels.length;
      if (out.length !== k * inputs.length) throw new Error(`${file}: the graph gives ${out.length / inputs.length} outputs per input, preprocessing.json lists ${k} labels`);
      return inputs.map((_, i) => out.slice(i * k, (i + 1) * k));
    },
  };
  const meta: SavedModelMeta = {
    format: 'ser-workbench-model',
    version: 1,
    kind: 'onnx',
    preset: 'onnx',
    name: basename(dirname(file)),
    labels: pre.labels,
    features: pre.features,
    auxFeatures: pre.auxFeatures ?? undefined,
    preprocessing: { inputs: pre.inputs.map(({ onnxInput: _n, dims: _d, ...spec }) => spec), speakerNormalization: pre.speakerNormalization },
    trainingConfig: {},
    runId: null,
    backend: null,
    params: null,
    metrics: null,
    createdAt: new Date().toISOString(),
  };
  return { meta, onnx };
}
