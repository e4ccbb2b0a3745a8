import { throwIfCancelled } from '../../../src-shared/api/errors';
import { basename, join } from 'node:path';
import { AudioDecodeError } from '../../../src-shared/audio/decodeError';
import { DEFAULT_MAX_DURATION_SECONDS, durationProblem } from '../../../src-shared/audio/plausibility';
import { openFileSource, type ByteSource } from '../audio/byteSource';
import { probeAudio, type AudioProbe } from '../audio/decode';
import { hashSource } from '../audio/hash';
import type { Store } from '../store/db';
import { getDataset, getDatasetByRoot, listFileErrors, markMissingFiles, upsertDataset, upsertFiles, type NewFileRow } from '../store/datasets';
import type { CorpusName, DatasetCorpus } from '../../../src-shared/corpus';
import { checkOverrides, isUnknownLabel, resolveLabel, type LabelMapOverrides } from '../../../src-shared/labels';
import { effectiveNaming, nameFiles, type FileFields } from './naming';
import { scanFolder } from './scan';
import type { ImportResult } from '../../../src-shared/api/contract';

export interface ImportOptions {
  folder: string;
  corpus?: CorpusName | 'auto';
  /** File-name pattern for speaker, gender, label ... (see src-shared/namePattern.ts). */
  pattern?: string;
  /** CSV with path, label, speaker, gender columns, or one row per speaker. */
  metadata?: string;
  /** Defaults to the existing dataset's name, else the folder name. */
  name?: string;
  /** Overrides on top of the corpus map; defaults to the ones stored with the dataset. */
  labelMap?: LabelMapOverrides;
  /**
   * Seconds: longer files are listed with a reason and not used. Defaults to the limit stored with the dataset, else
   * DEFAULT_MAX_DURATION_SECONDS (10 min); the limit used is stored for re-imports.
   */
  maxDurationSeconds?: number;
  onProgress?: (done: number, total: number, file?: string) => void;
  signal?: AbortSignal;
}

export type { ImportResult };

/** Yield to the event loop this often so progress events and cancellation get through. */
const YIELD_EVERY = 64;

/**
 * Imports (or re-imports) a corpus folder: files are referenced in place, each one's header is read and
 * checked so broken files are recorded with a reason, and rows are upserted by relative path, so a
 * re-import updates and never duplicates. Nothing is written when the folder, corpus or label map is
 * wrong, or when the import is cancelled.
 */
