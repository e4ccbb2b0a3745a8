import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { errorMessage } from '../../../src-shared/api/errors';
import type { Store } from '../store/db';
import { getDataset, listFiles } from '../store/datasets';
import { getSetting, setSetting } from '../store/settings';
import {
  claimCell,
  finishCell,
  getStudy,
  linkCellRun,
  refreshStudyStatus,
  requeueOrphanedCells,
  type CellRow,
  type StudyRow,
} from '../store/studies';
import { createRun, finishRun, markRunStarted, recordBatch, recordEpoch, recordEvaluation, recordModel } from '../store/runs';
import { defaultModelDir } from '../training/run';
import type { FilePrediction } from '../../../src-shared/api/contract';
import type { EvaluationReport } from '../../../src-shared/metrics';
import { CELL_QUEUE, CellJobResultSchema, cancelKey, cellJobId, type CellJobData, type CellJobResult } from './cellJob';
import { bullConnection, probeRedis } from './redis';
import type { RunStudyOptions } from './runner';

/** This store's identity on a shared Redis, created once: job ids of two workbenches never collide. */
export function storeIdentity(store: Store): string {
  let id = getSetting(store.db, 'storeId');
  if (!id) {
    id = randomBytes(6).toString('hex');
    setSetting(store.db, 'storeId', id);
  }
  return id;
}

/** The job a cell becomes: its config and a snapshot of every dataset the config names. */
function jobData(store: Store, storeId: string, studyId: number, cell: CellRow): CellJobData {
  const ids = new Set<number>([cell.config.datasetId as number]);
  const cross = cell.config.crossEvaluation as { datasetId?: number } | undefined;
  if (cross?.datasetId) ids.add(cross.datasetId);
  for (const extra of (cell.config.extraDatasets as { datasetId: number }[] | undefined) ?? []) ids.add(extra.datasetId);
  const datasets = [...ids].map((id) => {
    const d = getDataset(store.db, id);
    if (!d) throw new Error(`dataset ${id} no longer exists`);
    return { dataset: { id: d.id, name: d.name, root: d.root, corpus: d.corpus, labelMap: d.labelMap }, files: listFiles(store.db, id) };
  });
  return { storeId, studyId, cellId: cell.id, cellKey: cell.key, config: cell.config, datasets };
}

/**
 * Stores a worker's result as an ordinary run linked to its cell, and the cell's verdict, in one transaction; the
 * saved model is written under models/run-<id> first. Nothing is stored when the cell is no longer ours to finish.
 */
function storeResult(store: Store, cell: CellRow, studyName: string, result: CellJobResult): number | null {
  const db = store.db;
  const still = db.prepare(`SELECT status, owner_pid AS pid FROM study_cells WHERE id = ?`).get(cell.id) as { status: string; pid: number | null };
  if (still.status !== 'running' || still.pid !== process.pid) return null;
  let runId: number | null = null;
  db.transaction(() => {
    runId = createRun(db, { name: `${studyName} ${cell.key}`.slice(0, 128), datasetId: cell.config.datasetId as number, config: cell.config });
    linkCellRun(db, cell.id, runId);
    markRunStarted(db, runId, result.backend ? `${result.backend} on ${result.worker}` : null);
    for (const e of result.epochs) recordEpoch(db, runId, e);
    for (const b of result.batches) recordBatch(db, runId, b);
    for (const e of result.evaluations) {
      recordEvaluation(db, {
        runId,
        datasetId: e.datasetId,
        split: e.split,
        report: e.report as EvaluationReport,
        predictions: e.predictions as FilePrediction[],
      });
    }
    if (result.model) {
      const dir = defaultModelDir(store, runId);
      for (const [rel, b64] of Object.entries(result.model.files)) {
        if (rel.split(/[\\/]/).includes('..')) throw new Error(`worker ${result.worker} sent a model file outside its folder: ${rel}`);
        mkdirSync(dirname(join(dir, rel)), { recursive: true });
        writeFileSync(join(dir, rel), Buffer.from(b64, 'base64'));
      }
      recordModel(db, {
        runId,
        name: result.model.name,
        path: dir,
        kind: result.model.kind,
        labels: result.model.labels,
        featureConfig: result.model.featureConfig,
      });
    }
    const status = result.status === 'completed' ? 'completed' : result.status === 'cancelled' ? 'cancelled' : 'failed';
    finishRun(db, runId, status, result.error);
    finishCell(db, cell.id, { status, runId, error: result.error });
  })();
  return runId;
}

