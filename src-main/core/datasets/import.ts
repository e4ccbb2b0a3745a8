import { throwIfCancelled } from '../../../src-shared/api/errors';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { AudioDecodeError } from '../../../src-shared/audio/decodeError';
import { probeAudio, type AudioProbe } from '../audio/decode';
import { sha1Hex } from '../audio/hash';
import type { Store } from '../store/db';
import { getDataset, getDatasetByRoot, listFileErrors, markMissingFiles, upsertDataset, upsertFiles, type NewFileRow } from '../store/datasets';
import type { CorpusName, ParsedName } from '../../../src-shared/corpus';
import { detectCorpus, parserFor } from './detect';
import { checkOverrides, resolveLabel, type LabelMapOverrides } from '../../../src-shared/labels';
import { scanFolder } from './scan';
import type { ImportResult } from '../../../src-shared/api/contract';

export interface ImportOptions {
  folder: string;
  corpus?: CorpusName | 'auto';
  /** Defaults to the existing dataset's name, else the folder name. */
  name?: string;
  /** Overrides on top of the corpus map; defaults to the ones stored with the dataset. */
  labelMap?: LabelMapOverrides;
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
  const { root, relPaths, unreadable } = scanFolder(opts.folder);
  if (relPaths.length === 0) {
    throw new Error(`no audio files (.wav, .flac, .mp3, .ogg, .m4a...) found in ${opts.folder}`);
  }
  const corpus = !opts.corpus || opts.corpus === 'auto' ? detectCorpus(relPaths).corpus : opts.corpus;
  const parser = parserFor(corpus);
  const parsed = relPaths.map((rel) => parser.parse(rel));
  const existing = getDatasetByRoot(store.db, root);
  const labelMap = opts.labelMap ?? existing?.labelMap ?? {};
  checkOverrides(
    corpus,
    parsed.flatMap((p) => (p ? [p.emotion] : [])),
    labelMap,
  );

  const rows: NewFileRow[] = [];
  for (let i = 0; i < relPaths.length; i++) {
    throwIfCancelled(opts.signal);
    const path = join(root, relPaths[i]);
    rows.push(await describeFile(path, relPaths[i], corpus, parsed[i], parser.convention, labelMap));
    opts.onProgress?.(i + 1, relPaths.length, relPaths[i]);
    if ((i + 1) % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
  }
  throwIfCancelled(opts.signal);

  const name = opts.name ?? existing?.name ?? basename(root);
  const datasetId = store.db.transaction(() => {
    const id = upsertDataset(store.db, { name, root, corpus, labelMap });
    upsertFiles(store.db, id, rows);
    markMissingFiles(store.db, id, new Set(relPaths));
    return id;
  })();

  const ds = getDataset(store.db, datasetId)!;
  const missing = listFileErrors(store.db, datasetId);
  return {
    datasetId,
    name: ds.name,
    corpus,
    files: relPaths.length,
    classes: ds.classes,
    speakers: ds.speakers,
    errors: [...unreadable, ...missing.map((m) => ({ file: m.path, reason: m.error }))],
  };
}

/** One file's row: name fields, header facts, content hash, and the reason when it cannot be used. */
async function describeFile(
  path: string,
  relPath: string,
  corpus: CorpusName,
  name: ParsedName | null,
  convention: string,
  labelMap: LabelMapOverrides,
): Promise<NewFileRow> {
  const problems: string[] = [];
  if (!name) problems.push(`file name does not follow the convention (${convention})`);
  let hash: string | null = null;
  let probe: AudioProbe | null = null;
  try {
    const bytes = readFileSync(path);
    hash = sha1Hex(bytes);
    probe = await probeAudio(bytes, path);
  } catch (err) {
    if (err instanceof AudioDecodeError) problems.unshift(err.reason);
    else problems.unshift(`cannot read file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return {
    path,
    relPath,
    label: name ? resolveLabel(corpus, name.emotion, labelMap) : null,
    originalLabel: name?.emotion ?? null,
    speaker: name?.speaker ?? null,
    gender: name?.gender ?? null,
    intensity: name?.intensity ?? null,
    statement: name?.statement ?? null,
    corpus,
    duration: probe?.duration ?? null,
    sampleRate: probe?.sampleRate ?? null,
    channels: probe?.channels ?? null,
    contentHash: hash,
    error: problems.length ? problems.join('; ') : null,
  };
}
