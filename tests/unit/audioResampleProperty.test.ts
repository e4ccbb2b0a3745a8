import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resample } from '../../src-shared/audio/resample';

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

describe('resample properties', () => {
  it('returns ceil(n * to / from) samples for any pair of integer rates', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 0, max: 300 }), (from, to, n) => {
        const y = resample(new Float32Array(n).fill(0.5), from, to);
        // Integer ceiling division, independent of floating point.
        expect(y.length).toBe(Math.floor((n * to + from - 1) / from));
      }),
      { seed: 7, numRuns: 60 },
    );
  });

  it('turns a constant into the same constant wherever the filter lies wholly inside the signal', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 96 }), fc.integer({ min: 1, max: 96 }), fc.double({ min: -1, max: 1, noNaN: true }), (from, to, c) => {
        const g = gcd(from, to);
        const up = to / g;
        const down = from / g;
        // The filter reaches 10 * max(up, down) samples either side at the rate from * up.
        const halfLen = 10 * Math.max(up, down);
        const n = Math.ceil((3 * halfLen) / up) + 5;
        const value = Math.fround(c);
        const y = resample(new Float32Array(n).fill(value), from, to);
        let inside = 0;
        for (let k = 0; k < y.length; k++) {
          if (k * down - halfLen < 0 || k * down + halfLen > (n - 1) * up) continue;
          inside++;
          // Kaiser (beta 5) passband and image leakage: within 0.1 % of the value.
          expect(Math.abs(y[k] - value), `${from}->${to} at ${k}`).toBeLessThanOrEqual(1e-3 * Math.abs(value) + 1e-12);
        }
        if (from !== to) expect(inside).toBeGreaterThan(0);
      }),
      { seed: 11, numRuns: 80 },
    );
  });
});
