import type { SplitSpec } from '../../../src-shared/config/split';
import { makeSplit, type SplitAssignment, type SplitFile } from './splits';

/** A file of a run that may span several corpora; speakers are already corpus-qualified when there are several. */
export type CorpusSplitFile = SplitFile & { datasetId: number };

/** Specs that name speakers are drawn over every corpus at once (the names carry their corpus). */
function namesSpeakers(spec: SplitSpec): boolean {
  return spec.kind === 'loso' || (spec.kind === 'speaker' && Boolean(spec.testSpeakers?.length || spec.valSpeakers?.length));
}

/** makeSplit on one corpus, its errors naming the corpus. */
function splitCorpus(files: CorpusSplitFile[], spec: SplitSpec, datasetId: number): SplitAssignment {
  try {
    return makeSplit(files, spec);
  } catch (err) {
    throw new Error(`dataset ${datasetId}: ${(err as Error).message}`);
  }
}

/**
 * The run's split over one or several corpora. One corpus: makeSplit. Several: 'leave-corpus-out' tests on one whole
 * corpus and draws validation speakers within each training corpus; specs that name speakers are drawn over all files
 * at once; fraction and k-fold specs are drawn within each corpus, so every corpus has its share of every part (drawn
 * over the union, a small corpus could land wholly in test or wholly in training).
 */
export function makeRunSplit(files: CorpusSplitFile[], spec: SplitSpec): SplitAssignment {
  const datasetIds = [...new Set(files.map((f) => f.datasetId))].sort((a, b) => a - b);
  if (datasetIds.length <= 1 || namesSpeakers(spec)) return makeSplit(files, spec);
  const out: SplitAssignment = { train: [], val: [], test: [] };
  for (const id of datasetIds) {
    const corpus = files.filter((f) => f.datasetId === id);
    let part: SplitAssignment;
    if (spec.kind === 'leave-corpus-out') {
      const usable = corpus.filter((f) => !f.error && f.label !== null).map((f) => f.id);
      if (id === spec.testDatasetId) part = { train: [], val: [], test: usable };
      else if (!spec.valFraction) part = { train: usable, val: [], test: [] };
      else {
        // Validation speakers are drawn as a speaker split's test speakers would be: gender-balanced, by seed.
        const drawn = splitCorpus(corpus, { kind: 'speaker', testFraction: spec.valFraction, valFraction: 0, seed: spec.seed }, id);
        part = { train: drawn.train, val: drawn.test, test: [] };
      }
    } else {
      part = splitCorpus(corpus, spec, id);
    }
    out.train.push(...part.train);
    out.val.push(...part.val);
    out.test.push(...part.test);
  }
  if (spec.kind === 'leave-corpus-out' && !datasetIds.includes(spec.testDatasetId)) {
    throw new Error(`leave-corpus-out: dataset ${spec.testDatasetId} has no usable files in this run`);
  }
  for (const p of [out.train, out.val, out.test]) p.sort((a, b) => a - b);
  return out;
}
