import { availableParallelism } from 'node:os';
import { ApiError, errorMessage } from '../../../src-shared/api/errors';
import { StudySpecSchema } from '../../../src-shared/config/study';
import { expandStudy, foldCount, gridPoints } from '../../../src-shared/studies/expand';
import type { Store } from '../store/db';
import { getDataset, listFiles } from '../store/datasets';
import { getSetting } from '../store/settings';
import {
  claimCell,
  finishCell,
  getStudy,
  insertStudy,
  linkCellRun,
  refreshStudyStatus,
  requeueOrphanedCells,
  type CellRow,
  type CellStatus,
  type StudyRow,
} from '../store/studies';
import { startRun, type RunEvent, type RunHandle } from '../training/run';
import { runStudyOnRedis } from './redisQueue';

/** What a study run reports as it goes. */
export type StudyEvent =
  | { type: 'cell'; studyId: number; cell: string; status: CellStatus; runId: number | null; error?: string | null }
  | { type: 'run'; studyId: number; cell: string; event: RunEvent }
  | { type: 'study'; studyId: number; status: StudyRow['status'] };

/** The setting that caps how many cells train at once (each in its own worker process). */
export const STUDY_CONCURRENCY_SETTING = 'studyConcurrency';

/** Cells at once: the setting, else 1 on two cores or fewer (training uses both), else half the cores. */
export function studyConcurrency(store: Store): number {
  const set = Number(getSetting(store.db, STUDY_CONCURRENCY_SETTING));
  if (Number.isInteger(set) && set >= 1) return set;
  const cores = availableParallelism();
  return cores <= 2 ? 1 : Math.floor(cores / 2);
}

/** The speakers a study's folds are drawn from: those with at least one usable, labelled file. */
function datasetSpeakers(store: Store, datasetId: number): string[] {
  const speakers = new Set<string>();
  for (const f of listFiles(store.db, datasetId)) if (f.speaker !== null && f.label !== null) speakers.add(f.speaker);
  return [...speakers].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** Validates a study, expands it and stores it with every cell queued; nothing is stored when any cell is invalid. */
export function createStudy(store: Store, input: unknown): { studyId: number; cells: number } {
  const parsed = StudySpecSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'study'}: ${i.message}`);
    throw new ApiError(`Invalid study: ${issues[0]}`, 'invalid', issues);
  }
  const spec = parsed.data;
  if (!getDataset(store.db, spec.datasetId)) throw new ApiError(`No dataset ${spec.datasetId}`, 'not_found');
  // Multi-corpus studies name speakers as their runs do ("<datasetId>:<speaker>"; see training/data.ts runFiles).
  const extra = Array.isArray(spec.base.extraDatasets) ? (spec.base.extraDatasets as { datasetId?: unknown }[]) : [];
  const extraIds = extra.map((d) => d?.datasetId).filter((id): id is number => typeof id === 'number');
  for (const id of extraIds) if (!getDataset(store.db, id)) throw new ApiError(`No dataset ${id} (base.extraDatasets)`, 'not_found');
  const speakers = extraIds.length
    ? [spec.datasetId, ...extraIds].flatMap((id) => datasetSpeakers(store, id).map((s) => `${id}:${s}`))
    : datasetSpeakers(store, spec.datasetId);
  const cells = expandStudy(spec, speakers);
  const studyId = insertStudy(store.db, { spec, points: gridPoints(spec.grid), folds: foldCount(spec, speakers), cells });
  return { studyId, cells: cells.length };
}

export interface RunStudyOptions {
  /** Cells at once (default: studyConcurrency). */
  concurrency?: number;
  /** Stops the study's running cells; they go back to the queue, so a later runStudy resumes them. */
  signal?: AbortSignal;
  onEvent?: (event: StudyEvent) => void;
  /** Train cells in this process (tests); default: a worker process per cell. */
  inProcess?: boolean;
  featureWorkers?: number;
  /** How often the queue looks for a cancel made by another process (ms). */
  pollMs?: number;
  /** Enqueue the cells on this Redis (redis://host:port) for `ser worker` processes instead of training them here. */
  redis?: string;
}

/** The setting naming a Redis URL: when set, the workbench enqueues studies there for `ser worker` processes. */
export const STUDY_REDIS_SETTING = 'studyRedis';

/**
 * Drains a study's queue: re-queues cells orphaned by a crashed process, then trains up to `concurrency` cells at
 * once, each as an ordinary run linked to its cell, and stores each verdict once. Returns when no cell is left to
 * claim and none is running here — the study completed, failed (some cells failed: retry them), was cancelled
 * (from any process, through the store), or `signal` fired (its cells are queued again).
 */
export async function runStudy(store: Store, studyId: number, opts: RunStudyOptions = {}): Promise<StudyRow> {
  const db = store.db;
  if (!getStudy(db, studyId)) throw new ApiError(`No study ${studyId}`, 'not_found');
  if (opts.redis) return runStudyOnRedis(store, studyId, opts.redis, opts);
  requeueOrphanedCells(db, studyId);
  const limit = Math.max(1, opts.concurrency ?? studyConcurrency(store));
  const emit = (e: StudyEvent) => {
    try {
      opts.onEvent?.(e);
    } catch {
      // a listener's bug must not stop the study
    }
  };
  const running = new Map<number, RunHandle>();
  const stopped = () => opts.signal?.aborted || getStudy(db, studyId)!.status === 'cancelled';

  await new Promise<void>((resolve) => {
    let settled = false;
    const poll = setInterval(() => {
      if (stopped()) for (const h of running.values()) h.cancel();
    }, opts.pollMs ?? 1000);
    const onAbort = () => {
      for (const h of running.values()) h.cancel();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = () => {
      if (settled || running.size) return;
      settled = true;
      clearInterval(poll);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const fill = () => {
      while (!stopped() && running.size < limit) {
        const cell = claimCell(db, studyId);
        if (!cell) break;
        start(cell);
      }
      finish();
    };
    const start = (cell: CellRow) => {
      emit({ type: 'cell', studyId, cell: cell.key, status: 'running', runId: null });
      const name = `${getStudy(db, studyId)!.name ?? `study ${studyId}`}`.slice(0, 100);
      let handle: RunHandle;
      try {
        handle = startRun(
          store,
          { ...cell.config, name: `${name} ${cell.key}` },
          {
            inProcess: opts.inProcess,
            featureWorkers: opts.featureWorkers,
            onEvent: (event) => emit({ type: 'run', studyId, cell: cell.key, event }),
          },
        );
      } catch (err) {
        // The config no longer validates (e.g. the dataset changed since the study was stored).
        settle(cell, 'failed', null, errorMessage(err));
        return;
      }
      linkCellRun(db, cell.id, handle.runId);
      running.set(cell.id, handle);
      if (stopped()) handle.cancel();
      void handle.done.then((result) => {
        running.delete(cell.id);
        settle(cell, result.status, result.runId, result.error);
        fill();
      });
    };
    const settle = (cell: CellRow, status: 'completed' | 'failed' | 'cancelled', runId: number | null, error: string | null) => {
      finishCell(db, cell.id, { status, runId, error });
      const now = (db.prepare(`SELECT status FROM study_cells WHERE id = ?`).get(cell.id) as { status: CellStatus }).status;
      emit({ type: 'cell', studyId, cell: cell.key, status: now, runId, error });
      const studyStatus = refreshStudyStatus(db, studyId);
      if (studyStatus !== 'running' && studyStatus !== 'queued') emit({ type: 'study', studyId, status: studyStatus });
    };
    fill();
  });
  refreshStudyStatus(db, studyId);
  return getStudy(db, studyId)!;
}
