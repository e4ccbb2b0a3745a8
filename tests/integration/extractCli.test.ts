// `ser features` and `ser extract` end to end through bin/ser.mjs.
import { ser as run } from '../helpers/cli';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAudio } from '../../src-main/core/audio/load';
import { computeFeatures } from '../../src-main/core/features/compute';
import { parseFeatureConfig } from '../../src-shared/config/features';
import { openStore } from '../../src-main/core/store/db';
import { upsertDataset, upsertFiles } from '../../src-main/core/store/datasets';
import { RAVDESS_16K } from '../helpers/shared';

let dir: string;
let db: string;
const actorDir = join(RAVDESS_16K, 'Actor_09');
const files = readdirSync(actorDir).sort().slice(0, 6);
const wav = join(actorDir, files[0]);

const ser = (args: string[]) => run(args, { env: { SER_DB: db, SER_CACHE_DIR: '' }, timeout: 600_000 });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ser-extract-cli-'));
  db = join(dir, 'workbench.sqlite');
  const store = openStore(db);
  const id = upsertDataset(store.db, { name: 'cli', root: actorDir, corpus: 'ravdess', labelMap: {} });
  upsertFiles(
    store.db,
    id,
    files.map((f) => ({
      path: join(actorDir, f),
      relPath: f,
      label: 'neutral',
      originalLabel: '01',
      speaker: '09',
      gender: 'male' as const,
      intensity: null,
      statement: null,
      corpus: 'ravdess',
      duration: null,
      sampleRate: 16000,
      channels: 1,
      contentHash: null,
      error: null,
    })),
  );
  store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ser features', () => {
  it('prints {kind, shape, data, params} with the same numbers as the core', async () => {
    const r = ser(['features', wav, '--kind', 'mfcc', '--n-mfcc', '13', '--n-mels', '40', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { kind: string; shape: [number, number]; data: number[]; params: { nMfcc: number } };
    expect(out.kind).toBe('mfcc');
    const { samples } = await loadAudio(wav, { sampleRate: 16000 });
    const frames = 1 + Math.floor(samples.length / 512);
    expect(out.shape).toEqual([13, frames]);
    expect(out.data).toHaveLength(13 * frames);
    expect(out.params.nMfcc).toBe(13);
    const core = computeFeatures(
      samples,
      16000,
      parseFeatureConfig({ kind: 'mfcc', nMfcc: 13, nMels: 40, length: { mode: 'variable', maxSeconds: 600 } }),
    );
    expect(Float32Array.from(out.data)).toEqual(core.data);
  });

  it('names the dimensions of functionals', () => {
    const out = JSON.parse(ser(['features', wav, '--kind', 'functionals', '--json']).stdout) as { shape: number[]; names: string[]; data: number[] };
    expect(out.names).toHaveLength(out.shape[0]);
    expect(out.shape[1]).toBe(1);
    expect(out.data.every((v) => Number.isFinite(v))).toBe(true);
  });

  it('refuses an impossible config with a readable message and exit code 1', () => {
    const r = ser(['features', wav, '--fmax', '9000']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/fmax \(9000 Hz\) must not exceed half the sample rate/);
  });
});

describe('ser extract', () => {
  it('extracts a dataset, then reads it back from the cache', () => {
    const configFile = join(dir, 'cfg.json');
    writeFileSync(configFile, JSON.stringify({ preset: 'seed-logmel', nMels: 32 }));
    const cold = ser(['extract', '--dataset', '1', '--config', configFile, '--workers', '2', '--json']);
    expect(cold.code).toBe(0);
    const a = JSON.parse(cold.stdout) as {
      datasetId: number;
      files: number;
      cached: number;
      errors: unknown[];
      seconds: number;
      filesPerSecond: number;
      shape: number[];
    };
    expect(a).toMatchObject({ datasetId: 1, files: files.length, cached: 0, errors: [], shape: [32, 94] });
    expect(a.filesPerSecond).toBeGreaterThan(0);
    expect(cold.stderr).toMatch(/extract: 6\/6/); // progress goes to stderr
    const warm = JSON.parse(ser(['extract', '--dataset', '1', '--config', '{"preset":"seed-logmel","nMels":32}', '--json']).stdout) as {
      cached: number;
    };
    expect(warm.cached).toBe(files.length);
  });

  it('explains a bad --config', () => {
    const r = ser(['extract', '--dataset', '1', '--config', 'no-such-preset']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/neither a preset .*seed-logmel.* nor a readable JSON file/);
  });
});
