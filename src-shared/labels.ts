import cremadMap from '../resources/labelmaps/cremad.json';
import emodbMap from '../resources/labelmaps/emodb.json';
import ravdessMap from '../resources/labelmaps/ravdess.json';
import saveeMap from '../resources/labelmaps/savee.json';
import tessMap from '../resources/labelmaps/tess.json';
import type { CorpusName, DatasetCorpus } from './corpus';
import { labelFromName, synonymMap } from './labelSynonyms';

export { KNOWN_LABELS, UNIFIED_LABELS, labelFromName } from './labelSynonyms';

/** Per-dataset user overrides: original token or unified label -> new label, or null to drop it. */
export type LabelMapOverrides = Record<string, string | null>;

interface LabelMapFile {
  corpus: string;
  source: string;
  map: Record<string, string | null>;
}

// Corpora with a fixed code list; folder names, pattern fields and metadata cells are people's words
// and go through the one synonym list instead (labelSynonyms.ts).
const CORPUS_MAPS: Record<Exclude<CorpusName, 'folders'>, LabelMapFile> = {
  ravdess: ravdessMap,
  cremad: cremadMap,
  tess: tessMap,
  savee: saveeMap,
  emodb: emodbMap,
};

/** Whether a dataset's labels are names a person chose (folders, a pattern's {label}, a metadata column) rather than corpus codes. */
export function labelsAreNames(corpus: DatasetCorpus): corpus is 'folders' | 'custom' {
  return corpus === 'folders' || corpus === 'custom';
}

/** The shipped map for a corpus (resources/labelmaps/<corpus>.json; the synonym list for named labels): original token -> label or null. */
export function corpusLabelMap(corpus: DatasetCorpus): Record<string, string | null> {
  return labelsAreNames(corpus) ? synonymMap() : CORPUS_MAPS[corpus].map;
}

/**
 * The corpus's own mapping of one token, before user overrides. Named labels go through the synonym
 * list and are null when unknown: an unknown folder name is reported, never turned into a new label.
 */
export function baseLabel(corpus: DatasetCorpus, original: string): string | null {
  if (labelsAreNames(corpus)) return labelFromName(original);
  const map = CORPUS_MAPS[corpus].map;
  return Object.hasOwn(map, original) ? map[original] : null;
}

/**
 * True when a label is neither known (an emotion word for named labels, a code in the corpus's map for
 * codes read by a pattern or CSV, e.g. RAVDESS '09') nor mapped by the user: its files stay unlabelled
 * and the import reports it. A code the map drops on purpose (EMO-DB's L) is known, not unknown.
 */
export function isUnknownLabel(corpus: DatasetCorpus, original: string, overrides: LabelMapOverrides = {}): boolean {
  if (Object.hasOwn(overrides, original)) return false;
  return labelsAreNames(corpus) ? labelFromName(original) === null : !Object.hasOwn(CORPUS_MAPS[corpus].map, original);
}

/** Final label: an override of the original token wins, then an override of the unified label, then the corpus map. */
export function resolveLabel(corpus: DatasetCorpus, original: string, overrides: LabelMapOverrides = {}): string | null {
  if (Object.hasOwn(overrides, original)) return overrides[original];
  const base = baseLabel(corpus, original);
  if (base !== null && Object.hasOwn(overrides, base)) return overrides[base];
  return base;
}

/** Parses `calm=neutral,ps=surprised,L=` (empty or "null" target = drop the label). */
export function parseLabelMapArg(text: string): LabelMapOverrides {
  const out: LabelMapOverrides = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`label map entry "${part}" is not of the form from=to (e.g. calm=neutral; an empty "to" drops the label)`);
    const from = part.slice(0, eq).trim();
    const to = part.slice(eq + 1).trim();
    out[from] = to === '' || to === 'null' ? null : to;
  }
  return out;
}

/** Throws when an override names neither an original token nor a label of this dataset (a typo would otherwise do nothing). */
export function checkOverrides(corpus: DatasetCorpus, originals: Iterable<string>, overrides: LabelMapOverrides): void {
  const known = new Set<string>();
  for (const o of originals) {
    known.add(o);
    const base = baseLabel(corpus, o);
    if (base !== null) known.add(base);
  }
  const unknown = Object.keys(overrides).filter((k) => !known.has(k));
  if (unknown.length) {
    throw new Error(
      `label map names ${unknown.map((k) => `"${k}"`).join(', ')}, which this ${corpus} dataset does not have; ` +
        `known labels: ${[...known].sort().join(', ')}`,
    );
  }
  for (const [k, v] of Object.entries(overrides)) {
    if (v !== null && !/^[\p{L}\p{N}_-]+$/u.test(v)) throw new Error(`label map target for "${k}" must be a single word (got "${v}")`);
  }
}
