/**
 * The one typed API between the untrusted renderer and the core. Both transports (Electron IPC via
 * the preload, browser mode's WebSocket) carry exactly these messages, and the receiving side
 * validates every request against these schemas before touching the file system or the DB.
 * This file is imported by the renderer too, so it must stay free of Node imports.
 */
import { z } from 'zod';
import { CORPUS_NAMES } from '../corpus';
import { FeatureConfigSchema, type FeatureConfig } from '../config/features';
import type { ModelPresetInfo } from '../config/models';
import { RunConfigSchema, type RunConfig } from '../config/run';
import { SplitSpecSchema } from '../config/split';
import { StudySpecSchema, type StudySpec } from '../config/study';
import { EnsembleRequestSchema, type EnsembleResult, type EnsembleRunConfig } from '../ensemble';
import type { Level } from '../audio/levels';
import type { StudyAggregate, StudyComparison } from '../studies/aggregate';
import type { GridPoint } from '../studies/expand';
import type { WireError } from './errors';

const id = z.number().int().positive();
const label = z.string().min(1).max(64);
const path = z.string().min(1).max(4096);
/** A speaker profile's name (checked in full by core/profiles). */
const profileName = z.string().trim().min(1).max(64);
/** Seconds: the longest a `recorder.start` stream runs (and its default). */
export const RECORDER_STREAM_MAX_SECONDS = 3600;

export const CorpusSchema = z.enum(['auto', ...CORPUS_NAMES]);
/** original label → unified label, or null to drop it. */
export const LabelMapSchema = z.record(z.string().min(1).max(64), label.nullable());

/**
 * Where labels, speakers and genders come from besides the corpus convention (see src-shared/namePattern.ts).
 * Left out, the ones stored with a dataset already imported from the folder apply; '' means none.
 */
export const NamingSchema = z.object({
  /** e.g. `{_}-{_}-{label}-{_}-{_}-{_}-{speaker}`. */
  pattern: z.string().max(512).optional(),
  /**
   * A CSV on the machine running the core: path, label, speaker, gender columns, or one row per speaker. Only
   * table files: error messages quote its header, which must not become a way to read any file.
   */
  metadata: z.union([z.literal(''), path.regex(/\.(csv|tsv|txt)$/i, 'the metadata file must be a .csv, .tsv or .txt file')]).optional(),
});

