import { balancedClassWeights } from './classWeights';
import { pickRows, type DenseMatrix } from './denseMatrix';
import { fitMultinomialLogistic, softmaxInPlace, type LogisticSolution } from './logisticRegression';
import { fitLinearSvm, fitSoftmaxScale, svmScores, type LinearSvmSolution } from './linearSvm';
import { permutation } from './permutation';
import { fitRowSpaceBasis, weightsFromBasis, type RowSpaceBasis } from './rowSpaceBasis';
import { checkTrainingData, checkVector } from './trainingData';
import {
  applyVectorTransform,
  fitVectorTransform,
  transformRows,
  vectorTransformFromJSON,
  vectorTransformToJSON,
  type VectorTransform,
  type VectorTransformJson,
} from './vectorTransform';

/**
 * Linear classifiers for high-dimensional utterance vectors (ComParE's 6,373 functionals): multinomial logistic
 * regression and a one-vs-rest linear SVM, each behind its own fitted transform (z-scores → optional SelectKBest →
 * optional PCA). Both end as class scores W x + b on the transformed vector; logistic regression turns them into
 * probabilities with a softmax, the SVM with a softmax of scale·scores, the scale fitted on out-of-fold scores.
 *
 * Why temperature scaling for the SVM rather than Platt per class: one parameter cannot overfit eight classes with a
 * few hundred vectors, it keeps the SVM's own decision (argmax unchanged), and its probabilities sum to one without
 * pairwise coupling. The scale comes from 5-fold out-of-fold scores on the training data (as libsvm's Platt scaling
 * uses internal cross-validation), because a linear SVM in 6,000 dimensions separates its own training set and
 * in-sample scores would make it absurdly confident.
 */
export type LinearKind = 'logreg' | 'linear-svm';

export interface LinearParams {
  /** Regularisation: a number, or 'auto' to choose from Cs on a validation split (fitGrid; the training pipeline does it). */
  C: number | 'auto';
  /** How 'auto' scores each C: on the validation split, or by folds of the training speakers (the pipeline does both). */
  cSelection: 'val' | 'speaker-cv';
  /** 'train+val': the training pipeline fits on the validation speakers too (scoring them out-of-fold). */
  fitOn: 'train' | 'train+val';
  Cs: number[];
  class_weight: 'none' | 'balanced';
  select: { k: number } | null;
  pca: { components: number } | null;
  tol: number;
  max_iter: number;
  seed: number;
}

export interface LinearJson {
  format: 'ser-linear';
  version: 1;
  kind: LinearKind;
  params: LinearParams;
  numClasses: number;
  dims: number;
  /** The C the weights were fitted with (the chosen one when params.C is 'auto'). */
  C: number;
  /** Classes seen in training; the others get probability 0. */
  classes: number[];
  transform: VectorTransformJson;
  /** classes.length × transform.outputDims, row c scores classes[c]. */
  weights: number[][];
  intercepts: number[];
  /** softmax(scale · scores): 1 for logistic regression, fitted for the SVM. */
  probabilityScale: number;
  iterations: number;
  converged: boolean;
}

/** One point of a C grid and its score (validation UAR in the pipeline). */
export interface GridPoint {
  C: number;
  score: number;
  iterations: number;
  converged: boolean;
}

/** Training data after the transform, shared by every C of a grid. */
interface Prepared {
  transform: VectorTransform;
  X: DenseMatrix;
  /** The matrix the solver sees: X itself, or its row-space coordinates when there are more dimensions than rows. */
  solverX: DenseMatrix;
  basis: RowSpaceBasis | null;
  y: Int32Array;
  classes: number[];
  sampleWeight: Float64Array | undefined;
  classWeight: number[];
}

type Solution = { kind: 'logreg'; sol: LogisticSolution } | { kind: 'linear-svm'; sol: LinearSvmSolution };

export class LinearClassifier {
  private transform: VectorTransform | null = null;
  private classes: number[] = [];
  private weights: Float64Array[] = [];
  private intercepts: number[] = [];
  private scale = 1;
  private numClasses = 0;
  private dims = 0;
  private C = 0;
  private iterations = 0;
  private converged = true;

  constructor(
    readonly kind: LinearKind,
    readonly params: LinearParams,
  ) {}

  private get label(): string {
    return this.kind === 'logreg' ? 'Logistic regression' : 'Linear SVM';
  }

  /** Fits at params.C; 'auto' needs validation data, so it is fitGrid's job. */
  async fit(X: Float32Array[], y: number[], numClasses: number): Promise<void> {
    const C = this.params.C;
    if (C === 'auto') {
      throw new Error(`${this.label}: C is "auto", which is chosen on a validation split by the training pipeline; give C a number to fit directly.`);
    }
    const prep = this.prepare(X, y, numClasses);
    const sol = this.solve(prep, C, null);
    this.keep(prep, C, sol);
    if (this.kind === 'linear-svm') this.scale = this.calibrate(prep, C, sol);
  }

