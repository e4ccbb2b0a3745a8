import { readFileSync } from 'node:fs';
import { basename, isAbsolute, posix, relative, resolve, sep } from 'node:path';
import { parse } from 'csv-parse/sync';

/** Columns a metadata CSV may have, each under the header names corpora use for it (compared case-insensitively, spaces and dashes as '_'). */
export const METADATA_COLUMNS = {
  path: ['path', 'file', 'filename', 'file_name', 'filepath', 'file_path', 'relpath', 'rel_path', 'wav', 'audio', 'audio_file'],
  label: ['label', 'emotion', 'class', 'category'],
  speaker: ['speaker', 'speaker_id', 'speakerid', 'actor', 'actor_id', 'actorid', 'subject', 'participant'],
  gender: ['gender', 'sex'],
  intensity: ['intensity', 'level'],
  statement: ['statement', 'sentence', 'sentence_id', 'text_id'],
} as const;
export type MetadataColumn = keyof typeof METADATA_COLUMNS;

/** One data row; cells are trimmed, empty cells are null. */
export interface MetadataRow {
  /** Line of the row in the file (the header is line 1). */
  line: number;
  values: Partial<Record<MetadataColumn, string>>;
}

export interface MetadataTable {
  /** Absolute path of the CSV. */
  file: string;
  /** 'path': one row per audio file; 'speaker': one row per speaker (e.g. CREMA-D's VideoDemographics.csv: ActorID, Age, Sex, ...). */
  keyedBy: 'path' | 'speaker';
  /** The header each known column was read from. */
  columns: Partial<Record<MetadataColumn, string>>;
  rows: MetadataRow[];
}

const headerKey = (h: string) =>
  h
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

/**
 * Reads a metadata CSV (comma, semicolon or tab separated, optional BOM, quoted cells) keyed by file
 * path or, without a path column, by speaker. Throws a readable error naming the file for a missing
 * file, malformed CSV, or a header with nothing to key the rows by.
 */
export function readMetadata(file: string): MetadataTable {
  const abs = resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `metadata file not found: ${file}` : `cannot read metadata file ${file} (${code ?? String(err)})`);
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // info: the line of each record, so messages point at the right line even past blank or multi-line cells.
    records = parse(text, {
      bom: true,
      delimiter: [',', ';', '\t'],
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      info: true,
    }) as unknown as typeof records;
  } catch (err) {
    throw new Error(`metadata file ${file} is not valid CSV: ${(err as Error).message}`);
  }
  if (records.length < 2) throw new Error(`metadata file ${file} has no data rows (a header line and one row per file or speaker are needed)`);
  const header = records[0].record;
  const columns: Partial<Record<MetadataColumn, string>> = {};
  const indexOf: Partial<Record<MetadataColumn, number>> = {};
  for (const [column, names] of Object.entries(METADATA_COLUMNS) as [MetadataColumn, readonly string[]][]) {
    const at = header.findIndex((h) => names.includes(headerKey(h)));
    if (at >= 0) {
      columns[column] = header[at];
      indexOf[column] = at;
    }
  }
  const found = header.map((h) => `"${h}"`).join(', ');
  const names = (c: MetadataColumn) => METADATA_COLUMNS[c].slice(0, 3).join('/');
  if (indexOf.path === undefined && indexOf.speaker === undefined) {
    throw new Error(
      `metadata file ${file} needs a path column (${names('path')}) to describe files, or a speaker column (${names('speaker')}) ` +
        `to describe speakers; columns found: ${found}`,
    );
  }
  const keyedBy = indexOf.path !== undefined ? 'path' : 'speaker';
  if (keyedBy === 'speaker' && indexOf.label !== undefined) {
    throw new Error(`metadata file ${file} has a label column but no path column: labels belong to files; columns found: ${found}`);
  }
  const described = (Object.keys(indexOf) as MetadataColumn[]).filter((c) => c !== 'path' && !(keyedBy === 'speaker' && c === 'speaker'));
  if (described.length === 0) {
    throw new Error(
      `metadata file ${file} has no column to take from it (${(['label', 'speaker', 'gender'] as const).map(names).join('; ')}); columns found: ${found}`,
    );
  }
  const rows: MetadataRow[] = records.slice(1).map(({ record, info }) => {
    const values: Partial<Record<MetadataColumn, string>> = {};
    for (const [column, at] of Object.entries(indexOf) as [MetadataColumn, number][]) {
      const cell = record[at];
      if (cell !== undefined && cell !== '') values[column] = cell;
    }
    return { line: info.lines, values };
  });
  return { file: abs, keyedBy, columns, rows };
}

