// compareRuns and the config diff beneath it, case by case: which differences warn that runs were tested on different
// files, how labels and per-class F1 are matched across runs, and how damaged or partial stored records come through.
import { describe, expect, it } from 'vitest';
import { compareRuns, configDiff, flattenConfig, headlineMetrics, type RunForComparison } from '../../src-main/core/evaluation/compare';
import { parseRunConfig } from '../../src-shared/config/run';
import { evaluatePredictions } from '../../src-shared/metrics';

const asMetrics = (r: object): Record<string, unknown> => r as unknown as Record<string, unknown>;
const report = (labels: string[]) =>
  asMetrics(
    evaluatePredictions(
      labels.map((_, i) => i),
      labels.map((_, i) => i),
      labels,
    ),
  );
const TEST_SET_TAIL = ', so they may not have been tested on the same files: compare their metrics with care.';

describe('flattenConfig', () => {
  it('keeps empty objects, plain arrays and nulls as leaves; recurses into objects and arrays holding objects', () => {
    const flat = flattenConfig({ a: {}, b: [], c: [1, 2], d: undefined, e: null, f: [{ x: 1 }, 2], g: [null], h: { i: { j: {} } } });
    expect(Object.fromEntries(flat)).toEqual({
      a: {},
      b: [],
      c: [1, 2],
      d: null,
      e: null,
      'f.0.x': 1,
      'f.1': 2,
      g: [null],
      'h.i.j': {},
    });
    expect([...flat.keys()]).toEqual(['a', 'b', 'c', 'd', 'e', 'f.0.x', 'f.1', 'g', 'h.i.j']);
  });

  it('has no leaf for a bare value, an empty object or a top-level array index without a name', () => {
    expect(flattenConfig(5).size).toBe(0);
    expect(flattenConfig(null).size).toBe(0);
    expect(flattenConfig({}).size).toBe(0);
    expect(Object.fromEntries(flattenConfig([{ a: 1 }, { b: [{ c: 2 }] }]))).toEqual({ '0.a': 1, '1.b.0.c': 2 });
  });
});

describe('configDiff', () => {
  it('lists paths in the order they are first seen', () => {
    expect(
      Object.keys(
        configDiff([
          { z: 1, a: 1 },
          { m: 2, a: 2, z: 1 },
        ]),
      ),
    ).toEqual(['a', 'm']);
  });

  it('an empty object or array is left out only when a run has values beneath it', () => {
    expect(configDiff([{ p: {} }, { p: { k: 1 } }])).toEqual({ 'p.k': [null, 1] });
    expect(configDiff([{ p: [] }, { p: [{ k: 1 }] }])).toEqual({ 'p.0.k': [null, 1] });
    // No value beneath: the empty object against nothing is the difference.
    expect(configDiff([{ p: {} }, {}])).toEqual({ p: [{}, null] });
    expect(configDiff([{ p: {} }, { p: [] }])).toEqual({ p: [{}, []] });
    // `pq` is not beneath `p`.
    expect(configDiff([{ p: {}, pq: 1 }, { pq: 2 }])).toEqual({ p: [{}, null], pq: [1, 2] });
    // A value that is not empty is shown beside its children's paths.
    expect(configDiff([{ p: 3 }, { p: { k: 1 } }])).toEqual({ p: [3, null], 'p.k': [null, 1] });
  });

  it('compares whole values: missing equals null, key order is ignored, array order is not', () => {
    expect(configDiff([{ a: [1, undefined] }, { a: [1, null] }])).toEqual({});
    expect(configDiff([{ a: null }, {}])).toEqual({});
    expect(configDiff([{ a: [{ x: 1, y: [2] }] }, { a: [{ y: [2], x: 1 }] }])).toEqual({});
    expect(configDiff([{ a: ['x', 'y'] }, { a: ['y', 'x'] }])).toEqual({
      a: [
        ['x', 'y'],
        ['y', 'x'],
      ],
    });
    expect(configDiff([{ a: '1' }, { a: 1 }])).toEqual({ a: ['1', 1] });
    expect(configDiff([{ a: [1, 23] }, { a: [12, 3] }])).toEqual({
      a: [
        [1, 23],
        [12, 3],
      ],
    });
    expect(configDiff([{ a: 1 }, { a: 1 }, { a: 2 }])).toEqual({ a: [1, 1, 2] });
    expect(configDiff([{ a: 2 }, { a: 1 }, { a: 1 }])).toEqual({ a: [2, 1, 1] });
  });
});

