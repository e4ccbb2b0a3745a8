/** Corpora whose file names (or folders) carry the labels. */
export const CORPUS_NAMES = ['ravdess', 'cremad', 'tess', 'savee', 'emodb', 'folders'] as const;
export type CorpusName = (typeof CORPUS_NAMES)[number];
/** What a dataset records as its corpus: a naming convention, or 'custom' when its labels came from a --pattern or a metadata CSV. */
export type DatasetCorpus = CorpusName | 'custom';

export type Gender = 'male' | 'female';

/** What a corpus's naming convention says about one file. */
export interface ParsedName {
  /** The emotion token exactly as the corpus writes it ('05', 'ANG', 'ps', 'W', a folder name). */
  emotion: string;
  speaker: string | null;
  gender: Gender | null;
  intensity: string | null;
  statement: string | null;
}

export interface CorpusParser {
  corpus: CorpusName;
  /** The convention in words, for error messages. */
  convention: string;
  /** Parses a path relative to the dataset root ('/'-separated); null when it does not follow the convention. */
  parse(relPath: string): ParsedName | null;
}

/** File name without directories or extension. */
export function stemOf(relPath: string): string {
  const base = relPath.slice(relPath.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** Name of the folder holding the file ('' at the root). */
export function parentOf(relPath: string): string {
  const parts = relPath.split('/');
  return parts.length > 1 ? parts[parts.length - 2] : '';
}
