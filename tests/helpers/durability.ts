// Kill tests for the store and the model folders: the browser-mode server (durabilityServer.ts) is started on a copy
// of a prepared database, driven over its WebSocket API through one phase of work (import, feature extraction,
// training, model save), SIGKILLed at a seeded random moment of that phase, and the database and folders it leaves are
// checked the way the next start finds them (openStore: crash recovery). Used by tests/integration/durability.test.ts
// (a few kills per phase) and bench/durability.ts (20 per phase, with timings).
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { ApiEvent, WireResponse } from '../../src-shared/api/contract';
import { FEATURE_PRESETS } from '../../src-shared/config/features';
import { importDataset } from '../../src-main/core/datasets/import';
import { readCacheEntry } from '../../src-main/core/features/cache';
import { extractDatasetFeatures } from '../../src-main/core/features/dataset';
import { openStore } from '../../src-main/core/store/db';
import { readModelDir } from '../../src-main/core/training/savedModel';
import { RAVDESS_16K, REPO_ROOT } from './shared';
import { mulberry32 } from '../../src-main/core/mulberry32';

const TSX = createRequire(import.meta.url).resolve('tsx');
const SERVER = join(REPO_ROOT, 'tests', 'helpers', 'durabilityServer.ts');
export const DISK_FAULTS = join(REPO_ROOT, 'tests', 'helpers', 'diskFaults.mjs');

