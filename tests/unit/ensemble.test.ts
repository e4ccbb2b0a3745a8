// Ensemble maths: label alignment, weighted means of probabilities, and weights fitted on validation predictions
// (optimality checked by the KKT conditions of the convex mixture log-loss and by a grid over two members).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alignLabels,
  combineProbabilities,
  EnsembleMetaSchema,
  equalWeights,
  fitEnsembleWeights,
  mixtureLogLoss,
  reorder,
} from '../../src-shared/ensemble';
import { mulberry32 } from '../../src-main/core/mulberry32';

function normalise(v: number[]): Float32Array {
  const s = v.reduce((a, b) => a + b, 0);
  return Float32Array.from(v, (x) => x / s);
}

/** Random probability vectors (no information about the label). */
function noise(n: number, k: number, rnd: () => number): Float32Array[] {
  return Array.from({ length: n }, () => normalise(Array.from({ length: k }, () => rnd() + 1e-3)));
}

/** A member right with probability `accuracy`, putting `confidence` on its pick and spreading the rest. */
function member(labels: number[], k: number, accuracy: number, confidence: number, rnd: () => number): Float32Array[] {
  return labels.map((y) => {
    const pick = rnd() < accuracy ? y : (y + 1 + Math.floor(rnd() * (k - 1))) % k;
    return Float32Array.from({ length: k }, (_, c) => (c === pick ? confidence : (1 - confidence) / (k - 1)));
  });
}

const labelsOf = (n: number, k: number, rnd: () => number) => Array.from({ length: n }, () => Math.floor(rnd() * k));

describe('combineProbabilities', () => {
  it('is the weighted mean per utterance and class', () => {
    const a = [Float32Array.of(0.7, 0.2, 0.1), Float32Array.of(0.1, 0.1, 0.8)];
    const b = [Float32Array.of(0.1, 0.6, 0.3), Float32Array.of(0.5, 0.25, 0.25)];
    const out = combineProbabilities([a, b], [0.25, 0.75]);
    expect(out).toHaveLength(2);
    const expected = [
      [0.25 * 0.7 + 0.75 * 0.1, 0.25 * 0.2 + 0.75 * 0.6, 0.25 * 0.1 + 0.75 * 0.3],
      [0.25 * 0.1 + 0.75 * 0.5, 0.25 * 0.1 + 0.75 * 0.25, 0.25 * 0.8 + 0.75 * 0.25],
    ];
    out.forEach((p, i) => p.forEach((v, c) => expect(v).toBeCloseTo(expected[i][c], 6)));
    // A weight of 1 gives that member's probabilities back exactly.
    expect(combineProbabilities([a, b], [0, 1])).toEqual(b);
  });

  it('refuses weights off the simplex and mismatched shapes, saying what is wrong', () => {
    const a = [Float32Array.of(0.5, 0.5)];
    expect(() => combineProbabilities([a, a], [0.5, 0.6])).toThrow(/sum to 1, got 1\.1/);
    expect(() => combineProbabilities([a, a], [1.5, -0.5])).toThrow(/≥ 0/);
    expect(() => combineProbabilities([a, a], [1])).toThrow(/1 weights for 2 members/);
    expect(() => combineProbabilities([a, [...a, ...a]], [0.5, 0.5])).toThrow(/Member 1 has probabilities for 2 utterances, member 0 for 1/);
    expect(() => combineProbabilities([a, [Float32Array.of(1, 0, 0)]], [0.5, 0.5])).toThrow(/3 class probabilities, expected 2/);
  });

  it('keeps every combined vector a distribution (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer(),
        (members, k, n, seed) => {
          const rnd = mulberry32(seed);
          const probs = Array.from({ length: members }, () => noise(n, k, rnd));
          const weights = Array.from(normalise(Array.from({ length: members }, () => rnd())));
          for (const p of combineProbabilities(probs, weights)) {
            expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
            for (const v of p) expect(v).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { seed: 20261206, numRuns: 100 },
    );
  });
});

