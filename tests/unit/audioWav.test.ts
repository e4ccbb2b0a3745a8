import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AudioDecodeError } from '../../src-shared/audio/decodeError';
import { decodeWavMono, encodeWav, isWav, parseWav } from '../../src-shared/audio/wav';
import { RAVDESS_16K, RAVDESS_48K, REFERENCE_DIR } from '../helpers/shared';

/** Builds a RIFF/WAVE file from raw chunks (id + body), padding odd bodies as RIFF requires. */
function riff(chunks: [string, Uint8Array][], opts: { pad?: boolean } = {}): Uint8Array {
  const padded = (n: number) => n + (n % 2 && opts.pad !== false ? 1 : 0);
  const out = new Uint8Array(12 + chunks.reduce((n, [, body]) => n + 8 + padded(body.length), 0));
  const view = new DataView(out.buffer);
  const ascii = (at: number, s: string) =>
    out.set(
      [...s].map((c) => c.charCodeAt(0)),
      at,
    );
  ascii(0, 'RIFF');
  view.setUint32(4, out.length - 8, true);
  ascii(8, 'WAVE');
  let at = 12;
  for (const [id, body] of chunks) {
    ascii(at, id);
    view.setUint32(at + 4, body.length, true);
    out.set(body, at + 8);
    at += 8 + padded(body.length);
  }
  return out;
}

function fmtChunk(format: number, channels: number, rate: number, bits: number, extensibleSubformat?: number): Uint8Array {
  const size = extensibleSubformat === undefined ? 16 : 40;
  const b = new DataView(new ArrayBuffer(size));
  b.setUint16(0, extensibleSubformat === undefined ? format : 0xfffe, true);
  b.setUint16(2, channels, true);
  b.setUint32(4, rate, true);
  b.setUint32(8, (rate * channels * bits) / 8, true);
  b.setUint16(12, (channels * bits) / 8, true);
  b.setUint16(14, bits, true);
  if (extensibleSubformat !== undefined) {
    b.setUint16(16, 22, true);
    b.setUint16(18, bits, true);
    b.setUint16(24, extensibleSubformat, true);
  }
  return new Uint8Array(b.buffer);
}

function int16Data(values: number[]): Uint8Array {
  return new Uint8Array(Int16Array.from(values).buffer);
}

