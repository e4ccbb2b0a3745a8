import { mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EvaluationReport } from '../../../src-shared/api/contract';
import { forkWorker, type WorkerHandle } from '../processes';
import type { Store } from '../store/db';
import { modelsRoot } from '../store/modelFolders';
import { createRun, finishRun, getRunStatus, markRunStarted, recordBatch, recordEpoch, recordEvaluation, recordModel } from '../store/runs';
import { parseRunConfig, type RunConfig } from '../../../src-shared/config/run';
import { FromTrainWorkerSchema, type FromTrainWorker, type RunOutcome, type RunProgressEvent, type ToTrainWorker } from './events';
import { executeRun } from './pipeline';
import { CancelledError, errorMessage } from '../../../src-shared/api/errors';

/** Run events as the server/UI/CLI see them: the worker's events plus runId, and the end states. */
export type RunEvent =
  | (RunProgressEvent & { runId: number })
  | { type: 'status'; runId: number; status: 'cancelled' | 'failed' | 'completed'; error?: string }
  | { type: 'done'; runId: number; result: RunResult }
  | { type: 'error'; runId: number; error: string };

export interface RunResult {
  runId: number;
  status: 'completed' | 'cancelled' | 'failed';
  backend: string | null;
  seconds: number;
  epochs: number;
  bestEpoch: number;
  metrics: EvaluationReport | null;
  modelDir: string | null;
  modelId: number | null;
  error: string | null;
}

export interface RunHandle {
  runId: number;
  /** Settles (never rejects) when the run has ended and everything is stored. */
  done: Promise<RunResult>;
  /** Asks the run to stop after the current batch; the run ends `cancelled`. */
  cancel(): void;
  /** The train worker's process id (undefined in-process or before it started). */
  readonly workerPid: number | undefined;
}

export interface StartRunOptions {
  onEvent?: (event: RunEvent) => void;
  /** Run in this process instead of a train worker (tests, debugging): same events, no crash isolation. */
  inProcess?: boolean;
  /** Feature worker processes (0 = extract in the training process). */
  featureWorkers?: number;
}

/** Seconds a cancelled worker gets to stop by itself before it is killed. */
const CANCEL_GRACE_MS = 15_000;

/**
 * Reserves where a run's model goes by default: models/run-<id> beside the database, created here (empty) so nothing
 * else can take it. Two databases in one folder share that models/ folder and number their runs alike; a folder that
 * already exists (another database's run 37, a deleted run's leftovers) is never written into: the next free
 * run-<id>-2, -3 … is taken instead, and the stored model path says which.
 */