describe('alignLabels', () => {
  it('takes the first member order and maps the others by name', () => {
    const { labels, order } = alignLabels([
      { name: 'svm', labels: ['angry', 'happy', 'sad'] },
      { name: 'cnn', labels: ['sad', 'angry', 'happy'] },
    ]);
    expect(labels).toEqual(['angry', 'happy', 'sad']);
    expect(order).toEqual([
      [0, 1, 2],
      [1, 2, 0],
    ]);
    expect(Array.from(reorder([0.2, 0.5, 0.3], order[1]))).toEqual([Math.fround(0.5), Math.fround(0.3), Math.fround(0.2)]);
  });

  it('refuses other label sets, naming the models and their labels', () => {
    expect(() =>
      alignLabels([
        { name: 'svm', labels: ['angry', 'happy', 'sad'] },
        { name: 'cnn', labels: ['angry', 'happy', 'neutral'] },
      ]),
    ).toThrow('the same labels (in any order), but cnn differs from svm: svm [angry, happy, sad]; cnn [angry, happy, neutral]');
    expect(() => alignLabels([{ name: 'a', labels: ['x', 'y'] }])).toThrow(/at least two models/);
    expect(() =>
      alignLabels([
        { name: 'a', labels: ['x', 'y'] },
        { name: 'b', labels: ['x', 'x'] },
      ]),
    ).toThrow(/b differs from a/);
  });
});

describe('fitEnsembleWeights', () => {
  const k = 8;
  const n = 240;

  // Log-loss rewards smoothing an over-confident member, so noise earns weight only as far as it smooths: beside a
  // calibrated member (confidence = accuracy) it earns none; beside an over-confident one, some.
  it('gives a pure-noise member about 0 weight beside a calibrated one, and some beside an over-confident one', () => {
    const rnd = mulberry32(1);
    const y = labelsOf(n, k, rnd);
    const w = fitEnsembleWeights([noise(n, k, rnd), member(y, k, 0.6, 0.6, rnd)], y);
    expect(w[0]).toBeLessThan(0.02);
    const smoothing = fitEnsembleWeights([noise(n, k, rnd), member(y, k, 0.6, 0.9, rnd)], y)[0];
    expect(smoothing).toBeGreaterThan(0.1);
    expect(smoothing).toBeLessThan(0.5);
    expect(w[0] + w[1]).toBeCloseTo(1, 12);
  });

  it('gives a perfect member about all the weight', () => {
    const rnd = mulberry32(2);
    const y = labelsOf(n, k, rnd);
    const perfect = member(y, k, 1, 0.9, rnd);
    const w = fitEnsembleWeights([member(y, k, 0.5, 0.6, rnd), perfect, noise(n, k, rnd)], y);
    expect(w[1]).toBeGreaterThan(0.98);
  });

  it('shares the weight between two equally good, independent members', () => {
    const rnd = mulberry32(3);
    const y = labelsOf(2000, k, rnd);
    const w = fitEnsembleWeights([member(y, k, 0.6, 0.6, rnd), member(y, k, 0.6, 0.6, rnd)], y);
    expect(w[0]).toBeGreaterThan(0.4);
    expect(w[0]).toBeLessThan(0.6);
  });

  it('is deterministic and independent of member order', () => {
    const rnd = mulberry32(4);
    const y = labelsOf(n, k, rnd);
    const members = [member(y, k, 0.55, 0.5, rnd), member(y, k, 0.4, 0.8, rnd), noise(n, k, rnd)];
    const w = fitEnsembleWeights(members, y);
    expect(fitEnsembleWeights(members, y)).toEqual(w);
    const swapped = fitEnsembleWeights([members[2], members[0], members[1]], y);
    [w[2], w[0], w[1]].forEach((v, i) => expect(swapped[i]).toBeCloseTo(v, 5));
  });

  it('reaches the minimum of the validation log-loss: KKT conditions and a fine grid (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 5, max: 80 }), fc.integer(), (members, size, seed) => {
        const rnd = mulberry32(seed);
        const y = labelsOf(size, 4, rnd);
        const probs = Array.from({ length: members }, (_, m) =>
          m === 0 ? noise(size, 4, rnd) : member(y, 4, 0.3 + 0.6 * rnd(), 0.3 + 0.6 * rnd(), rnd),
        );
        const w = fitEnsembleWeights(probs, y);
        expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        for (const v of w) expect(v).toBeGreaterThanOrEqual(0);
        // KKT on the simplex: the gradient gₘ = −mean(pₘᵢ / mixᵢ) equals −1 where wₘ > 0 and is ≥ −1 where wₘ = 0.
        const mix = y.map((c, i) => probs.reduce((s, p, m) => s + w[m] * Math.max(p[i][c], 1e-9), 0));
        probs.forEach((p, m) => {
          const g = -y.reduce((s, c, i) => s + Math.max(p[i][c], 1e-9) / mix[i], 0) / size;
          if (w[m] > 1e-3) expect(g).toBeCloseTo(-1, 2);
          else expect(g).toBeGreaterThan(-1 - 1e-2);
        });
        if (members === 2) {
          const best = mixtureLogLoss(probs, y, w);
          for (let t = 0; t <= 1000; t++) expect(mixtureLogLoss(probs, y, [t / 1000, 1 - t / 1000])).toBeGreaterThanOrEqual(best - 1e-7);
        }
      }),
      { seed: 20261207, numRuns: 60 },
    );
  });

  it('refuses what it cannot fit', () => {
    expect(() => fitEnsembleWeights([[]], [])).toThrow(/empty validation set/);
    expect(() => fitEnsembleWeights([[Float32Array.of(0.5, 0.5)]], [0, 1])).toThrow(/1 validation predictions for 2 labels/);
    expect(() => fitEnsembleWeights([[Float32Array.of(2, -1)]], [0])).toThrow(/probability 2 is not in \[0, 1\]/);
  });

  it('equal weights are 1/M each', () => {
    expect(equalWeights(4)).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});