describe('parseWav / decodeWavMono', () => {
  it('round-trips encodeWav within one 16-bit step', () => {
    const x = Float32Array.from({ length: 1000 }, (_, i) => 0.9 * Math.sin(i / 7));
    const bytes = encodeWav(x, 16000);
    const info = parseWav(bytes);
    expect(info).toMatchObject({ sampleRate: 16000, channels: 1, bitsPerSample: 16, frames: 1000, encoding: 'pcm' });
    const y = decodeWavMono(bytes, info);
    for (let i = 0; i < x.length; i++) expect(Math.abs(y[i] - x[i])).toBeLessThanOrEqual(0.5 / 32768 + 1e-9);
  });

  it('skips unknown chunks including odd-sized ones with their pad byte', () => {
    const bytes = riff([
      ['fmt ', fmtChunk(1, 1, 8000, 16)],
      ['LIST', Uint8Array.from([1, 2, 3, 4, 5])],
      ['data', int16Data([16384, -16384, 0])],
    ]);
    const info = parseWav(bytes);
    expect(info.frames).toBe(3);
    expect(Array.from(decodeWavMono(bytes, info))).toEqual([0.5, -0.5, 0]);
  });

  it('resolves WAVE_FORMAT_EXTENSIBLE to its sub-format', () => {
    const bytes = riff([
      ['fmt ', fmtChunk(0, 2, 48000, 16, 1)],
      ['data', int16Data([32767, -32768, 8192, 8192])],
    ]);
    const info = parseWav(bytes);
    expect(info).toMatchObject({ formatCode: 1, encoding: 'pcm', channels: 2, frames: 2 });
    const y = decodeWavMono(bytes, info);
    expect(y[0]).toBeCloseTo((32767 / 32768 - 1) / 2, 7);
    expect(y[1]).toBeCloseTo(0.25, 7);
  });

  it('reads to the end when a streaming writer left the data size unknown (0xFFFFFFFF)', () => {
    const bytes = riff([
      ['fmt ', fmtChunk(1, 1, 8000, 16)],
      ['data', int16Data([1, 2, 3, 4])],
    ]);
    new DataView(bytes.buffer).setUint32(bytes.length - 8 - 4, 0xffffffff, true);
    expect(parseWav(bytes).frames).toBe(4);
  });

  it('leaves compressed WAV encodings to the generic decoder', () => {
    const bytes = riff([
      ['fmt ', fmtChunk(6, 1, 8000, 8)],
      ['data', Uint8Array.from([1, 2, 3, 4])],
    ]);
    expect(parseWav(bytes).encoding).toBe('other');
  });

  it('rejects broken structure with a reason and the file name', () => {
    const cases: [Uint8Array, RegExp][] = [
      [
        riff([
          ['data', int16Data([1])],
          ['fmt ', fmtChunk(1, 1, 8000, 16)],
        ]),
        /data chunk comes before the fmt chunk/,
      ],
      [riff([['fmt ', fmtChunk(1, 1, 8000, 16)]]), /no data chunk/],
      [riff([['data', int16Data([1])]]), /data chunk comes before|no fmt chunk/],
      [
        riff([
          ['fmt ', fmtChunk(1, 0, 8000, 16)],
          ['data', int16Data([1])],
        ]),
        /0 channels/,
      ],
      [
        riff([
          ['fmt ', fmtChunk(1, 1, 0, 16)],
          ['data', int16Data([1])],
        ]),
        /0 Hz/,
      ],
      [
        riff([
          ['fmt ', fmtChunk(1, 1, 8000, 12)],
          ['data', int16Data([1])],
        ]),
        /unsupported sample size: 12-bit PCM/,
      ],
      [
        riff([
          ['fmt ', fmtChunk(1, 1, 8000, 16)],
          ['data', new Uint8Array(0)],
        ]),
        /zero-length/,
      ],
    ];
    for (const [bytes, reason] of cases) {
      let err: unknown;
      try {
        parseWav(bytes, 'x.wav');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AudioDecodeError);
      expect((err as AudioDecodeError).reason).toMatch(reason);
      expect((err as AudioDecodeError).file).toBe('x.wav');
    }
  });
});

/** The reason an AudioDecodeError carries, or a failure when parseWav does not throw one. */
function reasonOf(bytes: Uint8Array, file?: string): string {
  try {
    parseWav(bytes, file);
  } catch (e) {
    expect(e).toBeInstanceOf(AudioDecodeError);
    return (e as AudioDecodeError).reason;
  }
  throw new Error('parseWav accepted the file');
}

const ascii = (s: string) => Uint8Array.from([...s].map((c) => c.charCodeAt(0)));

/** A 16-byte fmt body with every field given (block size included), to build inconsistent headers. */
function rawFmt(format: number, channels: number, rate: number, blockAlign: number, bits: number): Uint8Array {
  const b = new DataView(new ArrayBuffer(16));
  b.setUint16(0, format, true);
  b.setUint16(2, channels, true);
  b.setUint32(4, rate, true);
  b.setUint32(8, rate * blockAlign, true);
  b.setUint16(12, blockAlign, true);
  b.setUint16(14, bits, true);
  return new Uint8Array(b.buffer);
}

