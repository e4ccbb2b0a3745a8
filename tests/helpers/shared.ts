import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (two levels above this file). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** ../shared beside the checkout: real recordings and librosa references. */
export const SHARED_DIR = process.env.SER_SHARED_DIR ?? resolve(REPO_ROOT, '..', 'shared');
export const DATA_DIR = resolve(SHARED_DIR, 'data');
export const REFERENCE_DIR = resolve(SHARED_DIR, 'reference');
export const RAVDESS_16K = resolve(DATA_DIR, 'ravdess-16k');
export const RAVDESS_48K = resolve(DATA_DIR, 'ravdess-48k');

if (!existsSync(DATA_DIR)) {
  throw new Error(`Shared test data not found at ${DATA_DIR}: clone the repository beside ../shared or set SER_SHARED_DIR.`);
}
