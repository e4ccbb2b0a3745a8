import { describe, expect, it } from 'vitest';
import { fitStandardizer, standardize } from '../../src-main/core/models/shallow/standardizer';

const rows = (cols: number[][]) => cols[0].map((_, i) => Float64Array.from(cols, (c) => c[i]) as unknown as Float32Array);

describe('fitStandardizer', () => {
  it('z-scores each dimension with the training mean and population std', () => {
    const s = fitStandardizer(
      rows([
        [1, 3, 5, 7],
        [10, 10, 20, 20],
      ]),
    );
    expect(s.mean).toEqual([4, 15]);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(5), 12);
    expect(s.std[1]).toBeCloseTo(5, 12);
    expect(standardize(s, [9, 0])).toEqual([5 / Math.sqrt(5), -3].map((v, i) => (i === 0 ? expect.closeTo(v, 12) : v)));
  });

  it('a constant dimension, or one whose spread is rounding residue of its mean, gets std 1 (sklearn _is_constant_feature)', () => {
    // A 1-ulp wobble at 1e6 is below the rounding bound of its mean; 1e-9 around 0 is real spread and is kept.
    const ulp = 2 ** -33; // one float64 ulp at 1e6
    const s = fitStandardizer(
      rows([
        [1e6, 1e6 + ulp, 1e6, 1e6],
        [0, 1e-9, -1e-9, 0],
        [7, 7, 7, 7],
      ]),
    );
    expect(s.std[0]).toBe(1);
    expect(s.std[1]).toBeCloseTo(Math.sqrt(5e-19), 24);
    expect(s.std[2]).toBe(1);
    expect(standardize(s, [1e6 + 1, 1e-9, 8])).toEqual([1, expect.closeTo(1e-9 / Math.sqrt(5e-19), 9), 1]);
  });
});
