import { readFileSync } from 'node:fs';
import { AudioDecodeError } from '../../../src-shared/audio/decodeError';
import { decodeToMono } from './decode';
import { resample } from '../../../src-shared/audio/resample';

export { AudioDecodeError } from '../../../src-shared/audio/decodeError';

/** One channel of audio ready for feature extraction. */
export interface MonoAudio {
  samples: Float32Array;
  /** Hz, after resampling. */
  sampleRate: number;
  /** Hz, as stored in the file. */
  originalSampleRate: number;
  /** Channels in the file (before the downmix). */
  channels: number;
  /** Seconds. */
  duration: number;
  format: string;
}

/** Reads a file into memory; a missing or unreadable file becomes an AudioDecodeError naming it. */
export function readAudioBytes(path: string): Uint8Array {
  // Synchronous on purpose: fs.promises.readFile costs ~0.3 ms per small file against ~0.04 ms
  // for readFileSync, which matters when a worker decodes thousands of clips.
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, not a file' : `cannot read file (${code ?? String(err)})`;
    throw new AudioDecodeError(path, reason);
  }
}

/** Decodes a file, mixes it to mono (mean of channels) and resamples it to `sampleRate` Hz when given. */
export async function loadAudio(path: string, opts: { sampleRate?: number } = {}): Promise<MonoAudio> {
  const bytes = readAudioBytes(path);
  return decodeAudioBytes(bytes, path, opts);
}

/** loadAudio for bytes already in memory (uploads, recordings); `file` names them in errors. */
export async function decodeAudioBytes(bytes: Uint8Array, file: string, opts: { sampleRate?: number } = {}): Promise<MonoAudio> {
  const d = await decodeToMono(bytes, file);
  const target = opts.sampleRate ?? d.sampleRate;
  const samples = target === d.sampleRate ? d.samples : resample(d.samples, d.sampleRate, target);
  return {
    samples,
    sampleRate: target,
    originalSampleRate: d.sampleRate,
    channels: d.channels,
    duration: d.samples.length / d.sampleRate,
    format: d.format,
  };
}
