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

  it('macro-F1 leaves out a label that is neither in the test set nor predicted, and counts one predicted but absent as 0', () => {
    // Labels a..d; the test set holds a and b only. Averaging over all four labels would give 1/3; over the truth only 2/3.
    // F1 a = 2/3 (P 1, R 1/2), F1 b = 2/3 (P 1/2, R 1), d never occurs: macro-F1 = 2/3 (sklearn f1_score(average='macro')).
    const r = evaluatePredictions([0, 0, 1], [0, 1, 1], ['a', 'b', 'c', 'd']);
    expect(r.macroF1).toBeCloseTo(2 / 3, 12);
    expect(r.uar).toBeCloseTo(0.75, 12);
    // Now c is predicted once instead of b: F1 a 2/3, b 0 (its sample went to c), c 0 (never true): mean over a, b, c.
    const withC = evaluatePredictions([0, 0, 1], [0, 1, 2], ['a', 'b', 'c', 'd']);
    expect(withC.macroF1).toBeCloseTo(2 / 9, 12);
    expect(withC.uar).toBeCloseTo(0.25, 12);
    expect(withC.perClass.c).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
  });

  it('returns a copy of the labels, so a later change to the caller’s array leaves the report alone', () => {
    const labels = ['a', 'b'];
    const r = evaluatePredictions([0, 1], [0, 1], labels);
    labels[0] = 'changed';
    expect(r.labels).toEqual(['a', 'b']);
  });

  it('rejects mismatched lengths and out-of-range indices with readable errors', () => {
    expect(() => evaluatePredictions([0, 1], [0], ['a', 'b'])).toThrow('Cannot evaluate: 2 true labels but 1 predictions.');
    expect(() => evaluatePredictions([0], [0, 1], ['a', 'b'])).toThrow('Cannot evaluate: 1 true labels but 2 predictions.');
    expect(() => evaluatePredictions([0, 3], [0, 1], ['a', 'b'])).toThrow('Cannot evaluate: yTrue[1] = 3 is not a class index in 0..1 (a, b).');
    expect(() => evaluatePredictions([0, 1], [0, 2], ['a', 'b'])).toThrow('Cannot evaluate: yPred[1] = 2 is not a class index in 0..1 (a, b).');
    expect(() => evaluatePredictions([-1], [0], ['a', 'b'])).toThrow('Cannot evaluate: yTrue[0] = -1 is not a class index in 0..1 (a, b).');
    expect(() => evaluatePredictions([0], [0.5], ['a', 'b'])).toThrow('Cannot evaluate: yPred[0] = 0.5 is not a class index in 0..1 (a, b).');
    expect(() => evaluatePredictions([NaN], [0], ['a', 'b'])).toThrow('yTrue[0] = NaN is not a class index');
    expect(() => evaluatePredictions([], [], ['a'])).toThrow('Cannot evaluate: there are no samples.');
    expect(() => evaluatePredictions([0], [0], [])).toThrow('Cannot evaluate: the label list is empty.');
    expect(() => evaluatePredictions([0], [0], ['a', 'b', 'a'])).toThrow('Cannot evaluate: duplicate labels in [a, b, a].');
    // The last valid index is accepted.
    expect(evaluatePredictions([1], [1], ['a', 'b']).accuracy).toBe(1);
  });
});

describe('argmaxRows', () => {
  it('picks the most probable class per row', () => {
    expect(argmaxRows([new Float32Array([0.1, 0.7, 0.2]), [0.5, 0.2, 0.3], [0.3, 0.3, 0.4]])).toEqual([1, 0, 2]);
  });

  it('breaks ties toward the lower class index, as numpy.argmax does', () => {
    expect(
      argmaxRows([
        [0.4, 0.4, 0.2],
        [0.1, 0.45, 0.45],
        [1 / 3, 1 / 3, 1 / 3],
        [0.2, 0.4, 0.4, 0],
      ]),
    ).toEqual([0, 1, 0, 1]);
    expect(argmaxRows([new Float32Array([0.25, 0.5, 0.25, 0.5])])).toEqual([1]);
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

  it('pads names to the longest label (at least 5) and abbreviates confusion columns to the cell width', () => {
    const yTrue = [...new Array<number>(1234).fill(0), 1, 1, 2];
    const yPred = [...new Array<number>(1234).fill(0), 0, 1, 1];
    expect(formatReport(evaluatePredictions(yTrue, yPred, ['a', 'surprised', 'sad']))).toBe(
      [
        'samples 1237   accuracy 99.8%   UAR 50.0%   macro-F1 50.0%',
        '',
        'class      precision  recall      f1  support',
        'a              0.999   1.000   1.000     1234',
        'surprised      0.500   0.500   0.500        2',
        'sad            0.000   0.000   0.000        1',
        '',
        'confusion (rows true, columns predicted)',
        '              a surpr   sad',
        'a          1234     0     0',
        'surprised     1     1     0',
        'sad           0     1     0',
      ].join('\n'),
    );
    expect(formatReport(evaluatePredictions([0, 1], [0, 0], ['ab', 'cd']))).toBe(
      [
        'samples 2   accuracy 50.0%   UAR 50.0%   macro-F1 33.3%',
        '',
        'class  precision  recall      f1  support',
        'ab         0.500   1.000   0.667        1',
        'cd         0.000   0.000   0.000        1',
        '',
        'confusion (rows true, columns predicted)',
        '         ab    cd',
        'ab        1     0',
        'cd        1     0',
      ].join('\n'),
    );
  });

  it('widens the confusion columns for counts of six digits', () => {
    const n = 100_000;
    const text = formatReport(evaluatePredictions([...new Array<number>(n).fill(0), 1], [...new Array<number>(n).fill(0), 0], ['neutral', 'happy']));
    expect(text.split('\n').slice(-3)).toEqual(['        neutra  happy', 'neutral 100000      0', 'happy        1      0']);
  });
});
