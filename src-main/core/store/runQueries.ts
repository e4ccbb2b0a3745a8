import type { BatchPoint, EpochPoint, EvaluationReport, FilePrediction, RunDetail, RunSummary } from '../../../src-shared/api/contract';
import type { RunForComparison } from '../evaluation/compare';
import { parseRunConfig, type RunConfig } from '../../../src-shared/config/run';
import { readEnsembleRunConfig } from '../../../src-shared/ensemble';
import type { SplitSpec } from '../../../src-shared/config/split';
import type { Db } from './db';

/**
 * Read-only queries over the runs / epoch_metrics / batch_metrics / evaluations / models tables,
 * shaped as the API's RunSummary and RunDetail. Stored JSON that does not parse reads as null rather
 * than failing the whole listing: one damaged row must not hide every other run.
 */

interface RawRun {
  id: number;
  name: string | null;
  datasetId: number | null;
  datasetName: string | null;
  config: string;
  status: RunSummary['status'];
  backend: string | null;
  error: string | null;
  tags: string;
  note: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  epochs: number;
  evalMetrics: string | null;
}

function parseJson(text: string | null | undefined): unknown {
  if (text == null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A stored run config, parsed with the schema it was written by; null when damaged (the row still lists). */
function readConfig(text: string): RunConfig | null {
  try {
    return parseRunConfig(JSON.parse(text));
  } catch {
    return null;
  }
}

/** "speaker: test 13,14 · val 12" — the split as one readable line. */
export function describeSplit(s: SplitSpec): string {
  const percent = (f: number) => `${Math.round(f * 100)}%`;
  switch (s.kind) {
    case 'speaker': {
      const test = s.testSpeakers?.length ? s.testSpeakers.join(',') : `${percent(s.testFraction ?? 0.2)} speakers`;
      const val = s.valSpeakers?.length ? s.valSpeakers.join(',') : s.valFraction !== undefined ? percent(s.valFraction) : 'none';
      return `speaker: test ${test} · val ${val}`;
    }
    case 'random':
      return `random: test ${percent(s.testFraction)} · val ${percent(s.valFraction)}`;
    case 'kfold-speaker':
      return `speaker ${s.k}-fold, fold ${s.fold}`;
    case 'loso':
      return `leave-one-speaker-out: ${s.speaker}`;
    case 'leave-corpus-out':
      return `leave-corpus-out: test dataset ${s.testDatasetId}${s.valFraction ? ` · val ${percent(s.valFraction)}` : ''}`;
  }
}

/** Seconds between two ISO timestamps; null when either is missing. */
function secondsBetween(start: string | null, end: string | null): number | null {
  if (!start || !end) return null;
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isFinite(ms) ? ms / 1000 : null;
}

// The run's headline evaluation: its test split when there is one (a cross-corpus evaluation is
// stored beside it under another split name), else the latest evaluation of any split.
const EVAL_FOR_RUN = `(SELECT e.metrics FROM evaluations e WHERE e.run_id = r.id
   ORDER BY (e.split = 'test') DESC, e.id DESC LIMIT 1)`;

const SUMMARY_SQL = `
SELECT r.id, r.name, r.dataset_id AS datasetId, d.name AS datasetName, r.config, r.status, r.backend, r.error, r.tags,
       r.note, r.created_at AS createdAt, r.started_at AS startedAt, r.finished_at AS finishedAt,
       (SELECT COUNT(*) FROM epoch_metrics m WHERE m.run_id = r.id) AS epochs,
       ${EVAL_FOR_RUN} AS evalMetrics
FROM runs r LEFT JOIN datasets d ON d.id = r.dataset_id`;

function toSummary(raw: RawRun): RunSummary {
  const config = readConfig(raw.config);
  // An ensemble's run (built from stored members) keeps its own config: members, weights, the members' split.
  const ensemble = config ? null : readEnsembleRunConfig(raw.config);
  const metrics = parseJson(raw.evalMetrics);
  const m = isObject(metrics) ? metrics : {};
  const tags = parseJson(raw.tags);
  return {
    id: raw.id,
    name: raw.name,
    status: raw.status,
    datasetId: raw.datasetId,
    datasetName: raw.datasetName,
    model: config?.model.preset ?? (ensemble ? 'ensemble' : 'unknown'),
    backend: raw.backend,
    split: config ? describeSplit(config.split) : ensemble ? describeSplit(ensemble.split) : 'unknown',
    accuracy: num(m.accuracy),
    uar: num(m.uar),
    macroF1: num(m.macroF1),
    epochs: raw.epochs,
    seconds: secondsBetween(raw.startedAt, raw.finishedAt),
    tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [],
    note: raw.note,
    createdAt: raw.createdAt,
    error: raw.error,
    config,
    ...(ensemble ? { ensemble } : {}),
  };
}

export interface RunListOptions {
  status?: RunSummary['status'];
  datasetId?: number;
  /** Newest first; at most this many. */
  limit?: number;
}

/** True when a run with this id is stored. */
export function runExists(db: Db, id: number): boolean {
  return db.prepare('SELECT 1 FROM runs WHERE id = ?').get(id) !== undefined;
}

/** Every run (newest first) with its headline test metrics, duration and epoch count. */
export function listRunSummaries(db: Db, opts: RunListOptions = {}): RunSummary[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (opts.status) {
    where.push('r.status = ?');
    args.push(opts.status);
  }
  if (opts.datasetId !== undefined) {
    where.push('r.dataset_id = ?');
    args.push(opts.datasetId);
  }
  const sql = `${SUMMARY_SQL} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.id DESC ${opts.limit ? `LIMIT ${Math.max(1, Math.floor(opts.limit))}` : ''}`;
  return (db.prepare(sql).all(...args) as RawRun[]).map(toSummary);
}

/** One run's summary, or null if there is no run with that id. */
/** The study a run was trained for as one of its cells, or null. */
export function runStudyId(db: Db, runId: number): number | null {
  return (db.prepare(`SELECT study_id AS id FROM runs WHERE id = ?`).get(runId) as { id: number | null } | undefined)?.id ?? null;
}

export function getRunSummary(db: Db, id: number): RunSummary | null {
  const raw = db.prepare(`${SUMMARY_SQL} WHERE r.id = ?`).get(id) as RawRun | undefined;
  return raw ? toSummary(raw) : null;
}

/** Per-epoch metrics of a run, in epoch order. */
export function getEpochPoints(db: Db, runId: number): EpochPoint[] {
  const rows = db.prepare(`SELECT epoch, metrics FROM epoch_metrics WHERE run_id = ? ORDER BY epoch`).all(runId) as {
    epoch: number;
    metrics: string;
  }[];
  return rows.map((r) => {
    const m = parseJson(r.metrics);
    const metrics: Record<string, number> = {};
    if (isObject(m)) for (const [k, v] of Object.entries(m)) if (typeof v === 'number') metrics[k] = v;
    return { epoch: r.epoch, metrics };
  });
}

/** The run's headline evaluation report with per-file predictions, or null if it was never evaluated. */
export function getRunEvaluation(db: Db, runId: number): (EvaluationReport & { predictions: FilePrediction[] }) | null {
  const row = db
    .prepare(`SELECT metrics, predictions FROM evaluations WHERE run_id = ? ORDER BY (split = 'test') DESC, id DESC LIMIT 1`)
    .get(runId) as { metrics: string; predictions: string } | undefined;
  if (!row) return null;
  const metrics = parseJson(row.metrics);
  if (!isObject(metrics)) return null;
  const predictions = parseJson(row.predictions);
  return { ...(metrics as unknown as EvaluationReport), predictions: Array.isArray(predictions) ? (predictions as FilePrediction[]) : [] };
}

/** Everything stored about a run: summary, curves (batches optional: they can be many), evaluation, saved model. */
export function getRunDetail(db: Db, id: number, opts: { batches?: boolean } = {}): RunDetail | null {
  const summary = getRunSummary(db, id);
  if (!summary) return null;
  const batches = opts.batches
    ? (db.prepare(`SELECT epoch, batch, step, loss, accuracy, lr FROM batch_metrics WHERE run_id = ? ORDER BY step`).all(id) as BatchPoint[])
    : [];
  const model = db.prepare(`SELECT id FROM models WHERE run_id = ? ORDER BY id DESC LIMIT 1`).get(id) as { id: number } | undefined;
  return { ...summary, epochsData: getEpochPoints(db, id), batches, evaluation: getRunEvaluation(db, id), modelId: model?.id ?? null };
}

/** The records compareRuns() needs, in the order of `ids`; throws naming every id that does not exist. */
export function loadRunsForComparison(db: Db, ids: number[]): RunForComparison[] {
  const missing = ids.filter((id) => !runExists(db, id));
  if (missing.length) throw new Error(`No run with id ${missing.join(', ')} in ${db.name}.`);
  return ids.map((id) => {
    const summary = getRunSummary(db, id)!;
    const evaluation = getRunEvaluation(db, id);
    const { predictions: _predictions, ...report } = evaluation ?? { predictions: [] };
    return {
      id,
      status: summary.status,
      config: summary.config ?? summary.ensemble ?? null,
      metrics: evaluation ? (report as Record<string, unknown>) : null,
      epochs: getEpochPoints(db, id),
      datasetDeleted: summary.datasetId === null && typeof (summary.config ?? summary.ensemble)?.datasetId === 'number',
    };
  });
}
