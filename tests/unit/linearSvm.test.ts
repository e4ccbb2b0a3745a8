// One-vs-rest linear SVM (shallow/linearSvm.ts behind LinearClassifier) against scikit-learn 1.2's
// LinearSVC(loss='squared_hinge', dual=True) on the fixed data of tests/reference/linearReference.py (tol 1e-10).
// Tolerance: 1e-3 × the largest coefficient for weights, intercepts and test decision values. The dual optimum is
// unique in w, so the order of coordinate updates (liblinear's rand() vs our seeded shuffle) does not matter once
// both have converged; what is left is float32 inputs (≈1e-5 on the z-scores) and the dual stopping rule.
import { describe, expect, it } from 'vitest';
import { createClassical, loadClassical, type LinearClassifier } from '../../src-main/core/models/classical';
import type { LinearJson } from '../../src-main/core/models/shallow/linearClassifier';
import { fitSoftmaxScale } from '../../src-main/core/models/shallow/linearSvm';
import { mulberry32 } from '../../src-main/core/mulberry32';
import { argmaxRows } from '../../src-shared/metrics';
import { LINEAR_REFERENCE, maxAbs, maxAbsDiff, referenceData } from '../helpers/linearReference';

/** W·z(x) + b per class for a saved linear model without selection or PCA. */
function scores(json: LinearJson, X: Float32Array[]): number[][] {
  const { mean, std } = json.transform.standardizer;
  return X.map((x) => {
    const z = Array.from(x, (v, j) => (v - mean[j]) / std[j]);
    return json.weights.map((w, c) => w.reduce((s, wj, j) => s + wj * z[j], json.intercepts[c]));
  });
}

describe('linear SVM matches scikit-learn LinearSVC', () => {
  for (const ref of LINEAR_REFERENCE.linearSvc) {
    it(`${ref.data}, C=${ref.C}, class_weight ${ref.class_weight}: coefficients, intercepts, decision values, accuracy`, async () => {
      const d = referenceData(ref.data);
      const m = createClassical('linear-svm', { C: ref.C, class_weight: ref.class_weight, tol: 1e-8, max_iter: 100_000 }) as LinearClassifier;
      await m.fit(d.X, d.y, d.classes);
      const json = m.toJSON();
      const binary = d.classes === 2;
      // sklearn keeps one row for two classes (class 1's); ours scores both, as [−f, f].
      const ours = binary ? json.weights.slice(1) : json.weights;
      const tol = 1e-3 * maxAbs(ref.coef);
      expect(maxAbsDiff(ours, ref.coef)).toBeLessThan(tol);
      expect(maxAbsDiff([binary ? json.intercepts.slice(1) : json.intercepts], [ref.intercept])).toBeLessThan(tol);
      const s = scores(json, d.Xtest);
      expect(maxAbsDiff(s, ref.decision_test)).toBeLessThan(tol * 10);
      const acc = argmaxRows(m.predictProba(d.Xtest)).filter((p, i) => p === d.ytest[i]).length / d.ytest.length;
      expect(acc).toBeCloseTo(ref.accuracy_test, 10);
      expect(m.fitInfo.converged).toBe(true);
    });
  }

  it('class_weight matters: balanced moves the weights of the wide, unbalanced set', async () => {
    const d = referenceData('wide');
    const plain = LINEAR_REFERENCE.linearSvc.find((r) => r.data === 'wide' && r.class_weight === 'none')!;
    const m = createClassical('linear-svm', { C: plain.C, class_weight: 'balanced', tol: 1e-8 }) as LinearClassifier;
    await m.fit(d.X, d.y, d.classes);
    // 30× the tolerance the sklearn comparison above allows.
    expect(maxAbsDiff(m.toJSON().weights, plain.coef)).toBeGreaterThan(3e-2 * maxAbs(plain.coef));
  });
});