describe('isWav', () => {
  it('recognises RIFF/WAVE by its first 12 bytes only', () => {
    expect(isWav(encodeWav(new Float32Array(1), 8000))).toBe(true);
    expect(isWav(Uint8Array.from([...ascii('RIFF'), 0, 0, 0, 0, ...ascii('WAVE')]))).toBe(true);
    expect(isWav(Uint8Array.from([...ascii('RIFF'), 0, 0, 0, 0, ...ascii('WAV')]))).toBe(false);
    expect(isWav(Uint8Array.from([...ascii('RIFX'), 0, 0, 0, 0, ...ascii('WAVE')]))).toBe(false);
    expect(isWav(Uint8Array.from([...ascii('RIFF'), 0, 0, 0, 0, ...ascii('AVI ')]))).toBe(false);
    expect(isWav(ascii('OggS\0\0\0\0\0\0\0\0\0\0'))).toBe(false);
    expect(isWav(new Uint8Array(0))).toBe(false);
  });
});

describe('parseWav errors name the cause', () => {
  const fmt16 = fmtChunk(1, 1, 8000, 16);
  const oneSample = int16Data([1]);

  it('for files that are not WAV at all', () => {
    expect(reasonOf(new Uint8Array(0))).toBe('empty file (0 bytes)');
    expect(reasonOf(ascii('RIFF\0\0\0\0WAV'))).toBe('too short to be a WAV file (11 bytes)');
    expect(reasonOf(ascii('OggS\0\0\0\0\0\0\0\0'))).toBe('not a WAV file (no RIFF header; starts with "OggS")');
    expect(reasonOf(ascii('RIFF\0\0\0\0AVI '))).toBe("RIFF file is not WAVE (type 'AVI ')");
  });

  it('names the file, <buffer> when none is given', () => {
    const err = (file?: string) => {
      try {
        parseWav(new Uint8Array(0), file);
      } catch (e) {
        return e as AudioDecodeError;
      }
      throw new Error('no error');
    };
    expect(err().file).toBe('<buffer>');
    expect(err().message).toBe('<buffer>: empty file (0 bytes)');
    expect(err('clip.wav').message).toBe('clip.wav: empty file (0 bytes)');
  });

  it('for missing, misplaced or truncated chunks', () => {
    // A bare 12-byte RIFF/WAVE header is a WAV with nothing in it.
    expect(reasonOf(ascii('RIFF\x04\0\0\0WAVE'))).toBe('no fmt chunk (not a valid WAV file)');
    expect(reasonOf(riff([['LIST', ascii('INFO')]]))).toBe('no fmt chunk (not a valid WAV file)');
    expect(reasonOf(riff([['fmt ', fmt16]]))).toBe('no data chunk (truncated or not a valid WAV file)');
    // Fewer than 8 trailing bytes cannot hold a chunk header: ignored, so the data chunk is still missing.
    expect(reasonOf(Uint8Array.from([...riff([['fmt ', fmt16]]), 1, 2, 3, 4, 5, 6, 7]))).toBe('no data chunk (truncated or not a valid WAV file)');
    expect(
      reasonOf(
        riff([
          ['data', oneSample],
          ['fmt ', fmt16],
        ]),
      ),
    ).toBe('data chunk comes before the fmt chunk');
    const full = riff([
      ['fmt ', fmt16],
      ['data', int16Data([1, 2, 3, 4])],
    ]);
    expect(reasonOf(full.subarray(0, full.length - 1))).toBe('truncated: data chunk declares 8 bytes but only 7 are present');
    expect(reasonOf(full.subarray(0, 12 + 8 + 15))).toBe('truncated inside the fmt chunk');
    // A data chunk header with no room for samples: zero-length, not 'no data chunk'.
    expect(reasonOf(full.subarray(0, 12 + 8 + 16 + 8))).toBe('truncated: data chunk declares 8 bytes but only 0 are present');
  });

  it('for broken fmt chunks', () => {
    expect(reasonOf(riff([['fmt ', fmt16.subarray(0, 14)]]))).toBe('fmt chunk too short (14 bytes)');
    expect(reasonOf(riff([['fmt ', rawFmt(1, 0, 8000, 2, 16)]]))).toBe('fmt chunk declares 0 channels');
    expect(reasonOf(riff([['fmt ', rawFmt(1, 1, 0, 2, 16)]]))).toBe('fmt chunk declares a sample rate of 0 Hz');
    expect(reasonOf(riff([['fmt ', rawFmt(6, 1, 8000, 0, 8)]]))).toBe('fmt chunk declares a block size of 0 bytes');
    expect(reasonOf(riff([['fmt ', rawFmt(1, 1, 8000, 4, 16)]]))).toBe('inconsistent fmt chunk: block size 4 bytes for 1 x 16-bit');
    expect(reasonOf(riff([['fmt ', rawFmt(3, 2, 8000, 4, 32)]]))).toBe('inconsistent fmt chunk: block size 4 bytes for 2 x 32-bit');
    expect(reasonOf(riff([['fmt ', rawFmt(1, 1, 8000, 2, 12)]]))).toBe('unsupported sample size: 12-bit PCM');
    expect(reasonOf(riff([['fmt ', rawFmt(1, 1, 8000, 5, 40)]]))).toBe('unsupported sample size: 40-bit PCM');
    expect(reasonOf(riff([['fmt ', rawFmt(1, 1, 8000, 8, 64)]]))).toBe('unsupported sample size: 64-bit PCM');
    expect(reasonOf(riff([['fmt ', rawFmt(3, 1, 8000, 2, 16)]]))).toBe('unsupported sample size: 16-bit float');
    expect(reasonOf(riff([['fmt ', rawFmt(3, 1, 8000, 3, 24)]]))).toBe('unsupported sample size: 24-bit float');
    // WAVE_FORMAT_EXTENSIBLE needs its 40-byte form to say what the samples are.
    const shortExtensible = new Uint8Array(18);
    shortExtensible.set(rawFmt(0xfffe, 1, 8000, 2, 16));
    expect(reasonOf(riff([['fmt ', shortExtensible]]))).toBe('WAVE_FORMAT_EXTENSIBLE fmt chunk too short');
    expect(reasonOf(riff([['fmt ', fmtChunk(0, 1, 8000, 16, 1).subarray(0, 39)]]))).toBe('WAVE_FORMAT_EXTENSIBLE fmt chunk too short');
    const ext = riff([['fmt ', fmtChunk(0, 1, 8000, 16, 1)]]);
    expect(reasonOf(ext.subarray(0, 12 + 8 + 25))).toBe('WAVE_FORMAT_EXTENSIBLE fmt chunk too short');
    // Cut right after the sub-format code: the header is readable, the samples are what is missing.
    expect(reasonOf(ext.subarray(0, 12 + 8 + 26))).toBe('no data chunk (truncated or not a valid WAV file)');
    expect(reasonOf(ext.subarray(0, 12 + 8 + 16))).toBe('WAVE_FORMAT_EXTENSIBLE fmt chunk too short');
  });

  it('for a data chunk without a single whole frame', () => {
    const stereo = fmtChunk(1, 2, 8000, 16);
    expect(
      reasonOf(
        riff([
          ['fmt ', stereo],
          ['data', new Uint8Array(3)],
        ]),
      ),
    ).toBe('zero-length audio (data chunk holds no samples)');
    expect(
      reasonOf(
        riff([
          ['fmt ', fmt16],
          ['data', new Uint8Array(0)],
        ]),
      ),
    ).toBe('zero-length audio (data chunk holds no samples)');
  });
});

