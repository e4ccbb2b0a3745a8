#!/usr/bin/env node
// `npm run mutate [-- file…]`: Stryker over the research core (stryker.config.mjs), or over the files named, then the
// score of each file as a table. Reports (HTML, JSON) go to reports/mutation/, which git ignores.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Stryker runs the tests in a sandbox copy under .stryker-tmp/, where ../shared is not beside the checkout.
process.env.SER_SHARED_DIR ??= resolve(root, '..', 'shared');

const files = process.argv.slice(2);
const args = ['stryker', 'run', ...(files.length ? ['--mutate', files.join(',')] : [])];
const run = spawnSync('npx', args, { stdio: 'inherit' });
if (run.status !== 0) process.exit(run.status ?? 1);

const report = JSON.parse(readFileSync('reports/mutation/mutation.json', 'utf8'));
const rows = Object.entries(report.files).map(([file, { mutants }]) => {
  const count = (...states) => mutants.filter((m) => states.includes(m.status)).length;
  const detected = count('Killed', 'Timeout');
  const survived = count('Survived', 'NoCoverage');
  const scored = detected + survived;
  return { file, mutants: mutants.length, detected, survived, score: scored ? (100 * detected) / scored : 100 };
});
const width = Math.max(...rows.map((r) => r.file.length));
console.log(`\n${'file'.padEnd(width)}  mutants  killed  survived  score`);
for (const r of rows) {
  console.log(
    `${r.file.padEnd(width)}  ${String(r.mutants).padStart(7)}  ${String(r.detected).padStart(6)}  ${String(r.survived).padStart(8)}  ${r.score.toFixed(1).padStart(5)} %`,
  );
}
