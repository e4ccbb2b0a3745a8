// Issue 18, durability: the workbench's server process (tests/helpers/durabilityServer.ts: launch.ts's browser-mode
// server without the renderer build; here mostly in its direct mode, the same core calls without loading every API
// handler, for start-up time) is SIGKILLed at seeded random moments of an import, a feature extraction, a training run and a model
// save, and what it leaves is checked as the next start finds it (tests/helpers/durability.ts): integrity_check ok, no
// stored epoch or imported file lost, no partial dataset, interrupted runs marked, no half-written model folder on disk
// or registered. A full disk while saving a model fails the run with the reason and leaves nothing behind.
// Each kill starts a server (and a train worker) on this 2-core machine, several seconds apiece: the test kills
// SER_DURABILITY_KILLS times per phase (3 by default); `npm run bench -- durability` kills 20 times per phase.
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  calibrate,
  copyTemplate,
  DISK_FAULTS,
  inspect,
  killOnce,
  killPhase,
  PHASES,
  prepareFixture,
  saveWindowMs,
  startServer,
  trainConfig,
  type Fixture,
} from '../helpers/durability';
import { removeDir } from '../helpers/fixtures';
import { processAlive } from '../../src-main/core/store/db';
import { commitStagingDir, createStagingDir, modelSaveError, removeAbandonedSaves } from '../../src-main/core/store/modelFolders';

const KILLS = Number(process.env.SER_DURABILITY_KILLS ?? 3);
const SLOW_MS = 60;
let fixture: Fixture;
const mounts: string[] = [];

beforeAll(async () => {
  fixture = await prepareFixture();
});
afterAll(() => {
  for (const m of mounts) spawnSync('umount', [m]);
  if (fixture) removeDir(fixture.dir);
});

describe('durability: SIGKILL of the server', () => {
  PHASES.forEach((phase, p) => {
    it(`during ${phase === 'save' ? 'a model save' : phase}: ${KILLS} kills at seeded random moments leave a whole store`, async () => {
      // The save is slowed to SLOW_MS a step, so its window is known; the others are timed by one run left to finish
      // (which also checks what a finished run leaves).
      let windowMs = saveWindowMs(SLOW_MS);
      if (phase !== 'save') {
        const calibration = await calibrate(fixture, phase, 'direct');
        expect(calibration.violations).toEqual([]);
        windowMs = calibration.windowMs;
      }
      const results = await killPhase(fixture, phase, KILLS, windowMs, 1800 + p, { drive: 'direct', slowMs: SLOW_MS });
      const report = results.flatMap((r) => r.violations.map((v) => `kill ${r.index} at ${r.delayMs} ms (${r.scope}): ${v}`));
      expect(report).toEqual([]);
      // The kills landed inside the work, not after it.
      expect(results.filter((r) => !r.finishedFirst).length).toBeGreaterThan(0);
      if (phase === 'train' || phase === 'save')
        for (const r of results.filter((x) => !x.finishedFirst)) expect(r.inspection.runs[0].status).toBe('interrupted');
    }, 300_000);
  });

  it('over the WebSocket API too: a run killed right after runs.start (still queued, its worker loading) is marked interrupted', async () => {
    const r = await killOnce(fixture, 'train', 0, 0, 'websocket');
    expect(r.violations).toEqual([]);
    expect(r.inspection.runs.map((x) => [x.status, x.error])).toEqual([['interrupted', 'The workbench stopped before this run started.']]);
  }, 120_000);
});

/** A folder on a 8 KiB tmpfs when this machine lets the test mount one (root, outside a locked-down container). */
function smallTmpfs(dir: string): boolean {
  mkdirSync(dir);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8k', 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return false;
  mounts.push(dir);
  return true;
}

