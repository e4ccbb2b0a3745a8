import { describe, expect, it } from 'vitest';
import { evaluatePredictions } from '../../src-shared/metrics';
import { aggregateStudy, compareStudies, type CellOutcome } from '../../src-shared/studies/aggregate';
import { summarize } from '../../src-shared/studies/statistics';

const labels = ['angry', 'happy', 'sad'];

/** A completed cell whose test predictions are given per speaker as [true, predicted] label indices. */
function cell(fold: number, seed: number, point: number, valUar: number, bySpeaker: Record<string, [number, number][]>): CellOutcome {
  const rows = Object.entries(bySpeaker).flatMap(([speaker, pairs]) => pairs.map(([t, p]) => ({ speaker, t, p })));
  return {
    key: `f${fold}/s${seed}/p${point}`,
    fold,
    seed,
    point,
    status: 'completed',
    runId: fold * 100 + seed * 10 + point,
    valUar,
    test: evaluatePredictions(
      rows.map((r) => r.t),
      rows.map((r) => r.p),
      labels,
    ),
    predictions: rows.map((r, i) => ({ fileId: fold * 1000 + i, label: labels[r.t], predicted: labels[r.p], speaker: r.speaker })),
  };
}

// Two folds, two seeds, two grid points. Point 1 is better on test but worse on validation: it must not be chosen.
const right: [number, number][] = [
  [0, 0],
  [1, 1],
  [2, 2],
];
const oneWrong: [number, number][] = [
  [0, 0],
  [1, 1],
  [2, 1],
];
const cells: CellOutcome[] = [
  cell(0, 1, 0, 0.6, { a: oneWrong, b: right }),
  cell(0, 2, 0, 0.62, { a: right, b: right }),
  cell(1, 1, 0, 0.58, { c: oneWrong, d: oneWrong }),
  cell(1, 2, 0, 0.64, { c: oneWrong, d: right }),
  cell(0, 1, 1, 0.5, { a: right, b: right }),
  cell(0, 2, 1, 0.55, { a: right, b: right }),
  cell(1, 1, 1, 0.52, { c: right, d: right }),
  cell(1, 2, 1, 0.57, { c: right, d: right }),
];
const points = [{ 'optimizer.learningRate': 1e-3 }, { 'optimizer.learningRate': 3e-4 }];

describe('study aggregation', () => {
  const agg = aggregateStudy(cells, points, 2, [1, 2]);

  it('selects the grid point on mean validation UAR, never on test', () => {
    expect(agg.selected).toMatchObject({ point: 0, values: points[0], completed: 4, cells: 4 });
    expect(agg.selected!.valUar).toBeCloseTo((0.6 + 0.62 + 0.58 + 0.64) / 4, 12);
    expect(agg.points[1].valUar).toBeCloseTo(0.535, 12);
    expect(agg.complete).toBe(true);
  });

  it('averages seeds within a fold, then takes mean, std and t-interval over folds', () => {
    // accuracies: fold 0 seeds (5/6, 1) → 11/12; fold 1 seeds (4/6, 5/6) → 3/4
    const acc = agg.metrics!.accuracy;
    expect(acc.perFold[0]).toBeCloseTo(11 / 12, 12);
    expect(acc.perFold[1]).toBeCloseTo(3 / 4, 12);
    const s = summarize([11 / 12, 3 / 4]);
    expect(acc.mean).toBeCloseTo(s.mean, 12);
    expect(acc.std).toBeCloseTo(s.std!, 12);
    expect(acc.ci95![0]).toBeCloseTo(s.ci95![0], 12);
    expect(acc.ci95![1]).toBeCloseTo(s.ci95![1], 12);
    expect(acc.n).toBe(2);
    expect(acc.perSeed).toEqual([
      { seed: 1, value: (5 / 6 + 4 / 6) / 2, folds: 2 },
      { seed: 2, value: (1 + 5 / 6) / 2, folds: 2 },
    ]);
    expect(agg.metrics!.uar.perFold[0]).toBeCloseTo(cells.slice(0, 2).reduce((t, c) => t + c.test!.uar, 0) / 2, 12);
  });

  it('pools every test prediction of the selected point into one confusion matrix', () => {
    expect(agg.pooledConfusion!.labels).toEqual(labels);
    const total = agg.pooledConfusion!.matrix.flat().reduce((a, b) => a + b, 0);
    expect(total).toBe(4 * 6);
    // sad predicted as happy: once in f0/s1, twice in f1/s1, once in f1/s2
    expect(agg.pooledConfusion!.matrix[2][1]).toBe(4);
    expect(agg.pooledConfusion!.matrix[2][2]).toBe(4);
  });

  it('per-speaker accuracy over seeds, with the fold that tested the speaker', () => {
    expect(agg.perSpeaker).toEqual([
      { speaker: 'a', fold: 0, n: 6, accuracy: 5 / 6 },
      { speaker: 'b', fold: 0, n: 6, accuracy: 1 },
      { speaker: 'c', fold: 1, n: 6, accuracy: 4 / 6 },
      { speaker: 'd', fold: 1, n: 6, accuracy: 5 / 6 },
    ]);
  });

  it('per-class F1 mean and std over folds', () => {
    const f1 = (c: CellOutcome) => c.test!.perClass.angry.f1;
    expect(agg.perClassF1.angry.mean).toBeCloseTo(1, 12);
    expect(f1(cells[0])).toBe(1);
    expect(agg.perClassF1.angry.std).toBeCloseTo(0, 12);
    expect(agg.perClassF1.sad.std).toBeGreaterThan(0);
  });

  it('failed and unfinished cells: provisional figures from what completed', () => {
    const partial = cells.map((c) => (c.key === 'f1/s2/p0' ? { ...c, status: 'failed' as const, test: null, valUar: null } : c));
    const p = aggregateStudy(partial, points, 2, [1, 2]);
    expect(p.complete).toBe(false);
    expect(p.selected!.completed).toBe(3);
    expect(p.metrics!.accuracy.perFold[1]).toBeCloseTo(4 / 6, 12);
    const none = aggregateStudy(
      cells.map((c) => ({ ...c, status: 'queued' as const, test: null, valUar: null })),
      points,
      2,
      [1, 2],
    );
    expect(none).toMatchObject({ selected: null, metrics: null, complete: false, pooledConfusion: null });
  });

  it('paired comparison of two studies over the same folds', () => {
    const worse = cells.map((c) => (c.point === 0 && c.fold === 1 ? cell(1, c.seed, 0, c.valUar!, { c: oneWrong, d: oneWrong }) : c));
    const b = aggregateStudy(worse, points, 2, [1, 2]);
    const files = (a: ReturnType<typeof aggregateStudy>, cs: CellOutcome[]) =>
      [0, 1].map((f) => cs.find((c) => c.fold === f && c.point === a.selected!.point)!.predictions.map((p) => p.fileId!));
    const cmp = compareStudies(agg, b, { a: files(agg, cells), b: files(b, worse) });
    expect(cmp.folds).toBe(2);
    expect(cmp.accuracy.meanDifference).toBeCloseTo((0 + (3 / 4 - 4 / 6)) / 2, 12);
    expect(() => compareStudies(agg, b, { a: files(agg, cells), b: [[1, 2, 3], files(b, worse)[1]] })).toThrow(/fold 1 tests different files/);
    expect(() => compareStudies(agg, b, { a: files(agg, cells), b: [null, files(b, worse)[1]] })).toThrow(
      /fold 1 has no completed cell in the second/,
    );
  });
});
