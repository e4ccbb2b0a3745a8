import type { SplitSpec } from '../../../src-shared/config/split';
import type { SplitAssignment } from '../datasets/splits';
import type { Db } from './db';

const SPLIT_COLUMNS = `id, dataset_id AS datasetId, name, kind, config, assignment, created_at AS createdAt`;

/** A stored split. */
export interface SplitRow {
  id: number;
  datasetId: number;
  name: string;
  kind: SplitSpec['kind'];
  spec: SplitSpec;
  assignment: SplitAssignment;
  createdAt: string;
}

/** Stores a split with the spec that produced it; returns its id. */
export function saveSplit(db: Db, datasetId: number, name: string, spec: SplitSpec, assignment: SplitAssignment): number {
  const r = db
    .prepare('INSERT INTO splits (dataset_id, name, kind, config, assignment) VALUES (?, ?, ?, ?, ?) RETURNING id')
    .get(datasetId, name, spec.kind, JSON.stringify(spec), JSON.stringify(assignment)) as { id: number };
  return r.id;
}

interface RawSplit {
  id: number;
  datasetId: number;
  name: string;
  kind: SplitSpec['kind'];
  config: string;
  assignment: string;
  createdAt: string;
}

function fromRaw(r: RawSplit): SplitRow {
  const { config, assignment, ...rest } = r;
  return { ...rest, spec: JSON.parse(config) as SplitSpec, assignment: JSON.parse(assignment) as SplitAssignment };
}

/** Splits stored for a dataset, oldest first. */
export function listSplits(db: Db, datasetId: number): SplitRow[] {
  return (db.prepare(`SELECT ${SPLIT_COLUMNS} FROM splits WHERE dataset_id = ? ORDER BY id`).all(datasetId) as RawSplit[]).map(fromRaw);
}

/** One stored split, or null. */
export function getSplit(db: Db, id: number): SplitRow | null {
  const r = db.prepare(`SELECT ${SPLIT_COLUMNS} FROM splits WHERE id = ?`).get(id) as RawSplit | undefined;
  return r ? fromRaw(r) : null;
}
