import { balancedClassWeights } from './classWeights';
import { mulberry32 } from '../../mulberry32';
import { checkTrainingData, checkVector } from './trainingData';

/**
 * Random forest of CART trees (Gini), following scikit-learn's RandomForestClassifier: bootstrap
 * samples per tree, a fresh random feature subset at every split, leaves grown until pure unless
 * max_depth / min_samples_leaf stop them, probabilities = mean of the trees' leaf class fractions.
 *
 * Written here rather than taken from ml-random-forest: that package samples features once per tree
 * (not per split, so it is a different model) and its CART scans every threshold with an O(n) pass,
 * which took ~1.2 s per tree on 720 x 200 functionals (about 2 min for 100 trees on RAVDESS,
 * hours on CREMA-D). Sorting once per node and sweeping makes a split O(n log n).
 */

export interface ForestParams {
  n_estimators: number;
  /** null: grow until leaves are pure or hit min_samples_leaf. */
  max_depth: number | null;
  /** Features tried per split: 'sqrt' | 'log2' | 'all', a fraction in (0, 1], or a count > 1. */
  max_features: 'sqrt' | 'log2' | 'all' | number;
  min_samples_leaf: number;
  bootstrap: boolean;
  /** 'balanced' weights class c by n / (k * n_c), as sklearn's class_weight='balanced'. */
  class_weight: 'none' | 'balanced';
  seed: number;
}

/** One tree in flat arrays; node 0 is the root, feature -1 marks a leaf. */
export interface TreeJson {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  /** nodes x classes bootstrap draw counts (multiplied by class weights when predicting). */
  counts: number[];
}

export interface ForestJson {
  format: 'ser-forest';
  version: 1;
  params: ForestParams;
  numClasses: number;
  dims: number;
  classWeights: number[];
  trees: TreeJson[];
}

/** Number of features tried per split for `dims` input dimensions. */
export function featuresPerSplit(maxFeatures: ForestParams['max_features'], dims: number): number {
  let m: number;
  if (maxFeatures === 'sqrt') m = Math.floor(Math.sqrt(dims));
  else if (maxFeatures === 'log2') m = Math.floor(Math.log2(dims));
  else if (maxFeatures === 'all') m = dims;
  else if (maxFeatures <= 1) m = Math.floor(maxFeatures * dims);
  else m = Math.floor(maxFeatures);
  return Math.min(dims, Math.max(1, m));
}

interface GrowContext {
  cols: Float32Array[];
  y: number[];
  k: number;
  classWeights: number[];
  /** bootstrap draw count of each training sample in this tree */
  draws: Int32Array;
  maxFeatures: number;
  maxDepth: number;
  minLeaf: number;
  rand: () => number;
}

interface Split {
  feature: number;
  threshold: number;
  /** number of node samples going left after sorting on `feature` */
  nLeft: number;
}

