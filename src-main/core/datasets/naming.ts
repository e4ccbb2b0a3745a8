import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CorpusName, CorpusParser, DatasetCorpus, Gender } from '../../../src-shared/corpus';
import type { DatasetNaming } from '../store/datasets';
import { matchNamePattern, normaliseGender, parseNamePattern, patternTarget, type NamePattern } from '../../../src-shared/namePattern';
import { detectCorpus, parserFor } from './detect';
import { metadataName, readMetadata, rowsByFile, rowsBySpeaker, speakerKey, type MetadataRow, type MetadataTable, type UnusedRow } from './metadata';

/** How to read a corpus's labels and speakers: a naming convention, a file-name pattern, a metadata CSV, or a convention plus either. */
export interface NamingSpec {
  corpus?: CorpusName | 'auto';
  /** e.g. `{_}-{_}-{label}-{_}-{_}-{_}-{speaker}`; see src-shared/namePattern.ts. */
  pattern?: string;
  /** Path of a CSV with path/label/speaker/gender columns (or one row per speaker). */
  metadata?: string;
}

/**
 * The pattern and metadata to read names by: each one given wins (an empty string stops using a stored
 * one), otherwise the one stored with the dataset, so a re-import (and its preview) reads the names as
 * the first import did.
 */
export function effectiveNaming(given: DatasetNaming, stored: DatasetNaming | null): DatasetNaming {
  const pattern = given.pattern !== undefined ? given.pattern : stored?.pattern;
  let metadata = given.metadata !== undefined ? given.metadata : stored?.metadata;
  if (given.metadata === undefined && metadata && !existsSync(metadata)) {
    throw new Error(
      `this dataset was imported with the metadata file ${metadata}, which no longer exists; ` +
        `give its new place with --metadata, or --metadata "" to import without it`,
    );
  }
  // Stored absolute, so a re-import from another working directory finds it.
  if (metadata) metadata = resolve(metadata);
  return { ...(pattern ? { pattern } : {}), ...(metadata ? { metadata } : {}) };
}

/** Where the labels came from. */
export type LabelSource = 'convention' | 'folders' | 'pattern' | 'metadata';

/** What the names (and the metadata) say about one file. */
export interface FileFields {
  /** The label as written (a corpus code, folder name, pattern field or CSV cell); null when nothing gave one. */
  originalLabel: string | null;
  speaker: string | null;
  gender: Gender | null;
  intensity: string | null;
  statement: string | null;
  /** Why the name or metadata could not describe the file; null when it could. */
  problem: string | null;
}

export interface Naming {
  /** What the dataset records as its corpus ('custom' when the labels are words from a pattern or CSV). */
  corpus: DatasetCorpus;
  labelSource: LabelSource;
  /** In words, for messages and the import report. */
  description: string;
  /** One per relPath, same order. */
  files: FileFields[];
  /** Metadata rows that described no file. */
  unusedRows: UnusedRow[];
}

/**
 * Reads every file's label, speaker, gender and the rest from its path, layering a pattern and a
 * metadata CSV over the naming convention: the convention (or the folder names) gives the defaults, the
 * pattern's fields replace them, and the CSV's cells replace those. When the pattern has {label} or the
 * CSV a label column, no convention is needed; otherwise the convention is the one asked for or detected.
 * Pure apart from reading the CSV, so the import and its preview give the same answer.
 */
