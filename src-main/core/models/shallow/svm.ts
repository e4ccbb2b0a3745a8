import { balancedClassWeights } from './classWeights';
import { newLibsvm, type LibsvmClass, type LibsvmModel } from './libsvm';
import { checkTrainingData, checkVector } from './trainingData';
import { permutation } from './permutation';
import type { Standardizer } from './standardizer';
import {
  applyVectorTransform,
  fitVectorTransform,
  vectorTransformFromJSON,
  vectorTransformToJSON,
  type VectorTransform,
  type VectorTransformJson,
} from './vectorTransform';

export interface SvmParams {
  kernel: 'rbf' | 'linear';
  /** Soft-margin cost. */
  C: number;
  /** RBF width; 'scale' = 1 / dims, which is sklearn's 'scale' on standardised inputs (variance 1). */
  gamma: number | 'scale';
  /** 'balanced' weights class c by n / (k * n_c), as sklearn's class_weight='balanced'. */
  class_weight: 'none' | 'balanced';
  /** SelectKBest(f_classif) on the z-scores before the kernel, or null. */
  select: { k: number } | null;
  /** PCA after z-scoring (and selection), or null. */
  pca: { components: number } | null;
  /**
   * Order in which samples reach libsvm. The SVM solution does not depend on it, but libsvm's
   * probability calibration splits the data into 5 folds by position, so the seed picks the folds.
   */
  seed: number;
}

/** Version 1 (before selection/PCA) kept only the z-scoring; version 2 keeps the whole fitted transform. */
export type SvmJson =
  | { format: 'ser-svm'; version: 1; params: SvmParams; numClasses: number; dims: number; standardizer: Standardizer; libsvm: string }
  | {
      format: 'ser-svm';
      version: 2;
      params: SvmParams;
      numClasses: number;
      dims: number;
      transform: VectorTransformJson;
      /** libsvm's own text model (probability model included). */
      libsvm: string;
    };

/** C-SVC with Platt-scaled, pairwise-coupled probabilities (libsvm `-b 1`, as sklearn's SVC(probability=True)). */
export class SvmModel {
  readonly kind = 'svm' as const;
  private svm: LibsvmModel | null = null;
  private transform: VectorTransform | null = null;
  private serialized = '';
  private numClasses = 0;
  private dims = 0;

  constructor(readonly params: SvmParams) {}

  /** Fits scaling and SVM on the training vectors; y holds class indices 0..numClasses-1. */
  async fit(X: Float32Array[], y: number[], numClasses: number): Promise<void> {
    checkTrainingData('SVM', X, y, numClasses);
    const Svm = await newLibsvm();
    const transform = fitVectorTransform(X, y, { select: this.params.select ?? null, pca: this.params.pca ?? null });
    this.transform = transform;
    this.dims = X[0].length;
    this.numClasses = numClasses;
    const order = permutation(X.length, this.params.seed);
    const samples = order.map((i) => Array.from(applyVectorTransform(transform, X[i])));
    const labels = order.map((i) => y[i]);
    const options: Record<string, unknown> = {
      type: Svm.SVM_TYPES.C_SVC,
      kernel: this.params.kernel === 'rbf' ? Svm.KERNEL_TYPES.RBF : Svm.KERNEL_TYPES.LINEAR,
      cost: this.params.C,
      // sklearn's 'scale' is 1 / (dims · variance): z-scores have variance 1 (kept as 1 / dims, as before PCA existed);
      // PCA scores do not, so their mean variance is measured.
      gamma: this.params.gamma === 'scale' ? 1 / (transform.outputDims * (transform.pca ? meanVariance(samples) : 1)) : this.params.gamma,
      probabilityEstimates: true,
      quiet: true,
    };
    if (this.params.class_weight === 'balanced') {
      const w = balancedClassWeights(y, numClasses);
      options.weight = Object.fromEntries(w.flatMap((v, c) => (v > 0 ? [[String(c), v]] : [])));
    }
    const trainer = new Svm(options);
    trainer.train(samples, labels);
    this.serialized = trainer.serializeModel();
    // The trained model points into the training problem's memory; predict from the serialised copy
    // instead, so a model used right after fit and one loaded from disk give identical outputs.
    trainer.free();
    this.svm = Svm.load(this.serialized);
  }

  /** Class probabilities per vector (length numClasses; classes absent from training get 0). */
  predictProba(X: Float32Array[]): Float32Array[] {
    const svm = this.svm;
    const t = this.transform;
    if (!svm || !t) throw new Error('SVM: predictProba called before fit or load.');
    return X.map((x, i) => {
      checkVector('SVM', x, this.dims, `input vector ${i}`);
      const { estimates } = svm.predictOneProbability(Array.from(applyVectorTransform(t, x)));
      const out = new Float32Array(this.numClasses);
      for (const e of estimates) out[e.label] = e.probability;
      return out;
    });
  }

  /** Always the current version (2). */
  toJSON(): Extract<SvmJson, { version: 2 }> {
    if (!this.transform || !this.serialized) throw new Error('SVM: cannot save a model that has not been fitted.');
    return {
      format: 'ser-svm',
      version: 2,
      params: this.params,
      numClasses: this.numClasses,
      dims: this.dims,
      transform: vectorTransformToJSON(this.transform),
      libsvm: this.serialized,
    };
  }

  /** Rebuilds a fitted model from toJSON() output. */
  static async fromJSON(json: SvmJson): Promise<SvmModel> {
    const Svm: LibsvmClass = await newLibsvm();
    const m = new SvmModel(json.params);
    m.transform =
      json.version === 1
        ? {
            spec: { select: null, pca: null },
            standardizer: json.standardizer,
            selected: null,
            pca: null,
            inputDims: json.dims,
            outputDims: json.dims,
          }
        : vectorTransformFromJSON(json.transform, 'Saved SVM');
    m.numClasses = json.numClasses;
    m.dims = json.dims;
    m.serialized = json.libsvm;
    m.svm = Svm.load(json.libsvm);
    return m;
  }

  get inputDims(): number {
    return this.dims;
  }
}

/** Mean per-dimension variance of the (transformed) training vectors, for gamma = 'scale'. */
function meanVariance(samples: number[][]): number {
  const d = samples[0].length;
  let total = 0;
  for (let j = 0; j < d; j++) {
    let s = 0;
    let q = 0;
    for (const x of samples) {
      s += x[j];
      q += x[j] * x[j];
    }
    const m = s / samples.length;
    total += q / samples.length - m * m;
  }
  return total / d || 1;
}
