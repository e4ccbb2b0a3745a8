import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FeatureConfig } from '../../../src-shared/config/features';

// Cache entry: 16-byte header ('SERF', format version, rows, cols; little-endian u32) + float32 LE data.
const MAGIC = 0x46524553; // 'SERF' read as u32 LE
const FORMAT_VERSION = 1;
const HEADER_BYTES = 16;

/** A cached feature matrix: [rows, cols] row-major float32. */
export interface CachedMatrix {
  shape: [number, number];
  data: Float32Array;
}

/** Cache root: SER_CACHE_DIR, else `feature-cache` beside the DB file (a temp dir for in-memory DBs). */
export function defaultCacheDir(storePath: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.SER_CACHE_DIR) return env.SER_CACHE_DIR;
  if (storePath === ':memory:' || storePath === '') return join(tmpdir(), 'ser-feature-cache');
  return join(dirname(storePath), 'feature-cache');
}

/** File of one (audio content, feature config) pair: <dir>/<configHash>/<hash[0:2]>/<hash>.f32. */
export function cacheEntryPath(dir: string, configHash: string, contentHash: string): string {
  return join(dir, configHash, contentHash.slice(0, 2), `${contentHash}.f32`);
}

/** Writes the config (and a perturbed copy's speed) beside its entries so a cache folder can be identified by a person. */
export function writeCacheManifest(dir: string, configHash: string, config: FeatureConfig, speed = 1): void {
  const path = join(dir, configHash, 'config.json');
  if (existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(speed === 1 ? config : { ...config, speed }, null, 2)}\n`);
}

/** Writes an entry atomically (temp file + rename), so a killed worker never leaves a torn file behind. */
export function writeCacheEntry(path: string, m: CachedMatrix): void {
  const [rows, cols] = m.shape;
  if (rows * cols !== m.data.length) throw new Error(`cache: shape ${rows}x${cols} does not match ${m.data.length} values`);
  const buf = Buffer.alloc(HEADER_BYTES + m.data.length * 4);
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt32LE(FORMAT_VERSION, 4);
  buf.writeUInt32LE(rows, 8);
  buf.writeUInt32LE(cols, 12);
  Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength).copy(buf, HEADER_BYTES);
  mkdirSync(dirname(path), { recursive: true });
  // Not fsync'd: a torn or missing entry after a power cut fails readCacheEntry's size check and is recomputed.
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, buf);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true }); // a disk-full write must not leave its partial file taking the space
    throw err;
  }
}

/** Reads an entry; null when absent or unreadable (a damaged entry is recomputed, not trusted). */
export function readCacheEntry(path: string): CachedMatrix | null {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch {
    return null;
  }
  if (buf.length < HEADER_BYTES || buf.readUInt32LE(0) !== MAGIC || buf.readUInt32LE(4) !== FORMAT_VERSION) return null;
  const rows = buf.readUInt32LE(8);
  const cols = buf.readUInt32LE(12);
  if (buf.length !== HEADER_BYTES + rows * cols * 4) return null;
  // Copy into an aligned buffer: the bytes may sit at any offset in Node's buffer pool.
  const data = new Float32Array(rows * cols);
  Buffer.from(data.buffer).set(buf.subarray(HEADER_BYTES));
  return { shape: [rows, cols], data };
}
