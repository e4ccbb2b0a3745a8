import { extname } from 'node:path';
import type { DatasetDetail, FileInfo } from '../../../src-shared/api/contract';
import { type Handlers } from './dispatch';
import { ApiError } from '../../../src-shared/api/errors';
import type { HandlerContext } from './handlers';
import { loadAudio } from '../audio/load';
import { encodeWav } from '../../../src-shared/audio/wav';
import { detectFolder } from '../datasets/detect';
import { importDataset } from '../datasets/import';
import { previewImport } from '../datasets/preview';
import { relabelDataset } from '../datasets/relabel';
import { AUDIO_EXTENSIONS } from '../datasets/scan';
import { makeSplit } from '../datasets/splits';
import { type SplitSpec } from '../../../src-shared/config/split';
import { FEATURE_PRESETS, FeatureConfigSchema } from '../../../src-shared/config/features';
import { computeFeatures } from '../features/compute';
import { samplesUsed } from '../features/fitLength';
import { extractDatasetFeatures } from '../features/dataset';
import { deleteDataset, getDataset, getDatasetByRoot, getFile, listDatasets, listFiles, type FileRow } from '../store/datasets';

type DatasetMethods =
  | 'datasets.list'
  | 'datasets.get'
  | 'datasets.files'
  | 'datasets.detect'
  | 'datasets.import'
  | 'datasets.previewImport'
  | 'datasets.delete'
  | 'datasets.relabel'
  | 'datasets.splitPreview'
  | 'files.audio'
  | 'features.presets'
  | 'features.compute'
  | 'features.extract';

function requireDataset(ctx: HandlerContext, id: number) {
  const ds = getDataset(ctx.store.db, id);
  if (!ds) throw new ApiError(`Dataset ${id} does not exist (it may have been deleted).`, 'not_found');
  return ds;
}

function requireFile(ctx: HandlerContext, fileId: number): FileRow {
  const row = getFile(ctx.store.db, fileId);
  if (!row) throw new ApiError(`File ${fileId} is not in any dataset.`, 'not_found');
  return row;
}

function toFileInfo(f: FileRow): FileInfo {
  return {
    id: f.id,
    relPath: f.relPath,
    path: f.path,
    label: f.label,
    originalLabel: f.originalLabel,
    speaker: f.speaker,
    gender: f.gender,
    intensity: f.intensity,
    statement: f.statement,
    duration: f.duration,
    sampleRate: f.sampleRate,
    channels: f.channels,
    error: f.error,
  };
}