describe('linear SVM probabilities', () => {
  it('temperature scaling keeps the SVM’s decision: the argmax of the probabilities is the argmax of the scores', async () => {
    const d = referenceData('tall');
    const m = createClassical('linear-svm', { C: 0.1, seed: 3 }) as LinearClassifier;
    await m.fit(d.X, d.y, d.classes);
    const json = m.toJSON();
    expect(json.probabilityScale).toBeGreaterThan(0);
    expect(argmaxRows(m.predictProba(d.Xtest))).toEqual(argmaxRows(scores(json, d.Xtest)));
    for (const p of m.predictProba(d.Xtest)) expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('the fitted scale minimises the log loss: nudging it either way raises the loss', () => {
    const rand = mulberry32(4);
    const y = Array.from({ length: 200 }, (_, i) => i % 3);
    const s = y.map((c) => Float64Array.from([0, 1, 2], (j) => (j === c ? 1 : 0) + (rand() - 0.5) * 2));
    const a = fitSoftmaxScale(s, y);
    const loss = (scale: number) =>
      s.reduce((acc, row, i) => {
        const z = Array.from(row, (v) => v * scale);
        const max = Math.max(...z);
        return acc + max + Math.log(z.reduce((t, v) => t + Math.exp(v - max), 0)) - z[y[i]];
      }, 0);
    expect(a).toBeGreaterThan(0.5);
    expect(loss(a)).toBeLessThan(loss(a * 1.01));
    expect(loss(a)).toBeLessThan(loss(a * 0.99));
    // Scores that say nothing about the label (the same for every vector, classes balanced) give scale 0: every class 1/k.
    const balanced = Array.from({ length: 201 }, (_, i) => i % 3);
    expect(
      fitSoftmaxScale(
        balanced.map(() => Float64Array.of(1, 0, 0)),
        balanced,
      ),
    ).toBeLessThan(1e-9);
  });

  it('out-of-fold calibration: on held-out data the mean confidence is close to the accuracy, unlike in-sample scaling', async () => {
    const d = referenceData('tall');
    const m = createClassical('linear-svm', { C: 0.1 }) as LinearClassifier;
    await m.fit(d.X, d.y, d.classes);
    const json = m.toJSON();
    const p = m.predictProba(d.Xtest);
    const predicted = argmaxRows(p);
    const accuracy = predicted.filter((c, i) => c === d.ytest[i]).length / d.ytest.length;
    const confidence = p.reduce((acc, row, i) => acc + row[predicted[i]], 0) / p.length;
    expect(Math.abs(confidence - accuracy)).toBeLessThan(0.1);
    // The scale fitted on the training vectors' own scores would be larger (more confident) than the out-of-fold one.
    const inSample = fitSoftmaxScale(
      scores(json, d.X).map((r) => Float64Array.from(r)),
      d.y,
    );
    expect(inSample).toBeGreaterThan(json.probabilityScale * 1.1);
  });

  it('save → load gives identical probabilities, with selection and PCA inside the model', async () => {
    const d = referenceData('wide');
    const m = createClassical('linear-svm', { C: 0.01, select: { k: 0.5 }, pca: { components: 0.9 } });
    await m.fit(d.X, d.y, d.classes);
    const loaded = await loadClassical(JSON.parse(JSON.stringify(m.toJSON())));
    expect(loaded.kind).toBe('linear-svm');
    expect(loaded.predictProba(d.Xtest)).toEqual(m.predictProba(d.Xtest));
  });

  it('the same seed gives the same model; the solution does not depend on it beyond the tolerance', async () => {
    const d = referenceData('tall');
    const fit = async (seed: number) => {
      const m = createClassical('linear-svm', { C: 0.1, seed, tol: 1e-8 }) as LinearClassifier;
      await m.fit(d.X, d.y, d.classes);
      return m.toJSON();
    };
    const [a, b, c] = await Promise.all([fit(1), fit(1), fit(2)]);
    expect(a.weights).toEqual(b.weights);
    expect(maxAbsDiff(a.weights, c.weights)).toBeLessThan(1e-5);
  });
});
