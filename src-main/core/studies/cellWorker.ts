import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, relative } from 'node:path';
import { errorMessage } from '../../../src-shared/api/errors';
import { hashFileSync } from '../audio/hash';
import { openStore, type Store } from '../store/db';
import { mirrorDataset } from '../store/datasets';
import { startRun, type RunEvent } from '../training/run';
import { CELL_QUEUE, cancelKey, type CellJobData, type CellJobResult } from './cellJob';
import { bullConnection, probeRedis } from './redis';

export interface CellWorkerOptions {
  redis: string;
  /** Cells trained at once by this worker (each in its own train process). */
  concurrency: number;
  /** Coordinator path prefix → the same folder here, e.g. ["/data/corpora", "/mnt/corpora"]. */
  dataRoots: [string, string][];
  /** Where the worker keeps its mirror stores, feature caches and models in transit. */
  dir: string;
  log(message: string): void;
  /** Lock and stalled-check timing (ms); a killed worker's cell goes to another worker after about lockMs. */
  lockMs?: number;
}

/** A running `ser worker`. */
export interface CellWorker {
  close(): Promise<void>;
}

/** `path` with the first matching coordinator prefix replaced by this machine's folder. */
export function mapPath(path: string, roots: [string, string][]): string {
  for (const [from, to] of roots) {
    const prefix = from.endsWith('/') ? from : `${from}/`;
    if (path === from) return to;
    if (path.startsWith(prefix)) return join(to, path.slice(prefix.length));
  }
  return path;
}

/** Every file under `dir`, relative path → base64 bytes (a saved model, to send back to the coordinator). */
function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out[relative(dir, full)] = readFileSync(full).toString('base64');
    }
  };
  walk(dir);
  return out;
}

/**
 * Takes study cells from Redis and trains each as an ordinary run in a mirror store of the coordinator's datasets
 * (same ids, paths mapped through `dataRoots`, every file's SHA-1 checked against the coordinator's). The result —
 * epochs, batches, evaluations and the saved model — goes back as the job's return value; the coordinator stores it.
 * BullMQ's lock: a worker killed mid-cell stops renewing it and the cell is handed to another worker.
 */
export async function startCellWorker(opts: CellWorkerOptions): Promise<CellWorker> {
  await probeRedis(opts.redis);
  mkdirSync(opts.dir, { recursive: true });
  const stores = new Map<string, Store>();
  /** path → "size:mtime:sha1", so a file is hashed once per worker unless it changes. */
  const verified = new Map<string, string>();
  const control = new Redis(bullConnection(opts.redis));
  control.on('error', () => {});
  const name = `${hostname()}:${process.pid}`;

  const checkFile = (path: string, expected: string | null) => {
    let st;
    try {
      st = statSync(path);
    } catch (err) {
      throw new UnrecoverableError(
        `${path}: not readable on worker ${name} (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}); map the corpus folder with --data-root`,
      );
    }
    const stamp = `${st.size}:${st.mtimeMs}`;
    const known = verified.get(path);
    if (known?.startsWith(`${stamp}:`) && known.endsWith(`:${expected}`)) return;
    const actual = hashFileSync(path);
    if (expected && actual !== expected) {
      throw new UnrecoverableError(`${path}: its content differs from the coordinator's copy (sha1 ${actual}, expected ${expected})`);
    }
    verified.set(path, `${stamp}:${actual}`);
  };

  const process_ = async (job: Job<CellJobData>): Promise<CellJobResult> => {
    const d = job.data;
    opts.log(`worker ${name}: cell ${d.cellKey} of study ${d.studyId} started`);
    let store = stores.get(d.storeId);
    if (!store) {
      store = openStore(join(opts.dir, `mirror-${d.storeId.replace(/[^\w-]/g, '')}.sqlite`));
      stores.set(d.storeId, store);
    }
    for (const { dataset, files } of d.datasets) {
      const mapped = files.map((f) => ({ ...f, path: mapPath(f.path, opts.dataRoots) }));
      for (const f of mapped) if (!f.error) checkFile(f.path, f.contentHash);
      mirrorDataset(store.db, { ...dataset, root: mapPath(dataset.root, opts.dataRoots) }, mapped);
    }
    const modelDir = join(opts.dir, 'models', String(job.id).replace(/[^\w.-]/g, '_'));
    rmSync(modelDir, { recursive: true, force: true });
    const result: CellJobResult = {
      status: 'failed',
      error: null,
      backend: null,
      worker: name,
      seconds: 0,
      epochs: [],
      batches: [],
      evaluations: [],
      model: null,
    };
    type SavedModel = { kind: string; name: string; labels: string[]; featureConfig: Record<string, unknown> };
    const models: SavedModel[] = [];
    const onEvent = (e: RunEvent) => {
      if (e.type === 'epoch') result.epochs.push(e.point);
      else if (e.type === 'batch') result.batches.push(e.point);
      else if (e.type === 'evaluation')
        result.evaluations.push({ split: e.split, datasetId: e.datasetId, report: e.report, predictions: e.predictions });
      else if (e.type === 'model') models.push(e);
      else if (e.type === 'progress' && e.stage === 'train') void job.updateProgress({ done: e.done, total: e.total }).catch(() => {});
    };
    const handle = startRun(store, { ...d.config, outDir: modelDir }, { onEvent });
    const poll = setInterval(() => {
      void control.get(cancelKey(String(job.id))).then(
        (v) => v && handle.cancel(),
        () => {},
      );
    }, 1000);
    const run = await handle.done.finally(() => clearInterval(poll));
    result.status = run.status;
    result.error = run.error;
    result.backend = run.backend;
    result.seconds = run.seconds;
    const saved = models.at(-1);
    if (run.status === 'completed' && saved) {
      result.model = { kind: saved.kind, name: saved.name, labels: saved.labels, featureConfig: saved.featureConfig, files: readTree(modelDir) };
    }
    rmSync(modelDir, { recursive: true, force: true });
    opts.log(`worker ${name}: cell ${d.cellKey} of study ${d.studyId} ${run.status}${run.error ? `: ${run.error}` : ''}`);
    return result;
  };

  const lockDuration = opts.lockMs ?? 15_000;
  const worker = new Worker<CellJobData, CellJobResult>(CELL_QUEUE, process_, {
    connection: bullConnection(opts.redis),
    concurrency: opts.concurrency,
    name,
    lockDuration,
    stalledInterval: Math.max(1000, Math.floor(lockDuration / 2)),
    // A cell whose worker died twice is failed rather than handed round forever.
    maxStalledCount: 2,
  });
  worker.on('error', (err) => opts.log(`worker ${name}: ${errorMessage(err)}`));
  await worker.waitUntilReady();
  opts.log(`worker ${name}: waiting for study cells on ${opts.redis} (concurrency ${opts.concurrency})`);
  return {
    close: async () => {
      await worker.close();
      control.disconnect();
      for (const s of stores.values()) s.close();
    },
  };
}
