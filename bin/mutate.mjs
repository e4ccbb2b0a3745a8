#!/usr/bin/env node
// `npm run mutate [-- file…]`: Stryker over each research-core file (stryker.config.mjs) or each file named, one run
// per file (its own incremental state, reports and sandbox under reports/mutation/<file>/, which git ignores), then
// every file's score as a table. A mutant that survives must be listed, with why it is equivalent, in
// tests/mutation/<file name>.md as "- `path:line:column` MutatorName …: reason"; the table counts the unlisted ones.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESEARCH_CORE, mutationPaths } from '../stryker.config.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
// Stryker runs the tests in a sandbox copy under .stryker-tmp/, where ../shared is not beside the checkout.
process.env.SER_SHARED_DIR ??= resolve(root, '..', 'shared');

const files = process.argv.slice(2);
for (const file of files) {
  if (!existsSync(file)) {
    console.error(`npm run mutate: no such file: ${file}`);
    process.exit(2);
  }
}
// Every survivor judged equivalent, keyed path:line:column:mutator.
const listed = new Set();
for (const name of existsSync('tests/mutation') ? readdirSync('tests/mutation') : []) {
  if (!name.endsWith('.md')) continue;
  for (const m of readFileSync(join('tests/mutation', name), 'utf8').matchAll(/^- `([^`]+):(\d+):(\d+)` (\w+)/gm)) {
    listed.add(`${m[1]}:${m[2]}:${m[3]}:${m[4]}`);
  }
}
const started = Date.now();
const unlisted = [];
const rows = [];
for (const file of files.length ? files : RESEARCH_CORE) {
  const run = spawnSync('npx', ['stryker', 'run'], { stdio: 'inherit', env: { ...process.env, SER_MUTATE_FILE: file } });
  if (run.status !== 0) {
    console.error(`npm run mutate: Stryker failed on ${file} (exit ${run.status ?? run.signal})`);
    process.exit(run.status ?? 1);
  }
  const report = JSON.parse(readFileSync(`${mutationPaths(file).dir}/mutation.json`, 'utf8'));
  for (const [name, { mutants }] of Object.entries(report.files)) {
    const count = (...states) => mutants.filter((m) => states.includes(m.status)).length;
    const detected = count('Killed', 'Timeout');
    const survived = count('Survived', 'NoCoverage');
    const scored = detected + survived;
    const open = mutants.filter(
      (m) =>
        ['Survived', 'NoCoverage'].includes(m.status) && !listed.has(`${name}:${m.location.start.line}:${m.location.start.column}:${m.mutatorName}`),
    );
    for (const m of open)
      unlisted.push(`${name}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName} → ${JSON.stringify(m.replacement)}`);
    rows.push({ file: name, mutants: mutants.length, detected, survived, unlisted: open.length, score: scored ? (100 * detected) / scored : 100 });
  }
}
const width = Math.max(...rows.map((r) => r.file.length));
console.log(`\n${'file'.padEnd(width)}  mutants  killed  survived  unlisted  score`);
for (const r of rows) {
  console.log(
    `${r.file.padEnd(width)}  ${String(r.mutants).padStart(7)}  ${String(r.detected).padStart(6)}  ${String(r.survived).padStart(8)}  ${String(r.unlisted).padStart(8)}  ${r.score.toFixed(1).padStart(5)} %`,
  );
}
if (unlisted.length) console.log(`\nSurvivors not listed as equivalent in tests/mutation/*.md:\n  ${unlisted.join('\n  ')}`);
console.log(`\n${rows.length} file(s) in ${((Date.now() - started) / 60000).toFixed(1)} min`);
