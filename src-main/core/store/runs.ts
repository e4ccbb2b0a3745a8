import type { BatchPoint, EpochPoint, EvaluationReport, FilePrediction, RunDetail, RunSummary, SavedModelInfo } from '../api/contract';
import type { Db } from './db';

export type RunStatus = RunSummary['status'];

interface RawRun {
  id: number;
  name: string | null;
  dataset_id: number | null;
  dataset_name: string | null;
  config: string;
  status: RunStatus;
  backend: string | null;
  error: string | null;
  tags: string;
  note: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  epochs: number;
  metrics: string | null;
}

const NOW = `strftime('%Y-%m-%dT%H:%M:%fZ','now')`;

/** Creates a queued run holding its full config; returns the run id. */
export function createRun(db: Db, run: { name?: string | null; datasetId: number | null; config: unknown }): number {
  const r = db
    .prepare(`INSERT INTO runs (name, dataset_id, config, status) VALUES (?, ?, ?, 'queued')`)
    .run(run.name ?? null, run.datasetId, JSON.stringify(run.config));
  return Number(r.lastInsertRowid);
}

/** Marks a run running on `backend` (name + detail as shown to the user). */
export function markRunStarted(db: Db, id: number, backend: string | null): void {
  db.prepare(`UPDATE runs SET status = 'running', backend = COALESCE(?, backend), started_at = COALESCE(started_at, ${NOW}) WHERE id = ?`).run(backend, id);
}

/**
 * Final status; a run already final keeps its first verdict (a late worker exit cannot overwrite
 * 'cancelled'). 'interrupted' is not final: another process opening the DB marks live runs so.
 */
export function finishRun(db: Db, id: number, status: Exclude<RunStatus, 'queued' | 'running'>, error: string | null = null): void {
  db.prepare(
    `UPDATE runs SET status = ?, error = ?, finished_at = ${NOW} WHERE id = ? AND status IN ('queued', 'running', 'interrupted')`,
  ).run(status, error, id);
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

/** Stores an evaluation (split 'test', 'val', or 'cross:<datasetId>'); returns its id. */
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
  run_id: number | null;
  dataset_id: number | null;
  split: string;
  report: EvaluationReport;
  predictions: FilePrediction[];
  created_at: string;
}

/** Every evaluation of a run, oldest first. */
export function listEvaluations(db: Db, runId: number): StoredEvaluation[] {
  const rows = db.prepare('SELECT * FROM evaluations WHERE run_id = ? ORDER BY id').all(runId) as {
    id: number;
    run_id: number | null;
    dataset_id: number | null;
    split: string;
    metrics: string;
    predictions: string;
    created_at: string;
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
  run_id: number | null;
  name: string;
  path: string;
  kind: string;
  labels: string;
  feature_config: string;
  created_at: string;
}
const toModelInfo = (r: RawModel): SavedModelInfo => ({
  ...r,
  labels: JSON.parse(r.labels) as string[],
  feature_config: JSON.parse(r.feature_config) as Record<string, unknown>,
});

export function listModels(db: Db): SavedModelInfo[] {
  return (db.prepare('SELECT * FROM models ORDER BY id DESC').all() as RawModel[]).map(toModelInfo);
}

export function getModel(db: Db, id: number): SavedModelInfo | null {
  const r = db.prepare('SELECT * FROM models WHERE id = ?').get(id) as RawModel | undefined;
  return r ? toModelInfo(r) : null;
}

const SUMMARY_SQL = `
  SELECT r.*, d.name AS dataset_name,
    (SELECT COUNT(*) FROM epoch_metrics e WHERE e.run_id = r.id) AS epochs,
    (SELECT metrics FROM evaluations v WHERE v.run_id = r.id AND v.split = 'test' ORDER BY v.id DESC LIMIT 1) AS metrics
  FROM runs r LEFT JOIN datasets d ON d.id = r.dataset_id`;

/** "speaker: test 13,14 · val 12" — the split as one readable line. */
export function describeSplit(split: unknown): string {
  if (!split || typeof split !== 'object') return 'default';
  const s = split as Record<string, unknown>;
  const list = (v: unknown) => (Array.isArray(v) ? v.join(',') : null);
  switch (s.kind) {
    case 'speaker': {
      const test = list(s.testSpeakers) ?? `${Math.round(Number(s.testFraction ?? 0.2) * 100)}% speakers`;
      const val = list(s.valSpeakers) ?? (s.valFraction !== undefined ? `${Math.round(Number(s.valFraction) * 100)}%` : 'none');
      return `speaker: test ${test} · val ${val}`;
    }
    case 'random':
      return `random: test ${Math.round(Number(s.testFraction) * 100)}% · val ${Math.round(Number(s.valFraction) * 100)}%`;
    case 'kfold-speaker':
      return `speaker ${String(s.k)}-fold, fold ${String(s.fold)}`;
    case 'loso':
      return `leave-one-speaker-out: ${String(s.speaker)}`;
    default:
      return String(s.kind ?? 'default');
  }
}

function toSummary(r: RawRun): RunSummary {
  const config = JSON.parse(r.config) as Record<string, unknown>;
  const model = config.model;
  const report = r.metrics ? (JSON.parse(r.metrics) as EvaluationReport) : null;
  const seconds = r.started_at && r.finished_at ? (Date.parse(r.finished_at) - Date.parse(r.started_at)) / 1000 : null;
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    dataset_id: r.dataset_id,
    dataset_name: r.dataset_name,
    model: typeof model === 'string' ? model : String((model as { preset?: unknown } | undefined)?.preset ?? 'unknown'),
    backend: r.backend,
    split: describeSplit(config.split),
    accuracy: report?.accuracy ?? null,
    uar: report?.uar ?? null,
    macro_f1: report?.macro_f1 ?? null,
    epochs: r.epochs,
    seconds,
    tags: JSON.parse(r.tags) as string[],
    note: r.note,
    created_at: r.created_at,
    error: r.error,
    config,
  };
}

