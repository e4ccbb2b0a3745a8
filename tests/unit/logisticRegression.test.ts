// Multinomial logistic regression (shallow/logisticRegression.ts behind LinearClassifier) against scikit-learn 1.2's
// LogisticRegression(multi_class='multinomial', solver='lbfgs') on the fixed data of tests/reference/linearReference.py.
// Tolerance: 2e-4 × the largest coefficient for weights and intercepts, 1e-4 for probabilities. sklearn's own lbfgs
// stops (ftol = 64 eps) about 1e-5 from the optimum (its newton-cg answer differs from it by 1e-5 on these data), and
// the inputs reach the model as float32 (about 1e-5 on the z-scores here).
import { describe, expect, it } from 'vitest';
import { createClassical, loadClassical, LinearClassifier } from '../../src-main/core/models/classical';
import { minimizeLbfgs } from '../../src-main/core/models/shallow/lbfgs';
import { fitMultinomialLogistic } from '../../src-main/core/models/shallow/logisticRegression';
import { LINEAR_REFERENCE, maxAbs, maxAbsDiff, referenceData } from '../helpers/linearReference';

describe('logistic regression matches scikit-learn', () => {
  for (const ref of LINEAR_REFERENCE.logreg) {
    it(`${ref.data}, C=${ref.C}, class_weight ${ref.class_weight}: coefficients, intercepts, test probabilities`, async () => {
      const d = referenceData(ref.data);
      const m = createClassical('logreg', { C: ref.C, class_weight: ref.class_weight, tol: 1e-10, max_iter: 10_000 }) as LinearClassifier;
      await m.fit(d.X, d.y, d.classes);
      const json = m.toJSON();
      expect(json.classes).toEqual(Array.from({ length: d.classes }, (_, i) => i));
      const scale = maxAbs(ref.coef);
      expect(maxAbsDiff(json.weights, ref.coef)).toBeLessThan(2e-4 * scale);
      const mean = json.intercepts.reduce((a, b) => a + b, 0) / json.intercepts.length;
      expect(maxAbsDiff([json.intercepts.map((b) => b - mean)], [ref.intercept_centred])).toBeLessThan(
        2e-4 * Math.max(1, maxAbs([ref.intercept_centred])),
      );
      expect(maxAbsDiff(m.predictProba(d.Xtest), ref.proba_test)).toBeLessThan(1e-4);
      expect(m.fitInfo.converged).toBe(true);
    });
  }

  it('the penalty matters: a 100× smaller C shrinks the weights and moves the probabilities off the reference', async () => {
    const ref = LINEAR_REFERENCE.logreg[0];
    const d = referenceData(ref.data);
    const m = createClassical('logreg', { C: ref.C / 100, tol: 1e-8 }) as LinearClassifier;
    await m.fit(d.X, d.y, d.classes);
    expect(maxAbs(m.toJSON().weights)).toBeLessThan(0.2 * maxAbs(ref.coef));
    expect(maxAbsDiff(m.predictProba(d.Xtest), ref.proba_test)).toBeGreaterThan(0.05);
  });
});