function countBy<T>(items: T[], key: (item: T) => string | null | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    if (k != null) out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** Datasets, their files and audio, splits and features. */
export function datasetHandlers(ctx: HandlerContext): Pick<Handlers, DatasetMethods> {
  const { db } = ctx.store;
  return {
    'datasets.list': () => listDatasets(db),
    'datasets.get': ({ id }): DatasetDetail => {
      const ds = requireDataset(ctx, id);
      const all = listFiles(db, id, { includeErrors: true });
      const ok = all.filter((f) => !f.error && f.label);
      const speakers = new Map<string, { gender: string | null; files: FileRow[] }>();
      for (const f of ok) {
        const s = f.speaker ?? '(unknown)';
        if (!speakers.has(s)) speakers.set(s, { gender: f.gender, files: [] });
        speakers.get(s)!.files.push(f);
      }
      return {
        ...ds,
        bySpeaker: [...speakers.entries()]
          .sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }))
          .map(([speaker, v]) => ({ speaker, gender: v.gender, count: v.files.length, classes: countBy(v.files, (f) => f.label) })),
        byGender: countBy(ok, (f) => f.gender ?? 'unknown'),
        durations: ok.map((f) => f.duration ?? 0),
        errors: all.filter((f) => f.error).map((f) => ({ file: f.path, reason: f.error! })),
      };
    },
    'datasets.files': ({ id, label, speaker, search, errorsOnly, offset, limit }) => {
      requireDataset(ctx, id);
      const needle = search?.toLowerCase();
      const files = listFiles(db, id, { includeErrors: true }).filter(
        (f) =>
          (!label || f.label === label) &&
          (!speaker || f.speaker === speaker) &&
          (!errorsOnly || f.error) &&
          (!needle || f.relPath.toLowerCase().includes(needle)),
      );
      return { total: files.length, files: files.slice(offset, offset + limit).map(toFileInfo) };
    },
    'datasets.detect': ({ folder }) => detectFolder(folder),
    'datasets.import': ({ folder, corpus, pattern, metadata, name, labelMap, maxDurationSeconds }) => ({
      jobId: ctx.jobs.start('import', (job) =>
        importDataset(ctx.store, {
          folder,
          corpus,
          pattern,
          metadata,
          name,
          labelMap,
          maxDurationSeconds,
          signal: job.signal,
          onProgress: (d, t, f) => job.progress(d, t, f),
        }),
      ),
    }),
    'datasets.previewImport': ({ folder, corpus, pattern, metadata, labelMap, limit }) =>
      previewImport(folder, { corpus, pattern, metadata, labelMap, limit }, (root) => getDatasetByRoot(db, root)?.naming ?? null),
    'datasets.delete': ({ id }) => {
      requireDataset(ctx, id);
      deleteDataset(db, id);
      return { deleted: true };
    },
    'datasets.relabel': ({ id, labelMap }) => {
      requireDataset(ctx, id);
      return { classes: relabelDataset(ctx.store, id, labelMap) };
    },
    'datasets.splitPreview': ({ id, spec }) => {
      requireDataset(ctx, id);
      const files = listFiles(db, id).filter((f) => !f.error && f.label);
      const split = makeSplit(files, spec as SplitSpec);
      const byId = new Map(files.map((f) => [f.id, f]));
      const part = (ids: number[]) => ids.map((i) => byId.get(i)!).filter(Boolean);
      const speakersOf = (ids: number[]) =>
        [...new Set(part(ids).map((f) => f.speaker ?? '(unknown)'))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
      return {
        train: split.train.length,
        val: split.val.length,
        test: split.test.length,
        speakers: { train: speakersOf(split.train), val: speakersOf(split.val), test: speakersOf(split.test) },
        classes: {
          train: countBy(part(split.train), (f) => f.label),
          val: countBy(part(split.val), (f) => f.label),
          test: countBy(part(split.test), (f) => f.label),
        },
      };
    },
    'files.audio': async (params) => {
      let path: string;
      if ('fileId' in params) path = requireFile(ctx, params.fileId).path;
      else {
        // Only audio by its extension: this must not become a way to read arbitrary files.
        if (!AUDIO_EXTENSIONS.includes(extname(params.path).toLowerCase())) throw new ApiError(`${params.path} is not an audio file.`, 'invalid');
        path = params.path;
      }
      // Always re-encode as 16-bit WAV: every browser plays it, whatever the source format was.
      const audio = await loadAudio(path);
      return { mime: 'audio/wav', base64: Buffer.from(encodeWav(audio.samples, audio.sampleRate)).toString('base64') };
    },
    'features.presets': () => Object.entries(FEATURE_PRESETS).map(([name, config]) => ({ name, description: describeFeatures(config), config })),
    'features.compute': async ({ fileId, config }) => {
      const file = requireFile(ctx, fileId);
      const cfg = FeatureConfigSchema.parse(config);
      const audio = await loadAudio(file.path, { sampleRate: cfg.sampleRate, keepSamples: samplesUsed(cfg) });
      const m = computeFeatures(audio.samples, audio.sampleRate, cfg);
      return { kind: cfg.kind, shape: m.shape, data: Array.from(m.data), names: m.names, params: { ...cfg } };
    },
    'features.extract': ({ datasetId, config }) => {
      requireDataset(ctx, datasetId);
      const cfg = FeatureConfigSchema.parse(config);
      return {
        jobId: ctx.jobs.start('extract', async (job) => {
          const r = await extractDatasetFeatures({
            store: ctx.store,
            datasetId,
            config: cfg,
            signal: job.signal,
            onProgress: (d, t, f) => job.progress(d, t, f),
          });
          return { datasetId, files: r.items.length, cached: r.cached, errors: r.errors, seconds: r.seconds };
        }),
      };
    },
  };
}

function describeFeatures(c: { kind: string; sampleRate: number; nMels?: number; nMfcc?: number; nFft?: number; hop?: number }): string {
  const core = c.kind === 'mfcc' ? `${c.nMfcc} MFCC` : c.kind === 'logmel' ? `${c.nMels}-band log-mel` : c.kind;
  return `${core}, ${c.sampleRate / 1000} kHz, n_fft ${c.nFft}, hop ${c.hop}`;
}
