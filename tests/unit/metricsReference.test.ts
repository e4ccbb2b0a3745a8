// evaluatePredictions against scikit-learn on seeded random cases (tests/reference/metricsReference.py wrote the fixture:
// absent classes, classes predicted but never true, imbalance, 2 to 8 classes). Regenerate with
// `/usr/bin/python3 tests/reference/metricsReference.py`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluatePredictions } from '../../src-shared/metrics';

interface ReferenceCase {
  name: string;
  labels: string[];
  yTrue: number[];
  yPred: number[];
  accuracy: number;
  uar: number;
  macroF1: number;
  /** The class indices sklearn's macro-F1 averaged over: those in yTrue or yPred. */
  macroF1Labels: number[];
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
  confusion: number[][];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/metricsReference.json', import.meta.url), 'utf8')) as {
  sklearn: string;
  cases: ReferenceCase[];
};
const TOL = 1e-12;

describe(`evaluatePredictions matches scikit-learn ${fixture.sklearn}`, () => {
  it('has the cases the generator promises', () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(8);
    // At least one case with a class predicted but never true, and one with a label in neither.
    expect(fixture.cases.some((c) => c.support.some((s, i) => s === 0 && c.yPred.includes(i)))).toBe(true);
    expect(fixture.cases.some((c) => c.macroF1Labels.length < c.labels.length)).toBe(true);
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      const r = evaluatePredictions(c.yTrue, c.yPred, c.labels);
      expect(r.n).toBe(c.yTrue.length);
      expect(r.labels).toEqual(c.labels);
      expect(Math.abs(r.accuracy - c.accuracy)).toBeLessThanOrEqual(TOL);
      expect(Math.abs(r.uar - c.uar)).toBeLessThanOrEqual(TOL);
      expect(Math.abs(r.macroF1 - c.macroF1)).toBeLessThanOrEqual(TOL);
      expect(r.confusion).toEqual(c.confusion);
      c.labels.forEach((label, i) => {
        const m = r.perClass[label];
        expect(m.support, label).toBe(c.support[i]);
        expect(Math.abs(m.precision - c.precision[i]), `${label} precision`).toBeLessThanOrEqual(TOL);
        expect(Math.abs(m.recall - c.recall[i]), `${label} recall`).toBeLessThanOrEqual(TOL);
        expect(Math.abs(m.f1 - c.f1[i]), `${label} f1`).toBeLessThanOrEqual(TOL);
      });
    });
  }
});
