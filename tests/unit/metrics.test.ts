import { describe, expect, it } from 'vitest';
import { argmaxRows, evaluatePredictions, formatReport } from '../../src-shared/metrics';

describe('evaluatePredictions', () => {
  // 3-class case worked by hand; sklearn gives accuracy_score 0.6, balanced_accuracy_score 11/18,
  // f1_score(average='macro') 38/63 and the per-class values below for the same arrays.
  const labels = ['a', 'b', 'c'];
  const yTrue = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
  const yPred = [0, 0, 1, 2, 1, 1, 0, 2, 2, 1];

  it('matches hand-computed sklearn values on a 3-class example', () => {
    const r = evaluatePredictions(yTrue, yPred, labels);
    expect(r.n).toBe(10);
    expect(r.confusion).toEqual([
      [2, 1, 1],
      [1, 2, 0],
      [0, 1, 2],
    ]);
    expect(r.accuracy).toBeCloseTo(0.6, 12);
    expect(r.uar).toBeCloseTo(11 / 18, 12);
    expect(r.macroF1).toBeCloseTo(38 / 63, 12);
    expect(r.perClass.a.precision).toBeCloseTo(2 / 3, 12);
    expect(r.perClass.a.recall).toBeCloseTo(0.5, 12);
    expect(r.perClass.a.f1).toBeCloseTo(4 / 7, 12);
    expect(r.perClass.b.precision).toBeCloseTo(0.5, 12);
    expect(r.perClass.b.recall).toBeCloseTo(2 / 3, 12);
    expect(r.perClass.b.f1).toBeCloseTo(4 / 7, 12);
    expect(r.perClass.c.f1).toBeCloseTo(2 / 3, 12);
    expect(r.perClass.a.support).toBe(4);
    expect(r.perClass.c.support).toBe(3);
    expect(r.confusionNormalized[0]).toEqual([0.5, 0.25, 0.25]);
    for (const row of r.confusionNormalized) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('UAR skips classes with no support; macro-F1 counts a predicted-but-absent class as 0', () => {
    // sklearn: balanced_accuracy_score 0.75 (nanmean over present classes), f1 macro 5/9.
    const r = evaluatePredictions([0, 0, 1, 1], [0, 2, 1, 1], ['a', 'b', 'c', 'd']);
    expect(r.accuracy).toBe(0.75);
    expect(r.uar).toBeCloseTo(0.75, 12);
    expect(r.macroF1).toBeCloseTo(5 / 9, 12);
    expect(r.perClass.c).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(r.perClass.d).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(r.confusionNormalized[2]).toEqual([0, 0, 0, 0]);
  });

  it('perfect predictions score 1 everywhere', () => {
    const r = evaluatePredictions([0, 1, 2, 1], [0, 1, 2, 1], ['x', 'y', 'z']);
    expect([r.accuracy, r.uar, r.macroF1]).toEqual([1, 1, 1]);
  });

  it('UAR differs from accuracy on imbalanced data (majority-class predictor)', () => {
    const r = evaluatePredictions([0, 0, 0, 0, 0, 0, 0, 0, 1, 1], new Array(10).fill(0), ['neutral', 'angry']);
    expect(r.accuracy).toBeCloseTo(0.8, 12);
    expect(r.uar).toBeCloseTo(0.5, 12);
    // F1 neutral = 2*0.8*1/1.8 = 8/9, F1 angry = 0.
    expect(r.macroF1).toBeCloseTo(4 / 9, 12);
  });

  it('rejects mismatched lengths and out-of-range indices with readable errors', () => {
    expect(() => evaluatePredictions([0, 1], [0], ['a', 'b'])).toThrow(/2 true labels but 1 predictions/);
    expect(() => evaluatePredictions([0, 3], [0, 1], ['a', 'b'])).toThrow(/yTrue\[1\] = 3 is not a class index in 0..1/);
    expect(() => evaluatePredictions([], [], ['a'])).toThrow(/no samples/);
  });
});

describe('argmaxRows', () => {
  it('picks the most probable class per row', () => {
    expect(argmaxRows([new Float32Array([0.1, 0.7, 0.2]), [0.5, 0.2, 0.3], [0.3, 0.3, 0.4]])).toEqual([1, 0, 2]);
  });
});

describe('formatReport', () => {
  it('prints headline metrics, one row per class and the confusion counts', () => {
    const text = formatReport(evaluatePredictions([0, 0, 0, 0, 1, 1, 1, 2, 2, 2], [0, 0, 1, 2, 1, 1, 0, 2, 2, 1], ['angry', 'calm', 'sad']));
    expect(text).toContain('accuracy 60.0%');
    expect(text).toContain('UAR 61.1%');
    expect(text).toContain('macro-F1 60.3%');
    expect(text).toMatch(/angry\s+0\.667\s+0\.500\s+0\.571\s+4/);
    expect(text).toMatch(/calm\s+1\s+2\s+0\n/);
  });
});
