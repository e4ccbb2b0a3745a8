#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so `npx ser …` works straight after `npm install`, no build step. In this same
// process, not a child: a signal sent to this pid (`kill`, a closed terminal) then reaches the CLI, which cancels.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'src-main', 'cli', 'index.ts');
// What `node --import tsx` does: TypeScript for every later import() and require().
await import('tsx');
process.argv[1] = cli;
await import(pathToFileURL(cli).href);
