// Study queue figures: the embedded queue's own cost per cell (claim + verdict + status, no training), then a 4-fold
// SimpleCNN study (2 epochs, RAVDESS actors 01–08) on the local queue vs two `ser worker` processes on Redis on this
// same machine: wall time, and overhead per cell = wall − the runs' own training time (concurrency 1 locally).
// Usage: npm run bench -- studies [--epochs 2] [--skip-redis]   (needs redis-server for the Redis part)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { StudySpecSchema } from '../src-shared/config/study';
import { expandStudy, gridPoints } from '../src-shared/studies/expand';
import { importDataset } from '../src-main/core/datasets/import';
import { openStore } from '../src-main/core/store/db';
import { upsertDataset } from '../src-main/core/store/datasets';
import { claimCell, finishCell, insertStudy, refreshStudyStatus } from '../src-main/core/store/studies';
import { runStudy } from '../src-main/core/studies/runner';

const args = process.argv.slice(2);
const epochs = Number(args[args.indexOf('--epochs') + 1] || 2) || 2;
const tmp = mkdtempSync(join(tmpdir(), 'ser-bench-studies-'));
const children: ChildProcess[] = [];
const cleanup = () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
};
process.on('exit', cleanup);
console.log(
  `machine: ${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);

// 1. The embedded queue alone: 2,000 cells claimed and finished.
{
  const store = openStore(join(tmp, 'queue.sqlite'));
  const datasetId = upsertDataset(store.db, { name: 'q', root: '/q', corpus: 'ravdess', labelMap: {} });
  const spec = StudySpecSchema.parse({
    datasetId,
    base: { model: 'svm' },
    folds: { kind: 'kfold', k: 20 },
    seeds: Array.from({ length: 100 }, (_, i) => i),
  });
  const speakers = Array.from({ length: 24 }, (_, i) => String(i + 1).padStart(2, '0'));
  const cells = expandStudy(spec, speakers);
  const studyId = insertStudy(store.db, { spec, points: gridPoints(spec.grid), folds: 20, cells });
  const t0 = performance.now();
  for (let c = claimCell(store.db, studyId); c; c = claimCell(store.db, studyId)) {
    finishCell(store.db, c.id, { status: 'completed', runId: null });
    refreshStudyStatus(store.db, studyId);
  }
  const ms = performance.now() - t0;
  console.log(
    `embedded queue: ${cells.length} cells claimed and finished in ${ms.toFixed(0)} ms (${((1000 * ms) / cells.length).toFixed(0)} µs per cell)`,
  );
  store.close();
}

// 2. A real study, local vs Redis.
const corpus = join(tmp, 'ravdess-8');
mkdirSync(corpus);
for (let a = 1; a <= 8; a++)
  symlinkSync(join(import.meta.dirname, '..', '..', 'shared', 'data', 'ravdess-16k', `Actor_0${a}`), join(corpus, `Actor_0${a}`));

async function study(label: string, redis?: string): Promise<void> {
  const store = openStore(join(tmp, `${label}.sqlite`));
  const { datasetId } = await importDataset(store, { folder: corpus });
  const { createStudy } = await import('../src-main/core/studies/runner');
  const { studyId } = createStudy(store, { datasetId, base: { model: 'simplecnn', epochs }, folds: { kind: 'kfold', k: 4 }, seeds: [1] });
  const t0 = performance.now();
  const row = await runStudy(store, studyId, { concurrency: 1, redis });
  const wall = (performance.now() - t0) / 1000;
  const runs = store.db.prepare(`SELECT started_at AS s, finished_at AS f FROM runs WHERE study_id = ?`).all(studyId) as { s: string; f: string }[];
  const trained = runs.reduce((t, r) => t + (Date.parse(r.f) - Date.parse(r.s)) / 1000, 0);
  const perCell = redis ? '' : `, queue overhead ${((wall - trained) / runs.length).toFixed(1)} s per cell (wall − the runs' own time)`;
  console.log(`${label}: 4-fold SimpleCNN (${epochs} epochs), ${row.counts.completed}/4 cells in ${wall.toFixed(1)} s${perCell}`);
  store.close();
}

await study('local queue (1 cell at a time)');
if (!args.includes('--skip-redis')) {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
  children.push(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }));
  while (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() !== 'PONG')
    await new Promise((r) => setTimeout(r, 100));
  const url = `redis://127.0.0.1:${port}`;
  for (const name of ['w1', 'w2']) {
    children.push(
      spawn(process.execPath, [join(import.meta.dirname, '..', 'bin', 'ser.mjs'), 'worker', '--redis', url, '--dir', join(tmp, name)], {
        stdio: 'ignore',
      }),
    );
  }
  await study('Redis, two ser worker processes on this machine', url);
}
process.exit(0);
