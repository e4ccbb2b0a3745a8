import decodeAny from 'audio-decode';
import { AudioDecodeError } from '../../../src-shared/audio/decodeError';
import { decodeWavMono, isWav, parseWav } from '../../../src-shared/audio/wav';
import { errorMessage } from '../../../src-shared/api/errors';

/** Decoded audio, already mixed down to one channel, at the file's own rate. */
export interface DecodedMono {
  samples: Float32Array;
  /** Hz, as stored in the file. */
  sampleRate: number;
  /** Channels in the file (before the downmix). */
  channels: number;
  format: string;
}

/** What a file holds, without its samples. */
export interface AudioProbe {
  format: string;
  /** Hz. */
  sampleRate: number;
  channels: number;
  /** Samples per channel. */
  frames: number;
  /** Seconds. */
  duration: number;
}

/** Names the container from its first bytes (for messages and metadata; decoding sniffs on its own). */
export function sniffFormat(bytes: Uint8Array): string | null {
  const ascii = (at: number, n: number) => String.fromCharCode(...bytes.subarray(at, at + n));
  if (bytes.length < 4) return null;
  if (isWav(bytes)) return 'wav';
  if (ascii(0, 4) === 'fLaC') return 'flac';
  if (ascii(0, 4) === 'OggS') return bytes.length >= 36 && ascii(28, 8) === 'OpusHead' ? 'opus' : 'ogg';
  if (bytes.length >= 8 && ascii(4, 4) === 'ftyp') return 'm4a';
  if (ascii(0, 3) === 'ID3') return 'mp3';
  if (bytes[0] === 0xff && (bytes[1] & 0xf6) === 0xf0) return 'aac'; // ADTS sync, layer 00
  if (bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0) return 'mp3';
  if (ascii(0, 4) === 'FORM') return 'aiff';
  return null;
}

/** RIFF files, and unrecognisable files named .wav, go to the WAV parser so the reason names what is wrong with the header. */
function looksLikeWav(bytes: Uint8Array, file: string): boolean {
  if (isWav(bytes)) return true;
  const riff = bytes.length >= 4 && String.fromCharCode(...bytes.subarray(0, 4)) === 'RIFF';
  return riff || (/\.wave?$/i.test(file) && sniffFormat(bytes) === null);
}

function convertHint(file: string): string {
  return `convert it with: ffmpeg -i "${file}" -c:a pcm_s16le out.wav`;
}

/** Decodes any supported file (WAV/FLAC/MP3/OGG/Opus/M4A) to mono (mean of channels); throws AudioDecodeError naming `file`. */
export async function decodeToMono(bytes: Uint8Array, file: string): Promise<DecodedMono> {
  if (bytes.length === 0) throw new AudioDecodeError(file, 'empty file (0 bytes)');
  if (looksLikeWav(bytes, file)) {
    const info = parseWav(bytes, file);
    if (info.encoding !== 'other') {
      return { samples: decodeWavMono(bytes, info), sampleRate: info.sampleRate, channels: info.channels, format: 'wav' };
    }
  }
  return decodeWithLibrary(bytes, file);
}

/** Reads format, rate, channels and length, and checks the file will decode: WAV by its header and data size, other formats by decoding. */
export async function probeAudio(bytes: Uint8Array, file: string): Promise<AudioProbe> {
  if (bytes.length === 0) throw new AudioDecodeError(file, 'empty file (0 bytes)');
  if (looksLikeWav(bytes, file)) {
    const info = parseWav(bytes, file);
    if (info.encoding !== 'other') {
      const { sampleRate, channels, frames } = info;
      return { format: 'wav', sampleRate, channels, frames, duration: frames / sampleRate };
    }
  }
  const d = await decodeWithLibrary(bytes, file);
  return { format: d.format, sampleRate: d.sampleRate, channels: d.channels, frames: d.samples.length, duration: d.samples.length / d.sampleRate };
}

async function decodeWithLibrary(bytes: Uint8Array, file: string): Promise<DecodedMono> {
  const format = sniffFormat(bytes);
  if (!format) {
    throw new AudioDecodeError(file, 'not a recognised audio file (expected WAV, FLAC, MP3, OGG/Vorbis, Opus or M4A/AAC)');
  }
  let channelData: Float32Array[];
  let sampleRate: number;
  try {
    ({ channelData, sampleRate } = await decodeAny(bytes));
  } catch (err) {
    const why = errorMessage(err);
    throw new AudioDecodeError(file, `could not decode ${format.toUpperCase()} (${why}); ${convertHint(file)}`);
  }
  const frames = channelData.length ? channelData[0].length : 0;
  if (frames === 0 || !(sampleRate > 0)) {
    throw new AudioDecodeError(file, `zero-length audio (no ${format.toUpperCase()} frames decoded)`);
  }
  // The FLAC decoder scales by 1/(2^(b-1) - 1); libsndfile (hence librosa) and our WAV path use 1/2^(b-1).
  const flacBits = format === 'flac' ? flacBitsPerSample(bytes) : null;
  const gain = flacBits ? (2 ** (flacBits - 1) - 1) / 2 ** (flacBits - 1) : 1;
  const samples = new Float32Array(frames);
  for (const ch of channelData) for (let i = 0; i < frames; i++) samples[i] += ch[i];
  const scale = gain / channelData.length;
  if (scale !== 1) for (let i = 0; i < frames; i++) samples[i] *= scale;
  return { samples, sampleRate, channels: channelData.length, format };
}

/** Bits per sample from a native FLAC STREAMINFO block (null when the file does not start with one). */
function flacBitsPerSample(bytes: Uint8Array): number | null {
  if (bytes.length < 22 || String.fromCharCode(...bytes.subarray(0, 4)) !== 'fLaC' || (bytes[4] & 0x7f) !== 0) return null;
  return (((bytes[20] & 1) << 4) | (bytes[21] >> 4)) + 1;
}
