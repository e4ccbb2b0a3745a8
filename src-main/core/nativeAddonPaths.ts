import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where a native addon (native/build/Release/<file>) may be: the path in `envVar`, then that folder above
 * this module (source tree or bundle, up to six levels), then under the cwd.
 */
export function addonCandidatePaths(file: string, envVar: string): string[] {
  const relative = join('native', 'build', 'Release', file);
  const paths: string[] = [];
  const override = process.env[envVar];
  if (override) paths.push(resolve(override));
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    paths.push(join(dir, relative));
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  paths.push(resolve(process.cwd(), relative));
  return [...new Set(paths)];
}