describe('parseWav layout', () => {
  it('accepts a minimal file whose fmt chunk ends exactly at a chunk header', () => {
    const bytes = riff([
      ['fmt ', fmtChunk(1, 1, 8000, 16)],
      ['data', int16Data([-32768])],
    ]);
    expect(parseWav(bytes)).toEqual({
      encoding: 'pcm',
      formatCode: 1,
      sampleRate: 8000,
      channels: 1,
      bitsPerSample: 16,
      blockAlign: 2,
      dataOffset: 44,
      dataBytes: 2,
      frames: 1,
    });
  });

  it('skips odd-sized chunks and their pad byte, and LIST chunks, before fmt and before data', () => {
    const bytes = riff([
      ['junk', Uint8Array.from([9])],
      ['fmt ', fmtChunk(1, 1, 8000, 8)],
      ['LIST', Uint8Array.from([...ascii('INFOIART'), 3, 0, 0, 0, 65, 66, 0])],
      ['data', Uint8Array.from([0, 128, 255])],
    ]);
    const info = parseWav(bytes);
    expect(info).toMatchObject({ encoding: 'pcm', bitsPerSample: 8, dataOffset: 12 + 10 + 24 + 24 + 8, frames: 3, dataBytes: 3 });
    expect(Array.from(decodeWavMono(bytes, info))).toEqual([-1, 0, 127 / 128]);
  });

  it('counts whole frames only when the data size is not a multiple of the block size', () => {
    const bytes = riff([
      ['fmt ', fmtChunk(1, 2, 8000, 16)],
      ['data', int16Data([100, 300, -32768, 0, 7])],
    ]);
    const info = parseWav(bytes);
    expect(info).toMatchObject({ frames: 2, dataBytes: 8 });
    expect(Array.from(decodeWavMono(bytes, info))).toEqual([200 / 32768, -0.5]);
  });

  it('uses the declared data size, not the bytes that follow (trailing chunks)', () => {
    const bytes = riff([
      ['fmt ', fmtChunk(1, 1, 8000, 16)],
      ['data', int16Data([1, 2, 3])],
      ['LIST', ascii('INFOjunk')],
    ]);
    expect(parseWav(bytes)).toMatchObject({ frames: 3, dataBytes: 6 });
    expect(Array.from(decodeWavMono(bytes, parseWav(bytes)))).toEqual([1 / 32768, 2 / 32768, 3 / 32768]);
  });

  it('with an unknown (0xFFFFFFFF) data size, reads the whole frames present', () => {
    const bytes = riff([
      ['fmt ', fmtChunk(1, 2, 8000, 16)],
      ['data', int16Data([16384, 16384, -16384, 0, 5])],
    ]);
    new DataView(bytes.buffer).setUint32(12 + 24 + 4, 0xffffffff, true);
    // The odd-length body got a pad byte: 11 bytes, 2 whole 4-byte frames.
    const info = parseWav(bytes);
    expect(info).toMatchObject({ frames: 2, dataBytes: 8 });
    expect(Array.from(decodeWavMono(bytes, info))).toEqual([0.5, -0.25]);
  });

  it('leaves other encodings undecoded, whatever their block size, and says so if asked to decode them', () => {
    const bytes = riff([
      ['fmt ', rawFmt(0x11, 1, 8000, 256, 4)],
      ['data', new Uint8Array(512)],
    ]);
    const info = parseWav(bytes);
    expect(info).toMatchObject({ encoding: 'other', formatCode: 0x11, blockAlign: 256, frames: 2 });
    expect(() => decodeWavMono(bytes, info)).toThrow('decodeWavMono: WAV format code 17 is not PCM or float');
    const ext = riff([
      ['fmt ', fmtChunk(0, 1, 8000, 8, 6)],
      ['data', new Uint8Array(4)],
    ]);
    expect(parseWav(ext)).toMatchObject({ encoding: 'other', formatCode: 6 });
    // Sample sizes that PCM and float use do not make another encoding readable.
    for (const bits of [16, 32, 64]) {
      const other = riff([
        ['fmt ', fmtChunk(7, 1, 8000, bits)],
        ['data', new Uint8Array(bits / 8)],
      ]);
      expect(parseWav(other).encoding, `${bits}-bit`).toBe('other');
    }
  });
});

