/**
 * Train worker process: receives one `start` message, runs executeRun and streams its events to
 * the parent, which stores them. `cancel` stops training after the current batch.
 */
import type { Store } from '../core/store/db';
import { openDatabase } from '../core/store/sqlite';
import { ToTrainWorkerSchema, type FromTrainWorker } from '../core/training/events';
import { executeRun } from '../core/training/pipeline';
import { exitWithParent } from '../core/processes';
import { CancelledError, errorMessage } from '../../src-shared/api/errors';

const send = (m: FromTrainWorker) =>
  new Promise<void>((resolve) => {
    if (!process.send) return resolve();
    process.send(m, undefined, undefined, () => resolve());
  });

/**
 * Read-only connection: the worker only reads datasets and files, every write happens in the
 * parent. openStore() is avoided on purpose: its crash recovery would mark other live runs interrupted.
 */
function openReadOnly(path: string): Store {
  const db = openDatabase(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return { db, path, interruptedRunIds: [], close: () => db.close() };
}

const controller = new AbortController();
let startedRun = false;
// A stop signal to this process (or to its whole group, the parent included) cancels the run as the parent's cancel does.
exitWithParent(() => controller.abort(new CancelledError()));

process.on('message', (raw) => {
  const parsed = ToTrainWorkerSchema.safeParse(raw);
  if (!parsed.success) return;
  const msg = parsed.data;
  if (msg.type === 'cancel') {
    controller.abort(new CancelledError());
    return;
  }
  if (startedRun) return;
  startedRun = true;
  void (async () => {
    const store = openReadOnly(msg.dbPath);
    try {
      const workers = process.env.SER_FEATURE_WORKERS;
      const outcome = await executeRun(msg.config, {
        store,
        runId: msg.runId,
        modelDir: msg.modelDir,
        emit: (e) => void send(e),
        signal: controller.signal,
        featureWorkers: workers !== undefined ? Number(workers) : undefined,
      });
      await send({ type: 'done', outcome });
      store.close();
      process.exit(0);
    } catch (err) {
      if (controller.signal.aborted) {
        await send({
          type: 'done',
          outcome: { status: 'cancelled', backend: '', seconds: 0, epochs: 0, bestEpoch: 0, metrics: null, modelDir: null },
        });
        process.exit(0);
      }
      await send({ type: 'error', error: errorMessage(err) });
      store.close();
      process.exit(1);
    }
  })();
});
