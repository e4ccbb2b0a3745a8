import type { SplitSpec } from '../../../src-shared/config/split';
import { mulberry32 } from '../mulberry32';
import type { FileRow } from '../store/datasets';

/** File ids per part, each list ascending. */
export interface SplitAssignment {
  train: number[];
  val: number[];
  test: number[];
}

/** The fields a split needs; FileRow has them. */
export type SplitFile = Pick<FileRow, 'id' | 'label' | 'speaker' | 'gender'> & { error?: string | null };

/** Speaker-independent, 20 % of speakers for test: the default everywhere. */
export const DEFAULT_SPLIT: SplitSpec = { kind: 'speaker', testFraction: 0.2, valFraction: 0.1, seed: 42 };

function shuffled<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Natural order (2 before 10); names it ranks equal ('1', '01') by code unit, so the order never rests on the input's. */
const byNatural = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true }) || (a < b ? -1 : 1);

function checkFraction(name: string, f: number | undefined): void {
  if (f !== undefined && !(f >= 0 && f < 1)) throw new Error(`${name} must be in [0, 1), got ${f}`);
}

/** The speakers (less `exclude`) of each gender, 'unknown' being one, the genders by name, each group in seeded order. */
function genderGroups(files: SplitFile[], seed: number, exclude: Set<string> = new Set()): string[][] {
  const gender = new Map<string, string>();
  for (const f of files) if (!exclude.has(f.speaker!)) gender.set(f.speaker!, f.gender ?? 'unknown');
  const random = mulberry32(seed);
  return [...new Set(gender.values())].sort().map((g) => shuffled([...gender.keys()].filter((s) => gender.get(s) === g).sort(byNatural), random));
}

/**
 * Speakers in a seeded order that alternates genders (when known), so the first few held out are
 * balanced rather than, by chance, all men.
 */
function speakerOrder(files: SplitFile[], seed: number, exclude?: Set<string>): string[] {
  const groups = genderGroups(files, seed, exclude);
  const total = groups.flat().length;
  const order: string[] = [];
  for (let i = 0; order.length < total; i++) for (const g of groups) if (i < g.length) order.push(g[i]);
  return order;
}

function assign(files: SplitFile[], test: Set<string>, val: Set<string>): SplitAssignment {
  const out: SplitAssignment = { train: [], val: [], test: [] };
  for (const f of files) {
    const s = f.speaker!;
    (test.has(s) ? out.test : val.has(s) ? out.val : out.train).push(f.id);
  }
  return out;
}

function requireSpeakers(files: SplitFile[], kind: string): string[] {
  const missing = files.filter((f) => f.speaker === null).length;
  if (missing) {
    throw new Error(
      `a ${kind} split needs the speaker of every file, but ${missing} of ${files.length} files have none ` +
        `(folder-per-label imports carry no speaker); use a stratified random split instead ({ kind: 'random' })`,
    );
  }
  const speakers = [...new Set(files.map((f) => f.speaker!))].sort(byNatural);
  if (speakers.length < 2) throw new Error(`a ${kind} split needs at least 2 speakers, this dataset has ${speakers.length}`);
  return speakers;
}

function requireKnown(speakers: string[], named: string[], what: string): void {
  const known = new Set(speakers);
  const unknown = named.filter((s) => !known.has(s));
  if (unknown.length) throw new Error(`${what} ${unknown.join(', ')} not in this dataset; speakers are ${speakers.join(', ')}`);
}

/** Number of speakers for a fraction: at least one when the fraction is non-zero. */
function countFor(fraction: number | undefined, n: number): number {
  return fraction ? Math.max(1, Math.round(fraction * n)) : 0;
}

