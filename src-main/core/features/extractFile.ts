import { AudioDecodeError, decodeAudioSource } from '../audio/load';
import { openFileSource } from '../audio/byteSource';
import { hashSource } from '../audio/hash';
import { cacheEntryPath, readCacheEntry, writeCacheEntry } from './cache';
import { computeFeatures } from './compute';
import { samplesUsed } from './fitLength';
import { speedPerturb } from '../../../src-shared/audio/speedPerturbation';
import type { FeatureConfig } from '../../../src-shared/config/features';
import { errorMessage } from '../../../src-shared/api/errors';

/** One file to extract; contentHash (sha1 of the bytes) is computed from the bytes when the DB has none. */
export interface FileJob {
  fileId: number;
  path: string;
  contentHash?: string | null;
}

export interface FileResult {
  fileId: number;
  shape: [number, number];
  data: Float32Array;
  contentHash: string;
  /** true when read from the cache instead of computed */
  cached: boolean;
}

/** Where cache entries go for one config. */
export interface CacheTarget {
  dir: string;
  configHash: string;
  /** Speed perturbation applied after decoding (training copies; absent = the recording as it is). */
  speed?: number;
}

/** What went wrong with a file, without the path (the caller pairs it with the file). */
export function failureReason(err: unknown): string {
  if (err instanceof AudioDecodeError) return err.reason;
  return errorMessage(err);
}

/**
 * Decode (resampling to config.sampleRate) + features + cache write for one file; throws AudioDecodeError /
 * FeatureInputError. Only the part of the file the config reads is decoded (a fixed 3 s window reads 3 s of a
 * one-hour WAV); the cache key stays the hash of all the bytes, read in chunks when the file is large.
 */
export async function extractFile(job: FileJob, config: FeatureConfig, cache: CacheTarget): Promise<FileResult> {
  const source = openFileSource(job.path);
  try {
    const contentHash = job.contentHash || hashSource(source);
    const entry = cacheEntryPath(cache.dir, cache.configHash, contentHash);
    const hit = readCacheEntry(entry);
    if (hit) return { fileId: job.fileId, ...hit, contentHash, cached: true };
    // A perturbed copy decodes the whole file: a fixed window is taken after the speed change.
    const speed = cache.speed ?? 1;
    const keepSamples = speed === 1 ? samplesUsed(config) : null;
    const audio = await decodeAudioSource(source, job.path, { sampleRate: config.sampleRate, keepSamples });
    const samples = speedPerturb(audio.samples, audio.sampleRate, speed);
    const m = computeFeatures(samples, audio.sampleRate, config);
    writeCacheEntry(entry, m);
    return { fileId: job.fileId, shape: m.shape, data: m.data, contentHash, cached: false };
  } finally {
    source.close();
  }
}