/** All runs, newest first, with their test metrics. */
export function listRuns(db: Db): RunSummary[] {
  return (db.prepare(`${SUMMARY_SQL} ORDER BY r.id DESC`).all() as RawRun[]).map(toSummary);
}

/** One run with its epoch and batch curves, test evaluation (with per-file predictions) and saved model. */
export function getRun(db: Db, id: number): RunDetail | null {
  const raw = db.prepare(`${SUMMARY_SQL} WHERE r.id = ?`).get(id) as RawRun | undefined;
  if (!raw) return null;
  const epochs = (db.prepare('SELECT epoch, metrics FROM epoch_metrics WHERE run_id = ? ORDER BY epoch').all(id) as { epoch: number; metrics: string }[]).map(
    (e): EpochPoint => ({ epoch: e.epoch, metrics: JSON.parse(e.metrics) as Record<string, number> }),
  );
  const batches = db.prepare('SELECT epoch, batch, step, loss, accuracy, lr FROM batch_metrics WHERE run_id = ? ORDER BY step').all(id) as BatchPoint[];
  const test = listEvaluations(db, id).filter((e) => e.split === 'test').pop();
  const model = db.prepare('SELECT id FROM models WHERE run_id = ? ORDER BY id DESC LIMIT 1').get(id) as { id: number } | undefined;
  return {
    ...toSummary(raw),
    epochs_data: epochs,
    batches,
    evaluation: test ? { ...test.report, predictions: test.predictions } : null,
    model_id: model?.id ?? null,
  };
}

/** Deletes a run with its metrics and evaluations (the saved model row stays, unlinked). */
export function deleteRun(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM runs WHERE id = ?').run(id).changes > 0;
}

/** Updates a run's tags and/or note; returns the new summary, null if the run does not exist. */
export function updateRunMeta(db: Db, id: number, meta: { tags?: string[]; note?: string }): RunSummary | null {
  if (meta.tags) db.prepare('UPDATE runs SET tags = ? WHERE id = ?').run(JSON.stringify(meta.tags), id);
  if (meta.note !== undefined) db.prepare('UPDATE runs SET note = ? WHERE id = ?').run(meta.note, id);
  const raw = db.prepare(`${SUMMARY_SQL} WHERE r.id = ?`).get(id) as RawRun | undefined;
  return raw ? toSummary(raw) : null;
}
