import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './shared';

/** tests/fixtures/linearReference.json, written by tests/reference/linearReference.py (scikit-learn 1.2). */
export interface LinearReference {
  versions: Record<string, string>;
  data: Record<string, { train: number[][]; trainLabels: number[]; test: number[][]; testLabels: number[] }>;
  logreg: { data: string; C: number; class_weight: 'none' | 'balanced'; coef: number[][]; intercept_centred: number[]; proba_test: number[][] }[];
  linearSvc: {
    data: string;
    C: number;
    class_weight: 'none' | 'balanced';
    coef: number[][];
    intercept: number[];
    decision_test: number[][];
    accuracy_test: number;
  }[];
  pca: {
    data: string;
    components_param: number;
    n_components: number;
    components: number[][];
    explained_variance: number[];
    explained_variance_ratio: number[];
    transform_test: number[][];
  }[];
  fClassif: { data: string; k: number; f: (number | null)[]; selected: number[] }[];
}

export const LINEAR_REFERENCE = JSON.parse(readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'linearReference.json'), 'utf8')) as LinearReference;

/** A reference data set as the models take it. */
export function referenceData(name: string): { X: Float32Array[]; y: number[]; Xtest: Float32Array[]; ytest: number[]; classes: number } {
  const d = LINEAR_REFERENCE.data[name];
  // Four-decimal values: float32 keeps about 7 significant digits, so the standardiser sees them within 1e-7 relative.
  return {
    X: d.train.map((r) => Float32Array.from(r)),
    y: d.trainLabels,
    Xtest: d.test.map((r) => Float32Array.from(r)),
    ytest: d.testLabels,
    classes: Math.max(...d.trainLabels) + 1,
  };
}

/** Largest absolute difference between two equal-shape tables. */
export function maxAbsDiff(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) for (let j = 0; j < a[i].length; j++) m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
  return m;
}

/** Largest absolute value in a table. */
export function maxAbs(a: ArrayLike<number>[]): number {
  let m = 0;
  for (const r of a) for (let j = 0; j < r.length; j++) m = Math.max(m, Math.abs(r[j]));
  return m;
}
