import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClassical, loadClassical, parseClassicalParams, type ClassicalModel } from '../../src-main/core/models/classical';
import { balancedClassWeights } from '../../src-main/core/models/shallow/classWeights';
import { featuresPerSplit } from '../../src-main/core/models/shallow/forest';
import { mulberry32 } from '../../src-main/core/mulberry32';
import { argmaxRows } from '../../src-shared/metrics';
import { DEFAULT_C_GRID } from '../../src-shared/config/models';
import { REPO_ROOT } from '../helpers/shared';

/** Gaussian-ish blobs: class c is shifted by +2 along dimension c, noise ~U(-1.5, 1.5) elsewhere. */
function blobs(n: number, dims: number, classes: number, seed: number): { X: Float32Array[]; y: number[] } {
  const rand = mulberry32(seed);
  const X: Float32Array[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    const x = new Float32Array(dims);
    for (let d = 0; d < dims; d++) x[d] = (d === c ? 2.5 : 0) + (rand() - 0.5) * 2 + 100 * d; // offsets test the scaling
    X.push(x);
    y.push(c);
  }
  return { X, y };
}

/** Two concentric rings in 2-D: not linearly separable, easy for an RBF kernel or a forest. */
function rings(n: number, seed: number): { X: Float32Array[]; y: number[] } {
  const rand = mulberry32(seed);
  const X: Float32Array[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const r = (c === 0 ? 1 : 3) + (rand() - 0.5) * 0.8;
    const a = rand() * 2 * Math.PI;
    X.push(Float32Array.of(r * Math.cos(a), r * Math.sin(a)));
    y.push(c);
  }
  return { X, y };
}

const accuracy = (m: ClassicalModel, X: Float32Array[], y: number[]): number => {
  const pred = argmaxRows(m.predictProba(X));
  return pred.filter((p, i) => p === y[i]).length / y.length;
};

describe('classical models learn', () => {
  const train = blobs(300, 12, 4, 1);
  const test = blobs(200, 12, 4, 2);

  for (const [kind, params] of [
    ['svm', { kernel: 'rbf' }],
    ['svm', { kernel: 'linear', C: 0.5 }],
    ['forest', { n_estimators: 50, seed: 3 }],
  ] as const) {
    it(`${kind} ${JSON.stringify(params)} separates 4 blobs on held-out data (>95 %)`, async () => {
      const m = createClassical(kind, params);
      await m.fit(train.X, train.y, 4);
      expect(accuracy(m, test.X, test.y)).toBeGreaterThan(0.95);
      for (const p of m.predictProba(test.X.slice(0, 20))) {
        expect(p.length).toBe(4);
        expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      }
    });
  }

  it('the kernel parameter matters: RBF separates rings, linear cannot', async () => {
    const tr = rings(400, 5);
    const te = rings(200, 6);
    const rbf = createClassical('svm', { kernel: 'rbf' });
    const lin = createClassical('svm', { kernel: 'linear' });
    await rbf.fit(tr.X, tr.y, 2);
    await lin.fit(tr.X, tr.y, 2);
    expect(accuracy(rbf, te.X, te.y)).toBeGreaterThan(0.95);
    expect(accuracy(lin, te.X, te.y)).toBeLessThan(0.75);
    const forest = createClassical('forest', { n_estimators: 30 });
    await forest.fit(tr.X, tr.y, 2);
    expect(accuracy(forest, te.X, te.y)).toBeGreaterThan(0.95);
  });

  it('a class missing from the training set gets probability 0', async () => {
    for (const kind of ['svm', 'forest'] as const) {
      const m = createClassical(kind, kind === 'forest' ? { n_estimators: 10 } : {});
      await m.fit(train.X, train.y, 6);
      for (const p of m.predictProba(test.X.slice(0, 5))) {
        expect(p.length).toBe(6);
        expect(p[4]).toBe(0);
        expect(p[5]).toBe(0);
      }
    }
  });
});