/** A WAV file with the given fmt fields and raw sample bytes. */
function wavOf(format: number, channels: number, bits: number, data: Uint8Array, extensible = false): Uint8Array {
  return riff([
    ['fmt ', extensible ? fmtChunk(0, channels, 16000, bits, format) : fmtChunk(format, channels, 16000, bits)],
    ['data', data],
  ]);
}

function decode(bytes: Uint8Array): number[] {
  return Array.from(decodeWavMono(bytes, parseWav(bytes)));
}

describe('decodeWavMono sample formats (known byte patterns)', () => {
  it('8-bit is unsigned with 128 as zero', () => {
    expect(decode(wavOf(1, 1, 8, Uint8Array.from([0, 1, 127, 128, 129, 255])))).toEqual([-1, -127 / 128, -1 / 128, 0, 1 / 128, 127 / 128]);
  });

  it('16-bit is signed little-endian over 32768', () => {
    expect(decode(wavOf(1, 1, 16, Uint8Array.from([0x00, 0x80, 0xff, 0x7f, 0x01, 0x00, 0xff, 0xff, 0x00, 0x40])))).toEqual([
      -1,
      32767 / 32768,
      1 / 32768,
      -1 / 32768,
      0.5,
    ]);
  });

  it('24-bit is signed little-endian over 2^23, sign taken from the top byte', () => {
    const bytes = Uint8Array.from([
      0x00, 0x00, 0x80, 0xff, 0xff, 0x7f, 0x01, 0x00, 0x00, 0xff, 0xff, 0xff, 0x00, 0x00, 0x40, 0x56, 0x34, 0x12, 0x00, 0x80, 0xff,
    ]);
    // Float32 output: values are rounded to 24 significant bits, which 24-bit integers fit exactly.
    expect(decode(wavOf(1, 1, 24, bytes))).toEqual([-1, 8388607 / 8388608, 2 ** -23, -(2 ** -23), 0.5, 0x123456 / 2 ** 23, -32768 / 2 ** 23]);
  });

  it('32-bit int is signed little-endian over 2^31', () => {
    const bytes = Uint8Array.from([0, 0, 0, 0x80, 0, 0, 0, 0x40, 0, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0, 0, 0, 0xc0]);
    expect(decode(wavOf(1, 1, 32, bytes))).toEqual([-1, 0.5, 2 ** -23, -(2 ** -23), -0.5]);
  });

  it('32-bit and 64-bit float are read as they are, outside -1..1 too', () => {
    const f32 = Float32Array.from([0.25, -1.5, 3, -0.125]);
    expect(decode(wavOf(3, 1, 32, new Uint8Array(f32.buffer)))).toEqual([0.25, -1.5, 3, -0.125]);
    const f64 = Float64Array.from([0.1, -2, 1e-3]);
    expect(decode(wavOf(3, 1, 64, new Uint8Array(f64.buffer)))).toEqual([Math.fround(0.1), -2, Math.fround(1e-3)]);
  });

  it('WAVE_FORMAT_EXTENSIBLE carries PCM or float as its sub-format', () => {
    expect(decode(wavOf(1, 1, 24, Uint8Array.from([0, 0, 0x40, 0, 0, 0xc0]), true))).toEqual([0.5, -0.5]);
    expect(decode(wavOf(3, 1, 32, new Uint8Array(Float32Array.from([0.75, -0.25]).buffer), true))).toEqual([0.75, -0.25]);
  });

  it('mixes several channels to their mean, in every sample format', () => {
    // Frames (l, r, c): (1, 0.5, 0), (-0.5, -0.5, -0.5), (0.25, 0, 0.5) in each format's units.
    const frames = [1, 0.5, 0, -0.5, -0.5, -0.5, 0.25, 0, 0.5].map((v) => Math.min(v, 1 - 2 ** -7));
    const want = [0, 1, 2].map((i) => (frames[3 * i] + frames[3 * i + 1] + frames[3 * i + 2]) / 3);
    const enc: [number, number, (v: number) => number[]][] = [
      [1, 8, (v) => [v * 128 + 128]],
      [1, 16, (v) => [...new Uint8Array(Int16Array.of(v * 32768).buffer)]],
      [1, 24, (v) => [...new Uint8Array(Int32Array.of(v * 2 ** 23).buffer)].slice(0, 3)],
      [1, 32, (v) => [...new Uint8Array(Int32Array.of(v * 2 ** 31).buffer)]],
      [3, 32, (v) => [...new Uint8Array(Float32Array.of(v).buffer)]],
      [3, 64, (v) => [...new Uint8Array(Float64Array.of(v).buffer)]],
    ];
    for (const [format, bits, bytesOf] of enc) {
      const y = decode(wavOf(format, 3, bits, Uint8Array.from(frames.flatMap(bytesOf))));
      expect(y.length, `${format}/${bits}`).toBe(3);
      for (let i = 0; i < 3; i++) expect(y[i], `${format}/${bits} frame ${i}`).toBeCloseTo(want[i], 7);
    }
    // Stereo 16-bit (the hot path): exact halves.
    expect(decode(wavOf(1, 2, 16, int16Data([1000, 3000, -32768, 32767, 5, -5])))).toEqual([2000 / 32768, -1 / 65536, 0]);
  });

  it('reads 16-bit data at any byte alignment within a larger buffer', () => {
    const file = wavOf(1, 2, 16, int16Data([100, 300, -200, -400, 32767, 32767]));
    for (const pad of [0, 1, 2, 3]) {
      const host = new Uint8Array(pad + file.length + 5);
      host.set(file, pad);
      const bytes = host.subarray(pad, pad + file.length);
      expect(decode(bytes), `offset ${pad}`).toEqual([200 / 32768, -300 / 32768, 32767 / 32768]);
      const mono = wavOf(1, 1, 16, int16Data([-7, 9, 32767]));
      host.set(mono, pad);
      expect(decode(host.subarray(pad, pad + mono.length)), `mono offset ${pad}`).toEqual([-7 / 32768, 9 / 32768, 32767 / 32768]);
    }
    // Other formats too (read through a DataView over the data chunk).
    const f24 = wavOf(1, 1, 24, Uint8Array.from([0, 0, 0x40, 0, 0, 0xc0]));
    const host = new Uint8Array(f24.length + 3);
    host.set(f24, 3);
    expect(decode(host.subarray(3))).toEqual([0.5, -0.5]);
  });
});

