import type { Db } from './db';
import type { LabelMapOverrides } from '../../../src-shared/labels';

export type { LabelMapOverrides } from '../../../src-shared/labels';

/** A file-name pattern and/or metadata CSV (absolute path) read on top of the corpus convention. */
export interface DatasetNaming {
  pattern?: string;
  metadata?: string;
}

/** A dataset with its counts (over usable files: decoded, labelled). */
export interface DatasetRow {
  id: number;
  name: string;
  /** Canonical absolute folder; unique. */
  root: string;
  corpus: string;
  labelMap: LabelMapOverrides;
  /** The --pattern / --metadata it was imported with; null when the convention alone named its files. */
  naming: DatasetNaming | null;
  /** Seconds: the longest file its import accepts, when set above or below the default; null for the default. */
  maxDurationSeconds: number | null;
  createdAt: string;
  updatedAt: string;
  /** All recorded files, broken ones included. */
  fileCount: number;
  errorCount: number;
  classes: Record<string, number>;
  speakers: number;
}

export interface FileRow {
  id: number;
  datasetId: number;
  /** Absolute path. */
  path: string;
  /** '/'-separated, relative to the dataset root. */
  relPath: string;
  /** Unified (or user-mapped) label; null when the label was dropped or could not be parsed. */
  label: string | null;
  /** The emotion token as the corpus writes it. */
  originalLabel: string | null;
  speaker: string | null;
  gender: 'male' | 'female' | null;
  intensity: string | null;
  statement: string | null;
  corpus: string | null;
  /** Seconds. */
  duration: number | null;
  /** Hz. */
  sampleRate: number | null;
  channels: number | null;
  /** SHA-1 hex of the file bytes. */
  contentHash: string | null;
  /** Why the file cannot be used (decode failure, unparseable name, missing); null when fine. */
  error: string | null;
}

export type NewFileRow = Omit<FileRow, 'id' | 'datasetId'>;

interface RawDataset {
  id: number;
  name: string;
  root: string;
  corpus: string;
  labelMap: string;
  naming: string | null;
  maxDurationSeconds: number | null;
  createdAt: string;
  updatedAt: string;
}

const NOW = `strftime('%Y-%m-%dT%H:%M:%fZ','now')`;

// Columns are snake_case in SQLite and camelCase everywhere else: the SELECTs name the mapping once.
const DATASET_COLUMNS = `id, name, root, corpus, label_map AS labelMap, naming, max_duration_seconds AS maxDurationSeconds, created_at AS createdAt, updated_at AS updatedAt`;
const FILE_COLUMNS = `id, dataset_id AS datasetId, path, rel_path AS relPath, label, original_label AS originalLabel, speaker, gender,
  intensity, statement, corpus, duration, sample_rate AS sampleRate, channels, content_hash AS contentHash, error`;

function withCounts(db: Db, d: RawDataset): DatasetRow {
  const counts = db
    .prepare(
      `SELECT COUNT(*) AS files, COALESCE(SUM(error IS NOT NULL), 0) AS errors,
              COUNT(DISTINCT CASE WHEN error IS NULL AND label IS NOT NULL THEN speaker END) AS speakers
       FROM files WHERE dataset_id = ?`,
    )
    .get(d.id) as { files: number; errors: number; speakers: number };
  const classRows = db
    .prepare(
      `SELECT label, COUNT(*) AS n FROM files WHERE dataset_id = ? AND error IS NULL AND label IS NOT NULL
       GROUP BY label ORDER BY label`,
    )
    .all(d.id) as { label: string; n: number }[];
  return {
    ...d,
    labelMap: JSON.parse(d.labelMap) as LabelMapOverrides,
    naming: d.naming === null ? null : (JSON.parse(d.naming) as DatasetNaming),
    fileCount: counts.files,
    errorCount: counts.errors,
    classes: Object.fromEntries(classRows.map((r) => [r.label, r.n])),
    speakers: counts.speakers,
  };
}

/** All datasets, oldest first, with counts. */
export function listDatasets(db: Db): DatasetRow[] {
  const rows = db.prepare(`SELECT ${DATASET_COLUMNS} FROM datasets ORDER BY id`).all() as RawDataset[];
  return rows.map((r) => withCounts(db, r));
}

/** One dataset with counts, or null when there is none with that id. */
export function getDataset(db: Db, id: number): DatasetRow | null {
  const row = db.prepare(`SELECT ${DATASET_COLUMNS} FROM datasets WHERE id = ?`).get(id) as RawDataset | undefined;
  return row ? withCounts(db, row) : null;
}

/** The dataset imported from a canonical folder path, or null. */
export function getDatasetByRoot(db: Db, root: string): DatasetRow | null {
  const row = db.prepare(`SELECT ${DATASET_COLUMNS} FROM datasets WHERE root = ?`).get(root) as RawDataset | undefined;
  return row ? withCounts(db, row) : null;
}

/** Files of a dataset in path order: by default only usable ones (no error, a label); includeErrors returns every row. */
export function listFiles(db: Db, datasetId: number, opts: { includeErrors?: boolean } = {}): FileRow[] {
  const where = opts.includeErrors ? '' : 'AND error IS NULL AND label IS NOT NULL';
  return db.prepare(`SELECT ${FILE_COLUMNS} FROM files WHERE dataset_id = ? ${where} ORDER BY rel_path`).all(datasetId) as FileRow[];
}

