import { defaultCacheDir } from '../features/cache';
import { isVectorFeatureKind, type FeatureConfig } from '../../../src-shared/config/features';
import { extractFiles, type ExtractedItem } from '../features/dataset';
import { makeRunSplit } from '../datasets/corpusSplit';
import type { SplitAssignment } from '../datasets/splits';
import type { Store } from '../store/db';
import { getDataset, listFiles, type FileRow } from '../store/datasets';
import { getModelPreset } from '../models/presets';
import type { RunConfig } from '../../../src-shared/config/run';
import type { Example } from './examples';
import { fitNormalization, normalizeBySpeaker } from './normalization';
import { rawInput, toModelInputs, type InputSpec, type Matrix, type Preprocessing } from './preprocessing';

export interface RunData {
  labels: string[];
  files: Map<number, FileRow>;
  split: SplitAssignment;
  preprocessing: Preprocessing;
  train: Example[];
  val: Example[];
  test: Example[];
  /**
   * Speed-perturbed copies of the training and validation files (config.speedPerturbation), each with its `speed`;
   * the model decides which it fits on (validation copies only with fitOn 'train+val'). Empty without perturbation.
   */
  perturbed: Example[];
  /** Test files' copies at preprocessing.testTimeSpeeds (test-time augmentation), never fitted on; empty without it. */
  testCopies: Example[];
  /** Files whose features could not be computed; they are left out of every part. */
  errors: { file: string; reason: string }[];
}

export interface DataProgress {
  onProgress?: (stage: string, done: number, total: number, detail?: string) => void;
  onLog?: (message: string) => void;
  signal?: AbortSignal;
  /** Feature worker processes (0 = in this process); default one per core. */
  workers?: number;
}

/** Labelled, usable files of a dataset (a run's label maps and class restriction are runFiles' job). */
export function usableFiles(store: Store, datasetId: number): FileRow[] {
  if (!getDataset(store.db, datasetId)) throw new Error(`Dataset ${datasetId} does not exist (see \`ser datasets list\`).`);
  return listFiles(store.db, datasetId).filter((f) => !f.error && f.label !== null);
}

/** Features for the given files (cached on disk), keyed by file id; `speed` ≠ 1 gives speed-perturbed copies. */
export async function featuresFor(store: Store, files: FileRow[], config: FeatureConfig, stage: string, p: DataProgress, speed = 1) {
  const r = await extractFiles(
    files.map((f) => ({ fileId: f.id, path: f.path, contentHash: f.contentHash })),
    {
      config,
      cacheDir: defaultCacheDir(store.path),
      workers: p.workers,
      signal: p.signal,
      onProgress: (done, total, file) => p.onProgress?.(stage, done, total, file),
      speed,
    },
  );
  const byId = new Map<number, ExtractedItem>(r.items.map((i) => [i.fileId, i]));
  p.onLog?.(
    `${stage}: ${r.items.length} files (${r.cached} from cache) in ${r.seconds.toFixed(1)} s${r.errors.length ? `, ${r.errors.length} failed` : ''}.`,
  );
  return { byId, errors: r.errors };
}

/** The datasets a run trains and tests on, its primary first. */
export function runDatasetIds(config: RunConfig): number[] {
  return [config.datasetId, ...(config.extraDatasets ?? []).map((d) => d.datasetId)];
}

/**
 * The run's labelled files from every dataset it names, each dataset's labels renamed by its run label map (null drops
 * the files) and then restricted to config.labels. With several datasets the speakers are qualified by corpus
 * ("<datasetId>:<speaker>"): corpora number their speakers independently (EMO-DB's 03 is not RAVDESS's 03), and a
 * split or a speaker normalisation that merged them would mix two people.
 */
export function runFiles(store: Store, config: RunConfig): FileRow[] {
  const refs = [{ datasetId: config.datasetId, labelMap: config.labelMap ?? {} }, ...(config.extraDatasets ?? [])];
  const keep = config.labels ? new Set(config.labels) : null;
  const out: FileRow[] = [];
  for (const ref of refs) {
    const files = usableFiles(store, ref.datasetId);
    const present = new Set(files.map((f) => f.label as string));
    const unknown = Object.keys(ref.labelMap).filter((l) => !present.has(l));
    if (unknown.length) {
      throw new Error(
        `The run's label map for dataset ${ref.datasetId} names ${unknown.map((l) => `"${l}"`).join(', ')}, which it does not have; its labels are ${[...present].sort().join(', ')}.`,
      );
    }
    for (const f of files) {
      const label = Object.hasOwn(ref.labelMap, f.label as string) ? ref.labelMap[f.label as string] : f.label;
      if (label === null || (keep && !keep.has(label))) continue;
      const speaker = refs.length > 1 && f.speaker !== null ? `${f.datasetId}:${f.speaker}` : f.speaker;
      out.push({ ...f, label, speaker });
    }
  }
  return out;
}

const isVector = (c: FeatureConfig) => isVectorFeatureKind(c.kind);

/**
 * Dataset → split → features → normalised examples: everything a trainer needs. Normalisation
 * statistics and the frame count of variable-length features come from the training part only.
 */
