import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** SHA-1 of the bytes, hex (the content key for caches and re-import). */
export function sha1Hex(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

/** SHA-1 of a file's bytes, hex. */
export function hashFileSync(path: string): string {
  return sha1Hex(readFileSync(path));
}
