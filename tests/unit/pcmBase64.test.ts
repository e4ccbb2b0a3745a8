import { describe, expect, it } from 'vitest';
import { base64ToBytes, base64ToFloat32, bytesToBase64, float32ToBase64 } from '../../src-shared/audio/pcmBase64';
import { decodeSamples } from '../../src-main/core/api/recorderHandlers';

describe('PCM as base64 float32 (the API wire form of audio)', () => {
  it('is little-endian float32, byte for byte what Node writes, and round-trips exactly', () => {
    const samples = Float32Array.from([0, 1, -1, 0.5, -0.25, 1e-7, 0.123456789]);
    const node = Buffer.alloc(samples.length * 4);
    samples.forEach((v, i) => node.writeFloatLE(v, i * 4));
    expect(float32ToBase64(samples)).toBe(node.toString('base64'));
    expect(base64ToFloat32(node.toString('base64'))).toEqual(samples);
  });

  it('handles byte runs longer than one String.fromCharCode chunk', () => {
    const bytes = Uint8Array.from({ length: 0x8000 * 2 + 7 }, (_, i) => (i * 31) & 0xff);
    expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    expect(base64ToBytes(Buffer.from(bytes).toString('base64'))).toEqual(bytes);
  });

  it('refuses a trailing partial value instead of dropping it, and the API says why', () => {
    expect(() => base64ToFloat32(Buffer.from([1, 2, 3, 4, 5]).toString('base64'))).toThrow('5 bytes is not a multiple of 4');
    expect(() => decodeSamples(Buffer.from([1, 2, 3]).toString('base64'))).toThrow(
      'samples: expected base64 of float32 values (3 bytes is not a multiple of 4).',
    );
    expect(() => decodeSamples('')).toThrow('samples: the recording is empty.');
    expect(() => decodeSamples(float32ToBase64(Float32Array.from([0, Number.NaN])))).toThrow('samples: contains NaN or infinite values.');
  });
});
