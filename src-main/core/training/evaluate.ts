import type { FilePrediction } from '../../../src-shared/api/contract';
import { evaluatePredictions, type EvaluationReport } from '../../../src-shared/metrics';
import type { Store } from '../store/db';
import type { FileRow } from '../store/datasets';
import { featuresFor, usableFiles, type DataProgress } from './data';
import { argmax } from './examples';
import { combineMembers, isEnsemble, predictInputs, type LoadedModel, type Predictor } from './predict';
import { normalizeBySpeaker } from './normalization';
import { toModelInputs, type Matrix } from './preprocessing';
import { averageWithCopies } from './testTimeCopies';

export interface DatasetEvaluation {
  report: EvaluationReport;
  predictions: FilePrediction[];
  /** Files left out because their (mapped) label is not one the model knows, counted per label. */
  skipped: Record<string, number>;
  errors: { file: string; reason: string }[];
}

/** Scores probabilities against true labels (indices into `labels`) and lists per-file predictions. */
export function scorePredictions(
  files: FileRow[],
  yTrue: number[],
  probs: Float32Array[],
  labels: string[],
): { report: EvaluationReport; predictions: FilePrediction[] } {
  const yPred = probs.map(argmax);
  const report = evaluatePredictions(yTrue, yPred, labels);
  const predictions = files.map((f, i) => ({
    fileId: f.id,
    file: f.path,
    label: labels[yTrue[i]],
    predicted: labels[yPred[i]],
    probabilities: Object.fromEntries(labels.map((l, j) => [l, Math.round(probs[i][j] * 1e6) / 1e6])),
  }));
  return { report, predictions };
}

/**
 * Evaluates a model on (some of) a dataset, e.g. another corpus: labels go through `labelMap`
 * (dataset label → model label, null drops the file; unmapped labels pass through unchanged),
 * and files whose label the model does not know are skipped and counted.
 */
export async function evaluateOnDataset(
  store: Store,
  model: Predictor,
  datasetId: number,
  opts: DataProgress & { labelMap?: Record<string, string | null>; fileIds?: number[] } = {},
): Promise<DatasetEvaluation> {
  const index = new Map(model.labels.map((l, i) => [l, i]));
  const wanted = opts.fileIds ? new Set(opts.fileIds) : null;
  const skipped: Record<string, number> = {};
  const files: FileRow[] = [];
  const yTrue: number[] = [];
  for (const f of usableFiles(store, datasetId)) {
    if (wanted && !wanted.has(f.id)) continue;
    const original = f.label as string;
    const mapped = opts.labelMap && original in opts.labelMap ? opts.labelMap[original] : original;
    const y = mapped === null ? undefined : index.get(mapped);
    if (y === undefined) {
      skipped[original] = (skipped[original] ?? 0) + 1;
      continue;
    }
    files.push(f);
    yTrue.push(y);
  }
  if (files.length === 0) {
    throw new Error(
      `Dataset ${datasetId} has no files with labels this model knows (${model.labels.join(', ')}); its labels are ${Object.keys(skipped).join(', ') || 'none'}. Pass a label map.`,
    );
  }
  let kept: { keep: number[]; probs: Float32Array[]; errors: { file: string; reason: string }[] };
  if (isEnsemble(model)) {
    // Every member computes its own features and adapts on its own; a file counts when every member could classify it.
    const perMember: Awaited<ReturnType<typeof fileProbabilities>>[] = [];
    for (const member of model.members) perMember.push(await fileProbabilities(store, member, files, datasetId, opts));
    const byMember = perMember.map((r) => new Map(r.keep.map((i, j) => [i, r.probs[j]])));
    const keep = files.map((_, i) => i).filter((i) => byMember.every((m) => m.has(i)));
    if (keep.length === 0) throw new Error(`No file of dataset ${datasetId} could be classified by every member of the ensemble ${model.dir}.`);
    kept = {
      keep,
      probs: combineMembers(
        model,
        byMember.map((m) => keep.map((i) => m.get(i)!)),
      ),
      errors: perMember.flatMap((r) => r.errors),
    };
  } else {
    kept = await fileProbabilities(store, model, files, datasetId, opts);
  }
  const { keep, probs, errors } = kept;
  const scored = scorePredictions(
    keep.map((i) => files[i]),
    keep.map((i) => yTrue[i]),
    probs,
    model.labels,
  );
  return { ...scored, skipped, errors };
}

/** One model's probabilities for the files (indices `keep` into `files`), speaker-normalised as it was trained. */
async function fileProbabilities(
  store: Store,
  model: LoadedModel,
  files: FileRow[],
  datasetId: number,
  opts: DataProgress,
): Promise<{ keep: number[]; probs: Float32Array[]; errors: { file: string; reason: string }[] }> {
  const primary = await featuresFor(store, files, model.featureConfig, 'features', opts);
  const aux = model.auxFeatureConfig ? await featuresFor(store, files, model.auxFeatureConfig, 'aux features', opts) : null;
  // The model was trained on speaker-normalised features: group the evaluated files by speaker the same way.
  const speakers = new Map(files.map((f) => [f.id, f.speaker]));
  const speakerOf = (id: number) => speakers.get(id) ?? null;
  const adapt = (byId: typeof primary.byId) => (model.preprocessing.speakerNormalization ? normalizeBySpeaker(byId, speakerOf) : byId);
  primary.byId = adapt(primary.byId);
  if (aux) aux.byId = adapt(aux.byId);
  const errors = [...primary.errors, ...(aux?.errors ?? [])];
  const keep: number[] = [];
  const inputs: Float32Array[][] = [];
  files.forEach((f, i) => {
    const m = primary.byId.get(f.id);
    const a = aux?.byId.get(f.id);
    if (!m || (aux && !a)) return;
    inputs.push(toModelInputs({ features: m as Matrix, auxFeatures: a as Matrix | undefined }, model.preprocessing, f.path));
    keep.push(i);
  });
  if (keep.length === 0) throw new Error(`No file of dataset ${datasetId} has usable features (${errors[0]?.reason ?? 'unknown reason'}).`);
  let probs = await predictInputs(
    model,
    inputs,
    keep.map((i) => files[i].speaker),
  );
  // Test-time speed copies (a model with testTimeSpeeds is classical: one vector input, no aux features).
  const kept = keep.map((i) => files[i]);
  const copies: { fileId: number }[] = [];
  const copyProbs: Float32Array[] = [];
  for (const speed of model.preprocessing.testTimeSpeeds ?? []) {
    const r = await featuresFor(store, kept, model.featureConfig, `features ×${speed}`, opts, speed);
    errors.push(...r.errors.map((e) => ({ file: e.file, reason: `speed ×${speed} copy: ${e.reason}` })));
    const byId = adapt(r.byId);
    const at = kept.filter((f) => byId.has(f.id));
    if (!at.length) continue;
    copies.push(...at.map((f) => ({ fileId: f.id })));
    copyProbs.push(
      ...(await predictInputs(
        model,
        at.map((f) => toModelInputs({ features: byId.get(f.id) as Matrix }, model.preprocessing, f.path)),
      )),
    );
  }
  if (copies.length)
    probs = averageWithCopies(
      kept.map((f) => ({ fileId: f.id })),
      probs,
      copies,
      copyProbs,
    );
  return { keep, probs, errors };
}