  /**
   * Fits every C of `Cs` (ascending, each warm-started from the last) on the training vectors, scores each with
   * `score` (called while the model holds that C's weights; SVM probabilities are not calibrated yet, which leaves the
   * argmax unchanged), and keeps the best, the smaller C on ties. The kept model is the one fitted at that C on the
   * same training vectors, i.e. the refit.
   */
  async fitGrid(
    X: Float32Array[],
    y: number[],
    numClasses: number,
    Cs: number[],
    score: (model: LinearClassifier, C: number) => number,
  ): Promise<{ C: number; points: GridPoint[] }> {
    if (Cs.length === 0) throw new Error(`${this.label}: the C grid is empty.`);
    const grid = [...new Set(Cs)].sort((a, b) => a - b);
    const prep = this.prepare(X, y, numClasses);
    const points: GridPoint[] = [];
    const solutions: Solution[] = [];
    let best = -1;
    let previous: Solution | null = null;
    for (const C of grid) {
      const sol = this.solve(prep, C, previous);
      previous = sol;
      solutions.push(sol);
      this.keep(prep, C, sol);
      this.scale = 1;
      const s = score(this, C);
      points.push({ C, score: s, iterations: this.iterations, converged: this.converged });
      if (best < 0 || s > points[best].score) best = points.length - 1;
    }
    const C = grid[best];
    this.keep(prep, C, solutions[best]);
    if (this.kind === 'linear-svm') this.scale = this.calibrate(prep, C, solutions[best]);
    return { C, points };
  }

  private prepare(X: Float32Array[], y: number[], numClasses: number): Prepared {
    checkTrainingData(this.label, X, y, numClasses);
    this.numClasses = numClasses;
    this.dims = X[0].length;
    const transform = fitVectorTransform(X, y, { select: this.params.select, pca: this.params.pca });
    const Xt = transformRows(transform, X);
    const classes = [...new Set(y)].sort((a, b) => a - b);
    const local = new Map(classes.map((c, i) => [c, i]));
    const yl = Int32Array.from(y, (c) => local.get(c)!);
    const balanced = this.params.class_weight === 'balanced' ? balancedClassWeights(Array.from(yl), classes.length) : null;
    // More dimensions than rows: solve in the rows' own span (exact for these L2 models, see rowSpaceBasis.ts).
    const basis = Xt.cols > Xt.rows ? fitRowSpaceBasis(Xt) : null;
    return {
      transform,
      X: Xt,
      solverX: basis ? basis.Z : Xt,
      basis,
      y: yl,
      classes,
      sampleWeight: balanced ? Float64Array.from(yl, (c) => balanced[c]) : undefined,
      classWeight: balanced ?? new Array<number>(classes.length).fill(1),
    };
  }

  private solve(prep: Prepared, C: number, init: Solution | null, rows?: DenseMatrix, y?: Int32Array, sampleWeight?: Float64Array): Solution {
    const X = rows ?? prep.solverX;
    const labels = y ?? prep.y;
    const k = prep.classes.length;
    if (this.kind === 'logreg') {
      const sol = fitMultinomialLogistic(X, labels, k, {
        C,
        sampleWeight: rows ? sampleWeight : prep.sampleWeight,
        tol: this.params.tol,
        maxIter: this.params.max_iter,
        init: init?.kind === 'logreg' ? init.sol : undefined,
      });
      return { kind: 'logreg', sol };
    }
    const sol = fitLinearSvm(X, labels, k, {
      C,
      classWeight: prep.classWeight,
      tol: this.params.tol,
      maxIter: this.params.max_iter,
      seed: this.params.seed,
      init: init?.kind === 'linear-svm' ? init.sol : undefined,
    });
    return { kind: 'linear-svm', sol };
  }