export type Phase = 'import' | 'extract' | 'train' | 'save';
export const PHASES: Phase[] = ['import', 'extract', 'train', 'save'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A server process on one database, with a WebSocket client attached. */
export interface ServerProcess {
  child: ChildProcess;
  interruptedRunIds: number[];
  /** Every API event received so far, in order, with the time it arrived (ms, performance.now()). */
  events: { at: number; event: ApiEvent }[];
  /** Everything the server and its workers printed. */
  log(): string;
  /** Sends an API request (WebSocket) and resolves with its answer; for a direct driver, the answer its work started with. */
  request(method: string, params: unknown): Promise<unknown>;
  /** Resolves with the first event matching `match` (already received or still to come). */
  waitEvent(match: (e: ApiEvent) => boolean, timeoutMs?: number): Promise<ApiEvent>;
  /** Resolves when a printed line contains `text`. */
  waitLog(text: string, timeoutMs?: number): Promise<void>;
  /** SIGKILL: the server alone (its workers see the IPC pipe close) or its whole process group (workers too). */
  kill(scope: 'server' | 'group'): void;
  /** Waits until every process of the group is gone (SIGKILLs what is left after `graceMs`). */
  gone(graceMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** How the work is driven: over the server's WebSocket API, or by the driver itself at start (see durabilityServer.ts). */
export type Drive = 'websocket' | 'direct';

/**
 * Starts the server on `db` in its own process group; env entries are added to this process's environment. With
 * `direct`, the process does that work at once instead of serving the API (no WebSocket; `request` resolves with the
 * answer to that work).
 */
export async function startServer(db: string, env: Record<string, string> = {}, direct?: { phase: string; params: unknown }): Promise<ServerProcess> {
  const args = direct ? [db, '--direct', direct.phase, JSON.stringify(direct.params)] : [db];
  const child = spawn(process.execPath, ['--import', TSX, SERVER, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, ...env },
  });
  let log = '';
  const logWaiters: { text: string; resolve: () => void }[] = [];
  const take = (d: Buffer) => {
    log += d.toString();
    for (const w of logWaiters.splice(0))
      if (log.includes(w.text)) w.resolve();
      else logWaiters.push(w);
  };
  child.stderr!.on('data', take);
  const events: ServerProcess['events'] = [];
  const eventWaiters: { match: (e: ApiEvent) => boolean; resolve: (e: ApiEvent) => void }[] = [];
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  // A direct driver answers request 0, the work it was started with, when that is under way.
  const directAnswer = new Promise<unknown>((resolve, reject) => pending.set(0, { resolve, reject }));
  directAnswer.catch(() => {});
  const receive = (msg: WireResponse) => {
    if ('event' in msg) {
      events.push({ at: performance.now(), event: msg.event });
      for (const w of eventWaiters.splice(0))
        if (w.match(msg.event)) w.resolve(msg.event);
        else eventWaiters.push(w);
      return;
    }
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if ('error' in msg) p?.reject(new Error(msg.error.message));
    else p?.resolve(msg.result);
  };
  const ready = await new Promise<{ port: number; token: string; interruptedRunIds: number[] }>((resolve, reject) => {
    let out = '';
    let first = true;
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const line of lines) {
        try {
          const parsed = JSON.parse(line) as unknown;
          if (first) resolve(parsed as { port: number; token: string; interruptedRunIds: number[] });
          else receive(parsed as WireResponse);
          first = false;
        } catch {
          take(Buffer.from(`${line}\n`));
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before it was ready: ${log}`)));
  });
  let ws: WebSocket | null = null;
  if (!direct) {
    const socket = new WebSocket(`ws://127.0.0.1:${ready.port}/api?token=${ready.token}`);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    socket.on('error', () => {}); // the server is killed under it
    socket.on('message', (data) => receive(JSON.parse(data.toString()) as WireResponse));
    ws = socket;
  }
  let nextId = 1;
  const pgid = child.pid!;
  const groupAlive = () => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const server: ServerProcess = {
    child,
    interruptedRunIds: ready.interruptedRunIds,
    events,
    log: () => log,
    request: (method, params) =>
      new Promise((resolve, reject) => {
        if (!ws) return directAnswer.then(resolve, reject);
        const id = nextId++;
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, method, params }));
      }),
    waitEvent: (match, timeoutMs = 120_000) => {
      const seen = events.find((e) => match(e.event));
      if (seen) return Promise.resolve(seen.event);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching event in ${timeoutMs} ms: ${log}`)), timeoutMs).unref();
        eventWaiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
    waitLog: (text, timeoutMs = 120_000) => {
      if (log.includes(text)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`"${text}" not printed in ${timeoutMs} ms: ${log}`)), timeoutMs).unref();
        logWaiters.push({ text, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    kill: (scope) => {
      try {
        if (scope === 'group') process.kill(-pgid, 'SIGKILL');
        else process.kill(pgid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    },
    gone: async (graceMs = 15_000) => {
      const deadline = performance.now() + graceMs;
      while (groupAlive()) {
        if (performance.now() > deadline) server.kill('group');
        await sleep(20);
      }
      ws?.terminate();
    },
    close: async () => {
      server.kill('group');
      await server.gone(0);
    },
  };
  return server;
}

/** What one killed (or finished) server left behind, as the next start sees it. */
export interface Inspection {
  integrity: string;
  foreignKeyErrors: number;
  /** Runs recovery marked interrupted (left running or queued by the dead server). */
  interruptedRunIds: number[];
  runs: { id: number; status: string; epochs: number; error: string | null }[];
  datasets: { id: number; root: string; files: number }[];
  models: { id: number; runId: number | null; path: string }[];
  /** Problems: each a sentence saying what is wrong. */
  violations: string[];
}

/**
 * Opens `db` as the next start would (openStore: crash recovery) and checks what must hold after any kill: integrity,
 * foreign keys, no run left queued/running, every registered model folder loads, no staging folder left in models/,
 * every non-empty model folder under models/ loads (none half-written), and every feature cache entry is whole.
 */
export async function inspect(db: string): Promise<Inspection> {
  const store = openStore(db);
  const violations: string[] = [];
  try {
    const integrity = (store.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
    if (integrity !== 'ok') violations.push(`integrity_check: ${integrity}`);
    const foreignKeyErrors = (store.db.pragma('foreign_key_check') as unknown[]).length;
    if (foreignKeyErrors) violations.push(`${foreignKeyErrors} foreign key violations`);
    const runs = store.db
      .prepare(`SELECT id, status, error, (SELECT COUNT(*) FROM epoch_metrics e WHERE e.run_id = runs.id) AS epochs FROM runs ORDER BY id`)
      .all() as Inspection['runs'];
    for (const r of runs) if (r.status === 'queued' || r.status === 'running') violations.push(`run ${r.id} is still ${r.status}`);
    const datasets = store.db
      .prepare(`SELECT id, root, (SELECT COUNT(*) FROM files f WHERE f.dataset_id = datasets.id) AS files FROM datasets ORDER BY id`)
      .all() as Inspection['datasets'];
    const models = store.db.prepare(`SELECT id, run_id AS runId, path FROM models ORDER BY id`).all() as Inspection['models'];
    for (const m of models) {
      try {
        const loaded = await readModelDir(m.path);
        loaded.network?.dispose();
      } catch (err) {
        violations.push(`registered model ${m.id} does not load: ${(err as Error).message}`);
      }
    }
    const root = join(db, '..', 'models');
    for (const name of existsSync(root) ? readdirSync(root) : []) {
      const dir = join(root, name);
      if (name.startsWith('.')) violations.push(`a staging folder survived the next open: ${dir}`);
      else if (readdirSync(dir).length > 0 && !models.some((m) => m.path === dir)) {
        try {
          (await readModelDir(dir)).network?.dispose();
        } catch (err) {
          violations.push(`half-written model folder ${dir}: ${(err as Error).message}`);
        }
      }
    }
    const cache = join(db, '..', 'feature-cache');
    for (const file of existsSync(cache) ? listFiles(cache) : []) {
      if (file.endsWith('.f32') && !readCacheEntry(file)) violations.push(`torn feature cache entry ${file}`);
    }
    return { integrity, foreignKeyErrors, interruptedRunIds: store.interruptedRunIds, runs, datasets, models, violations };
  } finally {
    store.close();
  }
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

/** The corpora and prepared databases the phases start from. */
export interface Fixture {
  dir: string;
  /** RAVDESS actors 01–02 (120 files), imported in every template as dataset 1. */
  corpusA: string;
  /** RAVDESS actors 03–12 (600 files), what the import phase imports. */
  corpusB: string;
  /** Dataset 1 imported; WAL checkpointed into the one file, so a copy is the whole database. */
  template: string;
  /** Feature cache of dataset 1 for the training phases (filled by prepareFixture's extraction run). */
  trainCache: string;
}

export const FEATURES = FEATURE_PRESETS['seed-logmel'];
/** Small enough for two shared cores: 60 training files, a 4-8-8-8 SimpleCNN, batches of 20. */
export const trainConfig = (epochs: number, over: Record<string, unknown> = {}) => ({
  datasetId: 1,
  features: 'seed-logmel',
  model: { preset: 'simplecnn', params: { filters: [4, 8, 8, 8], denseUnits: 16 } },
  split: { kind: 'speaker', testSpeakers: ['02'], seed: 1 },
  epochs,
  batchSize: 20,
  seed: 7,
  ...over,
});

function linkActors(to: string, from: number, until: number): string {
  mkdirSync(to);
  for (let a = from; a <= until; a++) {
    const name = `Actor_${String(a).padStart(2, '0')}`;
    symlinkSync(join(RAVDESS_16K, name), join(to, name));
  }
  return to;
}

/** Makes the corpora and the template database (dataset 1 imported) under a new temp folder. */
export async function prepareFixture(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'ser-durability-'));
  const corpusA = linkActors(join(dir, 'corpus-a'), 1, 2);
  const corpusB = linkActors(join(dir, 'corpus-b'), 3, 12);
  mkdirSync(join(dir, 'template'));
  const template = join(dir, 'template', 'w.sqlite');
  const store = openStore(template);
  await importDataset(store, { folder: corpusA });
  const trainCache = join(dir, 'train-cache');
  await extractDatasetFeatures({ store, datasetId: 1, config: FEATURES, cacheDir: trainCache, workers: 0 });
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.close();
  return { dir, corpusA, corpusB, template, trainCache };
}

/** A fresh copy of the template in its own folder (its models/ and feature-cache/ start empty). */
export function copyTemplate(fixture: Fixture, name: string): string {
  const dir = join(fixture.dir, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const db = join(dir, 'w.sqlite');
  copyFileSync(fixture.template, db);
  return db;
}

/** What a phase does on a server, up to where it would be killed. */
interface PhaseDriver {
  env: Record<string, string>;
  /** The API request that starts it (over WebSocket), or the same work given to the direct driver. */
  method: string;
  params: unknown;
  direct: { phase: string; params: unknown };
  /** Resolves when the work is complete (no kill). */
  finished(server: ServerProcess): Promise<void>;
}

const jobDone = (kind: string) => (e: ApiEvent) => (e.type === 'job.done' || e.type === 'job.error') && e.kind === kind;
const runEnded = (e: ApiEvent) => e.type === 'run.status' && ['completed', 'failed', 'cancelled'].includes(e.status);

function driver(phase: Phase, fixture: Fixture, db: string, slowMs: number): PhaseDriver {
  const waitJob = (kind: string) => (s: ServerProcess) => s.waitEvent(jobDone(kind)).then(() => {});
  const waitRun = (s: ServerProcess) => s.waitEvent(runEnded).then(() => {});
  switch (phase) {
    case 'import': {
      const params = { folder: fixture.corpusB };
      return { env: {}, method: 'datasets.import', params, direct: { phase, params }, finished: waitJob('import') };
    }
    case 'extract': {
      const params = { datasetId: 1, config: FEATURES };
      return { env: {}, method: 'features.extract', params, direct: { phase, params }, finished: waitJob('extract') };
    }
    case 'train': {
      const params = { config: trainConfig(4) };
      return { env: { SER_CACHE_DIR: fixture.trainCache }, method: 'runs.start', params, direct: { phase: 'train', params }, finished: waitRun };
    }
    case 'save': {
      // A slow disk under models/ (diskFaults.mjs): the save's writes, fsyncs and rename each take slowMs, so a kill
      // timed from the save's first write lands between its steps.
      const params = { config: trainConfig(1) };
      const env = {
        SER_CACHE_DIR: fixture.trainCache,
        NODE_OPTIONS: `--import ${DISK_FAULTS}`,
        SER_TEST_SLOW_MS: String(slowMs),
        SER_TEST_SLOW_UNDER: join(db, '..', 'models'),
      };
      return { env, method: 'runs.start', params, direct: { phase: 'train', params }, finished: waitRun };
    }
  }
}

/** Starts the server with the phase's work; resolves at the moment kills are timed from. */
async function begin(db: string, d: PhaseDriver, phase: Phase, drive: Drive): Promise<ServerProcess> {
  const server = await startServer(db, d.env, drive === 'direct' ? d.direct : undefined);
  try {
    await server.request(d.method, d.params);
    // The save phase is timed from the save's first write.
    if (phase === 'save') await server.waitLog('disk-faults: slow');
  } catch (err) {
    await server.close();
    throw err;
  }
  return server;
}

/** The window a save's kills are spread over: its ~9 slowed steps (3 files, 5 fsyncs, 1 rename) and the registration. */
export const saveWindowMs = (slowMs: number) => 12 * slowMs;

/** One kill: when it landed (ms after the phase began) and what it left. */
export interface KillResult {
  phase: Phase;
  index: number;
  scope: 'server' | 'group';
  delayMs: number;
  /** ms from spawning the server to having checked what it left. */
  totalMs: number;
  /** The work had ended (job done / run ended) before the kill. */
  finishedFirst: boolean;
  epochsSeen: number;
  inspection: Inspection;
  violations: string[];
}

/**
 * Runs one phase to the end without a kill: its duration (ms from where kills are timed from to the end: the window
 * kills are spread over) and what the finished work left (checked as after a kill, plus: the work was stored).
 */
export async function calibrate(
  fixture: Fixture,
  phase: Phase,
  drive: Drive = 'websocket',
  slowMs = 60,
): Promise<{ windowMs: number; violations: string[] }> {
  const db = copyTemplate(fixture, `calibrate-${phase}`);
  const d = driver(phase, fixture, db, slowMs);
  const server = await begin(db, d, phase, drive);
  let windowMs: number;
  try {
    const t0 = performance.now();
    await d.finished(server);
    windowMs = performance.now() - t0;
  } finally {
    await server.close();
  }
  const inspection = await inspect(db);
  const violations = [...inspection.violations];
  if ((phase === 'train' || phase === 'save') && (inspection.runs[0]?.status !== 'completed' || inspection.models.length !== 1))
    violations.push(`the run did not complete with its model: ${JSON.stringify(inspection.runs)} ${server.log()}`);
  if (phase === 'import' && inspection.datasets.length !== 2) violations.push(`the import did not store its dataset: ${server.log()}`);
  rmSync(join(db, '..'), { recursive: true, force: true });
  return { windowMs, violations };
}

/**
 * Starts the server on a fresh copy of the template, begins `phase`, SIGKILLs it `delayMs` later (even indices kill the
 * whole process group, workers included, odd ones the server alone: its workers see the IPC pipe close), and checks what it left.
 */
export async function killOnce(
  fixture: Fixture,
  phase: Phase,
  index: number,
  delayMs: number,
  drive: Drive = 'websocket',
  slowMs = 60,
): Promise<KillResult> {
  const t0 = performance.now();
  const db = copyTemplate(fixture, `${phase}-${index}`);
  const d = driver(phase, fixture, db, slowMs);
  const scope = index % 2 === 0 ? 'group' : 'server';
  const server = await begin(db, d, phase, drive);
  let finishedFirst = false;
  try {
    const ended = d.finished(server).then(
      () => (finishedFirst = true),
      () => {}, // killed first: its wait times out unheard
    );
    await Promise.race([sleep(delayMs), ended]);
    server.kill(scope);
  } finally {
    await server.gone();
  }
  const epochEvents = server.events.filter((e) => e.event.type === 'run.epoch');
  const epochsSeen = epochEvents.length;
  const inspection = await inspect(db);
  const violations = [...inspection.violations];

  // Dataset 1 (imported before the server started) keeps every file; the import phase's dataset is all there or absent.
  const a = inspection.datasets.find((x) => x.id === 1);
  if (a?.files !== 120) violations.push(`dataset 1 has ${a?.files ?? 'no'} files, not 120`);
  if (phase === 'import') {
    const b = inspection.datasets.filter((x) => x.id !== 1);
    if (b.length > 1 || (b.length === 1 && b[0].files !== 600)) violations.push(`partial import: ${JSON.stringify(b)}`);
    if (finishedFirst && b.length === 0) violations.push('an import reported done is missing');
  }
  // A run: every epoch the server announced (sent after it was stored) is still stored; a run that did not end is
  // marked interrupted, and a completed one has its model registered.
  for (const r of inspection.runs) {
    if (r.epochs < epochsSeen) violations.push(`run ${r.id}: ${epochsSeen} epochs were reported stored, ${r.epochs} are`);
    if (!finishedFirst && r.status !== 'interrupted' && r.status !== 'completed')
      violations.push(`run ${r.id} is ${r.status} (${r.error}), not interrupted`);
    if (r.status === 'completed' && !inspection.models.some((m) => m.runId === r.id)) violations.push(`completed run ${r.id} has no model`);
  }
  if ((phase === 'train' || phase === 'save') && inspection.runs.length !== 1) violations.push(`${inspection.runs.length} runs, not 1`);
  rmSync(join(db, '..'), { recursive: true, force: true });
  return { phase, index, scope, delayMs, totalMs: performance.now() - t0, finishedFirst, epochsSeen, inspection, violations };
}

/** `kills` kills of one phase at seeded random moments spread over [0, 1.1 × windowMs]. */
export async function killPhase(
  fixture: Fixture,
  phase: Phase,
  kills: number,
  windowMs: number,
  seed: number,
  opts: { drive?: Drive; slowMs?: number; onKill?: (r: KillResult) => void } = {},
): Promise<KillResult[]> {
  const random = mulberry32(seed);
  const results: KillResult[] = [];
  for (let i = 0; i < kills; i++) {
    const r = await killOnce(fixture, phase, i, Math.round(random() * windowMs * 1.1), opts.drive, opts.slowMs);
    opts.onKill?.(r);
    results.push(r);
  }
  return results;
}
