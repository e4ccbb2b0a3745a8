import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inputShapes } from '../training/preprocessing';
import { Random } from '../training/seededRandom';
import { ONNX_OPSET, OnnxGraph } from './onnxGraph';
import type { OnnxExportResult } from '../../../src-shared/api/contract';
import { version } from '../../../package.json';
import { addNetwork, UnsupportedLayerError, type NetworkGraph } from './onnxNetwork';
import { combineMembers, isEnsembleDir, loadEnsemble, loadModel, predictInputs, type LoadedEnsemble, type LoadedModel } from '../training/predict';
import { batchFeeds, runOnnx } from './onnxRuntime';
import { addLinearClassifier } from './onnxLinear';
import { addForest } from './onnxForest';
import { addSvm } from './onnxSvm';
import { SvmModel } from '../models/shallow/svm';
import { ForestModel } from '../models/shallow/forest';
import { writeStandalonePredictor } from './standalonePredictor';
import { modelCardOf } from './modelCard';
import { preprocessingJson, type PreprocessingFile } from './preprocessingJson';
import type { Store } from '../store/db';
import { LinearClassifier } from '../models/shallow/linearClassifier';
import { vectorTransformFromJSON } from '../models/shallow/vectorTransform';
import type { ClassicalModel } from '../models/classical';

/** Largest |ONNX − workbench| probability the export accepts on its own check. */
export const ONNX_TOLERANCE = 1e-4;
/** Examples in the export's own check (seeded draws at each input's scale; see checkValue). */
const CHECK_INPUTS = 16;

export class OnnxExportError extends Error {}

/** One model's graph in `g` (a network or any classical model); UnsupportedLayerError names what cannot be mapped. */
function addModel(g: OnnxGraph, model: LoadedModel): NetworkGraph {
  const { network, classical } = model;
  if (network) return addNetwork(g, network);
  if (classical instanceof ForestModel) return addForest(g, classical);
  if (classical instanceof SvmModel) return addSvm(g, classical);
  if (classical instanceof LinearClassifier) return addLinearClassifier(g, classical);
  throw new UnsupportedLayerError('the saved model has neither network weights nor a classical model');
}

/**
 * Exports a saved model folder, or a saved ensemble (every member in one graph, their probabilities reordered to the
 * ensemble's labels and mixed with its weights), to OUTDIR/model.onnx, after checking onnxruntime's probabilities
 * against the workbench's on seeded inputs: a graph off by more than ONNX_TOLERANCE, an unsupported layer or an option
 * a fixed graph cannot express is an error, and no file is written.
 */
