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
  // Aggregated inside each test, never at collection time: Stryker switches a mutant on per test.
  const aggregate = () => aggregateStudy(cells, points, 2, [1, 2]);

  it('selects the grid point on mean validation UAR, never on test', () => {
    const agg = aggregate();
    expect(agg.selected).toMatchObject({ point: 0, values: points[0], completed: 4, cells: 4 });
    expect(agg.selected!.valUar).toBeCloseTo((0.6 + 0.62 + 0.58 + 0.64) / 4, 12);
    expect(agg.points[1].valUar).toBeCloseTo(0.535, 12);
    expect(agg.complete).toBe(true);
  });

  it('averages seeds within a fold, then takes mean, std and t-interval over folds', () => {
    const agg = aggregate();
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
    const agg = aggregate();
    expect(agg.pooledConfusion!.labels).toEqual(labels);
    const total = agg.pooledConfusion!.matrix.flat().reduce((a, b) => a + b, 0);
    expect(total).toBe(4 * 6);
    // sad predicted as happy: once in f0/s1, twice in f1/s1, once in f1/s2
    expect(agg.pooledConfusion!.matrix[2][1]).toBe(4);
    expect(agg.pooledConfusion!.matrix[2][2]).toBe(4);
  });

  it('per-speaker accuracy over seeds, with the fold that tested the speaker', () => {
    const agg = aggregate();
    expect(agg.perSpeaker).toEqual([
      { speaker: 'a', fold: 0, n: 6, accuracy: 5 / 6 },
      { speaker: 'b', fold: 0, n: 6, accuracy: 1 },
      { speaker: 'c', fold: 1, n: 6, accuracy: 4 / 6 },
      { speaker: 'd', fold: 1, n: 6, accuracy: 5 / 6 },
    ]);
  });

  it('per-class F1 mean and std over folds', () => {
    const agg = aggregate();
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
    expect(none).toMatchObject({ selected: null, metrics: null, complete: false, pooledConfusion: null, perClassF1: {}, perSpeaker: [] });
    // validated but never tested (a run stored without its test evaluation): selected, no figures
    const untested = aggregateStudy(
      cells.map((c) => ({ ...c, test: null })),
      points,
      2,
      [1, 2],
    );
    expect(untested).toMatchObject({ metrics: null, pooledConfusion: null, perClassF1: {}, perSpeaker: [], complete: false });
    expect(untested.selected!.point).toBe(0);
  });

  it('paired comparison of two studies over the same folds', () => {
    const agg = aggregate();
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

  it('selection: ties go to the earlier point; cells without a validation score, failed or queued cells do not count', () => {
    const later = cells.map((c) => (c.point === 1 ? { ...c, valUar: 0.9 } : c));
    expect(aggregateStudy(later, points, 2, [1, 2]).selected!.point).toBe(1);
    const tie = cells.map((c) => ({ ...c, valUar: 0.6 }));
    expect(aggregateStudy(tie, points, 2, [1, 2]).selected!.point).toBe(0);
    // point 0's cells lose their validation score: point 1 is the only one scored
    const unscored = cells.map((c) => (c.point === 0 ? { ...c, valUar: null } : c));
    const u = aggregateStudy(unscored, points, 2, [1, 2]);
    expect(u.points[0]).toMatchObject({ valUar: null, completed: 0, cells: 4 });
    expect(u.selected!.point).toBe(1);
    // a failed cell keeps its old scores in this fixture; it must still be ignored
    const failed = cells.map((c) => (c.key === 'f0/s1/p1' ? { ...c, status: 'failed' as const, valUar: 0.99 } : c));
    const f = aggregateStudy(failed, points, 2, [1, 2]);
    expect(f.points[1]).toMatchObject({ completed: 3 });
    expect(f.selected!.point).toBe(0);
    const stillRunning = cells.map((c) => (c.key === 'f0/s1/p0' ? { ...c, status: 'running' as const } : c));
    const r = aggregateStudy(stillRunning, points, 2, [1, 2]);
    expect(r.complete).toBe(false);
    expect(r.metrics!.accuracy.perFold[0]).toBeCloseTo(1, 12); // only f0/s2/p0 counts
    expect(r.pooledConfusion!.matrix.flat().reduce((a, b) => a + b, 0)).toBe(3 * 6);
  });

  it('a fold with no completed cell: left out of the interval, shown as null; a seed with none is not listed', () => {
    const few = cells.filter((c) => !(c.point === 0 && (c.fold === 1 || c.seed === 2)));
    const a = aggregateStudy(few, points, 2, [1, 2, 3]);
    expect(a.metrics!.uar.perFold[1]).toBeNull();
    expect(a.metrics!.uar.n).toBe(1);
    expect(a.metrics!.uar.ci95).toBeNull();
    expect(a.metrics!.uar.perSeed.map((s) => s.seed)).toEqual([1]);
    expect(a.perClassF1.angry).toEqual({ mean: 1, std: null });
    expect(a.complete).toBe(false);
    // all cells there but fewer than folds × seeds were defined: not complete either
    expect(aggregateStudy(cells, points, 3, [1, 2]).complete).toBe(false);
  });

  it('per-class F1 counts a class a fold never saw as 0; per-speaker skips unknown speakers and labels, sorts names numerically', () => {
    const noSad = (fold: number, seed: number, speaker: string) =>
      cell(fold, seed, 0, 0.7, {
        [speaker]: [
          [0, 0],
          [1, 1],
        ],
      });
    const a = aggregateStudy([noSad(0, 1, '10'), noSad(1, 1, '9')], [{}], 2, [1]);
    expect(a.perClassF1.sad).toEqual({ mean: 0, std: 0 });
    expect(a.perClassF1.angry).toEqual({ mean: 1, std: 0 });
    expect(a.perSpeaker.map((s) => s.speaker)).toEqual(['9', '10']);
    const odd = noSad(0, 1, 'x');
    odd.predictions.push({ label: 'angry', predicted: 'angry', speaker: null }, { label: 'bored', predicted: 'angry', speaker: 'x' });
    expect(aggregateStudy([odd], [{}], 1, [1]).perSpeaker).toEqual([{ speaker: 'x', fold: 0, n: 2, accuracy: 1 }]);
  });

  it('refuses to pool cells scored on different label lists', () => {
    const other = cell(1, 1, 0, 0.6, { c: right });
    other.test = { ...other.test!, labels: ['angry', 'sad', 'happy'] };
    expect(() => aggregateStudy([cells[0], other], [{}], 2, [1])).toThrow(
      'cell f1/s1/p0 was scored on labels [angry, sad, happy], not [angry, happy, sad]',
    );
  });

  it('paired comparison needs both studies complete on the same folds, files in any order', () => {
    const agg = aggregate();
    const files = [0, 1].map((f) => cells.find((c) => c.fold === f && c.point === 0)!.predictions.map((p) => p.fileId!));
    const shuffled = files.map((f) => [...f].reverse());
    expect(compareStudies(agg, agg, { a: files, b: shuffled }).uar.meanDifference).toBe(0);
    expect(compareStudies(agg, agg, { a: shuffled, b: files }).uar.meanDifference).toBe(0);
    const none = aggregateStudy([], points, 2, [1, 2]);
    expect(() => compareStudies(agg, none, { a: files, b: files })).toThrow('both studies need completed cells to compare');
    expect(() => compareStudies(none, agg, { a: files, b: files })).toThrow('both studies need completed cells to compare');
    const three = aggregateStudy(cells, points, 3, [1, 2]);
    expect(() => compareStudies(agg, three, { a: files, b: [...files, []] })).toThrow('the studies have different folds (2 vs 3)');
    expect(() => compareStudies(agg, agg, { a: [null, files[1]], b: files })).toThrow('fold 1 has no completed cell in the first study');
    // sorted numerically, not as text: 10 after 9
    const ten = [[9, 10], files[1]];
    expect(compareStudies(agg, agg, { a: ten, b: [[10, 9], files[1]] }).folds).toBe(2);
  });
});
