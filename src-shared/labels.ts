import cremadMap from '../resources/labelmaps/cremad.json';
import emodbMap from '../resources/labelmaps/emodb.json';
import foldersMap from '../resources/labelmaps/folders.json';
import ravdessMap from '../resources/labelmaps/ravdess.json';
import saveeMap from '../resources/labelmaps/savee.json';
import tessMap from '../resources/labelmaps/tess.json';
import type { CorpusName } from './corpus';

/** The label set every corpus is mapped onto. */
export const UNIFIED_LABELS = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'] as const;

/** Per-dataset user overrides: original token or unified label -> new label, or null to drop it. */
export type LabelMapOverrides = Record<string, string | null>;

interface LabelMapFile {
  corpus: string;
  source: string;
  map: Record<string, string | null>;
}

const CORPUS_MAPS: Record<CorpusName, LabelMapFile> = {
  ravdess: ravdessMap,
  cremad: cremadMap,
  tess: tessMap,
  savee: saveeMap,
  emodb: emodbMap,
  folders: foldersMap,
};

/** The shipped map for a corpus (resources/labelmaps/<corpus>.json): original token -> unified label or null. */
export function corpusLabelMap(corpus: CorpusName): Record<string, string | null> {
  return CORPUS_MAPS[corpus].map;
}

/** The corpus's own mapping of one token, before user overrides (folder names fall back to themselves, lower-cased). */
export function baseLabel(corpus: CorpusName, original: string): string | null {
  const map = CORPUS_MAPS[corpus].map;
  if (corpus === 'folders') {
    const key = original.trim().toLowerCase();
    return key in map ? map[key] : key;
  }
  return original in map ? map[original] : null;
}

/** Final label: an override of the original token wins, then an override of the unified label, then the corpus map. */
export function resolveLabel(corpus: CorpusName, original: string, overrides: LabelMapOverrides = {}): string | null {
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
export function checkOverrides(corpus: CorpusName, originals: Iterable<string>, overrides: LabelMapOverrides): void {
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
