// Whole-dataset extraction in worker processes: cache, per-file errors, cancellation, a worker dying mid-run.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashFileSync } from '../../src-main/core/audio/hash';
import { loadAudio } from '../../src-main/core/audio/load';
import { computeFeatures } from '../../src-main/core/features/compute';
import { FEATURE_PRESETS, parseFeatureConfig } from '../../src-shared/config/features';
import { featureConfigHash } from '../../src-main/core/features/configHash';
import { CancelledError } from '../../src-shared/api/errors';
import { extractDatasetFeatures } from '../../src-main/core/features/dataset';
import { childProcessLauncher, setWorkerLauncher, type WorkerHandle } from '../../src-main/core/processes';
import { openStore, type Store } from '../../src-main/core/store/db';
import { upsertDataset, upsertFiles, type NewFileRow } from '../../src-main/core/store/datasets';
import { RAVDESS_16K } from '../helpers/shared';

let dir: string;
let store: Store;
let datasetId: number;
let audioPaths: string[];
let brokenPath: string;

function row(path: string, relPath: string, contentHash: string | null): NewFileRow {
  return {
    path,
    relPath,
    label: 'neutral',
    originalLabel: '01',
    speaker: '07',
    gender: 'male',
    intensity: null,
    statement: null,
    corpus: 'ravdess',
    duration: null,
    sampleRate: 16000,
    channels: 1,
    contentHash,
    error: null,
  };
}

/** Records every worker the extraction starts, so a test can kill one or check they are gone. */
function trackWorkers(): WorkerHandle[] {
  const handles: WorkerHandle[] = [];
  setWorkerLauncher((name, env) => {
    const h = childProcessLauncher(name, env);
    handles.push(h);
    return h;
  });
  return handles;
}

function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ser-extract-'));
  store = openStore(join(dir, 'workbench.sqlite'));
  const actorDir = join(RAVDESS_16K, 'Actor_07');
  const names = readdirSync(actorDir).sort().slice(0, 11);
  audioPaths = names.map((n) => join(actorDir, n));
  // A file that was fine at import time and is garbage now.
  brokenPath = join(dir, 'broken.wav');
  writeFileSync(brokenPath, 'RIFF....WAVEthis is not audio');
  datasetId = upsertDataset(store.db, { name: 'extract-test', root: dir, corpus: 'ravdess', labelMap: {} });
  upsertFiles(store.db, datasetId, [
    // The last audio file has no hash in the DB: the worker hashes its bytes.
    ...audioPaths.map((p, i) => row(p, `a/${names[i]}`, i < audioPaths.length - 1 ? hashFileSync(p) : null)),
    row(brokenPath, 'b/broken.wav', 'ffffffffffffffffffffffffffffffffffffffff'),
  ]);
});

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => setWorkerLauncher(childProcessLauncher));

describe('extractDatasetFeatures', () => {
  const config = FEATURE_PRESETS['seed-logmel'];

  it('extracts in worker processes, names the broken file, then serves everything from the cache', async () => {
    const progress: number[] = [];
    const handles = trackWorkers();
    const cold = await extractDatasetFeatures({ store, datasetId, config, workers: 2, onProgress: (done) => progress.push(done) });
    expect(handles).toHaveLength(2);
    expect(cold.items).toHaveLength(audioPaths.length);
    expect(cold.cached).toBe(0);
    expect(cold.errors).toHaveLength(1);
    expect(cold.errors[0].file).toBe(brokenPath);
    expect(cold.errors[0].reason.length).toBeGreaterThan(5);
    expect(progress.at(-1)).toBe(audioPaths.length + 1);
    for (const item of cold.items) expect(item.shape).toEqual([64, 94]);

    // Same numbers as extracting in this process.
    const { samples } = await loadAudio(audioPaths[3], { sampleRate: 16000 });
    expect(cold.items[3].data).toEqual(computeFeatures(samples, 16000, config).data);

    // Binary entries beside the DB, one per audio file.
    const cacheRoot = join(dir, 'feature-cache', featureConfigHash(config));
    expect(existsSync(join(cacheRoot, 'config.json'))).toBe(true);
    const entries = readdirSync(cacheRoot, { recursive: true }).filter((f) => String(f).endsWith('.f32'));
    expect(entries).toHaveLength(audioPaths.length);

    const warm = await extractDatasetFeatures({ store, datasetId, config, workers: 2 });
    expect(warm.cached).toBe(audioPaths.length);
    expect(warm.errors).toEqual(cold.errors);
    warm.items.forEach((item, i) => {
      expect(item.fileId).toBe(cold.items[i].fileId);
      expect(item.data).toEqual(cold.items[i].data);
    });
  });

  it('the in-process path (workers: 0) gives the same result', async () => {
    const cacheDir = join(dir, 'cache-inproc');
    const r = await extractDatasetFeatures({ store, datasetId, config: FEATURE_PRESETS.mfcc40, workers: 0, cacheDir });
    expect(r.items).toHaveLength(audioPaths.length);
    expect(r.errors.map((e) => e.file)).toEqual([brokenPath]);
    const { samples } = await loadAudio(audioPaths[0], { sampleRate: 16000 });
    expect(r.items[0].data).toEqual(computeFeatures(samples, 16000, FEATURE_PRESETS.mfcc40).data);
  });

  it('cancels: rejects with a cancelled error and leaves no worker running', async () => {
    const handles = trackWorkers();
    const ctrl = new AbortController();
    const run = extractDatasetFeatures({
      store,
      datasetId,
      config: FEATURE_PRESETS.functionals,
      workers: 2,
      cacheDir: join(dir, 'cache-cancel'),
      signal: ctrl.signal,
      onProgress: (done) => {
        if (done === 1) ctrl.abort();
      },
    });
    await expect(run).rejects.toThrow(CancelledError);
    await expect(run).rejects.toThrow(/cancelled/);
    expect(handles.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    for (const h of handles) expect(isAlive(h.pid)).toBe(false);
  });

  it('a worker that dies fails only its in-flight files, naming them; the rest finish', async () => {
    const handles = trackWorkers();
    let killed = false;
    const cfg = parseFeatureConfig({ kind: 'mfcc', nMfcc: 20, length: { mode: 'fixed', seconds: 3 } });
    const r = await extractDatasetFeatures({
      store,
      datasetId,
      config: cfg,
      workers: 2,
      cacheDir: join(dir, 'cache-crash'),
      onProgress: (done) => {
        // Kill every worker started so far: the one that just delivered has files in flight again,
        // while a slow starter may still hold none (killing only one was a race under load).
        if (done >= 1 && !killed) {
          killed = true;
          for (const h of handles.slice()) h.kill();
        }
      },
    });
    const crashed = r.errors.filter((e) => /worker exited with code null \(signal SIGKILL\)/.test(e.reason));
    expect(crashed.length).toBeGreaterThanOrEqual(1);
    expect(crashed.length).toBeLessThanOrEqual(4); // two files in flight per worker at most
    for (const e of crashed) expect(audioPaths.concat(brokenPath)).toContain(e.file);
    expect(r.items.length + r.errors.length).toBe(audioPaths.length + 1);
    expect(r.items.length).toBeGreaterThanOrEqual(audioPaths.length - 4);
    expect(handles.length).toBeGreaterThanOrEqual(3); // replacements took over the queue
  });

  it('refuses a dataset that does not exist', async () => {
    await expect(extractDatasetFeatures({ store, datasetId: 9999, config })).rejects.toThrow(/Dataset 9999 does not exist/);
  });
});
