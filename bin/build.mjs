#!/usr/bin/env node
// `npm run build`: the full Electron build when the electron package is installed, else the renderer alone
// (all browser mode needs; the core runs from TypeScript through tsx).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let electron = false;
try {
  require.resolve('electron/package.json');
  electron = true;
} catch {
  process.stderr.write('build: electron is not installed, building the renderer for browser mode only.\n');
}
const args = electron ? ['electron-vite', 'build'] : ['vite', 'build', '--config', 'vite.renderer.config.ts'];
const r = spawnSync('npx', args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
