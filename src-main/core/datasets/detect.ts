import { cremad } from './corpora/cremad';
import { emodb } from './corpora/emodb';
import { folders } from './corpora/folders';
import { ravdess } from './corpora/ravdess';
import { savee } from './corpora/savee';
import { tess } from './corpora/tess';
import type { CorpusName, CorpusParser } from '../../../src-shared/corpus';
import { resolveLabel } from '../../../src-shared/labels';
import { scanFolder } from './scan';

const PARSERS: Record<CorpusName, CorpusParser> = { ravdess, cremad, tess, savee, emodb, folders };

/** The file-name parser for a corpus. */
export function parserFor(corpus: CorpusName): CorpusParser {
  return PARSERS[corpus];
}

/** Fraction of sampled names a convention must explain before it is believed. */
const MIN_SHARE = 0.8;
const SAMPLE = 400;

/** Picks the corpus whose naming convention explains the most of the (sampled) relative paths; throws when none does. */
export function detectCorpus(relPaths: string[]): { corpus: CorpusName; share: number } {
  if (relPaths.length === 0) throw new Error('cannot detect the corpus of an empty folder');
  const step = Math.max(1, Math.floor(relPaths.length / SAMPLE));
  const sample = relPaths.filter((_, i) => i % step === 0).slice(0, SAMPLE);
  let best: { corpus: CorpusName; share: number } | null = null;
  // Named conventions first: a RAVDESS tree sorted into folders still counts as RAVDESS.
  for (const p of [ravdess, cremad, tess, savee, emodb]) {
    const share = sample.filter((r) => p.parse(r) !== null).length / sample.length;
    if (!best || share > best.share) best = { corpus: p.corpus, share };
  }
  if (best && best.share >= MIN_SHARE) return best;
  const inFolders = sample.filter((r) => folders.parse(r) !== null);
  const labels = new Set(inFolders.map((r) => folders.parse(r)!.emotion));
  if (inFolders.length / sample.length >= MIN_SHARE && labels.size >= 2) return { corpus: 'folders', share: inFolders.length / sample.length };
  const examples = sample.slice(0, 3).join(', ');
  throw new Error(
    `could not tell which corpus this is (e.g. ${examples}); name it with --corpus ravdess|cremad|tess|savee|emodb|folders. ` +
      `Known conventions: ${Object.values(PARSERS)
        .map((p) => p.convention)
        .join('; ')}`,
  );
}

/** What importing a folder would give: the corpus, file count, a few parsed examples and the label mapping. */
export interface FolderDetection {
  corpus: CorpusName;
  files: number;
  sample: { file: string; label: string | null; speaker: string | null }[];
  /** Original token -> label under the corpus map (null = dropped). */
  labels: Record<string, string | null>;
}

/** Scans a folder and detects its corpus, for an import wizard to show before importing. */
export function detectFolder(folder: string): FolderDetection {
  const { relPaths } = scanFolder(folder);
  if (relPaths.length === 0) throw new Error(`no audio files (.wav, .flac, .mp3, .ogg, .m4a...) found in ${folder}`);
  const { corpus } = detectCorpus(relPaths);
  const parser = parserFor(corpus);
  const labels: Record<string, string | null> = {};
  const sample: FolderDetection['sample'] = [];
  const step = Math.max(1, Math.floor(relPaths.length / 10));
  relPaths.forEach((rel, i) => {
    const p = parser.parse(rel);
    if (p) labels[p.emotion] = resolveLabel(corpus, p.emotion);
    if (i % step === 0 && sample.length < 10)
      sample.push({ file: rel, label: p ? resolveLabel(corpus, p.emotion) : null, speaker: p?.speaker ?? null });
  });
  return { corpus, files: relPaths.length, sample, labels };
}
