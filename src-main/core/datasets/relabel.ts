import type { Store } from '../store/db';
import { getDataset, listFiles, updateLabels } from '../store/datasets';
import type { DatasetCorpus } from '../../../src-shared/corpus';
import { checkOverrides, resolveLabel, type LabelMapOverrides } from '../../../src-shared/labels';

/** Re-derives every file's label from its original token with new overrides (no re-import needed); returns the new class counts. */
export function relabelDataset(store: Store, datasetId: number, labelMap: LabelMapOverrides): Record<string, number> {
  const ds = getDataset(store.db, datasetId);
  if (!ds) throw new Error(`dataset ${datasetId} does not exist`);
  const corpus = ds.corpus as DatasetCorpus;
  const files = listFiles(store.db, datasetId, { includeErrors: true });
  const originals = files.flatMap((f) => (f.originalLabel === null ? [] : [f.originalLabel]));
  checkOverrides(corpus, originals, labelMap);
  updateLabels(
    store.db,
    datasetId,
    labelMap,
    files.map((f) => ({ id: f.id, label: f.originalLabel === null ? null : resolveLabel(corpus, f.originalLabel, labelMap) })),
  );
  return getDataset(store.db, datasetId)!.classes;
}