export async function prepareRunData(store: Store, config: RunConfig, p: DataProgress = {}): Promise<RunData> {
  const files = runFiles(store, config);
  const datasets = runDatasetIds(config).join(', ');
  if (files.length === 0)
    throw new Error(`Dataset ${datasets} has no labelled, readable files${config.labels ? ` with labels ${config.labels.join(', ')}` : ''}.`);
  const present = new Set(files.map((f) => f.label as string));
  if (config.labels) {
    const missing = config.labels.filter((l) => !present.has(l));
    if (missing.length) throw new Error(`Dataset ${datasets} has no files labelled ${missing.join(', ')}.`);
  }
  const labels = config.labels ?? [...present].sort();
  if (labels.length < 2) throw new Error(`Dataset ${datasets} has a single class (${labels[0]}); a classifier needs at least two.`);
  const split = makeRunSplit(files, config.split);
  if (split.train.length === 0) throw new Error('The split leaves no files for training.');
  if (split.test.length === 0) throw new Error('The split leaves no files for testing.');
  const fileById = new Map(files.map((f) => [f.id, f]));

  const preset = getModelPreset(config.model.preset);
  const sources: { source: InputSpec['source']; config: FeatureConfig }[] = [{ source: 'features', config: config.features }];
  if (preset.family === 'neural' && config.auxFeatures) sources.push({ source: 'auxFeatures', config: config.auxFeatures });

  const errors: RunData['errors'] = [];
  const matrices = new Map<InputSpec['source'], Map<number, ExtractedItem>>();
  for (const s of sources) {
    const r = await featuresFor(store, files, s.config, s.source === 'features' ? 'features' : 'aux features', p);
    matrices.set(s.source, r.byId);
    errors.push(...r.errors);
  }
  if (config.speakerNormalization) {
    const speakerOf = (id: number) => fileById.get(id)!.speaker;
    for (const s of sources) matrices.set(s.source, normalizeBySpeaker(matrices.get(s.source)!, speakerOf));
    const speakers = new Set(files.map((f) => f.speaker ?? `file ${f.id}`)).size;
    p.onLog?.(`Speaker normalisation: features standardised per speaker (${speakers} groups, test speakers included; no labels used).`);
  }
  const complete = (id: number) => sources.every((s) => matrices.get(s.source)!.has(id));
  const trainIds = split.train.filter(complete);
  if (trainIds.length === 0) throw new Error('No training file has usable features.');

  // Classical models standardise inside (their own saved scaler); networks get the run's normalisation.
  const normMode = preset.family === 'classical' ? 'none' : config.normalization;
  const specs: InputSpec[] = sources.map((s) => {
    const items = trainIds.map((id) => matrices.get(s.source)!.get(id)!);
    const rows = items[0].shape[0];
    const role: InputSpec['role'] = isVector(s.config) ? 'vector' : 'spectrogram';
    if (role === 'vector') {
      const len = items[0].data.length;
      const raw = items.map((m) => rawInput(m as Matrix, { role, rows: len, frames: 1 }, fileById.get(m.fileId)!.path));
      const vectorMode = normMode === 'utterance' ? 'per-band' : normMode;
      return { source: s.source, role, rows: len, frames: 1, normalization: fitNormalization(raw, len, vectorMode) };
    }
    const frames = frameCount(s.config, items);
    const raw = items.map((m) => rawInput(m as Matrix, { role, rows, frames }, fileById.get(m.fileId)!.path));
    return { source: s.source, role, rows, frames, normalization: fitNormalization(raw, rows, normMode) };
  });
  const preprocessing: Preprocessing = { inputs: specs };
  if (config.speakerNormalization) preprocessing.speakerNormalization = true;
  if (config.speakerAdaptiveBatchNorm) preprocessing.speakerAdaptiveBatchNorm = true;
  if (config.testTimeSpeedPerturbation) preprocessing.testTimeSpeeds = config.speedPerturbation;
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const examplesOf = (ids: number[], from = matrices): Example[] =>
    ids.filter(complete).map((id) => {
      const f = fileById.get(id)!;
      const m = Object.fromEntries(sources.map((s) => [s.source, from.get(s.source)!.get(id)! as Matrix]));
      return { fileId: id, label: labelIndex.get(f.label as string)!, inputs: toModelInputs(m, preprocessing, f.path), speaker: f.speaker };
    });

  // Speed-perturbed copies (classical models only, one vector source): each speaker's copies at one speed are
  // normalised as a speaker of their own, since they sound like another voice.
  const copiesAt = async (speed: number, ids: number[], what: string): Promise<Example[]> => {
    const r = await featuresFor(
      store,
      ids.map((id) => fileById.get(id)!),
      config.features,
      `${what} ×${speed}`,
      p,
      speed,
    );
    errors.push(...r.errors.map((e) => ({ file: e.file, reason: `speed ×${speed} copy: ${e.reason}` })));
    const byId = config.speakerNormalization ? normalizeBySpeaker(r.byId, (id) => fileById.get(id)!.speaker) : r.byId;
    const from = new Map([['features' as const, byId]]);
    return examplesOf(
      ids.filter((id) => byId.has(id)),
      from,
    ).map((e) => ({ ...e, speed }));
  };
  const perturbed: Example[] = [];
  const fitIds = [...split.train, ...split.val].filter(complete);
  for (const speed of config.speedPerturbation ?? []) perturbed.push(...(await copiesAt(speed, fitIds, 'features')));
  const testCopies: Example[] = [];
  const testIds = split.test.filter(complete);
  for (const speed of preprocessing.testTimeSpeeds ?? []) testCopies.push(...(await copiesAt(speed, testIds, 'test-time features')));
  return {
    labels,
    files: fileById,
    split,
    preprocessing,
    train: examplesOf(split.train),
    val: examplesOf(split.val),
    test: examplesOf(split.test),
    perturbed,
    testCopies,
    errors,
  };
}

/** Frames per spectrogram: the fixed length when configured, else the longest training item. */
function frameCount(c: FeatureConfig, items: ExtractedItem[]): number {
  if (c.length.mode === 'fixed') return items[0].shape[1];
  return Math.max(...items.map((m) => m.shape[1]));
}