describe('classical models are reproducible and serialisable', () => {
  const train = blobs(160, 8, 4, 11);
  const test = blobs(60, 8, 4, 12);

  it('forest: same seed gives identical probabilities, another seed different ones', async () => {
    const fit = async (seed: number) => {
      const m = createClassical('forest', { n_estimators: 20, seed, max_depth: 6 });
      await m.fit(train.X, train.y, 4);
      return m.predictProba(test.X);
    };
    const a = await fit(7);
    const b = await fit(7);
    const c = await fit(8);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('svm: a second fit in the same process gives identical probabilities', async () => {
    // libsvm's calibration uses C rand(); a shared wasm instance would drift between fits.
    const fit = async (seed: number) => {
      const m = createClassical('svm', { seed });
      await m.fit(train.X, train.y, 4);
      return m.predictProba(test.X);
    };
    const a = await fit(1);
    expect(await fit(1)).toEqual(a);
    expect(await fit(2)).not.toEqual(a);
  });

  for (const kind of ['svm', 'forest'] as const) {
    it(`${kind}: toJSON -> JSON text -> loadClassical predicts exactly the same`, async () => {
      const m = createClassical(kind, { class_weight: 'balanced' });
      await m.fit(train.X, train.y, 4);
      const text = JSON.stringify(m.toJSON());
      const loaded = await loadClassical(JSON.parse(text));
      expect(loaded.kind).toBe(kind);
      expect(loaded.predictProba(test.X)).toEqual(m.predictProba(test.X));
      expect(JSON.stringify(loaded.toJSON())).toBe(text);
    });
  }
});

describe('selection and PCA in front of the RBF SVM', () => {
  it('a version 1 SVM file (saved before the transform existed) loads and predicts what it predicted then', async () => {
    const v1 = JSON.parse(readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'svmVersion1.json'), 'utf8')) as {
      model: { version: number };
      inputs: number[][];
      probabilities: number[][];
    };
    expect(v1.model.version).toBe(1);
    const m = await loadClassical(v1.model);
    const p = m.predictProba(v1.inputs.map((x) => Float32Array.from(x)));
    expect(p.map((r) => Array.from(r))).toEqual(v1.probabilities);
    // Saved again, it is a version 2 file with the same z-scoring inside, and it predicts the same.
    const again = await loadClassical(JSON.parse(JSON.stringify(m.toJSON())));
    expect((m.toJSON() as { version: number }).version).toBe(2);
    expect(again.predictProba(v1.inputs.map((x) => Float32Array.from(x)))).toEqual(p);
  });

  it('select and pca change what the SVM sees, survive saving, and the selection keeps the informative dimensions', async () => {
    // Blobs in 12 dimensions, classes shifted along dimensions 0–3 only: k = 4 must pick exactly those.
    const train = blobs(300, 12, 4, 1);
    const test = blobs(100, 12, 4, 2);
    const m = createClassical('svm', { select: { k: 4 }, pca: { components: 3 } });
    await m.fit(train.X, train.y, 4);
    const json = m.toJSON() as { transform: { selected: number[]; outputDims: number } };
    expect(json.transform.selected).toEqual([0, 1, 2, 3]);
    expect(json.transform.outputDims).toBe(3);
    expect(accuracy(m, test.X, test.y)).toBeGreaterThan(0.9);
    const loaded = await loadClassical(JSON.parse(JSON.stringify(json)));
    expect(loaded.predictProba(test.X)).toEqual(m.predictProba(test.X));
  });
});

describe('classical parameters and input errors', () => {
  it('fills sklearn defaults', () => {
    expect(parseClassicalParams('svm', {})).toEqual({ kernel: 'rbf', C: 1, gamma: 'scale', class_weight: 'none', select: null, pca: null, seed: 0 });
    expect(parseClassicalParams('logreg', {})).toMatchObject({
      C: 'auto',
      Cs: DEFAULT_C_GRID,
      class_weight: 'none',
      select: null,
      pca: null,
      tol: 1e-4,
    });
    expect(parseClassicalParams('linear-svm', { C: 0.01 })).toMatchObject({ C: 0.01, max_iter: 1000 });
    expect(parseClassicalParams('forest', { max_depth: 8 })).toMatchObject({
      n_estimators: 100,
      max_depth: 8,
      max_features: 'sqrt',
      min_samples_leaf: 1,
    });
  });

  it('rejects bad hyperparameters with readable messages', () => {
    expect(() => createClassical('svm', { kernel: 'poly' })).toThrow(/Invalid SVM parameters: kernel: unknown kernel "poly"; use "rbf" or "linear"/);
    expect(() => createClassical('svm', { C: -1 })).toThrow(/C: .*>0|C: Too small/);
    expect(() => createClassical('svm', { gama: 0.1 })).toThrow(/gama/);
    expect(() => createClassical('forest', { max_features: 2.5 })).toThrow(/max_features above 1 must be a whole number/);
    expect(() => createClassical('forest', { n_estimators: 0 })).toThrow(/n_estimators/);
    expect(() => createClassical('knn', {})).toThrow(/Unknown classical model "knn"/);
  });

  it('refuses bad training data and mismatched input dimensions', async () => {
    const { X, y } = blobs(40, 5, 2, 3);
    const m = createClassical('forest', { n_estimators: 5 });
    await expect(
      m.fit(
        X,
        y.map(() => 0),
        2,
      ),
    ).rejects.toThrow(/only one class/);
    await expect(m.fit(X, y.slice(1), 2)).rejects.toThrow(/40 training vectors but 39 labels/);
    const bad = X.map((x) => x.slice());
    bad[3][2] = Number.NaN;
    await expect(createClassical('svm').fit(bad, y, 2)).rejects.toThrow(/training vector 3 has a non-finite value \(NaN\) in dimension 2/);
    await m.fit(X, y, 2);
    expect(() => m.predictProba([new Float32Array(4)])).toThrow(/input vector 0 has 4 dimensions, the model expects 5/);
  });

  it('loadClassical names what is wrong with a damaged file', async () => {
    await expect(loadClassical({ format: 'keras' })).rejects.toThrow(/Not a saved classical model \(format "keras"/);
    await expect(loadClassical({ format: 'ser-forest', version: 1 })).rejects.toThrow(/Saved random forest is damaged: .*params/);
  });

  it('helpers: balanced class weights and features per split', () => {
    expect(balancedClassWeights([0, 0, 0, 1], 3)).toEqual([4 / 6, 2, 0]);
    expect(featuresPerSplit('sqrt', 88)).toBe(9);
    expect(featuresPerSplit('log2', 88)).toBe(6);
    expect(featuresPerSplit(0.5, 88)).toBe(44);
    expect(featuresPerSplit(20, 10)).toBe(10);
  });
});

describe('libsvm wasm instances', () => {
  it('leave no process-wide unhandledRejection handler behind (emscripten installs one that exits)', async () => {
    const before = process.listenerCount('unhandledRejection');
    const m = createClassical('svm');
    const { X, y } = blobs(20, 3, 2, 9);
    await m.fit(X, y, 2);
    await loadClassical(m.toJSON());
    expect(process.listenerCount('unhandledRejection')).toBe(before);
  });
});
