import { z } from 'zod';
import { base64ToFloat32, float32ToBase64 } from '../../../../src-shared/audio/pcmBase64';
import { denseFromRows, type DenseMatrix } from './denseMatrix';
import { resolveK, selectKBest, type SelectK } from './featureSelection';
import { fitPca, pcaProject, pcaSize, type Pca, type PcaComponents } from './pca';
import { fitStandardizer, type Standardizer } from './standardizer';

/**
 * What a classical model does to a raw feature vector before its classifier, all fitted on the training vectors only:
 * z-scoring per dimension, then optionally SelectKBest(f_classif) on the z-scores, then optionally PCA. A saved model
 * carries the fitted transform, so it maps raw functionals to probabilities on its own. When the run normalises per
 * speaker, the vectors arriving here are already speaker-normalised (training/data.ts) and the z-scoring is fitted on those.
 */
export interface VectorTransformSpec {
  /** Keep the k dimensions with the highest ANOVA F-score (k a count, or a fraction in (0, 1)). */
  select: { k: SelectK } | null;
  /** Project onto principal components (a count, or the variance fraction to keep in (0, 1)). */
  pca: { components: PcaComponents } | null;
}

export interface VectorTransform {
  spec: VectorTransformSpec;
  standardizer: Standardizer;
  /** Kept input dimensions (ascending), or null when nothing is selected. */
  selected: number[] | null;
  /** Fitted on the (selected) z-scores, or null without PCA. */
  pca: Pca | null;
  inputDims: number;
  outputDims: number;
}

/** Fits the transform on training vectors (y only for the F-scores). */
export function fitVectorTransform(X: ArrayLike<number>[], y: number[], spec: VectorTransformSpec): VectorTransform {
  const inputDims = X[0].length;
  const standardizer = fitStandardizer(X as Float32Array[]);
  const z = denseFromRows(X.map((x) => standardizeRow(standardizer, x)));
  let selected: number[] | null = null;
  let current: DenseMatrix = z;
  if (spec.select) {
    resolveK(spec.select.k, inputDims);
    const rows = Array.from({ length: z.rows }, (_, i) => z.data.subarray(i * z.cols, (i + 1) * z.cols));
    selected = selectKBest(rows, y, spec.select.k).indices;
    current = denseFromRows(rows.map((r) => Float64Array.from(selected!, (j) => r[j])));
  }
  const pca = spec.pca ? fitPca(current, spec.pca.components) : null;
  return { spec, standardizer, selected, pca, inputDims, outputDims: pca ? pcaSize(pca) : (selected?.length ?? inputDims) };
}

function standardizeRow(s: Standardizer, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(s.mean.length);
  for (let j = 0; j < out.length; j++) out[j] = (x[j] - s.mean[j]) / s.std[j];
  return out;
}

/** The transformed vector (length outputDims). */
export function applyVectorTransform(t: VectorTransform, x: ArrayLike<number>): Float64Array {
  let v = standardizeRow(t.standardizer, x);
  if (t.selected) v = Float64Array.from(t.selected, (j) => v[j]);
  return t.pca ? pcaProject(t.pca, v) : v;
}

/** Transformed vectors as one dense matrix (rows in input order). */
export function transformRows(t: VectorTransform, X: ArrayLike<number>[]): DenseMatrix {
  const out = new Float64Array(X.length * t.outputDims);
  for (let i = 0; i < X.length; i++) out.set(applyVectorTransform(t, X[i]), i * t.outputDims);
  return { rows: X.length, cols: t.outputDims, data: out };
}

/** Saved form of a fitted transform; large PCA matrices travel as base64 float32 (they are float32 in memory too). */
export const VectorTransformJsonSchema = z.object({
  spec: z.object({
    select: z.object({ k: z.number().positive() }).nullable(),
    pca: z.object({ components: z.number().positive() }).nullable(),
  }),
  standardizer: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }),
  selected: z.array(z.number().int().min(0)).nullable(),
  pca: z
    .object({
      mean: z.array(z.number()),
      components: z.string(),
      explainedVariance: z.array(z.number()),
      explainedVarianceRatio: z.array(z.number()),
    })
    .nullable(),
  inputDims: z.number().int().min(1),
  outputDims: z.number().int().min(1),
});
export type VectorTransformJson = z.infer<typeof VectorTransformJsonSchema>;

export function vectorTransformToJSON(t: VectorTransform): VectorTransformJson {
  return {
    spec: t.spec,
    standardizer: t.standardizer,
    selected: t.selected,
    pca: t.pca
      ? {
          mean: Array.from(t.pca.mean),
          components: float32ToBase64(t.pca.components),
          explainedVariance: t.pca.explainedVariance,
          explainedVarianceRatio: t.pca.explainedVarianceRatio,
        }
      : null,
    inputDims: t.inputDims,
    outputDims: t.outputDims,
  };
}

/** Rebuilds a transform from its JSON, checking that the pieces fit together; `what` names the file in errors. */
export function vectorTransformFromJSON(j: VectorTransformJson, what: string): VectorTransform {
  const bad = (msg: string) => new Error(`${what} is damaged: ${msg}.`);
  if (j.standardizer.mean.length !== j.inputDims || j.standardizer.std.length !== j.inputDims)
    throw bad('standardizer length differs from inputDims');
  if (j.selected && j.selected.some((i) => i >= j.inputDims)) throw bad('a selected dimension lies outside the input');
  const afterSelect = j.selected?.length ?? j.inputDims;
  let pca: Pca | null = null;
  if (j.pca) {
    const components = base64ToFloat32(j.pca.components);
    if (j.pca.mean.length !== afterSelect || components.length !== j.outputDims * afterSelect) throw bad('PCA matrix sizes do not match');
    pca = {
      mean: Float64Array.from(j.pca.mean),
      components,
      explainedVariance: j.pca.explainedVariance,
      explainedVarianceRatio: j.pca.explainedVarianceRatio,
      dims: afterSelect,
    };
  } else if (j.outputDims !== afterSelect) throw bad('outputDims differs from the selected dimensions');
  return {
    spec: { select: j.spec.select, pca: j.spec.pca },
    standardizer: j.standardizer,
    selected: j.selected,
    pca,
    inputDims: j.inputDims,
    outputDims: j.outputDims,
  };
}
