import { describe, expect, it } from 'vitest';
import { floorToFloat32 } from '../../src-main/core/export/onnxForest';
import { Random } from '../../src-main/core/training/seededRandom';

describe('forest thresholds in float32 (ONNX-ML stores them so)', () => {
  it('x <= floorToFloat32(t) exactly when x <= t, for every float32 x, at the boundaries where rounding to nearest fails', () => {
    const rng = new Random(3);
    let nearestWrong = 0;
    for (let i = 0; i < 20_000; i++) {
      // a midpoint of two neighbouring float32 values (what a CART split picks), and those two values
      const a = Math.fround(rng.normal() * 10 ** rng.int(-8, 4));
      const b = Math.fround(a * (1 + 2 ** -23)) === a ? Math.fround(a + 2 ** -149) : Math.fround(a * (1 + 2 ** -23));
      const t = (a + b) / 2;
      const down = floorToFloat32(t);
      expect(Math.fround(down)).toBe(down);
      for (const x of [a, b, Math.fround(t)]) {
        expect(x <= down).toBe(x <= t);
        if (x <= Math.fround(t) !== x <= t) nearestWrong++;
      }
    }
    expect(nearestWrong).toBeGreaterThan(0); // plain rounding would send those inputs down the other branch
  });

  it('values already float32, and infinities, are unchanged', () => {
    for (const v of [0, -0, 1.5, -3.25, Math.fround(0.1), Infinity, -Infinity]) expect(floorToFloat32(v)).toBe(v);
    expect(floorToFloat32(0.1)).toBeLessThanOrEqual(0.1);
    expect(floorToFloat32(-0.1)).toBeLessThanOrEqual(-0.1);
  });
});
