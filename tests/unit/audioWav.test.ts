import { describe, expect, it } from 'vitest';
import { AudioDecodeError } from '../../src-shared/audio/decodeError';
import { decodeWavMono, encodeWav, parseWav } from '../../src-shared/audio/wav';

/** Builds a RIFF/WAVE file from raw chunks (id + body), padding odd bodies as RIFF requires. */
function riff(chunks: [string, Uint8Array][], opts: { pad?: boolean } = {}): Uint8Array {
  const parts: number[] = [];
  const u32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];
  const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
  for (const [id, body] of chunks) {
    parts.push(...ascii(id), ...u32(body.length), ...body);
    if (body.length % 2 && opts.pad !== false) parts.push(0);
  }
  return Uint8Array.from([...ascii('RIFF'), ...u32(parts.length + 4), ...ascii('WAVE'), ...parts]);
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
