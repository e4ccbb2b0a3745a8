import decodeAny from 'audio-decode';
import { AudioDecodeError } from '../../../src-shared/audio/decodeError';
import { compressedSizeProblem, formatBytes, formatProblem, memoryProblem } from '../../../src-shared/audio/plausibility';
import { decodeWavMono, isWav, parseWav, WavHeaderBeyondPrefix, type WavInfo } from '../../../src-shared/audio/wav';
import { memorySource, type ByteSource } from './byteSource';
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

const NOT_AUDIO = 'not a recognised audio file (expected WAV, FLAC, MP3, OGG/Vorbis, Opus or M4A/AAC)';

function convertHint(file: string): string {
  return `convert it with: ffmpeg -i "${file}" -c:a pcm_s16le out.wav`;
}

/** Bytes read first: every ordinary WAV header fits; a longer one is read further as parseWav asks. */
const HEAD_BYTES = 64 * 1024;
/** Bytes: the furthest a WAV header may reach before its audio data (chunks before the data are skipped, not kept). */
const MAX_HEADER_BYTES = 16 * 2 ** 20;

/** A file opened for decoding: a PCM/float WAV by its header alone (samples not read yet), anything else decoded whole. */
export type OpenedAudio = { format: 'wav'; info: WavInfo } | { format: string; decoded: DecodedMono };

/** Parses a WAV header from the start of the source, reading further only while the header reaches past what was read. */
function readWavHeader(source: ByteSource, file: string, head: Uint8Array): WavInfo {
  let prefix = head;
  for (;;) {
    try {
      return parseWav(prefix, file, source.size);
    } catch (err) {
      if (!(err instanceof WavHeaderBeyondPrefix)) throw err;
      if (err.needed > MAX_HEADER_BYTES) {
        throw new AudioDecodeError(file, `the WAV chunks before the audio data run past ${formatBytes(MAX_HEADER_BYTES)} (a damaged header?)`);
      }
      prefix = source.read(0, Math.min(MAX_HEADER_BYTES, Math.max(err.needed, 2 * prefix.length)));
    }
  }
}

function assertPlausibleFormat(sampleRate: number, channels: number, file: string): void {
  const problem = formatProblem(sampleRate, channels);
  if (problem) throw new AudioDecodeError(file, problem);
}

/**
 * Opens any supported file (WAV/FLAC/MP3/OGG/Opus/M4A): a PCM/float WAV by its header, other formats by decoding them
 * whole (refused above MAX_COMPRESSED_FILE_BYTES). Throws AudioDecodeError naming `file` for a broken file, an
 * implausible rate or channel count (src-shared/audio/plausibility.ts), or one whose decode would exceed the memory limit.
 */
export async function openAudio(input: Uint8Array | ByteSource, file: string): Promise<OpenedAudio> {
  const source = input instanceof Uint8Array ? memorySource(input) : input;
  if (source.size === 0) throw new AudioDecodeError(file, 'empty file (0 bytes)');
  const head = source.read(0, HEAD_BYTES);
  if (looksLikeWav(head, file)) {
    const info = readWavHeader(source, file, head);
    assertPlausibleFormat(info.sampleRate, info.channels, file);
    if (info.encoding !== 'other') return { format: 'wav', info };
  }
  const format = sniffFormat(head);
  if (!format) throw new AudioDecodeError(file, NOT_AUDIO);
  const tooBig = compressedSizeProblem(source.size, format);
  if (tooBig) throw new AudioDecodeError(file, tooBig);
  const decoded = await decodeWithLibrary(source.read(0, source.size), file);
  return { format: decoded.format, decoded };
}

/** The first `frames` frames (all when fewer) of an opened WAV, mixed to mono; reads only their bytes. */
export function decodeWavFrames(source: ByteSource, info: WavInfo, frames: number, file: string): Float32Array {
  const n = Math.min(frames, info.frames);
  const bytes = source.read(info.dataOffset, n * info.blockAlign);
  if (bytes.length < n * info.blockAlign) throw new AudioDecodeError(file, 'the file got shorter while it was being read');
  return decodeWavMono(bytes, { ...info, dataOffset: 0, frames: n, dataBytes: n * info.blockAlign });
}

/** Reads format, rate, channels and length, and checks the file will decode: WAV by its header and data size, other formats by decoding. */
export async function probeAudio(input: Uint8Array | ByteSource, file: string): Promise<AudioProbe> {
  const opened = await openAudio(input, file);
  if ('info' in opened) {
    const { sampleRate, channels, frames } = opened.info;
    return { format: 'wav', sampleRate, channels, frames, duration: frames / sampleRate };
  }
  const d = opened.decoded;
  return { format: d.format, sampleRate: d.sampleRate, channels: d.channels, frames: d.samples.length, duration: d.samples.length / d.sampleRate };
}

async function decodeWithLibrary(bytes: Uint8Array, file: string): Promise<DecodedMono> {
  const format = sniffFormat(bytes);
  if (!format) throw new AudioDecodeError(file, NOT_AUDIO);
  let channelData: Float32Array[];
  let sampleRate: number;
  try {
    ({ channelData, sampleRate } = await decodeAny(bytes));
  } catch (err) {
    // The decoders' own messages are kept when they are words ("Unsupported WAV format: 0x55"); a JavaScript engine
    // error from inside one (RangeError "Offset is outside the bounds of the DataView") means the data ran out.
    const why = err instanceof RangeError || err instanceof TypeError ? 'its data is damaged or cut short' : errorMessage(err);
    throw new AudioDecodeError(file, `could not decode ${format.toUpperCase()} (${why}); ${convertHint(file)}`);
  }
  const frames = channelData.length ? channelData[0].length : 0;
  if (frames === 0 || !(sampleRate > 0)) {
    throw new AudioDecodeError(file, `zero-length audio (no ${format.toUpperCase()} frames decoded)`);
  }
  assertPlausibleFormat(sampleRate, channelData.length, file);
  // The decoder has allocated its channels already; the mono mix and what follows are refused past the limit.
  const tooMuch = memoryProblem((channelData.length + 1) * frames * 4, `${frames} frames x ${channelData.length} channels decoded`);
  if (tooMuch) throw new AudioDecodeError(file, tooMuch);
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
