import { AudioDecodeError } from './decodeError';

// WAV is the hot path (every corpus ships it), so it is parsed here rather than through the
// generic decoder: one pass from bytes to mono float, no per-channel intermediate arrays.

/** The parts of a RIFF/WAVE header needed to read its samples. */
export interface WavInfo {
  /** 'pcm' and 'float' are read here; anything else (ADPCM, A-law...) goes to the generic decoder. */
  encoding: 'pcm' | 'float' | 'other';
  /** WAVE format code after resolving WAVE_FORMAT_EXTENSIBLE (1 PCM, 3 float, 6 A-law...). */
  formatCode: number;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Bytes per frame (all channels). */
  blockAlign: number;
  /** Byte offset of the first sample. */
  dataOffset: number;
  /** Length of the sample data in bytes (whole frames only). */
  dataBytes: number;
  /** Frames (samples per channel). */
  frames: number;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
const INV_2_15 = 2 ** -15;
const INV_2_23 = 2 ** -23;
const INV_2_31 = 2 ** -31;
/** Streaming writers put this in the data size when the length was unknown. */
const UNKNOWN_SIZE = 0xffffffff;

function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

/** True when the bytes start like a RIFF/WAVE file. */
export function isWav(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && fourcc(bytes, 0) === 'RIFF' && fourcc(bytes, 8) === 'WAVE';
}

/**
 * The header reaches past the bytes given to parseWav (a file read in part): read the file's first `needed` bytes and
 * parse again. Never reaches a user: it only travels from parseWav to the reader that gave it too few bytes.
 */
export class WavHeaderBeyondPrefix extends Error {
  override name = 'WavHeaderBeyondPrefix';
  constructor(readonly needed: number) {
    super(`the WAV header continues past the bytes read; read at least ${needed} bytes`);
  }
}

/**
 * Parses and validates a WAV header; throws AudioDecodeError (naming `file`) when the file is broken or truncated.
 * `bytes` may be only the start of a file of `fileSize` bytes (a huge file is not read whole): sizes are then checked
 * against fileSize, and WavHeaderBeyondPrefix asks for more when a chunk header lies past the bytes given.
 */
export function parseWav(bytes: Uint8Array, file = '<buffer>', fileSize = bytes.length): WavInfo {
  const fail = (reason: string): never => {
    throw new AudioDecodeError(file, reason);
  };
  const need = (end: number) => {
    if (end > bytes.length) throw new WavHeaderBeyondPrefix(end);
  };
  if (fileSize === 0) fail('empty file (0 bytes)');
  if (fileSize < 12) fail(`too short to be a WAV file (${fileSize} bytes)`);
  need(12);
  if (fourcc(bytes, 0) !== 'RIFF') fail(`not a WAV file (no RIFF header; starts with ${JSON.stringify(fourcc(bytes, 0))})`);
  if (fourcc(bytes, 8) !== 'WAVE') fail(`RIFF file is not WAVE (type '${fourcc(bytes, 8)}')`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  let fmt: Omit<WavInfo, 'dataOffset' | 'dataBytes' | 'frames'> | undefined;
  let offset = 12;
  while (offset + 8 <= fileSize) {
    need(offset + 8);
    const id = fourcc(bytes, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16) fail(`fmt chunk too short (${size} bytes)`);
      if (body + 16 > fileSize) fail('truncated inside the fmt chunk');
      need(body + 16);
      let formatCode = view.getUint16(body, true);
      const channels = view.getUint16(body + 2, true);
      const sampleRate = view.getUint32(body + 4, true);
      const blockAlign = view.getUint16(body + 12, true);
      const bitsPerSample = view.getUint16(body + 14, true);
      if (formatCode === WAVE_FORMAT_EXTENSIBLE) {
        // The real format code is the first two bytes of the SubFormat GUID at offset 24 of the chunk.
        if (size < 40 || body + 26 > fileSize) fail('WAVE_FORMAT_EXTENSIBLE fmt chunk too short');
        need(body + 26);
        formatCode = view.getUint16(body + 24, true);
      }
      if (channels === 0) fail('fmt chunk declares 0 channels');
      if (sampleRate === 0) fail('fmt chunk declares a sample rate of 0 Hz');
      if (blockAlign === 0) fail('fmt chunk declares a block size of 0 bytes');
      let encoding: WavInfo['encoding'] = 'other';
      if (formatCode === WAVE_FORMAT_PCM && [8, 16, 24, 32].includes(bitsPerSample)) encoding = 'pcm';
      else if (formatCode === WAVE_FORMAT_IEEE_FLOAT && (bitsPerSample === 32 || bitsPerSample === 64)) encoding = 'float';
      else if (formatCode === WAVE_FORMAT_PCM || formatCode === WAVE_FORMAT_IEEE_FLOAT) {
        fail(`unsupported sample size: ${bitsPerSample}-bit ${formatCode === 1 ? 'PCM' : 'float'}`);
      }
      if (encoding !== 'other' && blockAlign !== (channels * bitsPerSample) / 8) {
        fail(`inconsistent fmt chunk: block size ${blockAlign} bytes for ${channels} x ${bitsPerSample}-bit`);
      }
      fmt = { encoding, formatCode, sampleRate, channels, bitsPerSample, blockAlign };
    } else if (id === 'data') {
      if (!fmt) fail('data chunk comes before the fmt chunk');
      const f = fmt as NonNullable<typeof fmt>;
      const available = fileSize - body;
      let declared = size;
      if (size === UNKNOWN_SIZE) declared = available - (available % f.blockAlign);
      else if (size > available) {
        fail(`truncated: data chunk declares ${size} bytes but only ${available} are present`);
      }
      const frames = Math.floor(declared / f.blockAlign);
      if (frames === 0) fail('zero-length audio (data chunk holds no samples)');
      return { ...f, dataOffset: body, dataBytes: frames * f.blockAlign, frames };
    }
    // RIFF chunks are word-aligned: an odd-sized chunk is followed by one pad byte.
    offset = body + size + (size & 1);
  }
  if (!fmt) fail('no fmt chunk (not a valid WAV file)');
  return fail('no data chunk (truncated or not a valid WAV file)');
}

/** Decodes PCM/float WAV samples straight to mono (mean of channels), scaled like librosa (int / 2^(bits-1)). */
export function decodeWavMono(bytes: Uint8Array, info: WavInfo): Float32Array {
  const { channels, frames, dataOffset, bitsPerSample, encoding } = info;
  if (encoding === 'other') throw new Error(`decodeWavMono: WAV format code ${info.formatCode} is not PCM or float`);
  const out = new Float32Array(frames);
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataOffset, info.dataBytes);
  const n = frames * channels;