describe('durability: disk full while saving a model', () => {
  it('fails the run with "disk full while saving the model to <dir>", leaves no model folder and an intact database', async () => {
    const db = copyTemplate(fixture, 'disk-full');
    const root = join(db, '..');
    // Injected ENOSPC at the write (diskFaults.mjs, in the server and its worker) always; a real full tmpfs too where
    // mount is allowed.
    const injected = join(root, 'injected');
    mkdirSync(injected);
    const targets = [join(injected, 'model')];
    const tmpfs = join(root, 'tmpfs');
    if (smallTmpfs(tmpfs)) targets.push(join(tmpfs, 'model'));
    else console.warn('durability: cannot mount a tmpfs here; the disk-full case runs with the injected ENOSPC only');

    const server = await startServer(db, {
      SER_CACHE_DIR: fixture.trainCache,
      NODE_OPTIONS: `--import ${DISK_FAULTS}`,
      SER_TEST_DISK_FULL_UNDER: injected,
    });
    try {
      for (const outDir of targets) {
        const { runId } = (await server.request('runs.start', { config: trainConfig(1, { outDir }) })) as { runId: number };
        const ended = await server.waitEvent((e) => e.type === 'run.status' && e.runId === runId && e.status !== 'running');
        expect(ended).toMatchObject({ status: 'failed' });
        const watch = new Database(db, { readonly: true });
        const run = watch.prepare('SELECT status, error FROM runs WHERE id = ?').get(runId) as { status: string; error: string };
        watch.close();
        expect(run.status).toBe('failed');
        expect(run.error).toContain(`disk full while saving the model to ${outDir}: ENOSPC`);
        expect(run.error).toMatch(/free space \(or choose another output folder\) and run it again/);
        // Nothing of the model on disk: no folder, no staging folder.
        expect(existsSync(outDir)).toBe(false);
        expect(readdirSync(join(outDir, '..'))).toEqual([]);
      }
    } finally {
      await server.close();
    }
    const after = await inspect(db);
    expect(after.violations).toEqual([]);
    expect(after.integrity).toBe('ok');
    expect(after.models).toEqual([]);
    expect(after.runs.map((r) => r.status)).toEqual(targets.map(() => 'failed'));
    // The epoch finished before the save stays stored.
    for (const r of after.runs) expect(r.epochs).toBe(1);
  }, 180_000);
});

describe('model folders (store/modelFolders.ts)', () => {
  // Above pid_max (2^22 on Linux): no such process can exist.
  const DEAD = 4_194_305;

  it('a staged folder replaces an empty reserved folder and a folder saved before, leaving nothing hidden beside it', () => {
    const root = join(fixture.dir, 'folders-commit');
    const dir = join(root, 'run-1');
    mkdirSync(dir, { recursive: true });
    for (const content of ['first', 'second']) {
      const staging = createStagingDir(dir);
      writeFileSync(join(staging, 'meta.json'), content);
      commitStagingDir(staging, dir);
      expect(readFileSync(join(dir, 'meta.json'), 'utf8')).toBe(content);
      expect(readdirSync(root)).toEqual(['run-1']);
    }
  });

  it("removes dead processes' staging folders, puts a swapped-out model folder back, and leaves a live save alone", () => {
    const root = join(fixture.dir, 'folders-abandoned');
    mkdirSync(root);
    for (const name of [`.run-1.saving-${DEAD}`, `.run-2.replaced-${DEAD}`, `.run-3.saving-${process.ppid}`, 'run-4', `.run-4.replaced-${DEAD}`])
      mkdirSync(join(root, name));
    writeFileSync(join(root, `.run-2.replaced-${DEAD}`, 'meta.json'), '{}');
    expect(processAlive(process.ppid)).toBe(true);
    expect(removeAbandonedSaves(root, processAlive, 'run-9')).toEqual([]);
    expect(removeAbandonedSaves(root, processAlive).length).toBe(3);
    expect(readdirSync(root).sort()).toEqual([`.run-3.saving-${process.ppid}`, 'run-2', 'run-4']);
    expect(readdirSync(join(root, 'run-2'))).toEqual(['meta.json']);
  });

  it('says what the disk said, where, and what to do', () => {
    const err = (code: string) => Object.assign(new Error(`${code}: oops, write`), { code });
    expect(modelSaveError('/m/run-3', err('ENOSPC')).message).toBe(
      'disk full while saving the model to /m/run-3: ENOSPC: oops, write. Nothing was kept there; free space (or choose another output folder) and run it again.',
    );
    expect(modelSaveError('/m/run-3', err('EDQUOT')).message).toMatch(/^disk quota exceeded while saving the model to \/m\/run-3: /);
    expect(modelSaveError('/m/e', err('EIO'), 'the ensemble').message).toMatch(/^disk I\/O error while saving the ensemble to \/m\/e: /);
    expect(modelSaveError('/m/run-3', err('EACCES')).message).toBe('could not save the model to /m/run-3: EACCES: oops, write');
    const plain = new Error('not a file system error');
    expect(modelSaveError('/m/run-3', plain)).toBe(plain);
  });
});