/** Splits usable files (no error, a label) into train/val/test; pure and deterministic for a given seed. */
export function makeSplit(allFiles: SplitFile[], spec: SplitSpec): SplitAssignment {
  // In id order from here on, so nothing depends on the order of the input.
  const files = allFiles.filter((f) => !f.error && f.label !== null).sort((a, b) => a.id - b.id);
  if (files.length === 0) throw new Error('no usable files to split (every file has an error or no label)');

  if (spec.kind === 'random') {
    checkFraction('testFraction', spec.testFraction);
    checkFraction('valFraction', spec.valFraction);
    if (spec.testFraction + spec.valFraction >= 1) throw new Error('testFraction + valFraction must leave files for training');
    const random = mulberry32(spec.seed);
    const out: SplitAssignment = { train: [], val: [], test: [] };
    const labels = [...new Set(files.map((f) => f.label!))].sort();
    for (const label of labels) {
      const ids = shuffled(
        files.filter((f) => f.label === label).map((f) => f.id),
        random,
      );
      // Rounding may not take a class's last file: every class keeps at least one for training.
      const nTest = Math.min(Math.round(ids.length * spec.testFraction), ids.length - 1);
      const nVal = Math.min(Math.round(ids.length * spec.valFraction), ids.length - 1 - nTest);
      out.test.push(...ids.slice(0, nTest));
      out.val.push(...ids.slice(nTest, nTest + nVal));
      out.train.push(...ids.slice(nTest + nVal));
    }
    for (const part of [out.train, out.val, out.test]) part.sort((a, b) => a - b);
    return out;
  }

  // A whole corpus as the test set needs the other corpora: the run's split (datasets/corpusSplit.ts) does it.
  if (spec.kind === 'leave-corpus-out') throw new Error('a leave-corpus-out split needs several datasets in the run (extraDatasets)');
  const speakers = requireSpeakers(files, spec.kind === 'speaker' ? 'speaker-independent' : spec.kind);
  checkFraction('valFraction', spec.valFraction);
  let test: string[];
  let val: string[];
  if (spec.kind === 'speaker') {
    checkFraction('testFraction', spec.testFraction);
    if (spec.testSpeakers?.length) {
      requireKnown(speakers, spec.testSpeakers, 'test speakers');
      test = [...new Set(spec.testSpeakers)];
    } else {
      // Named validation speakers are passed over (the order, and so every draw that avoids them, is unchanged).
      const named = new Set(spec.valSpeakers);
      test = speakerOrder(files, spec.seed)
        .filter((s) => !named.has(s))
        .slice(0, countFor(spec.testFraction ?? 0.2, speakers.length));
    }
    if (spec.valSpeakers?.length) {
      requireKnown(speakers, spec.valSpeakers, 'validation speakers');
      const both = spec.valSpeakers.filter((s) => test.includes(s));
      if (both.length) throw new Error(`speakers ${both.join(', ')} are named for both test and validation`);
      val = [...new Set(spec.valSpeakers)];
    } else {
      val = speakerOrder(files, spec.seed + 1, new Set(test)).slice(0, countFor(spec.valFraction, speakers.length));
    }
  } else if (spec.kind === 'kfold-speaker') {
    if (!Number.isInteger(spec.k) || spec.k < 2) throw new Error(`k must be an integer >= 2, got ${spec.k}`);
    if (!Number.isInteger(spec.fold) || spec.fold < 0 || spec.fold >= spec.k) throw new Error(`fold must be in 0..${spec.k - 1}, got ${spec.fold}`);
    if (speakers.length < spec.k) throw new Error(`${spec.k}-fold by speaker needs at least ${spec.k} speakers, this dataset has ${speakers.length}`);
    // The speakers, gender after gender, are dealt round-robin to the folds: the folds of a seed are disjoint, and
    // each has its share of every gender (dealt from the alternating order, an even k would give one-gender folds).
    test = genderGroups(files, spec.seed)
      .flat()
      .filter((_, i) => i % spec.k === spec.fold);
    val = speakerOrder(files, spec.seed + 1, new Set(test)).slice(0, countFor(spec.valFraction, speakers.length));
  } else {
    requireKnown(speakers, [spec.speaker], 'speaker');
    test = [spec.speaker];
    val = speakerOrder(files, spec.seed, new Set(test)).slice(0, countFor(spec.valFraction, speakers.length));
  }
  if (test.length + val.length >= speakers.length) {
    throw new Error(`no speakers left for training: ${test.length} test + ${val.length} validation of ${speakers.length}`);
  }
  return assign(files, new Set(test), new Set(val));
}