/** A row the import could not use, and why. */
export interface UnusedRow {
  line: number;
  reason: string;
}

const AUDIO_EXT = /\.[A-Za-z0-9]{2,5}$/;
const withoutExt = (p: string) => p.replace(AUDIO_EXT, '');

/**
 * Pairs the rows of a path-keyed table with the scanned files. A row's path may be relative to the
 * corpus folder or absolute, with or without the extension, or a bare file name when that name is
 * unique in the folder (as in CSVs that list names only). Rows naming no file, and second rows for a
 * file, are returned as unused.
 */
export function rowsByFile(table: MetadataTable, root: string, relPaths: string[]): { rows: (MetadataRow | null)[]; unused: UnusedRow[] } {
  const exact = new Map<string, number>();
  const stem = new Map<string, number>();
  const base = new Map<string, number | 'ambiguous'>();
  const baseStem = new Map<string, number | 'ambiguous'>();
  const addUnique = (m: Map<string, number | 'ambiguous'>, k: string, i: number) => m.set(k, m.has(k) ? 'ambiguous' : i);
  relPaths.forEach((rel, i) => {
    exact.set(rel, i);
    stem.set(withoutExt(rel), i);
    addUnique(base, posix.basename(rel), i);
    addUnique(baseStem, withoutExt(posix.basename(rel)), i);
  });
  const rows: (MetadataRow | null)[] = relPaths.map(() => null);
  const lineOf: number[] = [];
  const unused: UnusedRow[] = [];
  for (const row of table.rows) {
    const cell = row.values.path;
    if (!cell) {
      unused.push({ line: row.line, reason: 'the path cell is empty' });
      continue;
    }
    let rel = cell.replace(/\\/g, '/');
    if (isAbsolute(rel)) {
      rel = relative(root, rel).split(sep).join('/');
      if (rel.startsWith('..')) {
        unused.push({ line: row.line, reason: `${cell} is outside the corpus folder ${root}` });
        continue;
      }
    }
    rel = posix.normalize(rel).replace(/^\.\//, '');
    let i: number | 'ambiguous' | undefined = exact.get(rel) ?? stem.get(rel);
    if (i === undefined && !rel.includes('/')) i = base.get(rel) ?? baseStem.get(rel);
    if (i === undefined) {
      unused.push({ line: row.line, reason: `${cell}: no such audio file in the folder` });
      continue;
    }
    if (i === 'ambiguous') {
      unused.push({ line: row.line, reason: `${cell}: several files in the folder have this name; give the path relative to the folder` });
      continue;
    }
    if (rows[i]) {
      unused.push({ line: row.line, reason: `${cell}: ${relPaths[i]} is already described by line ${lineOf[i]}` });
      continue;
    }
    rows[i] = row;
    lineOf[i] = row.line;
  }
  return { rows, unused };
}

/** Speaker ids compare as written, except that numbers ignore leading zeros (a CSV's 1 is a name's 01). */
export function speakerKey(speaker: string): string {
  const s = speaker.trim();
  return /^\d+$/.test(s) ? String(Number(s)) : s;
}

/** Rows of a speaker-keyed table by speakerKey; second rows for a speaker are returned as unused. */
export function rowsBySpeaker(table: MetadataTable): { rows: Map<string, MetadataRow>; unused: UnusedRow[] } {
  const rows = new Map<string, MetadataRow>();
  const unused: UnusedRow[] = [];
  for (const row of table.rows) {
    const speaker = row.values.speaker;
    if (!speaker) unused.push({ line: row.line, reason: 'the speaker cell is empty' });
    else if (rows.has(speakerKey(speaker)))
      unused.push({ line: row.line, reason: `speaker ${speaker} is already described by line ${rows.get(speakerKey(speaker))!.line}` });
    else rows.set(speakerKey(speaker), row);
  }
  return { rows, unused };
}

/** The CSV's file name, for messages. */
export function metadataName(table: MetadataTable): string {
  return basename(table.file);
}
