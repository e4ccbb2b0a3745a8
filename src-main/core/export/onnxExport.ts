import * as tf from '@tensorflow/tfjs';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readModelDir, type SavedModelMeta } from '../training/savedModel';
import { inputShapes } from '../training/preprocessing';
import { Random } from '../training/seededRandom';
import { ONNX_OPSET, OnnxGraph } from './onnxGraph';
import type { OnnxExportResult } from '../../../src-shared/api/contract';
import { version } from '../../../package.json';
import { addNetwork, UnsupportedLayerError } from './onnxNetwork';
import { addLinearClassifier } from './onnxLinear';
import { addForest } from './onnxForest';
import { addSvm } from './onnxSvm';
import { SvmModel } from '../models/shallow/svm';
import { ForestModel } from '../models/shallow/forest';
import { writeStandalonePredictor } from './standalonePredictor';
import { buildModelCard, modelCardMarkdown } from './modelCard';
import { preprocessingJson } from './preprocessingJson';
import type { Store } from '../store/db';
import { LinearClassifier } from '../models/shallow/linearClassifier';
import { vectorTransformFromJSON } from '../models/shallow/vectorTransform';
import type { ClassicalModel } from '../models/classical';

/** Largest |ONNX − workbench| probability the export accepts on its own check. */
export const ONNX_TOLERANCE = 1e-4;
/** Inputs of the export's own check: seeded standard-normal draws, the scale of normalised features. */
const CHECK_INPUTS = 16;

export class OnnxExportError extends Error {}

/** A model's predictions from the ONNX bytes in onnxruntime (CPU), one probability row per example. */
export async function runOnnx(bytes: Uint8Array, feeds: { name: string; dims: number[]; data: Float32Array }[]): Promise<Float32Array> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(bytes);
  try {
    const input: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const f of feeds) input[f.name] = new ort.Tensor('float32', f.data, f.dims);
    const out = await session.run(input);
    return out[session.outputNames[0]].data as Float32Array;
  } finally {
    await session.release();
  }
}

/**
 * Exports a saved model folder to OUTDIR/model.onnx, after checking onnxruntime's probabilities against the
 * workbench's on seeded inputs: a graph off by more than ONNX_TOLERANCE, an unsupported layer or an option a fixed graph
 * cannot express is an error, and no file is written.
 */
export async function exportOnnx(modelDir: string, outDir: string, opts: { store?: Store | null } = {}): Promise<OnnxExportResult> {
  const { meta, network, classical } = await readModelDir(modelDir);
  if (!network && !classical) throw new OnnxExportError(`${modelDir}: the saved model has neither network weights nor a classical model`);
  if (meta.preprocessing.speakerAdaptiveBatchNorm) {
    throw new OnnxExportError(
      `${modelDir}: the model re-estimates batch-norm statistics per speaker at prediction time (speakerAdaptiveBatchNorm), which a fixed ONNX graph cannot do`,
    );
  }
  try {
    const g = new OnnxGraph();
    let graph;
    try {
      graph = network
        ? addNetwork(g, network)
        : classical instanceof ForestModel
          ? addForest(g, classical)
          : classical instanceof SvmModel
            ? addSvm(g, classical)
            : addLinearClassifier(g, classical as LinearClassifier);
    } catch (err) {
      if (err instanceof UnsupportedLayerError) throw new OnnxExportError(`${modelDir}: ${err.message}`);
      throw err;
    }
    const bytes = g.encode({
      name: meta.kind,
      producerVersion: version,
      doc: `${meta.kind} speech-emotion model exported by Ser Workbench ${version}; input: features prepared as preprocessing.json says; output: class probabilities in labels order.`,
      metadata: { labels: JSON.stringify(meta.labels) },
    });
    const maxAbsDiff = await checkAgainstWorkbench(
      bytes,
      { network, classical },
      meta,
      graph.inputs.map((i) => i.name),
    );
    if (!(maxAbsDiff <= ONNX_TOLERANCE)) {
      throw new OnnxExportError(
        `${modelDir}: the ONNX graph's probabilities differ from the workbench's by ${maxAbsDiff} (more than ${ONNX_TOLERANCE}); nothing written`,
      );
    }
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, 'model.onnx');
    writeFileSync(`${file}.tmp`, bytes);
    renameSync(`${file}.tmp`, file);
    writeFileSync(join(outDir, 'preprocessing.json'), JSON.stringify(preprocessingJson(meta, graph.inputs), null, 2));
    const predictor = await writeStandalonePredictor(outDir);
    const card = buildModelCard(meta, opts.store ?? null, { format: 'onnx', opset: ONNX_OPSET, maxAbsDiff });
    writeFileSync(join(outDir, 'model_card.json'), JSON.stringify(card, null, 2));
    writeFileSync(join(outDir, 'MODEL_CARD.md'), modelCardMarkdown(card));
    return {
      file,
      predictor,
      modelCard: join(outDir, 'MODEL_CARD.md'),
      opset: ONNX_OPSET,
      inputs: graph.inputs,
      outputs: [{ name: graph.output, dims: ['N', meta.labels.length] }],
      labels: meta.labels,
      maxAbsDiff,
    };
  } finally {
    network?.dispose();
  }
}

