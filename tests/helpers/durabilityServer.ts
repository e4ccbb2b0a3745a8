// The browser-mode server as `ser start` runs it (src-main/launch.ts, browser branch): the store opened with its crash
// recovery, the API handlers, a job queue and the WebSocket server on 127.0.0.1 with a random port and token. What it
// leaves out is the renderer build (a stub page is served), so a test can start it on a fresh machine.
//   node --import tsx tests/helpers/durabilityServer.ts <db>
// prints one JSON line {port, token, interruptedRunIds} when it listens.
//   node --import tsx tests/helpers/durabilityServer.ts <db> --direct <import|extract|train> <params JSON>
// does one piece of work at once through the core functions the API handlers call for it (importDataset,
// extractDatasetFeatures, startRun), importing only what that needs: the full handler set takes 3–6 s to load on two
// busy cores, a test that kills a dozen servers cannot pay that each time. It prints the same ready line (port 0), then
// what a client would get: the answer to the request as {id: 0, result} once the work is under way (for a run: once it
// is stored), then the events (job.done, run.epoch, run.status) as {event} lines.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ApiEvent } from '../../src-shared/api/contract';
import { openStore, type Store } from '../../src-main/core/store/db';

const [dbPath, mode, phase, params] = process.argv.slice(2);
if (!dbPath) throw new Error('usage: durabilityServer.ts <db> [--direct <phase> <params JSON>]');
const store = openStore(dbPath);
const ready = (port: number, token: string) =>
  process.stdout.write(`${JSON.stringify({ port, token, interruptedRunIds: store.interruptedRunIds })}\n`);

if (mode === '--direct') {
  ready(0, '');
  await direct(store, phase, JSON.parse(params ?? '{}') as Record<string, unknown>);
} else {
  const { createHandlers } = await import('../../src-main/core/api/handlers');
  const { JobQueue } = await import('../../src-main/core/jobs');
  const { startBrowserServer } = await import('../../src-main/server/browserServer');
  // Beside the database: the server is killed, not stopped, so what it makes must go with the test's folder.
  const rendererDir = join(dirname(dbPath), 'renderer');
  mkdirSync(rendererDir, { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>stub</title>');
  let broadcast: (e: ApiEvent) => void = () => {};
  const jobs = new JobQueue((e) => broadcast(e));
  const server = await startBrowserServer({ handlers: createHandlers({ store, jobs, mode: 'browser' }), rendererDir, port: 0 });
  broadcast = server.broadcast;
  ready(server.port, server.token);
}

async function direct(store: Store, phase: string | undefined, p: Record<string, unknown>): Promise<void> {
  const emit = (event: ApiEvent) => process.stdout.write(`${JSON.stringify({ event })}\n`);
  const accepted = (result: unknown) => process.stdout.write(`${JSON.stringify({ id: 0, result })}\n`);
  if (phase === 'import') {
    const { importDataset } = await import('../../src-main/core/datasets/import');
    accepted({ jobId: 'direct' });
    const result = await importDataset(store, { folder: p.folder as string });
    emit({ type: 'job.done', jobId: 'direct', kind: 'import', result });
  } else if (phase === 'extract') {
    const { extractDatasetFeatures } = await import('../../src-main/core/features/dataset');
    const { FeatureConfigSchema } = await import('../../src-shared/config/features');
    accepted({ jobId: 'direct' });
    const r = await extractDatasetFeatures({ store, datasetId: p.datasetId as number, config: FeatureConfigSchema.parse(p.config) });
    emit({ type: 'job.done', jobId: 'direct', kind: 'extract', result: { files: r.items.length } });
  } else if (phase === 'train') {
    const { startRun } = await import('../../src-main/core/training/run');
    const handle = startRun(store, p.config, {
      onEvent: (e) => {
        if (e.type === 'epoch') emit({ type: 'run.epoch', runId: e.runId, point: e.point, etaSeconds: e.etaSeconds });
        else if (e.type === 'status') emit({ type: 'run.status', runId: e.runId, status: e.status });
      },
    });
    accepted({ runId: handle.runId, jobId: 'direct' });
  } else throw new Error(`unknown phase ${phase}`);
}
