import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeWavMono, encodeWav, parseWav } from '../../src-shared/audio/wav';

describe('encodeWav → parseWav/decodeWavMono round trip (property)', () => {
  it('gives back every 16-bit value exactly, with the sample rate and length', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 384000 }),
        (ints, rate) => {
          const x = Float32Array.from(ints, (v) => v / 32768);
          const bytes = encodeWav(x, rate);
          const info = parseWav(bytes);
          expect(info).toMatchObject({ sampleRate: rate, channels: 1, bitsPerSample: 16, frames: ints.length, encoding: 'pcm' });
          expect(decodeWavMono(bytes, info)).toEqual(x);
          // And decoding then encoding again reproduces the file byte for byte.
          expect(encodeWav(decodeWavMono(bytes, info), rate)).toEqual(bytes);
        },
      ),
      { seed: 20240601, numRuns: 200 },
    );
  });

  it('keeps any float in -1..1 within half a 16-bit step, and clips beyond', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: -2, max: 2, noNaN: true }), { minLength: 1, maxLength: 300 }), (values) => {
        const x = Float32Array.from(values);
        const bytes = encodeWav(x, 16000);
        const y = decodeWavMono(bytes, parseWav(bytes));
        expect(y.length).toBe(x.length);
        for (let i = 0; i < x.length; i++) {
          const want = Math.min(Math.max(x[i], -1), 32767 / 32768);
          expect(Math.abs(y[i] - want)).toBeLessThanOrEqual(0.5 / 32768);
        }
      }),
      { seed: 20240602, numRuns: 200 },
    );
  });
});