describe('decodeWavMono on real recordings (RAVDESS)', () => {
  const load = (path: string) => new Uint8Array(readFileSync(path));
  const reference = (name: string) =>
    JSON.parse(readFileSync(join(REFERENCE_DIR, `${name}.json`), 'utf8')) as {
      sample_rate: number;
      channels: number;
      num_samples: number;
      mono_sum: number;
      mono_first_1000: { data: number[] };
    };

  it('matches librosa on the 48 kHz stereo original (extra chunks before and after the data)', () => {
    const bytes = load(join(RAVDESS_48K, 'Actor_01', '03-01-08-01-02-02-01.wav'));
    const ref = reference('data__ravdess-48k__Actor_01__03-01-08-01-02-02-01');
    const info = parseWav(bytes, 'x.wav');
    expect(info).toMatchObject({ sampleRate: ref.sample_rate, channels: ref.channels, frames: ref.num_samples, bitsPerSample: 16, dataOffset: 4096 });
    const y = decodeWavMono(bytes, info);
    expect(y.length).toBe(ref.num_samples);
    let sum = 0;
    for (const v of y) sum += v;
    expect(sum).toBe(ref.mono_sum);
    for (let i = 0; i < 1000; i++) expect(Math.abs(y[i] - ref.mono_first_1000.data[i])).toBeLessThan(1e-9);
  });

  it('matches librosa on the 16 kHz mono corpus files', () => {
    for (const name of ['Actor_03/03-01-05-02-01-01-03', 'Actor_08/03-01-04-01-02-02-08']) {
      const bytes = load(join(RAVDESS_16K, `${name}.wav`));
      const ref = reference(`data__ravdess-16k__${name.replace('/', '__')}`);
      const y = decodeWavMono(bytes, parseWav(bytes));
      expect(y.length).toBe(ref.num_samples);
      let sum = 0;
      for (const v of y) sum += v;
      expect(sum).toBe(ref.mono_sum);
      for (let i = 0; i < 1000; i++) expect(Math.abs(y[i] - ref.mono_first_1000.data[i])).toBeLessThan(1e-9);
    }
  });

  it('gives the same samples when a real recording is stored as 8/24/32-bit int, float or extensible', () => {
    const bytes = load(join(RAVDESS_16K, 'Actor_03', '03-01-05-02-01-01-03.wav'));
    const info = parseWav(bytes);
    const ints = new Int16Array(bytes.slice(info.dataOffset, info.dataOffset + info.dataBytes).buffer);
    const want = decodeWavMono(bytes, info);
    const asBytes = (a: ArrayLike<number> & { buffer: ArrayBufferLike }) => new Uint8Array(a.buffer);
    const int24 = new Uint8Array(ints.length * 3);
    ints.forEach((v, i) => int24.set([0, v & 255, (v >> 8) & 255], 3 * i));
    for (const [label, file] of [
      ['24-bit', wavOf(1, 1, 24, int24)],
      ['32-bit', wavOf(1, 1, 32, asBytes(Int32Array.from(ints, (v) => v * 65536)))],
      ['float32', wavOf(3, 1, 32, asBytes(Float32Array.from(ints, (v) => v / 32768)))],
      ['float64', wavOf(3, 1, 64, asBytes(Float64Array.from(ints, (v) => v / 32768)))],
      ['extensible 16-bit', wavOf(1, 1, 16, asBytes(ints), true)],
    ] as const) {
      expect(decodeWavMono(file, parseWav(file)), label).toEqual(want);
    }
    // 8-bit keeps the top byte: the 16-bit value rounded down to a multiple of 256.
    const u8 = wavOf(
      1,
      1,
      8,
      Uint8Array.from(ints, (v) => (v >> 8) + 128),
    );
    expect(decodeWavMono(u8, parseWav(u8))).toEqual(Float32Array.from(ints, (v) => (v >> 8) / 128));
  });

  it('reports a truncated real recording with the sizes involved', () => {
    const bytes = load(join(RAVDESS_16K, 'Actor_02', '03-01-01-01-01-01-02.wav'));
    expect(reasonOf(bytes.subarray(0, 1000), 'cut.wav')).toBe('truncated: data chunk declares 116382 bytes but only 956 are present');
  });
});