  /** Scores of the solver's rows as W x + b per class (k columns), for the solution's own space. */
  private static rowScores(s: Solution, k: number, x: Float64Array): Float64Array {
    if (s.kind === 'linear-svm') return svmScores(s.sol, k, x);
    const p = x.length;
    const out = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      let v = s.sol.b[c];
      for (let j = 0; j < p; j++) v += s.sol.W[c * p + j] * x[j];
      out[c] = v;
    }
    return out;
  }

  /** Maps a solution to weights on the transformed vector and makes it the model's. */
  private keep(prep: Prepared, C: number, s: Solution): void {
    const k = prep.classes.length;
    const r = prep.solverX.cols;
    const back = (w: ArrayLike<number>) => (prep.basis ? weightsFromBasis(prep.basis, prep.X, w) : Float64Array.from(w));
    const weights: Float64Array[] = [];
    const intercepts: number[] = [];
    if (s.kind === 'logreg') {
      for (let c = 0; c < k; c++) {
        weights.push(back(s.sol.W.subarray(c * r, (c + 1) * r)));
        intercepts.push(s.sol.b[c]);
      }
    } else {
      const r1 = r + 1;
      for (let c = 0; c < s.sol.problems; c++) {
        weights.push(back(s.sol.W.subarray(c * r1, c * r1 + r)));
        intercepts.push(s.sol.W[c * r1 + r]);
      }
      if (k === 2) {
        weights.unshift(weights[0].map((v) => -v));
        intercepts.unshift(-intercepts[0]);
      }
    }
    this.transform = prep.transform;
    this.classes = prep.classes;
    this.weights = weights;
    this.intercepts = intercepts;
    this.C = C;
    this.iterations = s.sol.iterations;
    this.converged = s.sol.converged;
  }

  /** The softmax scale for the SVM from stratified out-of-fold scores at C (up to 5 folds). */
  private calibrate(prep: Prepared, C: number, full: Solution): number {
    const k = prep.classes.length;
    const n = prep.y.length;
    const counts = new Array<number>(k).fill(0);
    for (const c of prep.y) counts[c] += 1;
    const folds = Math.min(5, ...counts);
    // A class with a single vector cannot be both trained on and held out; leave the scores unscaled.
    if (folds < 2) return 1;
    const fold = new Int32Array(n);
    const seen = new Array<number>(k).fill(0);
    for (const i of permutation(n, this.params.seed + 1)) fold[i] = seen[prep.y[i]]++ % folds;
    const scores: Float64Array[] = new Array<Float64Array>(n);
    for (let f = 0; f < folds; f++) {
      const trainIdx: number[] = [];
      const heldIdx: number[] = [];
      for (let i = 0; i < n; i++) (fold[i] === f ? heldIdx : trainIdx).push(i);
      const sub = pickRows(prep.solverX, trainIdx);
      const init =
        full.kind === 'linear-svm'
          ? { kind: full.kind, sol: { ...full.sol, alphas: full.sol.alphas.map((a) => Float64Array.from(trainIdx, (i) => a[i])) } }
          : null;
      const s = this.solve(
        prep,
        C,
        init,
        sub,
        Int32Array.from(trainIdx, (i) => prep.y[i]),
      );
      for (const i of heldIdx)
        scores[i] = LinearClassifier.rowScores(s, k, prep.solverX.data.subarray(i * prep.solverX.cols, (i + 1) * prep.solverX.cols));
    }
    return fitSoftmaxScale(scores, prep.y);
  }

  /** Class probabilities (length numClasses; classes absent from training get 0). */
  predictProba(X: Float32Array[]): Float32Array[] {
    const t = this.transform;
    if (!t) throw new Error(`${this.label}: predictProba called before fit or load.`);
    const k = this.classes.length;
    const scores = new Float64Array(k);
    return X.map((x, i) => {
      checkVector(this.label, x, this.dims, `input vector ${i}`);
      const v = applyVectorTransform(t, x);
      for (let c = 0; c < k; c++) {
        const w = this.weights[c];
        let s = this.intercepts[c];
        for (let j = 0; j < v.length; j++) s += w[j] * v[j];
        scores[c] = this.scale * s;
      }
      softmaxInPlace(scores);
      const out = new Float32Array(this.numClasses);
      for (let c = 0; c < k; c++) out[this.classes[c]] = scores[c];
      return out;
    });
  }

  /** The C the current weights were fitted with, and whether the solver converged there. */
  get fitInfo(): { C: number; iterations: number; converged: boolean; probabilityScale: number; inputDims: number; solverDims: number } {
    return {
      C: this.C,
      iterations: this.iterations,
      converged: this.converged,
      probabilityScale: this.scale,
      inputDims: this.dims,
      solverDims: this.transform?.outputDims ?? 0,
    };
  }

  toJSON(): LinearJson {
    if (!this.transform) throw new Error(`${this.label}: cannot save a model that has not been fitted.`);
    return {
      format: 'ser-linear',
      version: 1,
      kind: this.kind,
      params: this.params,
      numClasses: this.numClasses,
      dims: this.dims,
      C: this.C,
      classes: this.classes,
      transform: vectorTransformToJSON(this.transform),
      weights: this.weights.map((w) => Array.from(w)),
      intercepts: this.intercepts,
      probabilityScale: this.scale,
      iterations: this.iterations,
      converged: this.converged,
    };
  }

  /** Rebuilds a fitted model from toJSON() output (already schema-checked); throws when the pieces do not fit. */
  static fromJSON(json: LinearJson): LinearClassifier {
    const what = `Saved ${json.kind === 'logreg' ? 'logistic regression' : 'linear SVM'}`;
    const t = vectorTransformFromJSON(json.transform, what);
    const k = json.classes.length;
    if (t.inputDims !== json.dims) throw new Error(`${what} is damaged: the transform expects ${t.inputDims} dimensions, the model ${json.dims}.`);
    if (json.weights.length !== k || json.intercepts.length !== k || json.weights.some((w) => w.length !== t.outputDims)) {
      throw new Error(`${what} is damaged: weight matrix sizes do not match the classes and the transform.`);
    }
    if (json.classes.some((c) => !Number.isInteger(c) || c < 0 || c >= json.numClasses))
      throw new Error(`${what} is damaged: a class index is out of range.`);
    const m = new LinearClassifier(json.kind, json.params);
    m.transform = t;
    m.classes = json.classes;
    m.weights = json.weights.map((w) => Float64Array.from(w));
    m.intercepts = json.intercepts;
    m.scale = json.probabilityScale;
    m.numClasses = json.numClasses;
    m.dims = json.dims;
    m.C = json.C;
    m.iterations = json.iterations;
    m.converged = json.converged;
    return m;
  }
}