export async function exportOnnx(modelDir: string, outDir: string, opts: { store?: Store | null } = {}): Promise<OnnxExportResult> {
  const ensemble = isEnsembleDir(modelDir) ? await loadEnsemble(modelDir) : null;
  const members = ensemble ? ensemble.members : [await loadModel(modelDir)];
  const labels = ensemble ? ensemble.labels : members[0].labels;
  const which = (i: number) => (ensemble ? `member ${i} (${members[i].meta.name}): ` : '');
  try {
    members.forEach((m, i) => {
      if (m.preprocessing.speakerAdaptiveBatchNorm) {
        throw new OnnxExportError(
          `${modelDir}: ${which(i)}the model re-estimates batch-norm statistics per speaker at prediction time (speakerAdaptiveBatchNorm), which a fixed ONNX graph cannot do`,
        );
      }
      // one graph run feeds every member at once, so members cannot each average their own test-time copies
      if (ensemble && m.preprocessing.testTimeSpeeds?.length) {
        throw new OnnxExportError(
          `${modelDir}: ${which(i)}the model averages test-time speed copies, which an exported ensemble's single graph run cannot do for one member; export the member alone`,
        );
      }
    });
    const g = new OnnxGraph();
    const built = members.map((m, i) => {
      g.scope = ensemble ? `m${i + 1}_` : '';
      try {
        return addModel(g, m);
      } catch (err) {
        if (err instanceof UnsupportedLayerError) throw new OnnxExportError(`${modelDir}: ${which(i)}${err.message}`);
        throw err;
      }
    });
    g.scope = '';
    let probs = built[0].output;
    if (ensemble) {
      // member i's column order[i][c] is ensemble label c: one [k_i, K] matrix moves it there and applies the weight
      const K = labels.length;
      const parts = built.map((b, i) => {
        const k = members[i].labels.length;
        const P = new Float32Array(k * K);
        ensemble.order[i].forEach((j, c) => (P[j * K + c] = ensemble.weights[i]));
        return g.node('MatMul', [b.output, g.weight(`m${i + 1}_to_ensemble`, [k, K], P)], `m${i + 1}_weighted`)[0];
      });
      probs = g.node('Sum', parts, 'ensemble')[0];
    }
    const output = g.node('Identity', [probs], 'probabilities')[0];
    g.output(output, ['N', labels.length]);
    const kind = ensemble ? 'ensemble' : members[0].meta.kind;
    const bytes = g.encode({
      name: kind,
      producerVersion: version,
      doc: `${kind} speech-emotion model exported by Ser Workbench ${version}; input: features prepared as preprocessing.json says; output: class probabilities in labels order.`,
      metadata: { labels: JSON.stringify(labels) },
    });
    const maxAbsDiff = await checkAgainstWorkbench(bytes, members, built, ensemble);
    if (!(maxAbsDiff <= ONNX_TOLERANCE)) {
      throw new OnnxExportError(
        `${modelDir}: the ONNX graph's probabilities differ from the workbench's by ${maxAbsDiff} (more than ${ONNX_TOLERANCE}); nothing written`,
      );
    }
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, 'model.onnx');
    writeFileSync(`${file}.tmp`, bytes);
    renameSync(`${file}.tmp`, file);
    const single = members.map((m, i) => preprocessingJson(m.meta, built[i].inputs));
    const pre: PreprocessingFile = ensemble ? { labels, weights: ensemble.weights, members: single } : single[0];
    writeFileSync(join(outDir, 'preprocessing.json'), JSON.stringify(pre, null, 2));
    const predictor = await writeStandalonePredictor(outDir);
    const card = modelCardOf({ ensemble: ensemble?.meta ?? null, members: members.map((m) => m.meta) }, opts.store ?? null, {
      format: 'onnx',
      opset: ONNX_OPSET,
      maxAbsDiff,
    });
    writeFileSync(join(outDir, 'model_card.json'), JSON.stringify(card.json, null, 2));
    writeFileSync(join(outDir, 'MODEL_CARD.md'), card.markdown);
    return {
      file,
      predictor,
      modelCard: join(outDir, 'MODEL_CARD.md'),
      opset: ONNX_OPSET,
      inputs: built.flatMap((b) => b.inputs),
      outputs: [{ name: output, dims: ['N', labels.length] }],
      labels,
      maxAbsDiff,
    };
  } finally {
    for (const m of members) m.network?.dispose();
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

/** Largest |onnxruntime − workbench| over seeded inputs for every member (an ensemble mixes them as the workbench does). */
async function checkAgainstWorkbench(
  bytes: Uint8Array,
  members: LoadedModel[],
  built: NetworkGraph[],
  ensemble: LoadedEnsemble | null,
): Promise<number> {
  const rng = new Random(20261206);
  // per member, CHECK_INPUTS utterances of model inputs, drawn at each input's scale
  const memberInputs = members.map((m) => {
    const draw = checkValue(m.classical, rng);
    return Array.from({ length: CHECK_INPUTS }, () =>
      inputShapes(m.preprocessing).map((shape) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, j) => draw(j))),
    );
  });
  const onnxProbs = await runOnnx(
    bytes,
    memberInputs.flatMap((inputs, i) => batchFeeds(inputs, built[i].inputs)),
  );
  const memberProbs = await Promise.all(members.map((m, i) => predictInputs(m, memberInputs[i])));
  const ours = ensemble ? combineMembers(ensemble, memberProbs) : memberProbs[0];
  const k = ours[0].length;
  if (onnxProbs.length !== CHECK_INPUTS * k) return Infinity;
  let max = 0;
  ours.forEach((p, r) => p.forEach((v, c) => (max = Math.max(max, Math.abs(v - onnxProbs[r * k + c])))));
  return max;
}