describe('encodeWav', () => {
  it('writes the canonical 44-byte 16-bit mono header', () => {
    const bytes = encodeWav(new Float32Array(3), 22050);
    expect(bytes.length).toBe(50);
    const view = new DataView(bytes.buffer);
    expect(String.fromCharCode(...bytes.subarray(0, 4), ...bytes.subarray(8, 16), ...bytes.subarray(36, 40))).toBe('RIFFWAVEfmt data');
    expect([view.getUint32(4, true), view.getUint32(16, true), view.getUint16(20, true), view.getUint16(22, true)]).toEqual([42, 16, 1, 1]);
    expect([view.getUint32(24, true), view.getUint32(28, true), view.getUint16(32, true), view.getUint16(34, true)]).toEqual([22050, 44100, 2, 16]);
    expect(view.getUint32(40, true)).toBe(6);
    expect(parseWav(bytes)).toEqual({
      encoding: 'pcm',
      formatCode: 1,
      sampleRate: 22050,
      channels: 1,
      bitsPerSample: 16,
      blockAlign: 2,
      dataOffset: 44,
      dataBytes: 6,
      frames: 3,
    });
  });

  it('rounds to the nearest 16-bit step and clips to the int16 range', () => {
    const x = Float32Array.from([0, 0.5, -0.5, 1, -1, 1.5, -2, 1 / 65536, -1 / 65536, 3 / 65536, 0.3, NaN, Infinity, -Infinity]);
    const bytes = encodeWav(x, 8000);
    expect(Array.from(new Int16Array(bytes.slice(44).buffer))).toEqual([
      0,
      16384,
      -16384,
      32767,
      -32768,
      32767,
      -32768,
      1,
      0,
      2,
      Math.round(0.3 * 32768),
      0,
      32767,
      -32768,
    ]);
  });
});
