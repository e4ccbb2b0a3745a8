import { createHash } from 'node:crypto';
import { openFileSource, type ByteSource } from './byteSource';

/** Bytes hashed per read for a file not held in memory: large files are hashed without being held whole. */
const HASH_CHUNK_BYTES = 4 * 2 ** 20;

/** SHA-1 of the bytes, hex (the content key for caches and re-import). */
export function sha1Hex(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

/** SHA-1 of all of a source's bytes, hex; a large file is read in chunks, never whole. */
export function hashSource(source: ByteSource): string {
  if (source.whole) return sha1Hex(source.read(0, source.size));
  const hash = createHash('sha1');
  for (let at = 0; at < source.size; at += HASH_CHUNK_BYTES) hash.update(source.read(at, HASH_CHUNK_BYTES));
  return hash.digest('hex');
}

/** SHA-1 of a file's bytes, hex. */
export function hashFileSync(path: string): string {
  const source = openFileSource(path);
  try {
    return hashSource(source);
  } finally {
    source.close();
  }
}
