import type Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { migrations, type Migration } from './migrations';
import { modelsRoot, removeAbandonedSaves } from './modelFolders';
import { openDatabase } from './sqlite';

export type Db = Database.Database;

export interface Store {
  db: Db;
  path: string;
  /** Runs found `running` at open time (left by a crash), now marked `interrupted`. */
  interruptedRunIds: number[];
  close(): void;
}

/** Default DB location: SER_DB, else $XDG_CONFIG_HOME/ser-workbench/workbench.sqlite. */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SER_DB) return env.SER_DB;
  const config = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(config, 'ser-workbench', 'workbench.sqlite');
}

/** Applies every migration newer than the DB's user_version; returns the versions applied. */
export function migrate(db: Db, list: Migration[] = migrations): number[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  const applied: number[] = [];
  for (const m of [...list].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
    applied.push(m.version);
  }
  return applied;
}

/**
 * Opens (creating if needed) the workbench DB: WAL, foreign keys, migrations, crash recovery (runs left queued or running
 * by a dead process marked interrupted, the staging folders of model saves it was killed in removed from models/).
 */
export function openStore(path: string = defaultDbPath()): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = openDatabase(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  const interruptedRunIds = markInterruptedRuns(db);
  if (path !== ':memory:') removeAbandonedSaves(modelsRoot(path), processAlive);
  return { db, path, interruptedRunIds, close: () => db.close() };
}

/** True when a process with this id exists on this machine (signal 0 probes without touching it). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A process that died mid-run leaves status `running` (or `queued`, killed before its worker started); nothing can
 * resume it, so say so. Runs whose owning process is still alive on this host (another CLI or app window on the same
 * DB) are left alone.
 */
function markInterruptedRuns(db: Db): number[] {
  const rows = db.prepare(`SELECT id, owner_pid AS ownerPid, owner_host AS ownerHost FROM runs WHERE status IN ('queued', 'running')`).all() as {
    id: number;
    ownerPid: number | null;
    ownerHost: string | null;
  }[];
  const orphaned = rows.filter((r) => !(r.ownerPid && r.ownerHost === hostname() && r.ownerPid !== process.pid && processAlive(r.ownerPid)));
  const mark = db.prepare(
    `UPDATE runs SET status = 'interrupted', finished_at = strftime('%Y-%m-%dT%H:%M:%fZ','now'),
     error = COALESCE(error, CASE status WHEN 'queued' THEN 'The workbench stopped before this run started.'
       ELSE 'The workbench stopped while this run was in progress.' END) WHERE id = ? AND status IN ('queued', 'running')`,
  );
  for (const r of orphaned) mark.run(r.id);
  return orphaned.map((r) => r.id);
}
