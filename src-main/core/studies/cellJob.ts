import { z } from 'zod';
import type { BatchPoint, EpochPoint, EvaluationReport, FilePrediction } from '../../../src-shared/api/contract';
import type { DatasetRow, FileRow } from '../store/datasets';

/** The BullMQ queue study cells travel on. */
export const CELL_QUEUE = 'ser-study-cells';

/** What a worker needs to train one cell without the coordinator's database: the config and the datasets it names. */
export interface CellJobData {
  /** The coordinator's store identity: workers keep one mirror store per coordinator. */
  storeId: string;
  studyId: number;
  cellId: number;
  cellKey: string;
  config: Record<string, unknown>;
  datasets: { dataset: Pick<DatasetRow, 'id' | 'name' | 'root' | 'corpus' | 'labelMap'>; files: FileRow[] }[];
}

/** What comes back: everything the coordinator stores for a run, and the saved model's files. */
export interface CellJobResult {
  status: 'completed' | 'cancelled' | 'failed';
  error: string | null;
  backend: string | null;
  worker: string;
  seconds: number;
  epochs: EpochPoint[];
  batches: BatchPoint[];
  evaluations: { split: string; datasetId: number | null; report: EvaluationReport; predictions: FilePrediction[] }[];
  model: { kind: string; name: string; labels: string[]; featureConfig: Record<string, unknown>; files: Record<string, string> } | null;
}

/** Checked when a result arrives: Redis is shared, so what comes back is validated like any other input. */
export const CellJobResultSchema = z.object({
  status: z.enum(['completed', 'cancelled', 'failed']),
  error: z.string().nullable(),
  backend: z.string().nullable(),
  worker: z.string(),
  seconds: z.number(),
  epochs: z.array(z.object({ epoch: z.number().int(), metrics: z.record(z.string(), z.number()) }).passthrough()),
  batches: z.array(z.object({ epoch: z.number(), batch: z.number(), step: z.number() }).passthrough()),
  evaluations: z.array(
    z.object({
      split: z.string(),
      datasetId: z.number().nullable(),
      report: z.object({ uar: z.number() }).passthrough(),
      predictions: z.array(z.unknown()),
    }),
  ),
  model: z
    .object({
      kind: z.string(),
      name: z.string(),
      labels: z.array(z.string()),
      featureConfig: z.record(z.string(), z.unknown()),
      files: z.record(z.string(), z.string()),
    })
    .nullable(),
});

/** A BullMQ job id for a cell: one job per cell and coordinator, so a restarted coordinator finds the job it enqueued. */
export function cellJobId(storeId: string, studyId: number, cellId: number): string {
  return `${storeId}.${studyId}.${cellId}`;
}

/** The Redis key a coordinator sets to ask the worker training a job to stop. */
export function cancelKey(jobId: string): string {
  return `ser:cancel:${jobId}`;
}

/** "redis://host:port/db" → ioredis options, with a clear error for anything else. */
export function redisOptions(url: string): { host: string; port: number; db: number; password?: string; username?: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--redis must be a URL like redis://127.0.0.1:6379, got "${url}"`);
  }
  if (u.protocol !== 'redis:') throw new Error(`--redis must be a redis:// URL, got "${url}"`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new Error(`--redis: database "${u.pathname.slice(1)}" is not a number`);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    db,
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
  };
}
