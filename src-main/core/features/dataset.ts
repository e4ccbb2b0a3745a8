import { CancelledError, throwIfCancelled } from '../../../src-shared/api/errors';
import { availableParallelism } from 'node:os';
import { forkWorker, type WorkerHandle } from '../processes';
import type { Store } from '../store/db';
import { getDataset, listFiles } from '../store/datasets';
import { cacheEntryPath, defaultCacheDir, readCacheEntry, writeCacheManifest } from './cache';
import { type FeatureConfig } from '../../../src-shared/config/features';
import { featureConfigHash } from './configHash';
import { extractFile, failureReason, type CacheTarget, type FileJob } from './extractFile';
import { FromFeatureWorkerSchema, type ToFeatureWorker } from './workerProtocol';

export interface ExtractedItem {
  fileId: number;
  shape: [number, number];
  data: Float32Array;
}

export interface ExtractResult {
  /** in the order of the input files; failed files are left out (see errors) */
  items: ExtractedItem[];
  errors: { file: string; reason: string }[];
  /** files served from the cache */
  cached: number;
  seconds: number;
}

export interface ExtractOptions {
  config: FeatureConfig;
  /** cache root; entries go under <cacheDir>/<config hash>/ */
  cacheDir: string;
  /** worker processes (default: one per core); 0 extracts in this process */
  workers?: number;
  onProgress?: (done: number, total: number, file?: string) => void;
  signal?: AbortSignal;
  /** Speed-perturbed copies (training augmentation): each file played this many times faster; default 1. */
  speed?: number;
}

// Files kept in flight per worker: the next file is already queued when one finishes, so workers never idle on IPC.
const IN_FLIGHT = 2;

/**
 * Extracts features for files in worker processes with an on-disk cache keyed by content hash + config hash.
 * A file that fails (decode error, bad samples, its worker dying) becomes an error naming it; the rest go on.
 */
export async function extractFiles(files: FileJob[], opts: ExtractOptions): Promise<ExtractResult> {
  const t0 = performance.now();
  const { config, signal } = opts;
  throwIfCancelled(signal);
  const speed = opts.speed ?? 1;
  const cache: CacheTarget = { dir: opts.cacheDir, configHash: featureConfigHash(config, speed), ...(speed !== 1 ? { speed } : {}) };
  writeCacheManifest(cache.dir, cache.configHash, config, speed);
  const total = files.length;
  const results = new Map<number, ExtractedItem>();
  const errors: ExtractResult['errors'] = [];
  let done = 0;
  let cached = 0;
  const progress = (file?: string) => opts.onProgress?.(done, total, file);

  const todo: FileJob[] = [];
  for (const f of files) {
    const hit = f.contentHash ? readCacheEntry(cacheEntryPath(cache.dir, cache.configHash, f.contentHash)) : null;
    if (!hit) {
      todo.push(f);
      continue;
    }
    results.set(f.fileId, { fileId: f.fileId, ...hit });
    cached++;
    done++;
    if (done % 64 === 0 || done === total) progress(f.path);
  }
  throwIfCancelled(signal);

  const onDone = (job: FileJob, r: { shape: [number, number]; data: Float32Array; cached: boolean }) => {
    results.set(job.fileId, { fileId: job.fileId, shape: r.shape, data: r.data });
    if (r.cached) cached++;
    done++;
    progress(job.path);
  };
  const onFail = (job: FileJob, reason: string) => {
    errors.push({ file: job.path, reason });
    done++;
    progress(job.path);
  };

  const workers = Math.min(opts.workers ?? availableParallelism(), todo.length);
  if (todo.length > 0 && workers <= 0) {
    for (const job of todo) {
      throwIfCancelled(signal);
      try {
        onDone(job, await extractFile(job, config, cache));
      } catch (err) {
        onFail(job, failureReason(err));
      }
    }
  } else if (todo.length > 0) {
    await runPool(todo, workers, config, cache, onDone, onFail, signal);
  }

  const items = files.map((f) => results.get(f.fileId)).filter((x): x is ExtractedItem => x !== undefined);
  return { items, errors, cached, seconds: (performance.now() - t0) / 1000 };
}

interface Slot {
  handle: WorkerHandle;
  inFlight: Map<number, FileJob>;
}