describe('headlineMetrics', () => {
  it('reads finite numbers only', () => {
    expect(headlineMetrics({ accuracy: 0.5, uar: 0.25, macroF1: 0 })).toEqual({ accuracy: 0.5, uar: 0.25, macroF1: 0 });
    expect(headlineMetrics({ accuracy: NaN, uar: Infinity, macroF1: '0.5' })).toEqual({ accuracy: null, uar: null, macroF1: null });
    expect(headlineMetrics(null)).toEqual({ accuracy: null, uar: null, macroF1: null });
    expect(headlineMetrics(undefined)).toEqual({ accuracy: null, uar: null, macroF1: null });
  });
});

describe('compareRuns: different test sets', () => {
  const base = { datasetId: 1, model: 'resnet' };
  const compare = (...inputs: object[]) =>
    compareRuns(inputs.map((c, i) => ({ id: i + 1, config: parseRunConfig(c), metrics: report(['angry', 'sad']) })));

  it('warns when runs use different datasets', () => {
    expect(compare(base, { ...base, datasetId: 2 }).warnings).toEqual([`Runs differ in datasetId${TEST_SET_TAIL}`]);
  });

  it('warns when runs use different splits: kind, fraction, fold, named speakers or split seed', () => {
    const loso = { kind: 'loso', speaker: '01', seed: 42 };
    expect(compare(base, { ...base, split: loso }).warnings).toEqual([
      `Runs differ in split.kind, split.testFraction, split.valFraction, split.speaker${TEST_SET_TAIL}`,
    ]);
    expect(compare({ ...base, split: loso }, { ...base, split: { ...loso, speaker: '02' } }).warnings).toEqual([
      `Runs differ in split.speaker${TEST_SET_TAIL}`,
    ]);
    const fold = { kind: 'kfold-speaker', k: 5, fold: 0, seed: 1 };
    expect(compare({ ...base, split: fold }, { ...base, split: { ...fold, fold: 3 } }).warnings).toEqual([
      `Runs differ in split.fold${TEST_SET_TAIL}`,
    ]);
    const named = { kind: 'speaker', testSpeakers: ['01', '02'], seed: 1 };
    expect(compare({ ...base, split: named }, { ...base, split: { ...named, testSpeakers: ['01', '03'] } }).warnings).toEqual([
      `Runs differ in split.testSpeakers${TEST_SET_TAIL}`,
    ]);
    // A config without a split draws the default split with the run seed: another seed, other test speakers.
    const c = compare(base, { ...base, seed: 7 });
    expect(c.configDiff).toEqual({ seed: [42, 7], 'split.seed': [42, 7] });
    expect(c.warnings).toEqual([`Runs differ in split.seed${TEST_SET_TAIL}`]);
  });

  it('warns when the label sets differ, listing every test-set path', () => {
    const c = compare(base, { ...base, datasetId: 3, labels: ['angry', 'sad'] });
    expect(c.warnings).toEqual([`Runs differ in datasetId, labels${TEST_SET_TAIL}`]);
  });

  it('does not warn for the same labels or named speakers in another order (they select the same files)', () => {
    const named = { kind: 'speaker', testSpeakers: ['01', '02'], seed: 1 };
    const c = compare(
      { ...base, labels: ['angry', 'sad', 'happy'], split: named },
      { ...base, labels: ['sad', 'happy', 'angry'], split: { ...named, testSpeakers: ['02', '01'] } },
    );
    // The config diff still shows the literal difference (class indices follow the order).
    expect(Object.keys(c.configDiff)).toEqual(['labels', 'split.testSpeakers']);
    expect(c.warnings).toEqual([]);
  });

  it('does not warn for differences that leave the test files alone', () => {
    const c = compare(base, { ...base, epochs: 5, model: 'bilstm', crossEvaluation: { datasetId: 9 } });
    expect(Object.keys(c.configDiff).length).toBeGreaterThan(0);
    expect(c.warnings).toEqual([]);
  });

  it('treats a split given as a bare value like any other split difference', () => {
    const c = compareRuns([
      { id: 1, config: { split: 'speaker' }, metrics: report(['a', 'b']) },
      { id: 2, config: { split: 'random' }, metrics: report(['a', 'b']) },
    ]);
    expect(c.warnings).toEqual([`Runs differ in split${TEST_SET_TAIL}`]);
  });
});

