import type { ImportPreview } from '../../../src-shared/api/contract';
import { isUnknownLabel, resolveLabel, type LabelMapOverrides } from '../../../src-shared/labels';
import type { DatasetNaming } from '../store/datasets';
import { effectiveNaming, nameFiles, type NamingSpec } from './naming';
import { scanFolder } from './scan';

const MAX_PROBLEMS = 200;
const UNKNOWN_EXAMPLES = 5;

/**
 * What importing a folder with these options would give, from the names and the metadata alone (no
 * audio is read, so it answers in milliseconds for the wizard's live preview). It runs the same
 * nameFiles() as the import, so the preview cannot disagree with it about labels, speakers or genders.
 */
export function previewImport(
  folder: string,
  spec: NamingSpec & { labelMap?: LabelMapOverrides; limit?: number },
  /** The naming stored with the dataset already imported from this (canonical) folder, if any: a re-import uses it. */
  storedNaming: (root: string) => DatasetNaming | null = () => null,
): ImportPreview {
  const { root, relPaths } = scanFolder(folder);
  if (relPaths.length === 0) throw new Error(`no audio files (.wav, .flac, .mp3, .ogg, .m4a...) found in ${folder}`);
  const used = effectiveNaming(spec, storedNaming(root));
  const naming = nameFiles(root, relPaths, { corpus: spec.corpus, ...used });
  const labelMap = spec.labelMap ?? {};
  const { corpus } = naming;
  const rows = naming.files.map((f, i) => {
    const label = f.originalLabel === null ? null : resolveLabel(corpus, f.originalLabel, labelMap);
    const unknownLabel = f.originalLabel !== null && isUnknownLabel(corpus, f.originalLabel, labelMap);
    return { file: relPaths[i], ...f, label, unknownLabel };
  });
  const labels: Record<string, string | null> = {};
  const unknown = new Map<string, string[]>();
  const classes: Record<string, number> = {};
  const genders: Record<string, number> = {};
  const speakers = new Set<string>();
  for (const r of rows) {
    // Before the request's label map: the wizard edits its map against these.
    if (r.originalLabel !== null) labels[r.originalLabel] = resolveLabel(corpus, r.originalLabel);
    if (r.problem) continue;
    if (r.unknownLabel) {
      if (!unknown.has(r.originalLabel!)) unknown.set(r.originalLabel!, []);
      unknown.get(r.originalLabel!)!.push(r.file);
      continue;
    }
    if (r.label === null) continue;
    classes[r.label] = (classes[r.label] ?? 0) + 1;
    genders[r.gender ?? 'unknown'] = (genders[r.gender ?? 'unknown'] ?? 0) + 1;
    if (r.speaker !== null) speakers.add(r.speaker);
  }
  const problems = rows.flatMap((r) => (r.problem ? [{ file: r.file, reason: r.problem }] : []));
  return {
    corpus,
    labelSource: naming.labelSource,
    naming: used,
    description: naming.description,
    files: relPaths.length,
    sample: rows.slice(0, spec.limit ?? 20),
    problems: problems.slice(0, MAX_PROBLEMS),
    problemCount: problems.length,
    labels,
    unknownLabels: [...unknown].map(([label, files]) => ({ label, files: files.length, examples: files.slice(0, UNKNOWN_EXAMPLES) })),
    classes,
    speakers: speakers.size,
    genders,
    unusedRows: naming.unusedRows,
  };
}
