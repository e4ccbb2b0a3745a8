import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The workbench's own folder (where its package.json is). Found by walking up from this module, because the depth
 * differs between the source tree (src-main/core/) and the Electron bundle (out/main/chunks/).
 */
export function projectRoot(): string {
  if (cached) return cached;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'ser-workbench') return (cached = dir);
    if (dirname(dir) === dir) throw new Error(`the workbench's package.json was not found above ${start}`);
  }
}
