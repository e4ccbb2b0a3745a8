import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, openStore } from '../../src-main/core/store/db';
import { migrations } from '../../src-main/core/store/migrations';

const tempDb = () => join(mkdtempSync(join(tmpdir(), 'ser-store-')), 'w.sqlite');
const latest = Math.max(...migrations.map((m) => m.version));

describe('store', () => {
  it('migrates an empty DB to the latest version with WAL and foreign keys on', () => {
    const store = openStore(tempDb());
    expect(store.db.pragma('user_version', { simple: true })).toBe(latest);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = (store.db.prepare(`SELECT name FROM sqlite_master WHERE type='table'`).all() as { name: string }[]).map((t) => t.name);
    for (const t of ['datasets', 'files', 'splits', 'runs', 'epoch_metrics', 'batch_metrics', 'evaluations', 'models', 'settings'])
      expect(tables).toContain(t);
    store.close();
  });

  it('migrates an existing DB: applies only newer migrations and keeps its data', () => {
    const path = tempDb();
    const first = openStore(path);
    first.db.prepare(`INSERT INTO datasets(name, root, corpus) VALUES ('kept', '/data/x', 'ravdess')`).run();
    first.close();

    const db = new Database(path);
    const extra = { version: latest + 1, name: 'test column', sql: 'ALTER TABLE datasets ADD COLUMN colour TEXT' };
    expect(migrate(db, [...migrations, extra])).toEqual([latest + 1]);
    expect(migrate(db, [...migrations, extra])).toEqual([]); // idempotent
    expect(db.prepare('SELECT name, colour FROM datasets').all()).toEqual([{ name: 'kept', colour: null }]);
    db.close();
  });

  it('migration 3 renames the stored report fields to the API names and leaves damaged rows alone', () => {
    const db = new Database(':memory:');
    migrate(
      db,
      migrations.filter((m) => m.version < 3),
    );
    const insert = db.prepare(`INSERT INTO evaluations (split, metrics, predictions) VALUES ('test', ?, '[]')`);
    const perClass = { angry: { precision: 1, recall: 0.5, f1: 0.667, support: 2 } };
    insert.run(
      JSON.stringify({
        accuracy: 0.5,
        uar: 0.5,
        macro_f1: 0.4,
        per_class: perClass,
        confusion: [
          [1, 1],
          [0, 2],
        ],
        confusion_normalized: [
          [0.5, 0.5],
          [0, 1],
        ],
        n: 4,
      }),
    );
    insert.run('not json');
    insert.run(JSON.stringify({ accuracy: 0.9 }));
    expect(migrate(db)).toEqual(migrations.filter((m) => m.version >= 3).map((m) => m.version));
    const rows = (db.prepare('SELECT metrics FROM evaluations ORDER BY id').all() as { metrics: string }[]).map((r) => r.metrics);
    expect(JSON.parse(rows[0])).toEqual({
      accuracy: 0.5,
      uar: 0.5,
      macroF1: 0.4,
      perClass,
      confusion: [
        [1, 1],
        [0, 2],
      ],
      confusionNormalized: [
        [0.5, 0.5],
        [0, 1],
      ],
      n: 4,
    });
    expect(rows[1]).toBe('not json');
    expect(JSON.parse(rows[2])).toEqual({ accuracy: 0.9 });
  });

  it('rolls a failing migration back entirely', () => {
    const db = new Database(':memory:');
    migrate(db);
    const bad = { version: latest + 1, name: 'broken', sql: 'CREATE TABLE half(x); INSERT INTO nope VALUES (1);' };
    expect(() => migrate(db, [...migrations, bad])).toThrow(/nope/);
    expect(db.pragma('user_version', { simple: true })).toBe(latest);
    expect(db.prepare(`SELECT count(*) n FROM sqlite_master WHERE name='half'`).get()).toEqual({ n: 0 });
  });

  it('marks runs left running by a crash as interrupted on the next start', () => {
    const path = tempDb();
    const s1 = openStore(path);
    const ins = s1.db.prepare(`INSERT INTO runs(config, status) VALUES ('{}', ?)`);
    const running = Number(ins.run('running').lastInsertRowid);
    const done = Number(ins.run('completed').lastInsertRowid);
    s1.db.close(); // simulate a crash: no status update happens

    const s2 = openStore(path);
    expect(s2.interruptedRunIds).toEqual([running]);
    const rows = s2.db.prepare('SELECT id, status, error, finished_at AS finishedAt FROM runs ORDER BY id').all() as {
      id: number;
      status: string;
      error: string | null;
      finishedAt: string | null;
    }[];
    expect(rows[0]).toMatchObject({ id: running, status: 'interrupted' });
    expect(rows[0].error).toMatch(/stopped while this run was in progress/);
    expect(rows[0].finishedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(rows[1]).toMatchObject({ id: done, status: 'completed' });
    s2.close();
  });

  it('leaves a run alone while the process that owns it is alive (another CLI or window on the same DB)', () => {
    const path = tempDb();
    const s1 = openStore(path);
    const owner = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const ins = s1.db.prepare(`INSERT INTO runs(config, status, owner_pid, owner_host) VALUES ('{}', 'running', ?, ?)`);
    const live = Number(ins.run(owner.pid, hostname()).lastInsertRowid);
    const orphan = Number(ins.run(dead, hostname()).lastInsertRowid);
    s1.close();
    try {
      const s2 = openStore(path);
      expect(s2.interruptedRunIds).toEqual([orphan]);
      const status = (id: number) => (s2.db.prepare('SELECT status FROM runs WHERE id = ?').get(id) as { status: string }).status;
      expect(status(live)).toBe('running');
      expect(status(orphan)).toBe('interrupted');
      s2.close();
    } finally {
      owner.kill();
    }
  });
});
