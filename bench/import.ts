// Import speed on the real RAVDESS folder: scan + name parsing + header check + SHA-1 + DB upsert.
// Usage: npm run bench -- import [folder]
import { join } from 'node:path';
import { importDataset } from '../src-main/core/datasets/import';
import { openStore } from '../src-main/core/store/db';

const folder = process.argv[2] ?? join(import.meta.dirname, '..', '..', 'shared', 'data', 'ravdess-16k');
const store = openStore(':memory:');
for (const pass of ['first import', 're-import']) {
  const t0 = performance.now();
  const r = await importDataset(store, { folder });
  const s = (performance.now() - t0) / 1000;
  console.log(`${pass}: ${r.files} files in ${s.toFixed(2)} s (${(r.files / s).toFixed(0)} files/s), ${r.errors.length} errors`);
}
store.close();