/**
 * One value of dimension j for the export's own check. Networks take normalised inputs (standard-normal draws are
 * their scale); a linear model takes raw functionals, drawn around its training mean and spread; a forest's, half of
 * the time exactly at one of its split thresholds on that dimension (rounded to float32: the boundary cases) and
 * otherwise anywhere between its lowest and highest threshold there.
 */
function checkValue(classical: ClassicalModel | undefined, rng: Random): (j: number) => number {
  if (classical instanceof LinearClassifier || classical instanceof SvmModel) {
    const z = vectorTransformFromJSON(classical.toJSON().transform, 'model').standardizer;
    return (j) => z.mean[j] + z.std[j] * rng.normal();
  }
  if (classical instanceof ForestModel) {
    const json = classical.toJSON();
    const thresholds = Array.from({ length: json.dims }, () => [] as number[]);
    for (const t of json.trees) t.feature.forEach((f, node) => f >= 0 && thresholds[f].push(t.threshold[node]));
    const range = thresholds.map((th) => th.reduce(([lo, hi], v) => [Math.min(lo, v), Math.max(hi, v)], [Infinity, -Infinity]));
    return (j) => {
      const th = thresholds[j];
      if (!th.length) return rng.normal();
      if (rng.next() < 0.5) return Math.fround(th[rng.int(0, th.length - 1)]);
      const [lo, hi] = range[j];
      return rng.uniform(lo - 0.1 * (hi - lo + 1), hi + 0.1 * (hi - lo + 1));
    };
  }
  return () => rng.normal();
}

async function checkAgainstWorkbench(
  bytes: Uint8Array,
  model: { network?: tf.LayersModel; classical?: ClassicalModel },
  meta: SavedModelMeta,
  names: string[],
): Promise<number> {
  const rng = new Random(20261206);
  const shapes = inputShapes(meta.preprocessing);
  const draw = checkValue(model.classical, rng);
  const feeds = shapes.map((shape, i) => {
    const per = shape.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: per * CHECK_INPUTS }, (_, j) => draw(j % per));
    return { name: names[i], dims: [CHECK_INPUTS, ...shape], data };
  });
  const onnxProbs = await runOnnx(bytes, feeds);
  let ours: ArrayLike<number>;
  if (model.network) {
    const tensors = feeds.map((f) => tf.tensor(f.data, f.dims));
    const out = model.network.predict(tensors.length === 1 ? tensors[0] : tensors) as tf.Tensor;
    ours = out.dataSync();
    tf.dispose([...tensors, out]);
  } else {
    const per = feeds[0].data.length / CHECK_INPUTS;
    const rows = Array.from({ length: CHECK_INPUTS }, (_, i) => feeds[0].data.subarray(i * per, (i + 1) * per));
    ours = Float32Array.from(model.classical!.predictProba(rows).flatMap((p) => Array.from(p)));
  }
  let max = 0;
  for (let i = 0; i < ours.length; i++) max = Math.max(max, Math.abs(ours[i] - onnxProbs[i]));
  return ours.length === onnxProbs.length ? max : Infinity;
}