describe('EnsembleMetaSchema', () => {
  const meta = {
    format: 'ser-workbench-model',
    version: 1,
    kind: 'ensemble',
    name: 'e',
    labels: ['a', 'b'],
    members: [0, 1].map((i) => ({
      dir: `members/${i}`,
      name: `m${i}`,
      kind: 'svm',
      preset: 'svm',
      runId: null,
      labels: i ? ['b', 'a'] : ['a', 'b'],
      adaptation: { speakerNormalization: false, speakerAdaptiveBatchNorm: false },
      source: '/x',
    })),
    weights: [0.5, 0.5],
    weighting: 'equal',
    adaptation: { speakerNormalization: false, speakerAdaptiveBatchNorm: false },
    runId: null,
    metrics: { val: null, test: null },
    createdAt: '2026-12-06T00:00:00Z',
  };

  it('accepts a well-formed meta and names what is damaged', () => {
    expect(EnsembleMetaSchema.safeParse(meta).success).toBe(true);
    const issues = (m: unknown) => (EnsembleMetaSchema.safeParse(m).error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ ...meta, weights: [0.5, 0.6] })).toEqual(['weights: weights sum to 1.1, not 1']);
    expect(issues({ ...meta, weights: [1] })).toEqual(['weights: 1 weights for 2 members']);
    expect(issues({ ...meta, members: [meta.members[1], meta.members[0]] })).toEqual([
      'members.0.dir: expected members/0',
      'members.1.dir: expected members/1',
    ]);
    expect(issues({ ...meta, members: [meta.members[0], { ...meta.members[1], labels: ['a', 'c'] }] })).toEqual([
      'members.1.labels: a,c is not a reordering of a,b',
    ]);
  });
});