export function nameFiles(root: string, relPaths: string[], spec: NamingSpec): Naming {
  const pattern = spec.pattern !== undefined && spec.pattern !== '' ? parseNamePattern(spec.pattern) : null;
  const table = spec.metadata !== undefined && spec.metadata !== '' ? readMetadata(spec.metadata) : null;
  const patternLabels = pattern?.fields.includes('label') ?? false;
  const tableLabels = table?.columns.label !== undefined;
  if (patternLabels && tableLabels) {
    throw new Error(
      `both the pattern's {label} and the "${table!.columns.label}" column of ${metadataName(table!)} give labels; ` +
        'keep one (write {_} in the pattern to skip that part)',
    );
  }
  const explicit = spec.corpus && spec.corpus !== 'auto' ? spec.corpus : null;
  let base: CorpusParser | null = null;
  let corpus: DatasetCorpus;
  let labelSource: LabelSource;
  if (patternLabels || tableLabels) {
    labelSource = patternLabels ? 'pattern' : 'metadata';
    // A named corpus makes the labels that corpus's codes (--corpus ravdess: '05' is angry) and still fills
    // what the pattern or CSV leaves out (a speaker, a gender); without one they are emotion words.
    const codes = explicit === 'folders' ? null : explicit; // folder names are words too
    corpus = codes ?? 'custom';
    if (codes) base = parserFor(codes);
  } else {
    if (explicit) corpus = explicit;
    else {
      try {
        corpus = detectCorpus(relPaths).corpus;
      } catch (err) {
        if (!pattern && !table) throw err;
        const given = [pattern && `the pattern has no {label}`, table && `${metadataName(table)} has no label column`].filter(Boolean).join(' and ');
        throw new Error(`no labels: ${given}, and the folder follows no known convention or folder-per-label layout (${(err as Error).message})`);
      }
    }
    base = parserFor(corpus);
    labelSource = corpus === 'folders' ? 'folders' : 'convention';
  }

  const fromFile = table?.keyedBy === 'path' ? rowsByFile(table, root, relPaths) : null;
  const fromSpeaker = table?.keyedBy === 'speaker' ? rowsBySpeaker(table) : null;
  const speakersSeen = new Set<string>();

  const files = relPaths.map((rel, i): FileFields => {
    const problems: string[] = [];
    const f: FileFields = { originalLabel: null, speaker: null, gender: null, intensity: null, statement: null, problem: null };
    if (base) {
      const parsed = base.parse(rel);
      if (parsed) {
        const { emotion, speaker, gender, intensity, statement } = parsed;
        Object.assign(f, { originalLabel: emotion, speaker, gender, intensity, statement });
      } else if (labelSource === 'convention' || labelSource === 'folders') {
        // With labels from a pattern or CSV a convention only adds fields, so a name it cannot read is no problem.
        problems.push(`file name does not follow the convention (${base.convention})`);
      }
    }
    if (pattern) applyPattern(pattern, rel, f, problems);
    if (fromFile) applyRow(fromFile.rows[i], table!, f, problems, `no row in ${metadataName(table!)}`);
    if (fromSpeaker) {
      if (f.speaker === null) problems.push(`its speaker is unknown, so ${metadataName(table!)} (one row per speaker) cannot describe it`);
      else {
        speakersSeen.add(speakerKey(f.speaker));
        const row = fromSpeaker.rows.get(speakerKey(f.speaker)) ?? null;
        applyRow(row, table!, f, problems, `speaker ${f.speaker} has no row in ${metadataName(table!)}`);
      }
    }
    if (f.originalLabel === null && !problems.length)
      problems.push(labelSource === 'metadata' ? `its row in ${metadataName(table!)} has no label` : 'no label');
    f.problem = problems.length ? problems.join('; ') : null;
    return f;
  });

  const unusedRows = [...(fromFile?.unused ?? []), ...(fromSpeaker?.unused ?? [])];
  if (fromSpeaker) {
    for (const [key, row] of fromSpeaker.rows) {
      if (!speakersSeen.has(key)) unusedRows.push({ line: row.line, reason: `no file of speaker ${row.values.speaker} in the folder` });
    }
  }
  unusedRows.sort((a, b) => a.line - b.line);
  return { corpus, labelSource, description: describe(corpus, labelSource, base, pattern, table), files, unusedRows };
}

function applyPattern(pattern: NamePattern, rel: string, f: FileFields, problems: string[]): void {
  const m = matchNamePattern(pattern, patternTarget(pattern, rel));
  if (!m.ok) {
    problems.push(`name does not match the pattern ${pattern.source}: ${m.reason}`);
    return;
  }
  const { label, speaker, gender, intensity, statement } = m.values;
  if (label !== undefined) f.originalLabel = label;
  if (speaker !== undefined) f.speaker = speaker;
  if (intensity !== undefined) f.intensity = intensity;
  if (statement !== undefined) f.statement = statement;
  if (gender !== undefined) setGender(f, gender, 'in the name', problems);
}

function applyRow(row: MetadataRow | null, table: MetadataTable, f: FileFields, problems: string[], missing: string): void {
  if (!row) {
    problems.push(missing);
    return;
  }
  const { label, speaker, gender, intensity, statement } = row.values;
  if (label !== undefined) f.originalLabel = label;
  if (speaker !== undefined && table.keyedBy === 'path') f.speaker = speaker;
  if (intensity !== undefined) f.intensity = intensity;
  if (statement !== undefined) f.statement = statement;
  if (gender !== undefined) setGender(f, gender, `on line ${row.line} of ${metadataName(table)}`, problems);
}

function setGender(f: FileFields, value: string, where: string, problems: string[]): void {
  const g = normaliseGender(value);
  if (g) f.gender = g;
  else problems.push(`gender "${value}" ${where} is neither male (m, male, man) nor female (f, female, w, woman)`);
}

function describe(
  corpus: DatasetCorpus,
  labelSource: LabelSource,
  base: CorpusParser | null,
  pattern: NamePattern | null,
  table: MetadataTable | null,
): string {
  const parts: string[] = [];
  if (base) parts.push(labelSource === 'pattern' || labelSource === 'metadata' ? `label codes and fields of ${base.convention}` : base.convention);
  if (pattern) parts.push(`pattern ${pattern.source}`);
  if (table) parts.push(`${metadataName(table)} (${table.keyedBy === 'path' ? 'one row per file' : 'one row per speaker'})`);
  return parts.length ? parts.join(' + ') : corpus;
}
