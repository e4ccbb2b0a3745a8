import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadAudio } from '../audio/load';
import { projectRoot } from '../projectRoot';

// A microphone made of a sound file, through ALSA's `file` plugin (native/alsa/file-capture.conf):
// tests, benches and demos record through the real PortAudio path on machines with no sound card.

const ALSA_DIR = resolve(projectRoot(), 'native', 'alsa');
/** ALSA configuration whose default capture device plays SER_ALSA_INFILE. */
export const FILE_CAPTURE_CONFIG = join(ALSA_DIR, 'file-capture.conf');
/** ALSA configuration with a playback-only device: nothing to record from. */
export const NO_CAPTURE_CONFIG = join(ALSA_DIR, 'no-capture.conf');
/** The PCM name file-capture.conf defines (also reachable as "default"). */
export const FILE_DEVICE_NAME = 'ser_file_mic';

export interface FileDevice {
  /** Environment for the capture process: ALSA_CONFIG_PATH + SER_ALSA_INFILE. */
  env: Record<string, string>;
  /** The 16-bit samples the device delivers, in order (trailing silence included); past them it repeats stale buffers. */
  pcm: Int16Array;
  /** Hz the PCM was prepared at; record at this rate to get it back unchanged. */
  sampleRate: number;
  /** Path of the raw S16_LE file. */
  rawPath: string;
}

/** Float samples (-1..1) to 16-bit integers, rounding like encodeWav so a WAV round-trips bit-exactly. */
export function floatToPcm16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]));
    out[i] = Math.max(-32768, Math.min(32767, Math.round(v * 32768)));
  }
  return out;
}

/**
 * Prepares a file-backed capture device from an audio file (mono, resampled to `sampleRate` Hz when
 * given, followed by `trailingSilence` s of zeros); writes `<dir>/<name>.raw`.
 */
export async function prepareFileDevice(opts: {
  audioPath: string;
  dir: string;
  sampleRate?: number;
  trailingSilence?: number;
  name?: string;
}): Promise<FileDevice> {
  if (!existsSync(FILE_CAPTURE_CONFIG)) throw new Error(`ALSA file-capture configuration missing: ${FILE_CAPTURE_CONFIG}`);
  const audio = await loadAudio(opts.audioPath, { sampleRate: opts.sampleRate });
  const speech = floatToPcm16(audio.samples);
  const pcm = new Int16Array(speech.length + Math.round((opts.trailingSilence ?? 0) * audio.sampleRate));
  pcm.set(speech);
  const rawPath = join(opts.dir, `${opts.name ?? 'file-mic'}.raw`);
  // x86 and ARM are little-endian, which is what S16_LE asks for.
  await writeFile(rawPath, new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
  return { env: { ALSA_CONFIG_PATH: FILE_CAPTURE_CONFIG, SER_ALSA_INFILE: rawPath }, pcm, sampleRate: audio.sampleRate, rawPath };
}
