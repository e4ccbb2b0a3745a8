// Test-time speed copies' arithmetic: a file's prediction is the plain mean of its own probabilities and its copies'.
import { describe, expect, it } from 'vitest';
import { averageWithCopies, meanProbabilities } from '../../src-main/core/training/testTimeCopies';

describe('meanProbabilities', () => {
  it('is the element-wise mean, whatever the number of vectors', () => {
    expect(Array.from(meanProbabilities([[0.2, 0.8]]))).toEqual([Math.fround(0.2), Math.fround(0.8)]);
    const m = meanProbabilities([
      [0.6, 0.3, 0.1],
      [0.2, 0.2, 0.6],
      [0.1, 0.7, 0.2],
    ]);
    [0.3, 0.4, 0.3].forEach((v, k) => expect(m[k]).toBeCloseTo(v, 7));
  });

  it('sums in float64: 10,000 tiny values do not drown in a large one', () => {
    const vectors = [[1, 0], ...Array.from({ length: 9999 }, () => [1e-8, 0])];
    // a float32 sum would give exactly 1e-4: 1 + 1e-8 is 1 in float32
    expect(meanProbabilities(vectors)[0]).toBe(Math.fround((1 + 9999e-8) / 10000));
  });

  it('refuses no vectors and vectors of different lengths', () => {
    expect(() => meanProbabilities([])).toThrow('meanProbabilities: no probability vectors');
    expect(() => meanProbabilities([[0.5, 0.5], [1]])).toThrow('meanProbabilities: 1 class probabilities, expected 2');
  });
});

describe('averageWithCopies', () => {
  const targets = [{ fileId: 7 }, { fileId: 3 }];
  const probs = [
    [0.9, 0.1],
    [0.2, 0.8],
  ];

  it('averages each file with its own copies only, in the targets’ order; a file without copies keeps its own', () => {
    const copies = [{ fileId: 3 }, { fileId: 7 }, { fileId: 3 }, { fileId: 99 }];
    const copyProbs = [
      [0.5, 0.5],
      [0.3, 0.7],
      [0.8, 0.2],
      [0, 1],
    ];
    const out = averageWithCopies(targets, probs, copies, copyProbs);
    expect(out).toHaveLength(2);
    // file 7: itself and one copy; file 3: itself and two copies; file 99 is not a target and counts nowhere
    [0.6, 0.4].forEach((v, k) => expect(out[0][k]).toBeCloseTo(v, 7));
    [0.5, 0.5].forEach((v, k) => expect(out[1][k]).toBeCloseTo(v, 7));
    const alone = averageWithCopies(targets, probs, [{ fileId: 7 }], [[0.1, 0.9]]);
    [0.2, 0.8].forEach((v, k) => expect(alone[1][k]).toBeCloseTo(v, 7));
    expect(averageWithCopies(targets, probs, [], []).map((p) => Array.from(p))).toEqual(probs.map((p) => p.map(Math.fround)));
  });

  it('refuses mismatched lengths and a file listed twice', () => {
    expect(() => averageWithCopies(targets, [probs[0]], [], [])).toThrow('averageWithCopies: 1 probability vectors for 2 files, 0 for 0 copies');
    expect(() => averageWithCopies(targets, probs, [{ fileId: 7 }], [])).toThrow(
      'averageWithCopies: 2 probability vectors for 2 files, 0 for 1 copies',
    );
    expect(() => averageWithCopies([{ fileId: 1 }, { fileId: 1 }], probs, [], [])).toThrow('averageWithCopies: file 1 is listed twice');
  });
});
