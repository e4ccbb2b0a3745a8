import type { LinearClassifier } from '../models/shallow/linearClassifier';
import { vectorTransformFromJSON, type VectorTransform } from '../models/shallow/vectorTransform';
import { pcaSize } from '../models/shallow/pca';
import { float, type OnnxGraph } from './onnxGraph';
import type { NetworkGraph } from './onnxNetwork';

/**
 * A classical model's fitted transform on [N, d] raw functionals (vectorTransform.ts): z-scores, the selected
 * dimensions (Gather), PCA (centre, project). Returns the transformed value and its width.
 */
export function addVectorTransform(g: OnnxGraph, input: string, t: VectorTransform): { value: string; dims: number } {
  const d = t.inputDims;
  const centred = g.node('Sub', [input, g.weight('z_mean', [d], t.standardizer.mean)], 'z_centred')[0];
  let v = g.node('Div', [centred, g.weight('z_std', [d], t.standardizer.std)], 'z')[0];
  let dims = d;
  if (t.selected) {
    v = g.node('Gather', [v, g.int64('selected', t.selected)], 'selected_z', { axis: 1 })[0];
    dims = t.selected.length;
  }
  if (t.pca) {
    const m = pcaSize(t.pca);
    const components = t.pca.components.subarray(0, m * dims);
    const transposed = new Float32Array(dims * m); // [d, m] for v · Cᵀ
    for (let c = 0; c < m; c++) for (let j = 0; j < dims; j++) transposed[j * m + c] = components[c * dims + j];
    const c0 = g.node('Sub', [v, g.weight('pca_mean', [dims], Float32Array.from(t.pca.mean))], 'pca_centred')[0];
    v = g.node('MatMul', [c0, g.weight('pca_components', [dims, m], transposed)], 'pca')[0];
    dims = m;
  }
  return { value: v, dims };
}

/** Probabilities over the model's trained classes (columns in `classes` order) placed among all numClasses labels. */
export function placeClasses(g: OnnxGraph, probs: string, classes: number[], numClasses: number): string {
  if (classes.length === numClasses && classes.every((c, i) => c === i)) return probs;
  const place = new Float32Array(classes.length * numClasses);
  classes.forEach((c, i) => (place[i * numClasses + c] = 1));
  return g.node('MatMul', [probs, g.weight('class_placement', [classes.length, numClasses], place)], 'all_probabilities')[0];
}

/**
 * Logistic regression or the linear SVM with its fitted transform, step by step as predictProba runs them: z-scores,
 * the selected dimensions (Gather), PCA (centre, project), class scores W v + b, softmax of scale · scores, and the
 * trained classes placed among all labels (labels absent from training get 0). The steps stay separate rather than
 * folded into one matrix: folding the z-scoring into the bias cancels catastrophically in float32 for ComParE
 * dimensions whose training std is near 1e-7.
 */
export function addLinearClassifier(g: OnnxGraph, model: LinearClassifier): NetworkGraph {
  const json = model.toJSON();
  const t = vectorTransformFromJSON(json.transform, 'the linear model');
  const input = g.input('functionals', ['N', json.dims]);
  const { value: v, dims } = addVectorTransform(g, input, t);
  const k = json.classes.length;
  const W = new Float32Array(dims * k); // [dims, k]: Gemm's B
  json.weights.forEach((row, c) => row.forEach((w, j) => (W[j * k + c] = w)));
  const scores = g.node('Gemm', [v, g.weight('W', [dims, k], W), g.weight('b', [k], json.intercepts)], 'scores', {
    alpha: float(json.probabilityScale),
    beta: float(json.probabilityScale),
  })[0];
  const probs = placeClasses(g, g.node('Softmax', [scores], 'trained_probabilities', { axis: -1 })[0], json.classes, json.numClasses);
  return { inputs: [{ name: input, dims: ['N', json.dims] }], output: probs };
}