  // 16-bit mono is the common case; read it through an aligned Int16Array when possible.
  if (encoding === 'pcm' && bitsPerSample === 16) {
    const aligned = (bytes.byteOffset + dataOffset) % 2 === 0;
    const src = aligned
      ? new Int16Array(bytes.buffer, bytes.byteOffset + dataOffset, n)
      : new Int16Array(bytes.slice(dataOffset, dataOffset + n * 2).buffer);
    // Multiplying by 2^-15 is exact, so this equals int / 32768 bit for bit, and is cheaper than dividing.
    if (channels === 1) {
      for (let i = 0; i < frames; i++) out[i] = src[i] * INV_2_15;
      return out;
    }
    return meanOfChannels(out, channels, (k) => src[k] * INV_2_15);
  }
  let read: (k: number) => number;
  if (encoding === 'float') {
    read = bitsPerSample === 32 ? (k) => view.getFloat32(k * 4, true) : (k) => view.getFloat64(k * 8, true);
  } else if (bitsPerSample === 8) {
    read = (k) => (view.getUint8(k) - 128) / 128; // 8-bit WAV is unsigned
  } else if (bitsPerSample === 24) {
    read = (k) => {
      const b = k * 3;
      const v = view.getUint8(b) | (view.getUint8(b + 1) << 8) | (view.getInt8(b + 2) << 16);
      return v * INV_2_23;
    };
  } else {
    read = (k) => view.getInt32(k * 4, true) * INV_2_31;
  }
  if (channels === 1) {
    for (let i = 0; i < frames; i++) out[i] = read(i);
    return out;
  }
  return meanOfChannels(out, channels, read);
}

function meanOfChannels(out: Float32Array, channels: number, read: (k: number) => number): Float32Array {
  for (let i = 0, k = 0; i < out.length; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += read(k++);
    out[i] = sum / channels;
  }
  return out;
}

/** Encodes mono float samples (-1..1, clipped) as a 16-bit PCM WAV file. */
export function encodeWav(samples: Float32Array, sampleRate: number): Uint8Array {
  const dataBytes = samples.length * 2;
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, WAVE_FORMAT_PCM, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) {
    // Round to nearest, then clip to the int16 range (which is what clipping to -1..1 first would give, +1.0 included).
    view.setInt16(44 + i * 2, Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32768))), true);
  }
  return out;
}
