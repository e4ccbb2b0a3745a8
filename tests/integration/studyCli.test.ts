import Database from 'better-sqlite3';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ser as run, startSer } from '../helpers/cli';
import { makeTempDir, removeDir } from '../helpers/fixtures';
import { RAVDESS_16K } from '../helpers/shared';

const tmp = makeTempDir('ser-study-');
afterAll(() => removeDir(tmp));

const ser = (...args: string[]) => run(args, { timeout: 900_000 });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ser study', () => {
  it('a 4-fold SimpleCNN study survives the coordinating process being killed: resumed, every cell stored once', async () => {
    // RAVDESS actors 01–08: 480 files, 4 men and 4 women.
    const corpus = join(tmp, 'ravdess-8');
    mkdirSync(corpus);
    for (let a = 1; a <= 8; a++) symlinkSync(join(RAVDESS_16K, `Actor_0${a}`), join(corpus, `Actor_0${a}`));
    const db = join(tmp, 'w.sqlite');
    expect(ser('import', corpus, '--db', db, '--json').code).toBe(0);

    const child = startSer(['study', 'run', '--dataset', '1', '--model', 'simplecnn', '--epochs', '2', '--folds', '4', '--db', db, '--json']);
    const stderr = () => child.log();
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    // Kill it once one cell is stored and the next is training.
    const watch = new Database(db, { readonly: true, fileMustExist: true });
    const count = (status: string) => (watch.prepare(`SELECT COUNT(*) AS n FROM study_cells WHERE status = ?`).get(status) as { n: number }).n;
    // A claimed cell gets its run a moment later; killed in between, the attempt would leave no run to mark interrupted.
    const training = () =>
      (watch.prepare(`SELECT COUNT(*) AS n FROM study_cells WHERE status = 'running' AND run_id IS NOT NULL`).get() as { n: number }).n;
    const deadline = Date.now() + 600_000;
    while (!(count('completed') >= 1 && training() >= 1)) {
      if (Date.now() > deadline) throw new Error(`no cell finished in time: ${stderr()}`);
      if (child.exitCode !== null) throw new Error(`the study ended before it could be killed: ${stderr()}`);
      await sleep(300);
    }
    child.kill('SIGKILL');
    expect(await exited).toBeNull();
    const before = count('completed');
    expect(count('running')).toBe(1); // left behind by the dead process
    watch.close();

    const resumed = ser('study', 'resume', '1', '--db', db, '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    const report = JSON.parse(resumed.stdout) as {
      status: string;
      counts: Record<string, number>;
      cells: { key: string; status: string; runId: number; attempts: number; valUar: number; test: { uar: number } }[];
      aggregate: { complete: boolean; metrics: Record<string, { n: number; mean: number; ci95: [number, number]; perFold: number[] }> };
    };
    expect(report.status).toBe('completed');
    expect(report.counts).toMatchObject({ completed: 4, queued: 0, running: 0, failed: 0 });
    expect(report.cells.map((c) => c.key)).toEqual(['f0/s42/p0', 'f1/s42/p0', 'f2/s42/p0', 'f3/s42/p0']);
    // the killed cell was trained again; the finished ones were not
    expect(report.cells.filter((c) => c.attempts === 2)).toHaveLength(1);
    expect(report.cells.filter((c) => c.attempts === 1)).toHaveLength(3);
    expect(before).toBeGreaterThanOrEqual(1);

    const store = new Database(db, { readonly: true });
    const runs = store.prepare(`SELECT id, status, study_cell AS cell FROM runs WHERE study_id = 1 ORDER BY id`).all() as {
      id: number;
      status: string;
      cell: string;
    }[];
    store.close();
    // each cell's stored run completed exactly once; the killed attempt stays in the history, marked interrupted
    const completed = runs.filter((r) => r.status === 'completed');
    expect(completed.map((r) => r.cell).sort()).toEqual(report.cells.map((c) => c.key));
    expect(new Set(report.cells.map((c) => c.runId))).toEqual(new Set(completed.map((r) => r.id)));
    expect(runs.filter((r) => r.status === 'interrupted')).toHaveLength(1);

    const uar = report.aggregate.metrics.uar;
    expect(report.aggregate.complete).toBe(true);
    expect(uar.n).toBe(4);
    expect(uar.perFold).toHaveLength(4);
    expect(uar.ci95[0]).toBeLessThan(uar.mean);
    expect(uar.ci95[1]).toBeGreaterThan(uar.mean);
    // 8 classes: chance is 12.5 %; two epochs of SimpleCNN already do better on average
    expect(uar.mean).toBeGreaterThan(0.125);
    for (const c of report.cells) expect(c.valUar).toBeGreaterThan(0);

    const list = ser('study', 'list', '--db', db);
    expect(list.stdout).toMatch(/^1\s+completed\s+-\s+1\s+4\s+1\s+1\s+4\/4/m);
    const show = ser('study', 'show', '1', '--db', db);
    expect(show.stdout).toMatch(/uar\s+\d+\.\d % ± \d+\.\d\s+95 % CI \[/);
    expect(ser('study', 'show', '9', '--db', db).stderr).toContain('no study 9');
  }, 1_200_000);

  it('rejects a study the dataset cannot give before storing anything', () => {
    const db = join(tmp, 'w.sqlite');
    const r = ser('study', 'run', '--dataset', '1', '--model', 'svm', '--folds', '9', '--db', db, '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toBe('9 folds need at least 9 speakers; the dataset has 8');
    const bad = ser('study', 'run', '--dataset', '1', '--model', 'svm', '--folds', '2', '--loso', '--db', db);
    expect(bad.stderr).toContain('give one of --folds K, --loso or --groups FILE');
    const grid = ser('study', 'run', '--dataset', '1', '--model', 'svm', '--folds', '2', '--grid', 'epochs', '--db', db);
    expect(grid.stderr).toContain('--grid takes path=value1,value2');
    // --speed-perturbation reaches every cell's config, which the run schema judges before the study is stored.
    const one = ser('study', 'run', '--dataset', '1', '--recipe', 'logreg', '--speed-perturbation', '0.9,1', '--folds', '2', '--db', db);
    expect(one.code).toBe(1);
    expect(one.stderr).toMatch(/speedPerturbation\.1: speed 1 is the recording itself/);
    const net = ser('study', 'run', '--dataset', '1', '--model', 'simplecnn', '--speed-perturbation', '0.9', '--folds', '2', '--db', db);
    expect(net.stderr).toMatch(/speedPerturbation: simplecnn is a network: perturb on the fly/);
    const list = ser('study', 'list', '--db', db, '--json');
    expect((JSON.parse(list.stdout) as unknown[]).length).toBe(1);
  });
});