/** Every request method: its params schema. */
export const requestSchemas = {
  'app.info': z.object({}),
  'fs.list': z.object({ path: path.optional() }),
  'datasets.list': z.object({}),
  'datasets.get': z.object({ id }),
  'datasets.files': z.object({
    id,
    label: z.string().max(64).optional(),
    speaker: z.string().max(64).optional(),
    search: z.string().max(256).optional(),
    errorsOnly: z.boolean().optional(),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(1000).default(100),
  }),
  'datasets.detect': z.object({ folder: path }),
  'datasets.import': z.object({
    folder: path,
    corpus: CorpusSchema.default('auto'),
    ...NamingSchema.shape,
    name: z.string().min(1).max(128).optional(),
    labelMap: LabelMapSchema.optional(),
    /** Seconds: longer files are listed with a reason and not used; omitted = 600 (see src-shared/audio/plausibility.ts). */
    maxDurationSeconds: z.number().positive().max(86_400).optional(),
  }),
  /** What importing a folder this way would give, without reading any audio: for the import wizard's live preview. */
  'datasets.previewImport': z.object({
    folder: path,
    corpus: CorpusSchema.default('auto'),
    ...NamingSchema.shape,
    labelMap: LabelMapSchema.optional(),
    /** Files listed in `files` (the first ones in path order). */
    limit: z.number().int().min(1).max(500).default(20),
  }),
  'datasets.delete': z.object({ id }),
  'datasets.relabel': z.object({ id, labelMap: LabelMapSchema }),
  'datasets.splitPreview': z.object({ id, spec: SplitSpecSchema }),
  /** A dataset file by id, or any audio file by path (Predict plays files outside datasets). */
  'files.audio': z.union([z.object({ fileId: id }), z.object({ path })]),
  'features.presets': z.object({}),
  'features.compute': z.object({ fileId: id, config: FeatureConfigSchema }),
  'features.extract': z.object({ datasetId: id, config: FeatureConfigSchema }),
  'models.presets': z.object({}),
  'models.list': z.object({}),
  /** Combines saved models (folders or model ids) into a saved ensemble; see EnsembleRequestSchema. */
  'models.ensemble': EnsembleRequestSchema,
  /** ONNX export of a saved model into outDir (model.onnx, preprocessing.json, predict.mjs, the model card). */
  'models.export': z.object({ modelId: id, outDir: path, format: z.literal('onnx').default('onnx') }),
  /** A saved model's card as Markdown (the one an export writes). */
  'models.card': z.object({ modelId: id }),
  'runs.start': z.object({ config: RunConfigSchema }),
  'runs.list': z.object({}),
  'runs.get': z.object({ id }),
  'runs.cancel': z.object({ id }),
  'runs.delete': z.object({ id }),
  'runs.update': z.object({ id, tags: z.array(z.string().min(1).max(32)).max(20).optional(), note: z.string().max(10_000).optional() }),
  'runs.rerun': z.object({ id }),
  'runs.compare': z.object({ ids: z.array(id).min(2).max(12) }),
  'runs.export': z.object({ ids: z.array(id).min(1).max(100), format: z.enum(['json', 'csv']) }),
  /** oneSpeaker: the files are one speaker's (see PredictPathsOptions.oneSpeaker). */
  'predict.start': z.object({ modelId: id, paths: z.array(path).min(1).max(10_000), oneSpeaker: z.boolean().optional() }),
  'jobs.cancel': z.object({ jobId: z.string().min(1).max(64) }),
  'recorder.devices': z.object({}),
  'recorder.record': z.object({ deviceId: z.number().int().min(0).optional(), seconds: z.number().gt(0).max(600) }),
  /** Opens a device as a stream of `recorder.chunk`/`recorder.level` events until recorder.stop, maxSeconds or a failure (`recorder.end`). */
  'recorder.start': z.object({
    /** Omitted = the remembered device, else the system default. */
    deviceId: z.number().int().min(0).optional(),
    /** Every stream ends by itself after this long, so none outlives a client that forgot it. */
    maxSeconds: z.number().gt(0).max(RECORDER_STREAM_MAX_SECONDS).default(RECORDER_STREAM_MAX_SECONDS),
    /** Hz asked of the device; omitted = its default rate. */
    sampleRate: z.number().int().min(4000).max(192_000).optional(),
  }),
  'recorder.stop': z.object({ streamId: z.string().min(1).max(64) }),
  'recorder.classify': z.object({
    modelId: id,
    /** An enrolled speaker profile: a model that adapts to speakers uses that speaker's statistics. */
    profileId: id.optional(),
    /**
     * The samples are one utterance cut by live mode's segmenter: the profile's statistics are then taken from its
     * audio cut the same way (see core/profiles profileSpeaker).
     */
    segmented: z.boolean().optional(),
    sampleRate: z.number().int().min(4000).max(192_000),
    /** Mono PCM as base64 of little-endian float32: compact over both transports. */
    samples: z.string().max(64 * 1024 * 1024),
  }),
  'recorder.save': z.object({
    folder: path,
    label,
    speaker: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[\w.-]+$/, 'speaker: letters, digits, dot, dash, underscore only'),
    sampleRate: z.number().int().min(4000).max(192_000),
    samples: z.string().max(64 * 1024 * 1024),
  }),
  'studies.create': z.object({ spec: StudySpecSchema }),
  'studies.list': z.object({}),
  'studies.get': z.object({ id }),
  'studies.cancel': z.object({ id }),
  'studies.retry': z.object({ id }),
  'studies.compare': z.object({ a: id, b: id }),
  'settings.get': z.object({ key: z.string().min(1).max(128) }),
  'settings.set': z.object({ key: z.string().min(1).max(128), value: z.string().max(10_000) }),
  'profiles.list': z.object({}),
  /**
   * Adds utterances of one person to a speaker profile (created if the name is new): a recorded take (mono PCM as
   * base64 float32, like recorder.classify), or audio files picked on the machine running the core.
   */
  'profiles.enrol': z.union([
    z.object({ name: profileName, sampleRate: z.number().int().min(4000).max(192_000), samples: z.string().max(64 * 1024 * 1024) }).strict(),
    z.object({ name: profileName, paths: z.array(path).min(1).max(1000) }).strict(),
  ]),
  'profiles.rename': z.object({ id, name: profileName }),
  'profiles.delete': z.object({ id }),
} as const;

