import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_MAX_DURATION_SECONDS, durationProblem, formatProblem } from '../../../src-shared/audio/plausibility';
import { encodeWav } from '../../../src-shared/audio/wav';
import { labelFromName } from '../../../src-shared/labels';
import { importDataset, type ImportResult } from '../datasets/import';
import { getDatasetByRoot } from '../store/datasets';
import type { Store } from '../store/db';

// Collect mode (Teachable-Machine style): each take becomes <folder>/<label>/<speaker>_<time>.wav,
// the folder-per-label layout the `folders` corpus reads, and the folder is re-imported so the
// dataset is ready to train on straight away.

const LABEL_RE = /^[\p{L}\p{N}_-]{1,64}$/u;
const SPEAKER_RE = /^[\w.-]{1,64}$/;

export interface SaveRecordingOptions {
  store: Store;
  /** Root of the user dataset (created if missing). */
  datasetFolder: string;
  /** One word: letters, digits, '-' or '_'; becomes the label folder. */
  label: string;
  /** Letters, digits, '.', '-' or '_'. */
  speaker: string;
  /** Mono, -1..1. */
  samples: Float32Array;
  /** Hz */
  sampleRate: number;
  /** Clock for the file name (tests); default now. */
  now?: Date;
}

export interface SavedRecording {
  /** Absolute path of the WAV written. */
  file: string;
  datasetId: number;
  /** The re-import of the dataset folder. */
  dataset: ImportResult;
}

/** Compact UTC time for file names: 20261126T005301123Z (sorts chronologically, no ':' or '.'). */
export function fileTimestamp(d: Date): string {
  return d.toISOString().replace(/[-:.]/g, '');
}

/** Writes one take as 16-bit WAV under <datasetFolder>/<label>/ and re-imports the folder as a `folders` dataset. */
export async function saveRecording(opts: SaveRecordingOptions): Promise<SavedRecording> {
  if (!LABEL_RE.test(opts.label)) throw new Error(`label "${opts.label}" must be one word of letters, digits, '-' or '_' (it becomes a folder name)`);
  if (!SPEAKER_RE.test(opts.speaker)) throw new Error(`speaker "${opts.speaker}" may use only letters, digits, '.', '-' and '_'`);
  if (opts.samples.length === 0) throw new Error('nothing to save: the recording is empty');
  if (!Number.isInteger(opts.sampleRate) || opts.sampleRate <= 0)
    throw new Error(`sample rate must be a positive whole number of Hz (got ${opts.sampleRate})`);
  // The same rules as the import that follows, so a take is refused here rather than written and then listed as unusable.
  const implausible = formatProblem(opts.sampleRate, 1) ?? durationProblem(opts.samples.length / opts.sampleRate, DEFAULT_MAX_DURATION_SECONDS);
  if (implausible) throw new Error(`cannot save the recording: ${implausible}`);
  let root = resolve(opts.datasetFolder);
  const dir = join(root, opts.label);
  try {
    mkdirSync(root, { recursive: true });
    root = realpathSync(root); // datasets are keyed by their real path
  } catch (err) {
    throw new Error(`cannot create ${root}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const existing = getDatasetByRoot(opts.store.db, root);
  if (existing && existing.corpus !== 'folders') {
    // Re-importing it as `folders` would relabel a whole corpus by its folder names.
    throw new Error(`${root} is the ${existing.corpus} dataset "${existing.name}"; collect recordings into a folder of their own`);
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new Error(`cannot create ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const wav = encodeWav(opts.samples, opts.sampleRate);
  let time = (opts.now ?? new Date()).getTime();
  let file = '';
  // Two takes in the same millisecond must not overwrite each other: 'wx' fails instead, and we move on a millisecond.
  for (let attempt = 0; ; attempt++) {
    file = join(dir, `${opts.speaker}_${fileTimestamp(new Date(time))}.wav`);
    try {
      writeFileSync(file, wav, { flag: 'wx' });
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && attempt < 1000) {
        time++;
        continue;
      }
      throw new Error(`cannot write ${file}: ${code ?? String(err)}`);
    }
  }
  // A label the user typed is their choice even when it is no emotion word we know ("yes", "cough"):
  // keep it by mapping it to itself, since folders with unknown names are otherwise imported unlabelled.
  const labelMap = { ...(existing?.labelMap ?? {}) };
  if (labelFromName(opts.label) === null && !Object.hasOwn(labelMap, opts.label)) labelMap[opts.label] = opts.label;
  const dataset = await importDataset(opts.store, { folder: root, corpus: 'folders', labelMap });
  return { file, datasetId: dataset.datasetId, dataset };
}