describe('compareRuns: labels and per-class F1', () => {
  it('matches per-class F1 by label name when runs list the same labels in another order, without a label warning', () => {
    const a = evaluatePredictions([0, 1, 2, 2], [0, 1, 2, 1], ['angry', 'happy', 'sad']);
    const b = evaluatePredictions([0, 1, 2, 2], [0, 1, 2, 2], ['sad', 'angry', 'happy']);
    const c = compareRuns([
      { id: 1, config: {}, metrics: asMetrics(a) },
      { id: 2, config: {}, metrics: asMetrics(b) },
    ]);
    expect(c.warnings).toEqual([]);
    expect(c.sharedLabels).toEqual(['angry', 'happy', 'sad']);
    // Neither run's order is the sorted one.
    expect(compareRuns([2, 1].map((id) => ({ id, config: {}, metrics: id === 1 ? asMetrics(a) : asMetrics(b) }))).warnings).toEqual([]);
    expect(
      compareRuns([
        { id: 1, config: {}, metrics: report(['sad', 'angry']) },
        { id: 2, config: {}, metrics: report(['angry', 'sad']) },
      ]).warnings,
    ).toEqual([]);
    expect(c.perClassF1).toEqual({
      angry: [a.perClass.angry.f1, b.perClass.angry.f1],
      happy: [a.perClass.happy.f1, b.perClass.happy.f1],
      sad: [a.perClass.sad.f1, b.perClass.sad.f1],
    });
    expect(c.perClassF1.happy).toEqual([2 / 3, 1]);
  });

  it('warns with the exact wording when one run has a subset of the labels', () => {
    const c = compareRuns([
      { id: 1, config: {}, metrics: report(['a', 'b', 'c']) },
      { id: 2, config: {}, metrics: report(['b', 'a']) },
    ]);
    expect(c.sharedLabels).toEqual(['a', 'b']);
    expect(c.warnings).toEqual([
      'Runs use different label sets (run 1 [a, b, c]; run 2 [b, a]). Per-class F1 compares only the 2 shared labels (a, b); overall accuracy, UAR and macro-F1 were computed over different classes and are not directly comparable.',
    ]);
  });

  it('warns with the exact wording when label sets share nothing', () => {
    const c = compareRuns([
      { id: 3, config: {}, metrics: report(['x', 'y']) },
      { id: 4, config: {}, metrics: report(['p', 'q']) },
    ]);
    expect(c.sharedLabels).toEqual([]);
    expect(c.warnings).toEqual([
      'Runs use different label sets with no label in common (run 3 [x, y]; run 4 [p, q]); there is no per-class comparison, and overall metrics are not comparable.',
    ]);
  });

  it('shares only the labels every evaluated run has, in the first run’s order', () => {
    const c = compareRuns([
      { id: 1, config: {}, metrics: report(['c', 'b', 'a']) },
      { id: 2, config: {}, metrics: report(['a', 'b', 'c', 'd']) },
      { id: 3, config: {}, metrics: report(['b', 'c', 'e']) },
    ]);
    expect(c.sharedLabels).toEqual(['c', 'b']);
    expect(Object.keys(c.perClassF1)).toEqual(['c', 'b']);
  });

  it('prefers explicit labels and per-class fields, then the report, then the per-class keys', () => {
    const runs: RunForComparison[] = [
      // Explicit fields win over what the metrics hold.
      { id: 1, config: {}, metrics: { ...report(['z', 'w']), accuracy: 0.5 }, labels: ['a', 'b'], perClass: { a: { f1: 0.25 }, b: { f1: 0.75 } } },
      // Labels that are not all strings are ignored: the per-class keys name the classes.
      { id: 2, config: {}, metrics: { accuracy: 0.5, labels: ['a', 3], perClass: { b: { f1: 0.5 }, a: { f1: null } } } },
      // No labels anywhere: not an evaluated run, so it cannot shrink the shared labels.
      { id: 3, config: {}, metrics: { accuracy: 0.5, perClass: [] } },
    ];
    const c = compareRuns(runs);
    expect(c.warnings).toEqual([]);
    expect(c.sharedLabels).toEqual(['a', 'b']);
    expect(c.perClassF1).toEqual({ a: [0.25, null, null], b: [0.75, 0.5, null] });
    expect(c.confusions.map((x) => x.labels)).toEqual([['a', 'b'], ['b', 'a'], []]);
  });

  it('takes the labels (and their order) from the stored report, and a label missing from a run’s per-class table is null', () => {
    const c = compareRuns([
      { id: 1, config: {}, metrics: { accuracy: 1, labels: ['b', 'a'], perClass: { a: { f1: 1 } } } },
      { id: 2, config: {}, metrics: { accuracy: 1, labels: ['a', 'b'] } },
    ]);
    expect(c.warnings).toEqual([]);
    expect(c.sharedLabels).toEqual(['b', 'a']);
    expect(c.perClassF1).toEqual({ b: [null, null], a: [1, null] });
    expect(c.confusions.map((x) => x.labels)).toEqual([
      ['b', 'a'],
      ['a', 'b'],
    ]);
  });

  it('has no shared labels and no warning when no run carries labels', () => {
    const c = compareRuns([
      { id: 1, config: {}, metrics: { accuracy: 1 } },
      { id: 2, config: {}, metrics: { uar: 1 } },
    ]);
    expect(c.sharedLabels).toEqual([]);
    expect(c.perClassF1).toEqual({});
    expect(c.warnings).toEqual([]);
  });
});

