#!/usr/bin/env node
// Type-checks the shared layer (the language only: no Node, no DOM), the core/CLI/tests, the renderer (vue-tsc) and, when the electron package (its types)
// is installed, the Electron shell and preload.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const run = (cmd, args) => {
  process.stderr.write(`$ ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.shared.json']);
run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
run('npx', ['vue-tsc', '--noEmit', '-p', 'tsconfig.renderer.json']);
let electronTypes = false;
try {
  require.resolve('electron/electron.d.ts');
  electronTypes = true;
} catch {
  process.stderr.write(
    'typecheck: electron package not installed, Electron shell and preload not checked (set ELECTRON_SKIP_BINARY_DOWNLOAD=1 for npm install to get its types without the binary).\n',
  );
}
if (electronTypes) run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.electron.json']);