/** Best Gini split of the samples idx[start, end), trying random features as sklearn does. */
function bestSplit(ctx: GrowContext, idx: Int32Array, start: number, end: number, features: Int32Array): Split | null {
  const { cols, y, k, classWeights, draws, minLeaf } = ctx;
  const n = end - start;
  const total = new Float64Array(k);
  for (let i = start; i < end; i++) total[y[idx[i]]] += draws[idx[i]] * classWeights[y[idx[i]]];
  let wTotal = 0;
  for (let c = 0; c < k; c++) wTotal += total[c];

  const order = new Int32Array(n);
  const vals = new Float64Array(n);
  const wl = new Float64Array(k);
  let best: Split | null = null;
  let bestScore = -Infinity;
  // Partial Fisher-Yates: visit features in random order; stop after maxFeatures once a valid split
  // exists (sklearn keeps looking past maxFeatures when every feature tried so far was constant).
  for (let f = 0; f < features.length; f++) {
    if (f >= ctx.maxFeatures && best) break;
    const r = f + Math.floor(ctx.rand() * (features.length - f));
    const feature = features[r];
    features[r] = features[f];
    features[f] = feature;

    const col = cols[feature];
    for (let i = 0; i < n; i++) order[i] = idx[start + i];
    order.sort((a, b) => col[a] - col[b]);
    for (let i = 0; i < n; i++) vals[i] = col[order[i]];
    if (vals[0] === vals[n - 1]) continue;

    wl.fill(0);
    let sqL = 0;
    let sqR = 0;
    for (let c = 0; c < k; c++) sqR += total[c] * total[c];
    let wL = 0;
    for (let i = 0; i < n - 1; i++) {
      const s = order[i];
      const c = y[s];
      const w = draws[s] * classWeights[c];
      const wrc = total[c] - wl[c];
      sqL += 2 * wl[c] * w + w * w;
      sqR += -2 * wrc * w + w * w;
      wl[c] += w;
      wL += w;
      if (vals[i] === vals[i + 1]) continue;
      if (i + 1 < minLeaf || n - i - 1 < minLeaf) continue;
      const wR = wTotal - wL;
      if (wL <= 0 || wR <= 0) continue;
      // Maximising sum_c wl_c^2 / wL + sum_c wr_c^2 / wR minimises the weighted Gini of the children.
      const score = sqL / wL + sqR / wR;
      if (score > bestScore) {
        bestScore = score;
        let threshold = (vals[i] + vals[i + 1]) / 2;
        if (threshold >= vals[i + 1]) threshold = vals[i];
        best = { feature, threshold, nLeft: i + 1 };
      }
    }
  }
  return best;
}

/** Grows one tree on the samples with draws > 0. */
function growTree(ctx: GrowContext): TreeJson {
  const { cols, y, k, draws } = ctx;
  const used: number[] = [];
  for (let i = 0; i < draws.length; i++) if (draws[i] > 0) used.push(i);
  const idx = Int32Array.from(used);
  const features = Int32Array.from(cols.keys());
  const tree: TreeJson = { feature: [], threshold: [], left: [], right: [], counts: [] };

  const addNode = (start: number, end: number): number => {
    const node = tree.feature.length;
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    const counts = new Array<number>(k).fill(0);
    for (let i = start; i < end; i++) counts[y[idx[i]]] += draws[idx[i]];
    tree.counts.push(...counts);
    return node;
  };

  const stack: { node: number; start: number; end: number; depth: number }[] = [
    { node: addNode(0, idx.length), start: 0, end: idx.length, depth: 0 },
  ];
  while (stack.length) {
    const { node, start, end, depth } = stack.pop()!;
    const n = end - start;
    const counts = tree.counts.slice(node * k, node * k + k);
    const pure = counts.filter((c) => c > 0).length <= 1;
    if (pure || depth >= ctx.maxDepth || n < 2 * ctx.minLeaf || n < 2) continue;
    const split = bestSplit(ctx, idx, start, end, features);
    if (!split) continue;
    // Partition idx[start, end) so the left child's samples come first.
    const col = cols[split.feature];
    const left: number[] = [];
    const right: number[] = [];
    for (let i = start; i < end; i++) (col[idx[i]] <= split.threshold ? left : right).push(idx[i]);
    idx.set(left, start);
    idx.set(right, start + left.length);
    const mid = start + left.length;
    tree.feature[node] = split.feature;
    tree.threshold[node] = split.threshold;
    tree.left[node] = addNode(start, mid);
    tree.right[node] = addNode(mid, end);
    stack.push({ node: tree.right[node], start: mid, end, depth: depth + 1 });
    stack.push({ node: tree.left[node], start, end: mid, depth: depth + 1 });
  }
  return tree;
}

export class ForestModel {
  readonly kind = 'forest' as const;
  private trees: TreeJson[] = [];
  /** per tree, per node: normalised weighted class distribution (leaves only are read) */
  private leafProba: Float64Array[] = [];
  private classWeights: number[] = [];
  private numClasses = 0;
  private dims = 0;