/** One file of any dataset by id, or null. */
export function getFile(db: Db, id: number): FileRow | null {
  return (db.prepare(`SELECT ${FILE_COLUMNS} FROM files WHERE id = ?`).get(id) as FileRow | undefined) ?? null;
}

/** The files of a dataset that cannot be used, with the reason, in path order. */
export function listFileErrors(db: Db, datasetId: number): { path: string; error: string }[] {
  return db.prepare(`SELECT path, error FROM files WHERE dataset_id = ? AND error IS NOT NULL ORDER BY rel_path`).all(datasetId) as {
    path: string;
    error: string;
  }[];
}

/** Deletes a dataset with its files and splits (the audio on disk is never touched); false when it did not exist. */
export function deleteDataset(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM datasets WHERE id = ?').run(id).changes > 0;
}

/** Creates the dataset for `root`, or updates name/corpus/label map/naming/duration limit of the existing one; returns its id. */
export function upsertDataset(
  db: Db,
  d: {
    name: string;
    root: string;
    corpus: string;
    labelMap: LabelMapOverrides;
    naming?: DatasetNaming | null;
    maxDurationSeconds?: number | null;
  },
): number {
  const row = db
    .prepare(
      `INSERT INTO datasets (name, root, corpus, label_map, naming, max_duration_seconds)
       VALUES (@name, @root, @corpus, @labelMap, @naming, @maxDurationSeconds)
       ON CONFLICT(root) DO UPDATE SET name = excluded.name, corpus = excluded.corpus,
         label_map = excluded.label_map, naming = excluded.naming, max_duration_seconds = excluded.max_duration_seconds,
         updated_at = ${NOW}
       RETURNING id`,
    )
    .get({
      ...d,
      labelMap: JSON.stringify(d.labelMap),
      naming: d.naming ? JSON.stringify(d.naming) : null,
      maxDurationSeconds: d.maxDurationSeconds ?? null,
    }) as { id: number };
  return row.id;
}

/** Inserts or updates files by (dataset, rel_path), keeping the ids of files already known. */
export function upsertFiles(db: Db, datasetId: number, files: NewFileRow[]): void {
  const stmt = db.prepare(
    `INSERT INTO files (dataset_id, path, rel_path, label, original_label, speaker, gender, intensity, statement,
                        corpus, duration, sample_rate, channels, content_hash, error)
     VALUES (@datasetId, @path, @relPath, @label, @originalLabel, @speaker, @gender, @intensity, @statement,
             @corpus, @duration, @sampleRate, @channels, @contentHash, @error)
     ON CONFLICT(dataset_id, rel_path) DO UPDATE SET path = excluded.path, label = excluded.label,
       original_label = excluded.original_label, speaker = excluded.speaker, gender = excluded.gender,
       intensity = excluded.intensity, statement = excluded.statement, corpus = excluded.corpus,
       duration = excluded.duration, sample_rate = excluded.sample_rate, channels = excluded.channels,
       content_hash = excluded.content_hash, error = excluded.error`,
  );
  for (const f of files) stmt.run({ ...f, datasetId });
}

/** Flags rows whose file is gone from disk (kept, not deleted: splits and results refer to their ids); returns how many. */
export function markMissingFiles(db: Db, datasetId: number, present: Set<string>): number {
  const rows = db.prepare('SELECT id, rel_path AS relPath FROM files WHERE dataset_id = ?').all(datasetId) as { id: number; relPath: string }[];
  const mark = db.prepare(`UPDATE files SET error = 'file no longer present on disk' WHERE id = ?`);
  let n = 0;
  for (const r of rows) {
    if (!present.has(r.relPath)) {
      mark.run(r.id);
      n++;
    }
  }
  return n;
}

/** Rewrites labels and the stored overrides together (labels are derived from original_label). */
export function updateLabels(db: Db, datasetId: number, labelMap: LabelMapOverrides, labels: { id: number; label: string | null }[]): void {
  const set = db.prepare('UPDATE files SET label = ? WHERE id = ? AND dataset_id = ?');
  db.transaction(() => {
    db.prepare(`UPDATE datasets SET label_map = ?, updated_at = ${NOW} WHERE id = ?`).run(JSON.stringify(labelMap), datasetId);
    for (const l of labels) set.run(l.label, l.id, datasetId);
  })();
}

/**
 * Writes a coordinator's dataset into a study worker's own store under the same ids (the run config names them),
 * replacing what an earlier cell left there; files no longer in the snapshot are removed.
 */
export function mirrorDataset(db: Db, d: Pick<DatasetRow, 'id' | 'name' | 'root' | 'corpus' | 'labelMap'>, files: FileRow[]): void {
  db.transaction(() => {
    db.prepare(
      `INSERT INTO datasets (id, name, root, corpus, label_map) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET name = excluded.name, root = excluded.root, corpus = excluded.corpus, label_map = excluded.label_map`,
    ).run(d.id, d.name, d.root, d.corpus, JSON.stringify(d.labelMap));
    db.prepare(`DELETE FROM files WHERE dataset_id = ?`).run(d.id);
    const insert = db.prepare(
      `INSERT INTO files (id, dataset_id, path, rel_path, label, original_label, speaker, gender, intensity, statement, corpus, duration,
         sample_rate, channels, content_hash, error)
       VALUES (@id, @datasetId, @path, @relPath, @label, @originalLabel, @speaker, @gender, @intensity, @statement, @corpus, @duration,
         @sampleRate, @channels, @contentHash, @error)`,
    );
    for (const f of files) insert.run({ ...f, datasetId: d.id });
  })();
}
