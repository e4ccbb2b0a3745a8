import type { ForestModel } from '../models/shallow/forest';
import type { OnnxGraph } from './onnxGraph';
import type { NetworkGraph } from './onnxNetwork';

/** The largest float32 ≤ t: for a float32 x, x ≤ t exactly when x ≤ floorToFloat32(t). */
export function floorToFloat32(t: number): number {
  const f = Math.fround(t);
  if (f <= t || !Number.isFinite(f)) return f;
  const bits = new Float32Array([f]);
  const ints = new Int32Array(bits.buffer);
  ints[0] += f > 0 ? -1 : 1; // one ulp towards -infinity
  return bits[0];
}

/**
 * The random forest as ONNX-ML's TreeEnsembleClassifier: every split `x[feature] <= threshold` (BRANCH_LEQ), every
 * leaf's class fractions weighted 1/trees and summed, which is predictProba's mean over trees. ONNX thresholds are
 * float32 where ours are float64 midpoints; each is rounded down to the float32 below it, which keeps every
 * comparison with a float32 input exactly as it was.
 */
export function addForest(g: OnnxGraph, model: ForestModel): NetworkGraph {
  const json = model.toJSON();
  const k = json.numClasses;
  const weight = 1 / json.trees.length;
  const n = {
    treeids: [] as number[],
    nodeids: [] as number[],
    featureids: [] as number[],
    modes: [] as string[],
    values: [] as number[],
    truenodeids: [] as number[],
    falsenodeids: [] as number[],
  };
  const c = { treeids: [] as number[], nodeids: [] as number[], ids: [] as number[], weights: [] as number[] };
  json.trees.forEach((tree, t) => {
    for (let node = 0; node < tree.feature.length; node++) {
      const leaf = tree.feature[node] < 0;
      n.treeids.push(t);
      n.nodeids.push(node);
      n.featureids.push(leaf ? 0 : tree.feature[node]);
      n.modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      n.values.push(leaf ? 0 : floorToFloat32(tree.threshold[node]));
      n.truenodeids.push(leaf ? 0 : tree.left[node]);
      n.falsenodeids.push(leaf ? 0 : tree.right[node]);
      if (!leaf) continue;
      let sum = 0;
      for (let j = 0; j < k; j++) sum += tree.counts[node * k + j] * json.classWeights[j];
      for (let j = 0; j < k; j++) {
        const p = sum > 0 ? (tree.counts[node * k + j] * json.classWeights[j]) / sum : 0;
        if (p === 0) continue;
        c.treeids.push(t);
        c.nodeids.push(node);
        c.ids.push(j);
        c.weights.push(p * weight);
      }
    }
  });
  const input = g.input('functionals', ['N', json.dims]);
  const [, scores] = g.node(
    'TreeEnsembleClassifier',
    [input],
    ['forest_label', 'forest_scores'],
    {
      classlabels_int64s: Array.from({ length: k }, (_, i) => i),
      nodes_treeids: n.treeids,
      nodes_nodeids: n.nodeids,
      nodes_featureids: n.featureids,
      nodes_modes: n.modes,
      nodes_values: Float32Array.from(n.values),
      nodes_truenodeids: n.truenodeids,
      nodes_falsenodeids: n.falsenodeids,
      class_treeids: c.treeids,
      class_nodeids: c.nodeids,
      class_ids: c.ids,
      class_weights: Float32Array.from(c.weights),
      post_transform: 'NONE',
    },
    'ai.onnx.ml',
  );
  return { inputs: [{ name: input, dims: ['N', json.dims] }], output: scores };
}