  constructor(readonly params: ForestParams) {}

  /** Grows the forest; y holds class indices 0..numClasses-1. Synchronous work, async for the shared interface. */
  async fit(X: Float32Array[], y: number[], numClasses: number): Promise<void> {
    checkTrainingData('Random forest', X, y, numClasses);
    const dims = X[0].length;
    const cols = Array.from({ length: dims }, (_, j) => Float32Array.from(X, (row) => row[j]));
    const rand = mulberry32(this.params.seed);
    const classWeights = this.params.class_weight === 'balanced' ? balancedClassWeights(y, numClasses) : new Array<number>(numClasses).fill(1);
    const trees: TreeJson[] = [];
    for (let t = 0; t < this.params.n_estimators; t++) {
      const draws = new Int32Array(X.length);
      if (this.params.bootstrap) for (let i = 0; i < X.length; i++) draws[Math.floor(rand() * X.length)] += 1;
      else draws.fill(1);
      trees.push(
        growTree({
          cols,
          y,
          k: numClasses,
          classWeights,
          draws,
          maxFeatures: featuresPerSplit(this.params.max_features, dims),
          maxDepth: this.params.max_depth ?? Infinity,
          minLeaf: this.params.min_samples_leaf,
          rand,
        }),
      );
    }
    this.setTrees(trees, classWeights, numClasses, dims);
  }

  private setTrees(trees: TreeJson[], classWeights: number[], numClasses: number, dims: number): void {
    this.trees = trees;
    this.classWeights = classWeights;
    this.numClasses = numClasses;
    this.dims = dims;
    this.leafProba = trees.map((tree) => {
      const p = new Float64Array(tree.counts.length);
      for (let node = 0; node < tree.feature.length; node++) {
        let sum = 0;
        for (let c = 0; c < numClasses; c++) sum += tree.counts[node * numClasses + c] * classWeights[c];
        for (let c = 0; c < numClasses; c++) p[node * numClasses + c] = sum > 0 ? (tree.counts[node * numClasses + c] * classWeights[c]) / sum : 0;
      }
      return p;
    });
  }

  /** Mean of the trees' leaf class fractions, per vector. */
  predictProba(X: Float32Array[]): Float32Array[] {
    if (!this.trees.length) throw new Error('Random forest: predictProba called before fit or load.');
    const k = this.numClasses;
    return X.map((x, i) => {
      checkVector('Random forest', x, this.dims, `input vector ${i}`);
      const acc = new Float64Array(k);
      this.trees.forEach((tree, t) => {
        let node = 0;
        while (tree.feature[node] >= 0) node = x[tree.feature[node]] <= tree.threshold[node] ? tree.left[node] : tree.right[node];
        const p = this.leafProba[t];
        for (let c = 0; c < k; c++) acc[c] += p[node * k + c];
      });
      return Float32Array.from(acc, (v) => v / this.trees.length);
    });
  }

  /** Total nodes over all trees (a size figure for the UI). */
  get nodeCount(): number {
    return this.trees.reduce((a, t) => a + t.feature.length, 0);
  }

  get inputDims(): number {
    return this.dims;
  }

  toJSON(): ForestJson {
    if (!this.trees.length) throw new Error('Random forest: cannot save a model that has not been fitted.');
    return {
      format: 'ser-forest',
      version: 1,
      params: this.params,
      numClasses: this.numClasses,
      dims: this.dims,
      classWeights: this.classWeights,
      trees: this.trees,
    };
  }

  /** Rebuilds a fitted forest from toJSON() output. */
  static fromJSON(json: ForestJson): ForestModel {
    const m = new ForestModel(json.params);
    m.setTrees(json.trees, json.classWeights, json.numClasses, json.dims);
    return m;
  }
}
