import { hostname } from 'node:os';
import type { StudySpec } from '../../../src-shared/config/study';
import type { EvaluationReport, FilePrediction, StudyStatus, StudySummary } from '../../../src-shared/api/contract';
import type { CellOutcome } from '../../../src-shared/studies/aggregate';
import type { GridPoint, StudyCell } from '../../../src-shared/studies/expand';
import { processAlive, type Db } from './db';

const NOW = `strftime('%Y-%m-%dT%H:%M:%fZ','now')`;

export type { StudyStatus };
export type CellStatus = StudyStatus;
export type StudyRow = StudySummary;

export interface CellRow {
  id: number;
  studyId: number;
  key: string;
  fold: number;
  seed: number;
  point: number;
  config: Record<string, unknown>;
  status: CellStatus;
  runId: number | null;
  attempts: number;
  error: string | null;
  ownerPid: number | null;
  ownerHost: string | null;
}

const STUDY_COLUMNS = `id, name, dataset_id AS datasetId, spec, points, folds, status, created_at AS createdAt, finished_at AS finishedAt`;
const CELL_COLUMNS = `id, study_id AS studyId, cell_key AS key, fold, seed, point, config, status, run_id AS runId, attempts, error,
  owner_pid AS ownerPid, owner_host AS ownerHost`;

type RawStudy = Omit<StudyRow, 'spec' | 'points' | 'counts'> & { spec: string; points: string };
type RawCell = Omit<CellRow, 'config'> & { config: string };
const toCell = (r: RawCell): CellRow => ({ ...r, config: JSON.parse(r.config) as Record<string, unknown> });