export type Method = keyof typeof requestSchemas;
export type Params<M extends Method> = z.input<(typeof requestSchemas)[M]>;
export type ParsedParams<M extends Method> = z.output<(typeof requestSchemas)[M]>;

// ---------- results ----------
export interface AppInfo {
  version: string;
  mode: 'electron' | 'browser';
  dbPath: string;
  home: string;
  sharedData: string | null;
  capabilities: { nativeKernels: boolean; wasm: boolean; tfjsNode: boolean; portaudio: boolean };
}
export interface DirEntry {
  name: string;
  path: string;
  kind: 'dir' | 'file';
}
export interface DirListing {
  path: string;
  parent: string | null;
  entries: DirEntry[];
}
export interface DatasetSummary {
  id: number;
  name: string;
  root: string;
  corpus: string;
  fileCount: number;
  errorCount: number;
  classes: Record<string, number>;
  speakers: number;
  createdAt: string;
  updatedAt: string;
}
export interface DatasetDetail extends DatasetSummary {
  labelMap: Record<string, string | null>;
  /** The file-name pattern and/or metadata CSV its names are read by besides the convention; null for none. */
  naming: { pattern?: string; metadata?: string } | null;
  /** Seconds: the longest file its import accepts when set (kept for re-imports); null for the default, 600. */
  maxDurationSeconds: number | null;
  bySpeaker: { speaker: string; gender: string | null; count: number; classes: Record<string, number> }[];
  byGender: Record<string, number>;
  durations: number[];
  errors: { file: string; reason: string }[];
}
export interface FileInfo {
  id: number;
  relPath: string;
  path: string;
  label: string | null;
  originalLabel: string | null;
  speaker: string | null;
  gender: string | null;
  intensity: string | null;
  statement: string | null;
  duration: number | null;
  sampleRate: number | null;
  channels: number | null;
  error: string | null;
}
export interface ImportResult {
  datasetId: number;
  name: string;
  corpus: string;
  /** Audio files found in the folder, broken ones included. */
  files: number;
  /** Usable files per label. */
  classes: Record<string, number>;
  speakers: number;
  errors: { file: string; reason: string }[];
  /** How the names were read: the convention, pattern and/or metadata file, in words. */
  reading: string;
  /** Label names that are no known emotion (folder "weird", pattern value "xyz"), with the files that carry them (absolute paths); imported unlabelled. */
  unknownLabels: { label: string; files: string[] }[];
  /** Metadata CSV rows that described no file (line numbers count the header as 1). */
  unusedRows: { line: number; reason: string }[];
}
/** One file as an import would read it. */
export interface ImportPreviewFile {
  /** Relative to the folder. */
  file: string;
  originalLabel: string | null;
  /** Label after synonyms and the label map; null when dropped, unknown or missing. */
  label: string | null;
  speaker: string | null;
  gender: string | null;
  intensity: string | null;
  statement: string | null;
  /** True when the label is a name we do not know (the file would be imported unlabelled). */
  unknownLabel: boolean;
  /** Why the name or metadata cannot describe the file; null when fine. */
  problem: string | null;
}
export interface ImportPreview {
  /** Convention, or 'custom' when labels come from a pattern or CSV. */
  corpus: string;
  labelSource: 'convention' | 'folders' | 'pattern' | 'metadata';
  /** The pattern and metadata file in use: those asked for, else those stored with a dataset already imported from the folder. */
  naming: { pattern?: string; metadata?: string };
  /** How the names are read, in words. */
  description: string;
  /** Audio files found. */
  files: number;
  /** The first `limit` files. */
  sample: ImportPreviewFile[];
  /** Every file the names or metadata cannot describe (at most 200 listed; `problemCount` counts all). */
  problems: { file: string; reason: string }[];
  problemCount: number;
  /** Original label -> label by the corpus map or synonyms alone, before the request's label map (null: dropped or unknown), over all files. */
  labels: Record<string, string | null>;
  unknownLabels: { label: string; files: number; examples: string[] }[];
  /** Files per label, speakers and genders over the files without problems (audio not yet checked). */
  classes: Record<string, number>;
  speakers: number;
  genders: Record<string, number>;
  unusedRows: { line: number; reason: string }[];
}
export interface DetectResult {
  corpus: string;
  files: number;
  sample: { file: string; label: string | null; speaker: string | null }[];
  labels: Record<string, string | null>;
}
export interface SplitPreview {
  train: number;
  val: number;
  test: number;
  speakers: { train: string[]; val: string[]; test: string[] };
  classes: { train: Record<string, number>; val: Record<string, number>; test: Record<string, number> };
}
export interface FeatureMatrixResult {
  kind: string;
  shape: [number, number];
  /** Row-major values. */
  data: number[];
  names?: string[];
  params: Record<string, unknown>;
}
export interface FeaturePreset {
  name: string;
  description: string;
  config: FeatureConfig;
}
export interface JobStarted {
  jobId: string;
}
export interface RunSummary {
  id: number;
  name: string | null;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';
  datasetId: number | null;
  datasetName: string | null;
  model: string;
  backend: string | null;
  split: string;
  accuracy: number | null;
  uar: number | null;
  macroF1: number | null;
  epochs: number;
  seconds: number | null;
  tags: string[];
  note: string;
  createdAt: string;
  error: string | null;
  /** As stored when the run started, every default filled in; null when the stored JSON is damaged. */
  config: RunConfig | null;
  /** Set for an ensemble's run (built from stored members, not trained): its members, weights and adaptation. */
  ensemble?: EnsembleRunConfig;
}
export interface EpochPoint {
  epoch: number;
  metrics: Record<string, number>;
}
export interface BatchPoint {
  epoch: number;
  batch: number;
  step: number;
  loss: number | null;
  accuracy: number | null;
  lr: number | null;
}
export interface EvaluationReport {
  labels: string[];
  accuracy: number;
  uar: number;
  macroF1: number;
  perClass: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  confusion: number[][];
  confusionNormalized: number[][];
  n: number;
}
export interface FilePrediction {
  fileId?: number;
  file: string;
  label: string;
  predicted: string;
  probabilities: Record<string, number>;
}
export interface RunDetail extends RunSummary {
  epochsData: EpochPoint[];
  batches: BatchPoint[];
  evaluation: (EvaluationReport & { predictions: FilePrediction[] }) | null;
  modelId: number | null;
}
export interface CompareResult {
  runs: { id: number; config: Record<string, unknown>; metrics: Record<string, number | null> }[];
  configDiff: Record<string, unknown[]>;
  metrics: Record<string, (number | null)[]>;
  perClassF1: Record<string, (number | null)[]>;
  warnings: string[];
  curves: { id: number; epochs: EpochPoint[] }[];
  confusions: { id: number; labels: string[]; matrix: number[][] | null }[];
}
/** What `ser export-model` / models.export wrote. */
export interface OnnxExportResult {
  /** OUTDIR/model.onnx */
  file: string;
  /** OUTDIR/predict.mjs: `node predict.mjs file.wav --json`, needing only onnxruntime-node. */
  predictor: string;
  /** OUTDIR/MODEL_CARD.md (and model_card.json). */
  modelCard: string;
  opset: number;
  inputs: { name: string; dims: (number | string)[] }[];
  outputs: { name: string; dims: (number | string)[] }[];
  labels: string[];
  /** Largest |onnxruntime − workbench| probability on the export's own check inputs. */
  maxAbsDiff: number;
}
export interface SavedModelInfo {
  id: number;
  runId: number | null;
  name: string;
  path: string;
  kind: string;
  labels: string[];
  featureConfig: FeatureConfig;
  createdAt: string;
}
export interface Device {
  id: number;
  name: string;
  maxInputChannels: number;
  defaultSampleRate: number;
  isDefault: boolean;
}
export interface Classification {
  label: string;
  probabilities: Record<string, number>;
}
export interface RecordingResult {
  sampleRate: number;
  /** base64 float32 little-endian */
  samples: string;
  deviceName: string;
  truncated: boolean;
  reason?: string;
}
/** A capture stream as recorder.start opened it; its audio arrives as `recorder.chunk` events. */
export interface RecorderStream {
  streamId: string;
  /** Hz of every chunk. */
  sampleRate: number;
  /** Channels opened on the device (chunks are downmixed to mono). */
  channels: number;
  deviceName: string;
}
/** How a capture stream ended: `lost` = the device or its process failed; `frames` = mono samples delivered in chunks. */
export interface RecorderStreamEnd {
  reason: 'complete' | 'stopped' | 'lost';
  frames: number;
  detail?: string;
}
/** The level of one chunk (what a meter shows) and its extremes (one waveform column). */
export interface RecorderLevel extends Level {
  /** Seconds captured so far. */
  seconds: number;
  min: number;
  max: number;
}