describe('logistic regression as a saved model', () => {
  it('save → load gives identical probabilities, and the JSON survives a text round trip', async () => {
    const d = referenceData('wide');
    const m = createClassical('logreg', { C: 0.05, select: { k: 40 }, pca: { components: 10 } });
    await m.fit(d.X, d.y, d.classes);
    const loaded = await loadClassical(JSON.parse(JSON.stringify(m.toJSON())));
    expect(loaded.kind).toBe('logreg');
    expect(loaded.predictProba(d.Xtest)).toEqual(m.predictProba(d.Xtest));
  });

  it('classes absent from training get probability 0 (numClasses > classes seen)', async () => {
    const d = referenceData('tall');
    const m = createClassical('logreg', { C: 1 });
    await m.fit(d.X, d.y, 5);
    for (const p of m.predictProba(d.Xtest)) {
      expect(p.length).toBe(5);
      expect(p[3]).toBe(0);
      expect(p[4]).toBe(0);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
  });

  it("C 'auto' cannot be fitted without a validation split, and says so", async () => {
    const d = referenceData('tall');
    await expect(createClassical('logreg', {}).fit(d.X, d.y, 3)).rejects.toThrow(/C is "auto", which is chosen on a validation split/);
  });

  it('rejects bad parameters with the field named', () => {
    expect(() => createClassical('logreg', { C: -1 })).toThrow(/Invalid logistic regression parameters: C: /);
    expect(() => createClassical('logreg', { select: { k: 2.5 } })).toThrow(/select\.k above 1 must be a whole number/);
    expect(() => createClassical('logreg', { pca: { components: 0 } })).toThrow(/pca\.components/);
    expect(() => createClassical('logreg', { solver: 'saga' })).toThrow(/solver/);
  });

  it('a damaged saved model is refused with the reason', async () => {
    const d = referenceData('tall');
    const m = createClassical('logreg', { C: 1 });
    await m.fit(d.X, d.y, 3);
    const json = m.toJSON() as { weights: number[][] };
    await expect(loadClassical({ ...json, weights: json.weights.slice(1) })).rejects.toThrow(
      /Saved logistic regression is damaged: weight matrix sizes/,
    );
    await expect(loadClassical({ ...json, version: 7 })).rejects.toThrow(/Saved linear model is damaged: version/);
  });
});

describe('the solver', () => {
  it('L-BFGS finds the minimum of an ill-conditioned quadratic (condition number 1e4)', () => {
    const a = Float64Array.from({ length: 50 }, (_, i) => 10 ** ((4 * i) / 49));
    const r = minimizeLbfgs(
      (x, g) => {
        let f = 0;
        for (let i = 0; i < x.length; i++) {
          const e = x[i] - 1;
          f += 0.5 * a[i] * e * e;
          g[i] = a[i] * e;
        }
        return f;
      },
      new Float64Array(50),
      { gtol: 1e-9, maxIter: 5000 },
    );
    expect(r.converged).toBe(true);
    // It stops on scipy's relative-decrease rule (64 eps) before gtol here; that is still 1e-5 from the minimum.
    for (const v of r.x) expect(Math.abs(v - 1)).toBeLessThan(1e-5);
  });

  it('its optimum is the objective’s minimum: every coordinate step from it, either way, raises the objective', () => {
    const d = referenceData('tall');
    const X = { rows: 30, cols: 12, data: Float64Array.from(d.X.slice(0, 30).flatMap((r) => Array.from(r, (v) => v / 50))) };
    const y = d.y.slice(0, 30);
    // The objective written out independently of logisticRegression.ts: Σ (logsumexp(s) − s_y) + ‖W‖² / (2C), C = 2.
    const sol = fitMultinomialLogistic(X, y, 3, { C: 2, tol: 1e-10, maxIter: 5000 });
    const objective = (W: Float64Array, b: Float64Array) => {
      let f = 0;
      for (let i = 0; i < 30; i++) {
        const s = [0, 1, 2].map((c) => b[c] + X.data.subarray(i * 12, i * 12 + 12).reduce((acc, v, j) => acc + v * W[c * 12 + j], 0));
        const max = Math.max(...s);
        const lse = max + Math.log(s.reduce((acc, v) => acc + Math.exp(v - max), 0));
        f += lse - s[y[i]];
      }
      return f + W.reduce((acc, w) => acc + w * w, 0) / (2 * 2);
    };
    const f0 = objective(sol.W, sol.b);
    for (let j = 0; j < sol.W.length; j += 5) {
      for (const h of [1e-3, -1e-3]) {
        const W = Float64Array.from(sol.W);
        W[j] += h;
        expect(objective(W, sol.b)).toBeGreaterThan(f0 - 1e-10);
      }
    }
  });
});

describe('choosing C on a grid (fitGrid)', () => {
  it('keeps the best-scoring C, the smaller on ties, and that C’s weights', async () => {
    const d = referenceData('tall');
    const flat = createClassical('logreg', { C: 'auto' }) as LinearClassifier;
    const tie = await flat.fitGrid(d.X, d.y, d.classes, [10, 0.1, 1], () => 0.5);
    expect(tie.C).toBe(0.1);
    expect(tie.points.map((p) => p.C)).toEqual([0.1, 1, 10]);
    const peaked = createClassical('logreg', { C: 'auto' }) as LinearClassifier;
    const r = await peaked.fitGrid(d.X, d.y, d.classes, [0.1, 1, 10], (_m, C) => (C === 1 ? 0.9 : 0.4));
    expect(r.C).toBe(1);
    // The kept weights are those of C = 1 (compare with a direct fit at C = 1, to the solver's tolerance).
    const direct = createClassical('logreg', { C: 1 }) as LinearClassifier;
    await direct.fit(d.X, d.y, d.classes);
    expect(maxAbsDiff(peaked.toJSON().weights, direct.toJSON().weights)).toBeLessThan(1e-3 * maxAbs(direct.toJSON().weights));
    expect(peaked.fitInfo.C).toBe(1);
  });
});
