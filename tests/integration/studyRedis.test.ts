import Database from 'better-sqlite3';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ser as run, startSer } from '../helpers/cli';
import { makeTempDir, removeDir } from '../helpers/fixtures';
import { RAVDESS_16K } from '../helpers/shared';

const tmp = makeTempDir('ser-redis-');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  removeDir(tmp);
});

const ser = (...args: string[]) => run(args, { timeout: 900_000 });

function start(args: string[], onLine?: (line: string) => void) {
  const child = startSer(args, onLine);
  children.push(child);
  return child;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
const until = async (what: string, ok: () => boolean, ms = 600_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

interface Report {
  studyId: number;
  status: string;
  counts: Record<string, number>;
  cells: { key: string; status: string; runId: number; test: { accuracy: number; uar: number; macroF1: number } }[];
}

describe('studies on Redis workers', () => {
  it('two workers, one killed mid-cell: every cell completes once, with the local queue figures', async () => {
    const corpus = join(tmp, 'ravdess-8');
    mkdirSync(corpus);
    for (let a = 1; a <= 8; a++) symlinkSync(join(RAVDESS_16K, `Actor_0${a}`), join(corpus, `Actor_0${a}`));
    const db = join(tmp, 'w.sqlite');
    expect(ser('import', corpus, '--db', db, '--json').code).toBe(0);
    const study = ['study', 'run', '--dataset', '1', '--model', 'svm', '--folds', '4', '--seeds', '7', '--db', db, '--json'];

    // Redis unreachable: a clear error, no study stored.
    const dead = await freePort();
    const refused = ser(...study, '--redis', `redis://127.0.0.1:${dead}`);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).error).toMatch(new RegExp(`^Cannot reach Redis at redis://127.0.0.1:${dead} \\(ECONNREFUSED\\)`));
    expect(JSON.parse(ser('study', 'list', '--db', db, '--json').stdout)).toEqual([]);

    const local = JSON.parse(ser(...study).stdout) as Report;
    expect(local.counts.completed).toBe(4);

    const port = await freePort();
    const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    children.push(redis);
    const url = `redis://127.0.0.1:${port}`;
    await until('redis', () => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG', 20_000);

    let aCell = '';
    const worker = (name: string, onLine?: (l: string) => void) =>
      start(['worker', '--redis', url, '--lock-ms', '6000', '--dir', join(tmp, name)], onLine);
    const a = worker('a', (l) => (aCell ||= /cell (f\d\/s7\/p0) of study 2 started/.exec(l)?.[1] ?? ''));
    const b = worker('b');
    await until('workers ready', () => a.log().includes('waiting for study cells') && b.log().includes('waiting for study cells'), 60_000);
    const coordinator = start([...study, '--redis', url]);
    await until('worker a to take a cell', () => aCell !== '');
    a.kill('SIGKILL'); // mid-cell: its lock expires and b gets the cell
    await until('the study', () => coordinator.exitCode !== null, 900_000);
    expect(coordinator.exitCode, coordinator.log()).toBe(0);
    const remote = JSON.parse(
      coordinator
        .log()
        .split('\n')
        .find((l) => l.startsWith('{'))!,
    ) as Report;

    // On failure, say which cells failed and why (a loaded machine once failed a cell here).
    expect(remote.status, JSON.stringify(remote.cells.filter((c) => c.status !== 'completed'))).toBe('completed');
    expect(remote.counts).toMatchObject({ completed: 4, failed: 0, queued: 0, running: 0 });
    // the cell a was killed in was handed to b, which finished it
    expect(b.log()).toContain(`cell ${aCell} of study 2 completed`);
    expect(a.log()).not.toContain(`cell ${aCell} of study 2 completed`);
    // each cell stored once: one completed run per cell, nothing else linked to the study
    const store = new Database(db, { readonly: true });
    const runs = store.prepare(`SELECT id, status, study_cell AS cell, backend FROM runs WHERE study_id = 2`).all() as {
      id: number;
      status: string;
      cell: string;
      backend: string;
    }[];
    const models = store.prepare(`SELECT COUNT(*) AS n FROM models WHERE run_id IN (SELECT id FROM runs WHERE study_id = 2)`).get() as { n: number };
    store.close();
    expect(runs.map((r) => r.cell).sort()).toEqual(['f0/s7/p0', 'f1/s7/p0', 'f2/s7/p0', 'f3/s7/p0']);
    expect(runs.every((r) => r.status === 'completed' && / on /.test(r.backend))).toBe(true);
    expect(models.n).toBe(4);
    // the same seeds give the same figures as the local queue
    for (const cell of remote.cells) {
      const twin = local.cells.find((c) => c.key === cell.key)!;
      expect(cell.test.uar).toBeCloseTo(twin.test.uar, 12);
      expect(cell.test.accuracy).toBeCloseTo(twin.test.accuracy, 12);
    }
    b.kill('SIGKILL');

    // A worker whose copy of the corpus differs (one file re-encoded): the cell fails naming the file.
    const copy = join(tmp, 'copy');
    mkdirSync(copy);
    for (let n = 2; n <= 8; n++) symlinkSync(join(RAVDESS_16K, `Actor_0${n}`), join(copy, `Actor_0${n}`));
    mkdirSync(join(copy, 'Actor_01'));
    const names = readdirSync(join(RAVDESS_16K, 'Actor_01'));
    for (const name of names.slice(1)) symlinkSync(join(RAVDESS_16K, 'Actor_01', name), join(copy, 'Actor_01', name));
    const changed = readFileSync(join(RAVDESS_16K, 'Actor_01', names[0]));
    changed[changed.length - 1] ^= 1;
    writeFileSync(join(copy, 'Actor_01', names[0]), changed);
    const c = start(['worker', '--redis', url, '--dir', join(tmp, 'c'), '--data-root', `${corpus}=${copy}`]);
    await until('worker c', () => c.log().includes('waiting for study cells'), 60_000);
    const mismatch = ser('study', 'run', '--dataset', '1', '--model', 'svm', '--folds', '2', '--redis', url, '--db', db, '--json');
    const failed = JSON.parse(mismatch.stdout) as Report & { cells: { error: string }[] };
    expect(failed.status).toBe('failed');
    for (const cell of failed.cells) {
      expect(cell.error).toContain(`${join(copy, 'Actor_01', names[0])}: its content differs from the coordinator's copy (sha1 `);
    }
    c.kill('SIGKILL');
  }, 1_500_000);
});
