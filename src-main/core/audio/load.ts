import { AudioDecodeError } from '../../../src-shared/audio/decodeError';
import { memoryProblem } from '../../../src-shared/audio/plausibility';
import { inputSamplesFor, resample } from '../../../src-shared/audio/resample';
import { memorySource, openFileSource, type ByteSource } from './byteSource';
import { decodeWavFrames, openAudio } from './decode';

export { AudioDecodeError } from '../../../src-shared/audio/decodeError';

/** One channel of audio ready for feature extraction. */
export interface MonoAudio {
  /** At `sampleRate`; only the first `keepSamples` when those were asked for. */
  samples: Float32Array;
  /** Hz, after resampling. */
  sampleRate: number;
  /** Hz, as stored in the file. */
  originalSampleRate: number;
  /** Channels in the file (before the downmix). */
  channels: number;
  /** Seconds: the whole file's, also when only its start was decoded. */
  duration: number;
  format: string;
}

export interface LoadOptions {
  /** Hz to resample to; default the file's own rate. */
  sampleRate?: number;
  /**
   * Samples (at the output rate) the caller uses from the start of the file, e.g. a fixed 3 s window (see samplesUsed
   * in features/fitLength.ts). A WAV is then read and resampled only as far as those samples need, and they are bit
   * for bit what decoding the whole file would give. Omitted or null: the whole file.
   */
  keepSamples?: number | null;
}

/** Reads a whole file into memory; a missing or unreadable file becomes an AudioDecodeError naming it. */
export function readAudioBytes(path: string): Uint8Array {
  const source = openFileSource(path);
  try {
    return source.read(0, source.size);
  } finally {
    source.close();
  }
}

/** Decodes a file, mixes it to mono (mean of channels) and resamples it to `sampleRate` Hz when given. */
export async function loadAudio(path: string, opts: LoadOptions = {}): Promise<MonoAudio> {
  const source = openFileSource(path);
  try {
    return await decodeAudioSource(source, path, opts);
  } finally {
    source.close();
  }
}

/** loadAudio for bytes already in memory (uploads, recordings); `file` names them in errors. */
export async function decodeAudioBytes(bytes: Uint8Array, file: string, opts: LoadOptions = {}): Promise<MonoAudio> {
  return decodeAudioSource(memorySource(bytes), file, opts);
}

/**
 * loadAudio for an open source. Work and memory are bounded per file: a WAV is read only as far as keepSamples needs,
 * and a decode whose buffers would pass the memory limit (src-shared/audio/plausibility.ts) is refused before anything
 * is allocated, with an AudioDecodeError naming the file.
 */
export async function decodeAudioSource(source: ByteSource, file: string, opts: LoadOptions = {}): Promise<MonoAudio> {
  const opened = await openAudio(source, file);
  const rate = 'info' in opened ? opened.info.sampleRate : opened.decoded.sampleRate;
  const channels = 'info' in opened ? opened.info.channels : opened.decoded.channels;
  const totalFrames = 'info' in opened ? opened.info.frames : opened.decoded.samples.length;
  const target = opts.sampleRate ?? rate;
  const keep = opts.keepSamples ?? null;
  const frames = keep === null ? totalFrames : Math.min(totalFrames, inputSamplesFor(keep, rate, target));
  const resampled = target === rate ? 0 : Math.ceil((frames * target) / rate);
  if ('info' in opened) {
    const readBytes = source.whole ? 0 : frames * opened.info.blockAlign;
    const what = `${frames.toLocaleString('en-US')} frames x ${channels} channels at ${rate} Hz${resampled ? `, resampled to ${target} Hz` : ''}`;
    const tooMuch = memoryProblem(readBytes + 4 * (frames + resampled), what);
    if (tooMuch) throw new AudioDecodeError(file, tooMuch);
  } else {
    const tooMuch = memoryProblem(4 * (totalFrames + resampled), `${totalFrames} frames at ${rate} Hz resampled to ${target} Hz`);
    if (tooMuch) throw new AudioDecodeError(file, tooMuch);
  }
  const mono = 'info' in opened ? decodeWavFrames(source, opened.info, frames, file) : opened.decoded.samples.subarray(0, frames);
  let samples = target === rate ? mono : resample(mono, rate, target);
  if (keep !== null && samples.length > keep) samples = samples.subarray(0, keep);
  return { samples, sampleRate: target, originalSampleRate: rate, channels, duration: totalFrames / rate, format: opened.format };
}