describe('compareRuns: stored records', () => {
  it('explains every gap, in a fixed order', () => {
    const c = compareRuns([
      { id: 1, config: { datasetId: 1 }, metrics: null, status: 'failed' },
      { id: 2, config: { datasetId: 1 }, metrics: null, status: 'completed' },
      { id: 3, config: { datasetId: 1 }, metrics: null },
      { id: 4, config: { datasetId: 2 }, metrics: { accuracy: NaN, n: 3 }, datasetDeleted: true },
      { id: 5, config: { datasetId: 1 }, metrics: { macroF1: 0.5 }, datasetDeleted: false },
    ]);
    expect(c.warnings).toEqual([
      'Run 1 has no evaluation (status failed); its metrics are shown as null.',
      'Run 2 has no evaluation; its metrics are shown as null.',
      'Run 3 has no evaluation; its metrics are shown as null.',
      "Run 4's stored metrics hold no accuracy, UAR or macro-F1.",
      "Run 4's dataset has been deleted; its config and results are still shown, but it cannot be re-run or re-evaluated.",
      `Runs differ in datasetId${TEST_SET_TAIL}`,
    ]);
    expect(c.metrics).toEqual({
      accuracy: [null, null, null, null, null],
      uar: [null, null, null, null, null],
      macroF1: [null, null, null, null, 0.5],
    });
  });

  it('passes status, config and n through; wraps a config that is not an object', () => {
    const c = compareRuns([
      { id: 1, config: { seed: 1 }, metrics: { accuracy: 0.5, n: 12 }, status: 'completed' },
      { id: 2, config: null, metrics: { accuracy: 0.5, n: '12' } },
      { id: 3, config: 'text', metrics: { accuracy: 0.5 }, status: '' },
      { id: 4, config: [1, 2], metrics: { accuracy: 0.5 } },
      { id: 5, config: undefined, metrics: { accuracy: 0.5 } },
    ]);
    expect(c.runs).toEqual([
      { id: 1, status: 'completed', config: { seed: 1 }, metrics: { accuracy: 0.5, uar: null, macroF1: null, n: 12 } },
      { id: 2, config: { value: null }, metrics: { accuracy: 0.5, uar: null, macroF1: null, n: null } },
      { id: 3, config: { value: 'text' }, metrics: { accuracy: 0.5, uar: null, macroF1: null, n: null } },
      { id: 4, config: { value: [1, 2] }, metrics: { accuracy: 0.5, uar: null, macroF1: null, n: null } },
      { id: 5, config: { value: null }, metrics: { accuracy: 0.5, uar: null, macroF1: null, n: null } },
    ]);
    expect(c.runs.map((r) => 'status' in r)).toEqual([true, false, false, false, false]);
    expect(c.warnings).toEqual([]);
  });

  it('a partly stored headline is no gap', () => {
    const c = compareRuns([
      { id: 1, config: {}, metrics: { accuracy: 0.5 } },
      { id: 2, config: {}, metrics: { uar: 0.5 } },
    ]);
    expect(c.warnings).toEqual([]);
  });

  it('shows a confusion matrix only when it is k x k numbers for the run’s k labels', () => {
    const labels = ['a', 'b'];
    const withConfusion = (confusion: unknown, l: string[] | null = labels): RunForComparison => ({
      id: 1,
      config: {},
      metrics: { accuracy: 1, confusion },
      ...(l ? { labels: l } : {}),
    });
    const matrix = (run: RunForComparison) => compareRuns([run]).confusions[0].matrix;
    expect(
      matrix(
        withConfusion([
          [1, 0],
          [0, 1],
        ]),
      ),
    ).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(
      matrix(
        withConfusion([
          [1, 0, 0],
          [0, 1, 0],
        ]),
      ),
    ).toBeNull();
    expect(matrix(withConfusion([[1, 0]]))).toBeNull();
    expect(matrix(withConfusion([[1, 0], [0]]))).toBeNull();
    expect(matrix(withConfusion([[1, 0], 'row']))).toBeNull();
    expect(
      matrix(
        withConfusion([
          [1, 0],
          [0, '1'],
        ]),
      ),
    ).toBeNull();
    expect(matrix(withConfusion({ 0: [1, 0], 1: [0, 1], length: 2 }))).toBeNull();
    // No labels: k = 0, and an empty matrix is no matrix.
    expect(matrix(withConfusion([], null))).toBeNull();
    expect(compareRuns([{ id: 1, config: {}, metrics: null }]).confusions).toEqual([{ id: 1, labels: [], matrix: null }]);
  });
});