/** A speaker profile (enrolment) as listed. */
export interface ProfileSummary {
  id: number;
  name: string;
  utterances: number;
  /** Seconds of audio in all utterances. */
  seconds: number;
  createdAt: string;
  updatedAt: string;
}
export interface EnrolResult {
  profile: ProfileSummary;
  created: boolean;
  added: { source: string; seconds: number }[];
  errors: { source: string; error: string }[];
  /** Utterances a profile needs before takes are classified with it. */
  minUtterances: number;
}

export interface Results {
  'app.info': AppInfo;
  'fs.list': DirListing;
  'datasets.list': DatasetSummary[];
  'datasets.get': DatasetDetail;
  'datasets.files': { total: number; files: FileInfo[] };
  'datasets.detect': DetectResult;
  'datasets.import': JobStarted;
  'datasets.previewImport': ImportPreview;
  'datasets.delete': { deleted: boolean };
  'datasets.relabel': { classes: Record<string, number> };
  'datasets.splitPreview': SplitPreview;
  'files.audio': { mime: string; base64: string };
  'features.presets': FeaturePreset[];
  'features.compute': FeatureMatrixResult;
  'features.extract': JobStarted;
  'models.presets': ModelPresetInfo[];
  'models.list': SavedModelInfo[];
  'models.ensemble': EnsembleResult;
  'models.export': OnnxExportResult;
  'models.card': { markdown: string };
  'runs.start': { runId: number; jobId: string };
  'runs.list': RunSummary[];
  'runs.get': RunDetail;
  'runs.cancel': { cancelled: boolean };
  'runs.delete': { deleted: boolean };
  'runs.update': RunSummary;
  'runs.rerun': { runId: number; jobId: string };
  'runs.compare': CompareResult;
  'runs.export': { filename: string; mime: string; content: string };
  'predict.start': JobStarted;
  'jobs.cancel': { cancelled: boolean };
  'recorder.devices': Device[];
  'recorder.record': RecordingResult;
  'recorder.start': RecorderStream;
  'recorder.stop': RecorderStreamEnd;
  'recorder.classify': Classification;
  'recorder.save': { file: string; datasetId: number };
  'studies.create': { studyId: number; cells: number; jobId: string };
  'studies.list': StudySummary[];
  'studies.get': StudyReport;
  'studies.cancel': { running: number };
  /** jobId is null when nothing was queued again (no failed or cancelled cell) and no cell is waiting. */
  'studies.retry': { queued: number; jobId: string | null };
  'studies.compare': StudyComparison & { a: number; b: number };
  'settings.get': { value: string | null };
  'settings.set': { ok: true };
  'profiles.list': ProfileSummary[];
  'profiles.enrol': EnrolResult;
  'profiles.rename': ProfileSummary;
  'profiles.delete': { deleted: boolean };
}