export async function importDataset(store: Store, opts: ImportOptions): Promise<ImportResult> {
  if (opts.maxDurationSeconds !== undefined && !(opts.maxDurationSeconds > 0)) {
    throw new Error(`the longest file accepted must be a positive number of seconds (got ${opts.maxDurationSeconds})`);
  }
  const { root, relPaths, unreadable } = scanFolder(opts.folder);
  if (relPaths.length === 0) {
    throw new Error(`no audio files (.wav, .flac, .mp3, .ogg, .m4a...) found in ${opts.folder}`);
  }
  const existing = getDatasetByRoot(store.db, root);
  // Like the label map: a limit given once stays with the dataset, so a re-import without it keeps the same files.
  const maxDurationSeconds = opts.maxDurationSeconds ?? existing?.maxDurationSeconds ?? null;
  const maxDuration = maxDurationSeconds ?? DEFAULT_MAX_DURATION_SECONDS;
  const spec = effectiveNaming(opts, existing?.naming ?? null);
  const naming = nameFiles(root, relPaths, { corpus: opts.corpus, ...spec });
  const { corpus } = naming;
  const labelMap = opts.labelMap ?? existing?.labelMap ?? {};
  checkOverrides(
    corpus,
    naming.files.flatMap((f) => (f.originalLabel === null ? [] : [f.originalLabel])),
    labelMap,
  );

  const rows: NewFileRow[] = [];
  for (let i = 0; i < relPaths.length; i++) {
    throwIfCancelled(opts.signal);
    const path = join(root, relPaths[i]);
    rows.push(await describeFile(path, relPaths[i], corpus, naming.files[i], labelMap, maxDuration));
    opts.onProgress?.(i + 1, relPaths.length, relPaths[i]);
    if ((i + 1) % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
  }
  throwIfCancelled(opts.signal);

  const name = opts.name ?? existing?.name ?? basename(root);
  const datasetId = store.db.transaction(() => {
    const id = upsertDataset(store.db, {
      name,
      root,
      corpus,
      labelMap,
      naming: spec.pattern || spec.metadata ? spec : null,
      maxDurationSeconds,
    });
    upsertFiles(store.db, id, rows);
    markMissingFiles(store.db, id, new Set(relPaths));
    return id;
  })();

  const ds = getDataset(store.db, datasetId)!;
  const missing = listFileErrors(store.db, datasetId);
  return {
    reading: naming.description,
    ...reportUnknown(root, relPaths, rows, corpus, labelMap),
    unusedRows: naming.unusedRows,
    datasetId,
    name: ds.name,
    corpus,
    files: relPaths.length,
    classes: ds.classes,
    speakers: ds.speakers,
    errors: [...unreadable, ...missing.map((m) => ({ file: m.path, reason: m.error }))],
  };
}

/**
 * One file's row: name fields, header facts, content hash, and the reason when it cannot be used (broken, implausible
 * rate or channels, longer than maxDuration seconds). A WAV is judged by its header alone; a large file that cannot be
 * used is not hashed (nothing reads the hash of an unusable file, and hashing 2 GB of it would cost seconds).
 */
async function describeFile(
  path: string,
  relPath: string,
  corpus: DatasetCorpus,
  fields: FileFields,
  labelMap: LabelMapOverrides,
  maxDuration: number,
): Promise<NewFileRow> {
  const problems: string[] = fields.problem ? [fields.problem] : [];
  let hash: string | null = null;
  let probe: AudioProbe | null = null;
  let source: ByteSource | null = null;
  try {
    source = openFileSource(path);
    probe = await probeAudio(source, path);
    const tooLong = durationProblem(probe.duration, maxDuration);
    if (tooLong) problems.unshift(`${tooLong}; raise the limit with --max-duration (seconds), or maxDurationSeconds on datasets.import`);
  } catch (err) {
    problems.unshift(readableReason(err));
  }
  try {
    if (source && (source.whole || problems.length === 0)) hash = hashSource(source);
  } catch (err) {
    problems.unshift(readableReason(err));
  } finally {
    source?.close();
  }
  return {
    path,
    relPath,
    label: fields.originalLabel !== null ? resolveLabel(corpus, fields.originalLabel, labelMap) : null,
    originalLabel: fields.originalLabel,
    speaker: fields.speaker,
    gender: fields.gender,
    intensity: fields.intensity,
    statement: fields.statement,
    corpus,
    duration: probe?.duration ?? null,
    sampleRate: probe?.sampleRate ?? null,
    channels: probe?.channels ?? null,
    contentHash: hash,
    error: problems.length ? problems.join('; ') : null,
  };
}

function readableReason(err: unknown): string {
  if (err instanceof AudioDecodeError) return err.reason;
  return `cannot read file (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
}

/**
 * Usable files whose label is a name we do not know (a folder "weird", a pattern value "xyz"), grouped
 * by that name. They are imported unlabelled, so no class appears that nobody chose; `--map weird=happy`
 * (or relabelling) gives them a label later.
 */
function reportUnknown(
  root: string,
  relPaths: string[],
  rows: NewFileRow[],
  corpus: DatasetCorpus,
  labelMap: LabelMapOverrides,
): Pick<ImportResult, 'unknownLabels'> {
  const byName = new Map<string, string[]>();
  rows.forEach((r, i) => {
    if (r.error || r.originalLabel === null || !isUnknownLabel(corpus, r.originalLabel, labelMap)) return;
    if (!byName.has(r.originalLabel)) byName.set(r.originalLabel, []);
    byName.get(r.originalLabel)!.push(join(root, relPaths[i]));
  });
  return { unknownLabels: [...byName].map(([label, files]) => ({ label, files })) };
}
