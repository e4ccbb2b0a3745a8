// Hostile and huge audio (issue 18): a folder of 300 damaged copies of one RAVDESS clip (header bytes flipped, sizes
// 0 / 1 / 2^32-1, rates of 1 Hz to 4,294,967,295 Hz, truncations, random bytes, an 11-minute file, a sparse 15-hour
// file, garbage named .flac/.mp3/.ogg) is imported, then seed-logmel (3 s at 16 kHz) is extracted through the worker
// pool for the files the import accepted, and once more in this process for every file, timing each one.
// Before the fix: 268 rejected / 32 accepted, 114 s to extract the 32 (0.3 files/s).
// Usage: npm run bench -- hostileAudio [--count N] [--workers N]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { importDataset } from '../src-main/core/datasets/import';
import { extractDatasetFeatures } from '../src-main/core/features/dataset';
import { extractFile, failureReason } from '../src-main/core/features/extractFile';
import { featureConfigHash } from '../src-main/core/features/configHash';
import { openStore } from '../src-main/core/store/db';
import { listFiles } from '../src-main/core/store/datasets';
import { FEATURE_PRESETS } from '../src-shared/config/features';
import { writeHostileCorpus } from '../tests/helpers/hostileAudio';

const args = process.argv.slice(2);
const flag = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const shared = process.env.SER_SHARED_DIR ?? resolve(import.meta.dirname, '..', '..', 'shared');
const clip = join(shared, 'data', 'ravdess-16k', 'Actor_01', '03-01-05-01-01-01-01.wav');
const config = FEATURE_PRESETS['seed-logmel'];

const dir = mkdtempSync(join(tmpdir(), 'ser-bench-hostile-'));
const folder = join(dir, 'corpus');
const cacheDir = join(dir, 'cache');
const store = openStore(join(dir, 'bench.sqlite'));
const seconds = (t0: number) => (performance.now() - t0) / 1000;
try {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(folder);
  const files = writeHostileCorpus(folder, new Uint8Array(readFileSync(clip)), { count: flag('--count', 300), long: true });

  // Import, with each file's time taken between progress calls.
  let last = performance.now();
  let importMax = 0;
  let importMaxFile = '';
  const t0 = performance.now();
  const imported = await importDataset(store, {
    folder,
    corpus: 'ravdess',
    onProgress: (_d, _t, file) => {
      const now = performance.now();
      if (now - last > importMax) [importMax, importMaxFile] = [now - last, file ?? ''];
      last = now;
    },
  });
  const importSeconds = seconds(t0);
  const accepted = files.length - imported.errors.length;
  const damage = new Map(files.map((f) => [f.name, f.damage]));
  console.log(
    `import: ${files.length} files in ${importSeconds.toFixed(2)} s (${(files.length / importSeconds).toFixed(0)} files/s): ` +
      `${accepted} accepted, ${imported.errors.length} rejected; slowest file ${importMax.toFixed(1)} ms (${importMaxFile}: ${damage.get(importMaxFile)})`,
  );

  // The product path: worker processes, cold cache, accepted files only.
  const workers = flag('--workers', 2);
  const t1 = performance.now();
  const extracted = await extractDatasetFeatures({ store, datasetId: imported.datasetId, config, cacheDir, workers });
  const extractSeconds = seconds(t1);
  console.log(
    `extract (seed-logmel, ${workers} workers, cold cache): ${extracted.items.length} files in ${extractSeconds.toFixed(2)} s ` +
      `(${(extracted.items.length / extractSeconds).toFixed(0)} files/s), ${extracted.errors.length} errors`,
  );

  // Every file of the folder, the rejected ones too, one by one in this process, timed (a fresh cache key per file).
  const rows = listFiles(store.db, imported.datasetId, { includeErrors: true });
  const cache = { dir: join(dir, 'cache-each'), configHash: featureConfigHash(config) };
  let each = 0;
  let eachMax = 0;
  let eachMaxFile = '';
  let ok = 0;
  for (const [i, row] of rows.entries()) {
    const t = performance.now();
    try {
      await extractFile({ fileId: row.id, path: row.path, contentHash: i.toString(16).padStart(40, '0') }, config, cache);
      ok++;
    } catch (err) {
      void failureReason(err);
    }
    const ms = performance.now() - t;
    each += ms;
    if (ms > eachMax) [eachMax, eachMaxFile] = [ms, row.relPath];
  }
  console.log(
    `extract every file in process: ${rows.length} files in ${(each / 1000).toFixed(2)} s (${((rows.length * 1000) / each).toFixed(0)} files/s), ` +
      `${ok} gave features; slowest file ${eachMax.toFixed(1)} ms (${eachMaxFile}: ${damage.get(eachMaxFile)})`,
  );
} finally {
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