function counts(db: Db, studyId: number): Record<CellStatus, number> {
  const out: Record<CellStatus, number> = { queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
  const rows = db.prepare(`SELECT status, COUNT(*) AS n FROM study_cells WHERE study_id = ? GROUP BY status`).all(studyId) as {
    status: CellStatus;
    n: number;
  }[];
  for (const r of rows) out[r.status] = r.n;
  return out;
}

const toStudy = (db: Db, r: RawStudy): StudyRow => ({
  ...r,
  spec: JSON.parse(r.spec) as StudySpec,
  points: JSON.parse(r.points) as GridPoint[],
  counts: counts(db, r.id),
});

/** Stores a study and all its cells (queued) in one transaction; returns the study id. */
export function insertStudy(db: Db, s: { spec: StudySpec; points: GridPoint[]; folds: number; cells: StudyCell[] }): number {
  return db.transaction(() => {
    const id = Number(
      db
        .prepare(`INSERT INTO studies (name, dataset_id, spec, points, folds, status) VALUES (?, ?, ?, ?, ?, 'queued')`)
        .run(s.spec.name ?? null, s.spec.datasetId, JSON.stringify(s.spec), JSON.stringify(s.points), s.folds).lastInsertRowid,
    );
    const cell = db.prepare(`INSERT INTO study_cells (study_id, cell_key, fold, seed, point, config, status) VALUES (?, ?, ?, ?, ?, ?, 'queued')`);
    for (const c of s.cells) cell.run(id, c.key, c.fold, c.seed, c.point, JSON.stringify(c.config));
    return id;
  })();
}

/**
 * Stores a study whose cells were computed outside the queue (an ensemble of other studies' cells): every cell
 * completed with its run, the study completed; nothing is ever queued for it.
 */
export function insertCompletedStudy(
  db: Db,
  s: { spec: StudySpec; points: GridPoint[]; folds: number; cells: (StudyCell & { runId: number })[] },
): number {
  return db.transaction(() => {
    const id = Number(
      db
        .prepare(`INSERT INTO studies (name, dataset_id, spec, points, folds, status, finished_at) VALUES (?, ?, ?, ?, ?, 'completed', ${NOW})`)
        .run(s.spec.name ?? null, s.spec.datasetId, JSON.stringify(s.spec), JSON.stringify(s.points), s.folds).lastInsertRowid,
    );
    const cell = db.prepare(
      `INSERT INTO study_cells (study_id, cell_key, fold, seed, point, config, status, run_id, attempts, finished_at)
       VALUES (?, ?, ?, ?, ?, ?, 'completed', ?, 1, ${NOW})`,
    );
    const link = db.prepare(`UPDATE runs SET study_id = ?, study_cell = ? WHERE id = ?`);
    for (const c of s.cells) {
      cell.run(id, c.key, c.fold, c.seed, c.point, JSON.stringify(c.config), c.runId);
      link.run(id, c.key, c.runId);
    }
    return id;
  })();
}

export function getStudy(db: Db, id: number): StudyRow | null {
  const r = db.prepare(`SELECT ${STUDY_COLUMNS} FROM studies WHERE id = ?`).get(id) as RawStudy | undefined;
  return r ? toStudy(db, r) : null;
}

export function listStudies(db: Db): StudyRow[] {
  return (db.prepare(`SELECT ${STUDY_COLUMNS} FROM studies ORDER BY id DESC`).all() as RawStudy[]).map((r) => toStudy(db, r));
}

export function listCells(db: Db, studyId: number): CellRow[] {
  return (db.prepare(`SELECT ${CELL_COLUMNS} FROM study_cells WHERE study_id = ? ORDER BY id`).all(studyId) as RawCell[]).map(toCell);
}

/**
 * Takes the next queued cell for this process, atomically (one UPDATE … RETURNING): two processes draining the same
 * study never take the same cell.
 */
export function claimCell(db: Db, studyId: number): CellRow | null {
  const r = db
    .prepare(
      `UPDATE study_cells SET status = 'running', owner_pid = ?, owner_host = ?, attempts = attempts + 1, started_at = ${NOW}, error = NULL
       WHERE id = (SELECT id FROM study_cells WHERE study_id = ? AND status = 'queued' ORDER BY id LIMIT 1)
       RETURNING ${CELL_COLUMNS}`,
    )
    .get(process.pid, hostname(), studyId) as RawCell | undefined;
  if (r) db.prepare(`UPDATE studies SET status = 'running', finished_at = NULL WHERE id = ? AND status = 'queued'`).run(studyId);
  return r ? toCell(r) : null;
}

/** Links the run training a cell (so the run knows its study and the cell its latest attempt). */
export function linkCellRun(db: Db, cellId: number, runId: number): void {
  db.transaction(() => {
    const cell = db.prepare(`SELECT study_id AS studyId, cell_key AS key FROM study_cells WHERE id = ?`).get(cellId) as {
      studyId: number;
      key: string;
    };
    db.prepare(`UPDATE runs SET study_id = ?, study_cell = ? WHERE id = ?`).run(cell.studyId, cell.key, runId);
    db.prepare(`UPDATE study_cells SET run_id = ? WHERE id = ?`).run(runId, cellId);
  })();
}

/**
 * A cell's verdict, stored only by the process that claimed it and only while it is running: a cell re-queued after
 * its owner was presumed dead, or cancelled meanwhile, is not overwritten (each cell is finished exactly once).
 * A cancelled run goes back to the queue unless the study itself was cancelled.
 */
export function finishCell(
  db: Db,
  cellId: number,
  outcome: { status: 'completed' | 'failed' | 'cancelled'; runId: number | null; error?: string | null },
): boolean {
  return db.transaction(() => {
    const studyCancelled =
      (db.prepare(`SELECT s.status FROM studies s JOIN study_cells c ON c.study_id = s.id WHERE c.id = ?`).get(cellId) as { status: string })
        .status === 'cancelled';
    const status = outcome.status === 'cancelled' && !studyCancelled ? 'queued' : outcome.status;
    const r = db
      .prepare(
        `UPDATE study_cells SET status = ?, run_id = COALESCE(?, run_id), error = ?, finished_at = ${NOW}, owner_pid = NULL, owner_host = NULL
         WHERE id = ? AND status = 'running' AND owner_pid = ? AND owner_host = ?`,
      )
      .run(status, outcome.runId, outcome.error ?? null, cellId, process.pid, hostname());
    return r.changes === 1;
  })();
}

/**
 * Cells left `running` by a process that no longer exists go back to the queue (their half-trained run stays in the
 * history, marked interrupted). Cells owned by a live process on this host, or by another host, are left alone.
 */
export function requeueOrphanedCells(db: Db, studyId: number): number {
  const rows = db
    .prepare(`SELECT id, owner_pid AS ownerPid, owner_host AS ownerHost FROM study_cells WHERE study_id = ? AND status = 'running'`)
    .all(studyId) as { id: number; ownerPid: number | null; ownerHost: string | null }[];
  const orphaned = rows.filter((r) => r.ownerHost === hostname() && !(r.ownerPid && r.ownerPid !== process.pid && processAlive(r.ownerPid)));
  const requeue = db.prepare(`UPDATE study_cells SET status = 'queued', owner_pid = NULL, owner_host = NULL WHERE id = ? AND status = 'running'`);
  // The attempt's run may not have reported 'running' yet (still extracting), so openStore's recovery missed it.
  const interrupt = db.prepare(
    `UPDATE runs SET status = 'interrupted', finished_at = ${NOW}, error = COALESCE(error, 'The process running this study cell stopped.')
     WHERE id = (SELECT run_id FROM study_cells WHERE id = ?) AND status IN ('queued', 'running')`,
  );
  db.transaction(() => {
    for (const r of orphaned) {
      interrupt.run(r.id);
      requeue.run(r.id);
    }
  })();
  return orphaned.length;
}

/** The study's status from its cells, stored; returns it. Cancelled stays cancelled until a retry. */
export function refreshStudyStatus(db: Db, studyId: number): StudyStatus {
  const study = db.prepare(`SELECT status FROM studies WHERE id = ?`).get(studyId) as { status: StudyStatus } | undefined;
  if (!study) throw new Error(`no study ${studyId}`);
  if (study.status === 'cancelled') return 'cancelled';
  const c = counts(db, studyId);
  const status: StudyStatus = c.running ? 'running' : c.queued ? (c.completed + c.failed ? 'running' : 'queued') : c.failed ? 'failed' : 'completed';
  const final = status === 'completed' || status === 'failed';
  db.prepare(`UPDATE studies SET status = ?, finished_at = ${final ? NOW : 'NULL'} WHERE id = ?`).run(status, studyId);
  return status;
}

/** Cancels a study: queued cells are dropped at once; running cells are stopped by the process that runs them. */
export function cancelStudy(db: Db, studyId: number): { running: number } {
  return db.transaction(() => {
    db.prepare(`UPDATE studies SET status = 'cancelled', finished_at = ${NOW} WHERE id = ?`).run(studyId);
    db.prepare(`UPDATE study_cells SET status = 'cancelled' WHERE study_id = ? AND status = 'queued'`).run(studyId);
    return { running: counts(db, studyId).running };
  })();
}

/** Puts failed and cancelled cells back in the queue; finished cells stay as they are. Returns how many. */
export function retryStudy(db: Db, studyId: number): number {
  return db.transaction(() => {
    const n = db
      .prepare(`UPDATE study_cells SET status = 'queued', error = NULL WHERE study_id = ? AND status IN ('failed', 'cancelled')`)
      .run(studyId).changes;
    db.prepare(`UPDATE studies SET status = 'queued', finished_at = NULL WHERE id = ?`).run(studyId);
    refreshStudyStatus(db, studyId);
    return n;
  })();
}

/**
 * What aggregation needs per cell: the validation UAR and the test report of the cell's run, and its test
 * predictions with each file's speaker.
 */
export function cellOutcomes(db: Db, studyId: number): CellOutcome[] {
  const speakerOf = db.prepare(`SELECT speaker FROM files WHERE id = ?`);
  const evaluation = db.prepare(`SELECT metrics, predictions FROM evaluations WHERE run_id = ? AND split = ? ORDER BY id DESC LIMIT 1`);
  return listCells(db, studyId).map((c) => {
    const test =
      c.runId !== null && c.status === 'completed'
        ? (evaluation.get(c.runId, 'test') as { metrics: string; predictions: string } | undefined)
        : undefined;
    const val = c.runId !== null && c.status === 'completed' ? (evaluation.get(c.runId, 'val') as { metrics: string } | undefined) : undefined;
    const predictions = test ? (JSON.parse(test.predictions) as FilePrediction[]) : [];
    return {
      key: c.key,
      fold: c.fold,
      seed: c.seed,
      point: c.point,
      status: c.status,
      runId: c.runId,
      valUar: val ? (JSON.parse(val.metrics) as EvaluationReport).uar : null,
      test: test ? (JSON.parse(test.metrics) as EvaluationReport) : null,
      predictions: predictions.map((p) => ({
        fileId: p.fileId,
        label: p.label,
        predicted: p.predicted,
        speaker: p.fileId !== undefined ? ((speakerOf.get(p.fileId) as { speaker: string | null } | undefined)?.speaker ?? null) : null,
      })),
    };
  });
}