/**
 * The study's queue on Redis instead of in this process: every queued cell becomes a BullMQ job that any
 * `ser worker` takes; results come back here and are stored as the local queue stores them. A restarted coordinator
 * finds the jobs it enqueued (one job id per cell) and collects them, so no cell is trained or stored twice.
 */
export async function runStudyOnRedis(store: Store, studyId: number, redisUrl: string, opts: RunStudyOptions = {}): Promise<StudyRow> {
  await probeRedis(redisUrl); // unreachable: a clear error before anything is claimed or enqueued
  const db = store.db;
  const study = getStudy(db, studyId)!;
  const storeId = storeIdentity(store);
  const queue = new Queue<CellJobData, CellJobResult>(CELL_QUEUE, { connection: bullConnection(redisUrl) });
  const control = new Redis(bullConnection(redisUrl));
  control.on('error', () => {});
  queue.on('error', () => {});
  const emit = (e: Parameters<NonNullable<RunStudyOptions['onEvent']>>[0]) => {
    try {
      opts.onEvent?.(e);
    } catch {
      // a listener's bug must not stop the study
    }
  };
  const outstanding = new Map<number, { cell: CellRow; jobId: string }>();
  try {
    requeueOrphanedCells(db, studyId);
    for (let cell = claimCell(db, studyId); cell; cell = claimCell(db, studyId)) {
      const jobId = cellJobId(storeId, studyId, cell.id);
      const existing = await queue.getJob(jobId);
      if (existing && (await existing.getState()) === 'failed') await existing.remove(); // a retry of a failed cell
      if (!existing || !(await queue.getJob(jobId))) {
        try {
          await queue.add('cell', jobData(store, storeId, studyId, cell), { jobId, attempts: 1, removeOnComplete: false, removeOnFail: false });
        } catch (err) {
          finishCell(db, cell.id, { status: 'failed', runId: null, error: errorMessage(err) });
          continue;
        }
      }
      outstanding.set(cell.id, { cell, jobId });
      emit({ type: 'cell', studyId, cell: cell.key, status: 'running', runId: null });
    }
    const pollMs = opts.pollMs ?? 500;
    let cancelled = false;
    while (outstanding.size && !opts.signal?.aborted) {
      await new Promise((r) => setTimeout(r, pollMs));
      if (!cancelled && getStudy(db, studyId)!.status === 'cancelled') {
        cancelled = true;
        for (const { cell, jobId } of outstanding.values()) {
          const job = await Job.fromId(queue, jobId);
          const state = job ? await job.getState() : 'unknown';
          if (state === 'waiting' || state === 'delayed' || state === 'prioritized') {
            await job!.remove();
            finishCell(db, cell.id, { status: 'cancelled', runId: null });
            outstanding.delete(cell.id);
          } else await control.set(cancelKey(jobId), '1', 'EX', 3600);
        }
      }
      for (const { cell, jobId } of [...outstanding.values()]) {
        // State first, then the job: read the other way round, a job that completes between the two reads looks
        // 'completed' with the return value of before (null) — a CI run under load failed a cell so.
        const state = await queue.getJobState(jobId);
        const job = state === 'unknown' ? undefined : await Job.fromId<CellJobData, CellJobResult>(queue, jobId);
        if (state === 'completed' && job) {
          const parsed = CellJobResultSchema.safeParse(job!.returnvalue);
          const runId = parsed.success
            ? storeResult(store, cell, study.name ?? `study ${studyId}`, parsed.data as unknown as CellJobResult)
            : (finishCell(db, cell.id, {
                status: 'failed',
                runId: null,
                error: `a worker sent an unreadable result (${parsed.error.issues[0]?.message})`,
              }),
              null);
          await job!.remove();
          outstanding.delete(cell.id);
          const now = db.prepare(`SELECT status, error FROM study_cells WHERE id = ?`).get(cell.id) as { status: 'completed'; error: string | null };
          emit({ type: 'cell', studyId, cell: cell.key, status: now.status, runId, error: now.error });
        } else if (state === 'failed' || !job) {
          const error = !job ? 'its job disappeared from Redis (flushed?)' : (job.failedReason ?? 'failed on a worker');
          finishCell(db, cell.id, { status: 'failed', runId: null, error });
          outstanding.delete(cell.id);
          emit({ type: 'cell', studyId, cell: cell.key, status: 'failed', runId: null, error });
        }
      }
      const status = refreshStudyStatus(db, studyId);
      if (!outstanding.size && status !== 'running' && status !== 'queued') emit({ type: 'study', studyId, status });
    }
  } finally {
    await queue.close();
    control.disconnect();
  }
  refreshStudyStatus(db, studyId);
  return getStudy(db, studyId)!;
}