// ---------- studies ----------
export type StudyStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
/** A study as listed: its definition and how many cells are in each state. */
export interface StudySummary {
  id: number;
  name: string | null;
  datasetId: number | null;
  spec: StudySpec;
  points: GridPoint[];
  folds: number;
  status: StudyStatus;
  createdAt: string;
  finishedAt: string | null;
  counts: Record<StudyStatus, number>;
}
/** A study with every cell's figures and the aggregate (what `ser study show --json` prints). */
export interface StudyReport {
  studyId: number;
  name: string | null;
  datasetId: number | null;
  status: StudyStatus;
  counts: Record<StudyStatus, number>;
  spec: StudySpec;
  /** The grid point selected on validation UAR (null before any cell completed). */
  selected: StudyAggregate['selected'];
  aggregate: StudyAggregate;
  cells: {
    key: string;
    fold: number;
    seed: number;
    point: number;
    status: StudyStatus;
    runId: number | null;
    attempts: number;
    error: string | null;
    valUar: number | null;
    test: Pick<EvaluationReport, 'accuracy' | 'uar' | 'macroF1' | 'n'> | null;
  }[];
}

// ---------- events (server → renderer) ----------
export type JobKind = 'import' | 'extract' | 'train' | 'predict' | 'study';
export type ApiEvent =
  | { type: 'job.progress'; jobId: string; kind: JobKind; done: number; total: number; detail?: string }
  | { type: 'job.done'; jobId: string; kind: JobKind; result: unknown }
  | { type: 'job.error'; jobId: string; kind: JobKind; error: string; cancelled: boolean }
  | { type: 'run.status'; runId: number; status: RunSummary['status']; backend?: string; error?: string }
  | { type: 'run.batch'; runId: number; point: BatchPoint; etaSeconds?: number }
  | { type: 'run.epoch'; runId: number; point: EpochPoint; etaSeconds?: number }
  | { type: 'run.log'; runId: number; message: string }
  | { type: 'study.cell'; studyId: number; cell: string; status: StudyStatus; runId: number | null; error?: string }
  | { type: 'study.status'; studyId: number; status: StudyStatus }
  | { type: 'predict.result'; jobId: string; prediction: FilePrediction | { file: string; error: string } }
  /** seq counts 0, 1, 2…; offset = frame index of the first sample; samples = base64 of little-endian float32 mono. */
  | { type: 'recorder.chunk'; streamId: string; seq: number; offset: number; samples: string }
  | ({ type: 'recorder.level'; streamId: string } & RecorderLevel)
  /** Sent once per stream, after its last chunk. */
  | ({ type: 'recorder.end'; streamId: string } & RecorderStreamEnd);

// ---------- wire format ----------
export const WireRequestSchema = z.object({
  id: z.number().int().nonnegative(),
  method: z.string().max(64),
  params: z.unknown(),
});
export type WireRequest = z.infer<typeof WireRequestSchema>;
export type WireResponse = { id: number; result: unknown } | { id: number; error: WireError } | { event: ApiEvent };
/** The Electron main process's answer to one `ser:api` invoke, handed to the renderer untouched by the preload. */
export type IpcReply = { result: unknown } | { error: WireError };

/** The renderer-side API surface, the same over IPC and WebSocket. */
export interface WorkbenchApi {
  call<M extends Method>(method: M, params: Params<M>): Promise<Results[M]>;
  onEvent(listener: (event: ApiEvent) => void): () => void;
}

export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(requestSchemas, name);
}
