import type { BatchPoint, EpochPoint, EvaluationReport, FilePrediction, RunSummary, SavedModelInfo } from '../../../src-shared/api/contract';
import { hostname } from 'node:os';
import type { FeatureConfig } from '../../../src-shared/config/features';
import type { Db } from './db';
import { getRunSummary } from './runQueries';

export type RunStatus = RunSummary['status'];

const NOW = `strftime('%Y-%m-%dT%H:%M:%fZ','now')`;
// Columns are snake_case in SQLite, camelCase in the rows returned.
const EVALUATION_COLUMNS = `id, run_id AS runId, dataset_id AS datasetId, split, metrics, predictions, created_at AS createdAt`;
const MODEL_COLUMNS = `id, run_id AS runId, name, path, kind, labels, feature_config AS featureConfig, created_at AS createdAt`;

/**
 * Creates a queued run holding its full config, owned by this process; returns the run id. Owned from the start: a
 * process killed before its run got going (the worker still loading) leaves a queued run that the next open marks
 * interrupted, instead of one queued forever.
 */
export function createRun(db: Db, run: { name?: string | null; datasetId: number | null; config: unknown }): number {
  const r = db
    .prepare(`INSERT INTO runs (name, dataset_id, config, status, owner_pid, owner_host) VALUES (?, ?, ?, 'queued', ?, ?)`)
    .run(run.name ?? null, run.datasetId, JSON.stringify(run.config), process.pid, hostname());
  return Number(r.lastInsertRowid);
}

/** Marks a run running on `backend` (name + detail as shown to the user). */
export function markRunStarted(db: Db, id: number, backend: string | null): void {
  // The owner is this (parent) process: it persists the run's events and is what a crash takes down.
  db.prepare(
    `UPDATE runs SET status = 'running', backend = COALESCE(?, backend), started_at = COALESCE(started_at, ${NOW}), owner_pid = ?, owner_host = ? WHERE id = ?`,
  ).run(backend, process.pid, hostname(), id);
}

/**
 * Final status; a run already final keeps its first verdict (a late worker exit cannot overwrite
 * 'cancelled'). 'interrupted' is not final: another process opening the DB marks live runs so.
 */
export function finishRun(db: Db, id: number, status: Exclude<RunStatus, 'queued' | 'running'>, error: string | null = null): void {
  db.prepare(`UPDATE runs SET status = ?, error = ?, finished_at = ${NOW} WHERE id = ? AND status IN ('queued', 'running', 'interrupted')`).run(
    status,
    error,
    id,
  );
}

export function getRunStatus(db: Db, id: number): RunStatus | null {
  const row = db.prepare('SELECT status FROM runs WHERE id = ?').get(id) as { status: RunStatus } | undefined;
  return row?.status ?? null;
}

/** Stores (or replaces) one finished epoch's metrics. */
export function recordEpoch(db: Db, runId: number, point: EpochPoint): void {
  db.prepare(`INSERT OR REPLACE INTO epoch_metrics (run_id, epoch, metrics) VALUES (?, ?, ?)`).run(runId, point.epoch, JSON.stringify(point.metrics));
}

/** Stores one batch's loss/accuracy/LR. */
export function recordBatch(db: Db, runId: number, p: BatchPoint): void {
  db.prepare(`INSERT OR REPLACE INTO batch_metrics (run_id, epoch, batch, step, loss, accuracy, lr) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(
    runId,
    p.epoch,
    p.batch,
    p.step,
    p.loss,
    p.accuracy,
    p.lr,
  );
}

/** Stores an evaluation (split 'test', 'val', 'test:<datasetId>' (one corpus of a multi-corpus test set) or 'cross:<datasetId>'); returns its id. */
export function recordEvaluation(
  db: Db,
  e: { runId: number | null; datasetId: number | null; split: string; report: EvaluationReport; predictions: FilePrediction[] },
): number {
  const r = db
    .prepare(`INSERT INTO evaluations (run_id, dataset_id, split, metrics, predictions) VALUES (?, ?, ?, ?, ?)`)
    .run(e.runId, e.datasetId, e.split, JSON.stringify(e.report), JSON.stringify(e.predictions));
  return Number(r.lastInsertRowid);
}

export interface StoredEvaluation {
  id: number;
  runId: number | null;
  datasetId: number | null;
  split: string;
  report: EvaluationReport;
  predictions: FilePrediction[];
  createdAt: string;
}

/** Every evaluation of a run, oldest first. */
export function listEvaluations(db: Db, runId: number): StoredEvaluation[] {
  const rows = db.prepare(`SELECT ${EVALUATION_COLUMNS} FROM evaluations WHERE run_id = ? ORDER BY id`).all(runId) as {
    id: number;
    runId: number | null;
    datasetId: number | null;
    split: string;
    metrics: string;
    predictions: string;
    createdAt: string;
  }[];
  return rows.map((r) => ({ ...r, report: JSON.parse(r.metrics) as EvaluationReport, predictions: JSON.parse(r.predictions) as FilePrediction[] }));
}

/** Registers a saved model directory; returns the model id (re-saving to the same path replaces the row). */
export function recordModel(
  db: Db,
  m: { runId: number | null; name: string; path: string; kind: string; labels: string[]; featureConfig: unknown },
): number {
  const r = db
    .prepare(
      `INSERT INTO models (run_id, name, path, kind, labels, feature_config) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(path) DO UPDATE SET run_id = excluded.run_id, name = excluded.name, kind = excluded.kind,
         labels = excluded.labels, feature_config = excluded.feature_config, created_at = ${NOW}
       RETURNING id`,
    )
    .get(m.runId, m.name, m.path, m.kind, JSON.stringify(m.labels), JSON.stringify(m.featureConfig)) as { id: number };
  return r.id;
}

interface RawModel {
  id: number;
  runId: number | null;
  name: string;
  path: string;
  kind: string;
  labels: string;
  featureConfig: string;
  createdAt: string;
}
const toModelInfo = (r: RawModel): SavedModelInfo => ({
  ...r,
  labels: JSON.parse(r.labels) as string[],
  featureConfig: JSON.parse(r.featureConfig) as FeatureConfig,
});

export function listModels(db: Db): SavedModelInfo[] {
  return (db.prepare(`SELECT ${MODEL_COLUMNS} FROM models ORDER BY id DESC`).all() as RawModel[]).map(toModelInfo);
}

export function getModel(db: Db, id: number): SavedModelInfo | null {
  const r = db.prepare(`SELECT ${MODEL_COLUMNS} FROM models WHERE id = ?`).get(id) as RawModel | undefined;
  return r ? toModelInfo(r) : null;
}

/** Deletes a run with its metrics and evaluations (the saved model row stays, unlinked). */
export function deleteRun(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM runs WHERE id = ?').run(id).changes > 0;
}

/** Updates a run's tags and/or note; returns the new summary, null if the run does not exist. */
export function updateRunMeta(db: Db, id: number, meta: { tags?: string[]; note?: string }): RunSummary | null {
  if (meta.tags) db.prepare('UPDATE runs SET tags = ? WHERE id = ?').run(JSON.stringify(meta.tags), id);
  if (meta.note !== undefined) db.prepare('UPDATE runs SET note = ? WHERE id = ?').run(meta.note, id);
  return getRunSummary(db, id);
}
