#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so `npx ser …` works straight after `npm install`, no build step.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const tsx = require.resolve('tsx');
const result = spawnSync(process.execPath, ['--import', tsx, join(root, 'src-main', 'cli', 'index.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(result.status ?? (result.signal ? 1 : 0));