function runPool(
  todo: FileJob[],
  workers: number,
  config: FeatureConfig,
  cache: CacheTarget,
  onDone: (job: FileJob, r: { shape: [number, number]; data: Float32Array; cached: boolean }) => void,
  onFail: (job: FileJob, reason: string) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const queue = [...todo];
    const live = new Set<Slot>();
    let outstanding = todo.length;
    let settled = false;
    // A file that crashes its worker costs one replacement; a worker that cannot start at all must not loop forever.
    let respawnsLeft = 2 * workers + 2;

    const settle = (err?: Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      for (const s of live) s.handle.kill();
      live.clear();
      if (err) reject(err);
      else resolve();
    };
    // The workers are gone by the time the rejection arrives.
    const onAbort = () => settle(new CancelledError('feature extraction cancelled'));
    signal?.addEventListener('abort', onAbort, { once: true });

    const finishOne = () => {
      outstanding--;
      if (outstanding === 0) settle();
    };
    const feed = (slot: Slot) => {
      while (slot.inFlight.size < IN_FLIGHT && queue.length > 0) {
        const job = queue.shift()!;
        slot.inFlight.set(job.fileId, job);
        const msg: ToFeatureWorker = { type: 'file', fileId: job.fileId, path: job.path, contentHash: job.contentHash ?? null };
        slot.handle.send(msg);
      }
    };

    const spawn = () => {
      const slot: Slot = { handle: forkWorker('featureWorker'), inFlight: new Map() };
      live.add(slot);
      slot.handle.onMessage((raw) => {
        if (settled) return;
        const parsed = FromFeatureWorkerSchema.safeParse(raw);
        if (!parsed.success) {
          // A reply we cannot read still settles its file, or the extraction would wait forever.
          const id = (raw as { fileId?: unknown } | null)?.fileId;
          const job = typeof id === 'number' ? slot.inFlight.get(id) : undefined;
          if (job) {
            slot.inFlight.delete(job.fileId);
            onFail(job, `malformed reply from the worker (${parsed.error.issues[0]?.message ?? 'invalid'})`);
            feed(slot);
            finishOne();
          }
          return;
        }
        const msg = parsed.data;
        if (msg.type === 'ready') {
          feed(slot);
          return;
        }
        const job = slot.inFlight.get(msg.fileId);
        if (!job) return;
        slot.inFlight.delete(msg.fileId);
        if (msg.type === 'done') onDone(job, msg);
        else onFail(job, msg.reason);
        feed(slot);
        finishOne();
      });
      slot.handle.onExit((code, sig) => {
        if (settled || !live.has(slot)) return;
        live.delete(slot);
        const why = `worker exited with code ${code}${sig ? ` (signal ${sig})` : ''} while extracting this file`;
        const lost = [...slot.inFlight.values()];
        slot.inFlight.clear();
        if (queue.length > 0) {
          if (respawnsLeft > 0) {
            respawnsLeft--;
            spawn();
          } else if (live.size === 0) {
            for (const job of queue.splice(0)) lost.push(job);
          }
        }
        for (const job of lost) {
          onFail(job, why);
          finishOne();
        }
      });
      slot.handle.send({ type: 'init', config, cacheDir: cache.dir, configHash: cache.configHash, speed: cache.speed } satisfies ToFeatureWorker);
    };
    for (let i = 0; i < workers; i++) spawn();
  });
}

/**
 * Extracts features for every usable file of a dataset (files with import errors are skipped) in worker
 * processes, cached under cacheDir (default: SER_CACHE_DIR or `feature-cache` beside the DB).
 */
export async function extractDatasetFeatures(opts: {
  store: Store;
  datasetId: number;
  config: FeatureConfig;
  onProgress?: (done: number, total: number, file?: string) => void;
  signal?: AbortSignal;
  workers?: number;
  cacheDir?: string;
}): Promise<ExtractResult> {
  if (!getDataset(opts.store.db, opts.datasetId)) throw new Error(`Dataset ${opts.datasetId} does not exist (list them with \`ser datasets\`).`);
  const files = listFiles(opts.store.db, opts.datasetId).map((f) => ({ fileId: f.id, path: f.path, contentHash: f.contentHash }));
  return extractFiles(files, {
    config: opts.config,
    cacheDir: opts.cacheDir ?? defaultCacheDir(opts.store.path),
    workers: opts.workers,
    onProgress: opts.onProgress,
    signal: opts.signal,
  });
}