export function defaultModelDir(store: Store, runId: number): string {
  const root = modelsRoot(store.path);
  mkdirSync(root, { recursive: true });
  for (let n = 1; ; n++) {
    const dir = join(root, n === 1 ? `run-${runId}` : `run-${runId}-${n}`);
    try {
      mkdirSync(dir); // not recursive: fails with EEXIST when taken, atomically
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/** Removes a reserved model folder that a run left empty (failed or cancelled before saving). */
function releaseIfEmpty(dir: string): void {
  try {
    if (readdirSync(dir).length === 0) rmdirSync(dir);
  } catch {
    // Already gone, or not ours to remove: nothing to release.
  }
}

/**
 * Starts a training run: validates the config (throws before creating anything if invalid),
 * records the run, forks a train worker and persists every event it sends (status, epochs,
 * batches, evaluations, model) as it arrives. A worker that dies marks the run `failed` with
 * the reason; epochs already stored stay.
 */
export function startRun(store: Store, configInput: unknown, opts: StartRunOptions = {}): RunHandle {
  const config = parseRunConfig(configInput);
  const runId = createRun(store.db, { name: config.name ?? null, datasetId: config.datasetId, config });
  const modelDir = config.outDir ? resolve(config.outDir) : defaultModelDir(store, runId);
  const db = store.db;
  const t0 = performance.now();
  let backend: string | null = null;
  let epochs = 0;
  let modelId: number | null = null;
  let cancelRequested = false;

  const emit = (event: RunEvent) => {
    try {
      opts.onEvent?.(event);
    } catch {
      // A listener's bug must not lose the run's data.
    }
  };

  const persist = (e: RunProgressEvent) => {
    switch (e.type) {
      case 'status':
        backend = e.backend;
        markRunStarted(db, runId, e.backend);
        break;
      case 'epoch':
        epochs++;
        recordEpoch(db, runId, e.point);
        break;
      case 'batch':
        recordBatch(db, runId, e.point);
        break;
      case 'evaluation':
        recordEvaluation(db, { runId, datasetId: e.datasetId, split: e.split, report: e.report, predictions: e.predictions });
        break;
      case 'model':
        modelId = recordModel(db, { runId, name: e.name, path: e.path, kind: e.kind, labels: e.labels, featureConfig: e.featureConfig });
        break;
      default:
        break;
    }
    emit({ ...e, runId } as RunEvent);
  };

  const finish = (status: RunResult['status'], outcome: RunOutcome | null, error: string | null): RunResult => {
    finishRun(db, runId, status, error);
    if (!config.outDir) releaseIfEmpty(modelDir);
    // The stored verdict wins (e.g. cancelled before a late crash report).
    const final = (getRunStatus(db, runId) ?? status) as RunResult['status'];
    const result: RunResult = {
      runId,
      status: final,
      backend: outcome?.backend ?? backend,
      seconds: outcome?.seconds ?? (performance.now() - t0) / 1000,
      epochs: outcome?.epochs ?? epochs,
      bestEpoch: outcome?.bestEpoch ?? 0,
      metrics: outcome?.metrics ?? null,
      modelDir: outcome?.modelDir ?? null,
      modelId,
      error: final === 'failed' ? error : null,
    };
    emit({ type: 'status', runId, status: final, ...(result.error ? { error: result.error } : {}) });
    if (final === 'failed' && error) emit({ type: 'error', runId, error });
    emit({ type: 'done', runId, result });
    return result;
  };

  if (opts.inProcess) {
    const controller = new AbortController();
    const done = executeRun(config, {
      store,
      runId,
      modelDir,
      emit: persist,
      signal: controller.signal,
      featureWorkers: opts.featureWorkers,
    }).then(
      (outcome) => finish(outcome.status, outcome, null),
      (err: unknown) => finish(cancelRequested ? 'cancelled' : 'failed', null, errorMessage(err)),
    );
    return {
      runId,
      done,
      cancel: () => {
        cancelRequested = true;
        controller.abort(new CancelledError());
      },
      workerPid: undefined,
    };
  }

  let worker: WorkerHandle;
  let settle!: (r: RunResult) => void;
  const done = new Promise<RunResult>((r) => (settle = r));
  let ended = false;
  let killTimer: NodeJS.Timeout | undefined;
  const end = (status: RunResult['status'], outcome: RunOutcome | null, error: string | null) => {
    if (ended) return;
    ended = true;
    clearTimeout(killTimer);
    settle(finish(status, outcome, error));
  };

  try {
    worker = forkWorker('trainWorker', opts.featureWorkers !== undefined ? { SER_FEATURE_WORKERS: String(opts.featureWorkers) } : undefined);
  } catch (err) {
    end('failed', null, `Could not start the training worker: ${errorMessage(err)}`);
    return { runId, done, cancel: () => {}, workerPid: undefined };
  }
  let lastError: string | null = null;
  worker.onMessage((raw) => {
    if (ended) return;
    const parsed = FromTrainWorkerSchema.safeParse(raw);
    if (!parsed.success) {
      lastError = `training worker sent an unreadable message (${parsed.error.issues[0]?.message ?? 'invalid'})`;
      return;
    }
    const msg: FromTrainWorker = parsed.data;
    try {
      if (msg.type === 'done') end(msg.outcome.status, msg.outcome, null);
      else if (msg.type === 'error') lastError = msg.error;
      else persist(msg);
    } catch (err) {
      lastError = `could not store run data: ${errorMessage(err)}`;
      worker.kill();
    }
  });
  worker.onExit((code, signal) => {
    if (ended) return;
    if (cancelRequested) end('cancelled', null, null);
    else end('failed', null, lastError ?? `The training worker stopped unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}).`);
  });
  const start: ToTrainWorker = { type: 'start', runId, dbPath: store.path, config, modelDir };
  worker.send(start);
  return {
    runId,
    done,
    workerPid: worker.pid,
    cancel: () => {
      if (ended || cancelRequested) return;
      cancelRequested = true;
      worker.send({ type: 'cancel' } satisfies ToTrainWorker);
      killTimer = setTimeout(() => worker.kill(), CANCEL_GRACE_MS);
    },
  };
}

export type { RunConfig };
