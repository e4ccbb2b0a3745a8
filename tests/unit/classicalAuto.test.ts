// The linear models on real data: RAVDESS actors 01–06 (16 kHz, the `functionals` features, 284 dimensions), split by
// speaker (three actors train, one validation, two test, seed 1). It pins that C 'auto' is chosen on the validation
// split only (scrambling the test labels changes nothing; scrambling the validation labels changes the scores), that
// the models learn, that a saved model predicts exactly what the trained one did, that the model's own standardiser
// sees speaker-normalised vectors when the run normalises per speaker, and that a whole run saves a loadable model.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../src-main/core/datasets/import';
import { loadClassical, type ClassicalModel, type LinearClassifier } from '../../src-main/core/models/classical';
import type { LinearJson } from '../../src-main/core/models/shallow/linearClassifier';
import { openStore, type Store } from '../../src-main/core/store/db';
import { prepareRunData, type RunData } from '../../src-main/core/training/data';
import type { RunProgressEvent } from '../../src-main/core/training/events';
import { trainClassical } from '../../src-main/core/training/pipeline';
import { startRun } from '../../src-main/core/training/run';
import { readModelDir } from '../../src-main/core/training/savedModel';
import { classifyFile, classifySamples, loadModel, predictPaths } from '../../src-main/core/training/predict';
import { loadAudio } from '../../src-main/core/audio/load';
import { evaluateOnDataset } from '../../src-main/core/training/evaluate';
import { listEvaluations } from '../../src-main/core/store/runs';
import { DEFAULT_C_GRID } from '../../src-shared/config/models';
import { parseRunConfig, type RunConfig } from '../../src-shared/config/run';
import { evaluatePredictions, argmaxRows } from '../../src-shared/metrics';
import { permutation } from '../../src-main/core/models/shallow/permutation';
import { RAVDESS_16K } from '../helpers/shared';

let dir: string;
let store: Store;
let datasetId: number;
let data: RunData;
let normalised: RunData;
const split = { kind: 'speaker', testFraction: 0.34, valFraction: 0.17, seed: 1 } as const;

const configFor = (model: string, params: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): RunConfig =>
  parseRunConfig({ datasetId, model: { preset: model, params }, split, ...extra });

/** trainClassical with its events and log lines captured. */
async function train(config: RunConfig, d: RunData) {
  const logs: string[] = [];
  const events: RunProgressEvent[] = [];
  const { model, outOfFoldVal } = await trainClassical(config, d, { emit: (e) => events.push(e) }, (m) => logs.push(m));
  const epoch = events.find((e) => e.type === 'epoch');
  return { model, outOfFoldVal, logs, metrics: epoch?.type === 'epoch' ? epoch.point.metrics : {} };
}

const uarOn = (m: ClassicalModel, part: RunData['test'], labels: string[]) =>
  evaluatePredictions(
    part.map((e) => e.label),
    argmaxRows(m.predictProba(part.map((e) => e.inputs[0]))),
    labels,
  ).uar;

/** The same data with one part's labels permuted (a derangement of who is what, same class counts). */
function scrambled(d: RunData, part: 'val' | 'test'): RunData {
  const order = permutation(d[part].length, 99);
  return { ...d, [part]: d[part].map((e, i) => ({ ...e, label: d[part][order[i]].label })) };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ser-linear-'));
  for (const a of ['01', '02', '03', '04', '05', '06']) {
    cpSync(join(RAVDESS_16K, `Actor_${a}`), join(dir, 'ravdess', `Actor_${a}`), { recursive: true });
  }
  store = openStore(join(dir, 'db.sqlite'));
  datasetId = (await importDataset(store, { folder: join(dir, 'ravdess') })).datasetId;
  data = await prepareRunData(store, configFor('logreg'), { workers: 0 });
  normalised = await prepareRunData(store, configFor('logreg', {}, { speakerNormalization: true }), { workers: 0 });
}, 600_000);
afterAll(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("C 'auto' on real functionals", () => {
  it('the split is three training actors, one validation actor, two test actors', () => {
    expect(new Set(data.train.map((e) => e.speaker)).size).toBe(3);
    expect(new Set(data.val.map((e) => e.speaker)).size).toBe(1);
    expect(new Set(data.test.map((e) => e.speaker)).size).toBe(2);
    expect(data.train[0].inputs[0].length).toBe(284);
  });

  for (const kind of ['logreg', 'linear-svm'] as const) {
    it(`${kind}: logs every C with its validation UAR, keeps the best (ties → smaller C), reports it, and learns`, async () => {
      const { model, logs, metrics } = await train(configFor(kind), data);
      const grid = logs.flatMap((l) => {
        const m = /^C = ([0-9.e-]+): validation UAR ([0-9.]+) %/.exec(l);
        return m ? [{ C: Number(m[1]), uar: Number(m[2]) }] : [];
      });
      expect(grid.map((g) => g.C)).toEqual(DEFAULT_C_GRID);
      const best = Math.max(...grid.map((g) => g.uar));
      const chosen = grid.find((g) => g.uar === best)!.C;
      expect(metrics.C).toBe(chosen);
      expect(logs.some((l) => l.startsWith(`Chose C = ${chosen} by validation UAR`))).toBe(true);
      expect(metrics.val_uar * 100).toBeCloseTo(best, 1);
      // Unseen speakers, 8 classes (chance 12.5 %).
      expect(uarOn(model, data.test, data.labels)).toBeGreaterThan(0.3);
    });
  }

  it('test labels play no part in the choice: scrambling them leaves the chosen C and the model unchanged', async () => {
    const a = await train(configFor('logreg'), data);
    const b = await train(configFor('logreg'), scrambled(data, 'test'));
    expect(b.metrics.C).toBe(a.metrics.C);
    expect(b.logs.filter((l) => l.startsWith('C = '))).toEqual(a.logs.filter((l) => l.startsWith('C = ')));
    expect(b.model.toJSON()).toEqual(a.model.toJSON());
  });

  it('validation labels are what the grid scores: scrambling them changes the validation UARs', async () => {
    const a = await train(configFor('logreg'), data);
    const b = await train(configFor('logreg'), scrambled(data, 'val'));
    expect(b.logs.filter((l) => l.startsWith('C = '))).not.toEqual(a.logs.filter((l) => l.startsWith('C = ')));
  });

  it("cSelection 'speaker-cv' chooses C on folds of the training speakers alone: validation and test labels play no part", async () => {
    const config = configFor('logreg', { cSelection: 'speaker-cv' });
    const a = await train(config, data);
    const means = a.logs.filter((l) => l.startsWith('C = '));
    expect(means).toHaveLength(7);
    for (const l of means) expect(l).toMatch(/^C = [\d.e-]+: mean UAR \d+\.\d % over 3 folds of the training speakers\.$/);
    // The chosen C is the best logged mean (the first of equals: the smaller C).
    const scored = means.map((l) => ({ C: Number(/^C = ([^:]+):/.exec(l)![1]), uar: Number(/mean UAR ([\d.]+) %/.exec(l)![1]) }));
    const best = scored.reduce((x, y) => (y.uar > x.uar ? y : x));
    expect(a.metrics.C).toBe(best.C);
    const b = await train(config, scrambled(scrambled(data, 'val'), 'test'));
    expect(b.logs.filter((l) => l.startsWith('C = '))).toEqual(means);
    expect(b.model.toJSON()).toEqual(a.model.toJSON());
    // Training labels are what it scores.
    const order = permutation(data.train.length, 5);
    const shuffled = { ...data, train: data.train.map((e, i) => ({ ...e, label: data.train[order[i]].label })) };
    expect((await train(config, shuffled)).logs.filter((l) => l.startsWith('C = '))).not.toEqual(means);
    // It needs no validation split, but three training speakers.
    expect(() =>
      configFor('logreg', { cSelection: 'speaker-cv' }, { split: { kind: 'speaker', testFraction: 0.34, valFraction: 0, seed: 1 } }),
    ).not.toThrow();
    const two = { ...data, train: data.train.filter((e) => e.speaker !== data.train[0].speaker) };
    await expect(train(config, two)).rejects.toThrow(/cSelection "speaker-cv" needs at least 3 training speakers, this split has 2/);
  });

  for (const kind of ['logreg', 'linear-svm'] as const) {
    it(`${kind} fitOn 'train+val': C by folds over training and validation speakers, fitted on both, validation scored out-of-fold`, async () => {
      const config = configFor(kind, { cSelection: 'speaker-cv', fitOn: 'train+val' });
      const a = await train(config, data);
      // Four speakers (three training, one validation) make four folds of one speaker each.
      const means = a.logs.filter((l) => l.startsWith('C = '));
      expect(means).toHaveLength(7);
      for (const l of means) expect(l).toMatch(/^C = [\d.e-]+: mean UAR \d+\.\d % over 4 folds of the training and validation speakers\.$/);
      const C = a.metrics.C;
      expect(a.logs.some((l) => l.startsWith(`Chose C = ${C} by mean UAR over folds of the training and validation speakers`))).toBe(true);
      const pool = [...data.train, ...data.val];
      expect(a.logs.some((l) => l.startsWith(`Fitting ${kind} on ${pool.length} vectors`))).toBe(true);
      // The kept model is the one fitted at C on training + validation vectors.
      const both = await train(configFor(kind, { C }), { ...data, train: pool });
      const fitted = (m: ClassicalModel) => ({ ...(m.toJSON() as LinearJson), params: null });
      expect(fitted(a.model)).toEqual(fitted(both.model));
      // The validation speaker is its own fold: its out-of-fold probabilities are those of the model fitted at C on the
      // three training speakers, and the reported validation UAR is theirs, not the kept model's.
      const without = await train(configFor(kind, { C }), data);
      const valX = data.val.map((e) => e.inputs[0]);
      expect(a.outOfFoldVal).toEqual(without.model.predictProba(valX));
      const oofUar = evaluatePredictions(
        data.val.map((e) => e.label),
        argmaxRows(a.outOfFoldVal!),
        data.labels,
      ).uar;
      expect(a.metrics.val_uar).toBeCloseTo(oofUar, 12);
      expect(a.metrics.val_uar).toBeLessThan(uarOn(a.model, data.val, data.labels));
      // Test labels play no part; validation labels now do (they are in the folds and the fit).
      const b = await train(config, scrambled(data, 'test'));
      expect(b.model.toJSON()).toEqual(a.model.toJSON());
      const c = await train(config, scrambled(data, 'val'));
      expect(c.model.toJSON()).not.toEqual(a.model.toJSON());
      expect(uarOn(a.model, data.test, data.labels)).toBeGreaterThan(0.3);
    });
  }

  it("fitOn 'train+val' is refused unless C is 'auto' by speaker folds (a model fitted on validation cannot score it)", () => {
    for (const params of [{ fitOn: 'train+val' }, { fitOn: 'train+val', C: 0.1, cSelection: 'speaker-cv' }]) {
      expect(() => configFor('logreg', params)).toThrow(/model\.params\.fitOn: fitOn "train\+val" needs C "auto" with cSelection "speaker-cv"/);
    }
    expect(() => configFor('linear-svm', { fitOn: 'train+val', cSelection: 'speaker-cv' })).not.toThrow();
    expect(() => configFor('logreg', { fitOn: 'all' })).toThrow(/model\.params\.fitOn/);
  });

  it("a run config whose split has no validation part is refused for C 'auto' before anything runs", () => {
    const noVal = { kind: 'kfold-speaker', k: 4, fold: 0, seed: 1 };
    expect(() => parseRunConfig({ datasetId: 1, model: 'logreg', split: noVal })).toThrow(
      /model\.params\.C: C "auto" is chosen on the validation split, but this split has none/,
    );
    expect(() => parseRunConfig({ datasetId: 1, model: { preset: 'linear-svm', params: { C: 0.01 } }, split: noVal })).not.toThrow();
    expect(() => parseRunConfig({ datasetId: 1, model: 'logreg', split: { ...noVal, valFraction: 0.1 } })).not.toThrow();
    expect(() => parseRunConfig({ datasetId: 1, model: 'logreg', split: { kind: 'speaker', valSpeakers: ['02'], seed: 1 } })).not.toThrow();
    // The default split keeps 15 % of the speakers for validation.
    expect(() => parseRunConfig({ datasetId: 1, model: 'logreg' })).not.toThrow();
  });

  it("without validation files (the split drew none), 'auto' is an error that names the problem", async () => {
    await expect(train(configFor('linear-svm'), { ...data, val: [] })).rejects.toThrow(
      /linear-svm: C "auto" is chosen on the validation split, but this run's split has no validation files/,
    );
  });
});

describe('speed-perturbed training copies (speedPerturbation) on real functionals', () => {
  let perturbed: RunData;
  beforeAll(async () => {
    perturbed = await prepareRunData(store, configFor('logreg', {}, { speedPerturbation: [0.9, 1.1] }), { workers: 0 });
  }, 600_000);

  it('are made of the training and validation files only, at each speed, and differ from the recordings', () => {
    const fitIds = [...perturbed.train, ...perturbed.val].map((e) => e.fileId).sort((a, b) => a - b);
    for (const speed of [0.9, 1.1]) {
      const copies = perturbed.perturbed.filter((e) => e.speed === speed);
      expect(copies.map((e) => e.fileId).sort((a, b) => a - b)).toEqual(fitIds);
    }
    expect(perturbed.perturbed).toHaveLength(2 * fitIds.length);
    const testIds = new Set(perturbed.test.map((e) => e.fileId));
    expect(perturbed.perturbed.some((e) => testIds.has(e.fileId))).toBe(false);
    // The recordings' own examples are unchanged by asking for copies.
    expect(perturbed.train.map((e) => e.inputs[0])).toEqual(data.train.map((e) => e.inputs[0]));
    const original = new Map(data.train.map((e) => [e.fileId, e]));
    for (const c of perturbed.perturbed.filter((e) => original.has(e.fileId)).slice(0, 20)) {
      const o = original.get(c.fileId)!;
      expect(c.label).toBe(o.label);
      expect(c.speaker).toBe(o.speaker);
      expect(c.inputs[0]).not.toEqual(o.inputs[0]);
    }
  });

  it('with speaker normalisation each speaker’s copies at one speed are standardised as a speaker of their own', async () => {
    const d = await prepareRunData(store, configFor('logreg', {}, { speedPerturbation: [1.1], speakerNormalization: true }), { workers: 0 });
    const speaker = d.train[0].speaker;
    const group = d.perturbed.filter((e) => e.speaker === speaker).map((e) => e.inputs[0]);
    expect(group.length).toBe(60);
    for (const j of [0, 50, 200]) {
      const mean = group.reduce((a, v) => a + v[j], 0) / group.length;
      const sd = Math.sqrt(group.reduce((a, v) => a + (v[j] - mean) ** 2, 0) / group.length);
      expect(Math.abs(mean)).toBeLessThan(1e-4);
      expect(sd).toBeCloseTo(1, 3);
    }
  });

  it('the fit takes the training copies (validation copies only with fitOn train+val) and never scores a copy', async () => {
    const trainIds = new Set(perturbed.train.map((e) => e.fileId));
    const trainCopies = perturbed.perturbed.filter((e) => trainIds.has(e.fileId)).length;
    const fixed = await train(configFor('logreg', { C: 0.01 }), perturbed);
    expect(fixed.logs[0]).toBe(
      `Fitting logreg on ${perturbed.train.length + trainCopies} vectors of 284 functionals (3 speakers; ${trainCopies} of them speed-perturbed copies at ×0.9, ×1.1).`,
    );
    // The copies change the model: it is not the one fitted on the recordings alone.
    const alone = await train(configFor('logreg', { C: 0.01 }), data);
    expect(fixed.model.toJSON()).not.toEqual(alone.model.toJSON());
    const both = await train(configFor('logreg', { cSelection: 'speaker-cv', fitOn: 'train+val', Cs: [1e-3, 1e-2] }), perturbed);
    const all = perturbed.train.length + perturbed.val.length + perturbed.perturbed.length;
    expect(both.logs[0]).toMatch(
      new RegExp(`^Fitting logreg on ${all} vectors .*\\(4 speakers, training and validation; ${perturbed.perturbed.length} of them`),
    );
    // Out-of-fold validation scores come from the unperturbed validation files, one per file.
    expect(both.outOfFoldVal).toHaveLength(perturbed.val.length);
    expect(uarOn(both.model, perturbed.test, perturbed.labels)).toBeGreaterThan(0.3);
  });
});

describe('saved linear models on real functionals', () => {
  for (const [kind, params] of [
    ['logreg', { C: 0.01 }],
    ['linear-svm', { C: 0.001, class_weight: 'balanced' }],
    ['logreg', { C: 0.1, select: { k: 100 }, pca: { components: 0.95 } }],
  ] as const) {
    it(`${kind} ${JSON.stringify(params)}: toJSON → text → loadClassical gives identical probabilities`, async () => {
      const { model } = await train(configFor(kind, params), data);
      const X = data.test.map((e) => e.inputs[0]);
      const loaded = await loadClassical(JSON.parse(JSON.stringify(model.toJSON())));
      expect(loaded.predictProba(X)).toEqual(model.predictProba(X));
      expect(uarOn(loaded, data.test, data.labels)).toBeGreaterThan(0.25);
    });
  }

  it('with speaker normalisation the model’s standardiser is fitted on speaker-normalised vectors (mean 0, std 1)', async () => {
    const plain = (await train(configFor('logreg', { C: 0.01 }), data)).model.toJSON() as LinearJson;
    const spk = (await train(configFor('logreg', { C: 0.01 }, { speakerNormalization: true }), normalised)).model.toJSON() as LinearJson;
    const meanAbs = (v: number[]) => Math.max(...v.map(Math.abs));
    expect(meanAbs(spk.transform.standardizer.mean)).toBeLessThan(1e-4);
    // Per-speaker z-scores pooled over three speakers: each dimension has std 1 (constant ones keep 1).
    for (const s of spk.transform.standardizer.std) expect(s).toBeCloseTo(1, 3);
    expect(meanAbs(plain.transform.standardizer.mean)).toBeGreaterThan(1);
  });

  it('a whole run (startRun) with logreg saves a model whose meta says logreg and whose probabilities reload exactly', async () => {
    const outDir = join(dir, 'model-logreg');
    const run = startRun(
      store,
      { datasetId, model: { preset: 'logreg', params: { Cs: [1e-3, 1e-2, 1e-1] } }, split, outDir },
      { inProcess: true, featureWorkers: 0 },
    );
    const result = await run.done;
    expect(result.error).toBeNull();
    expect(result.status).toBe('completed');
    const saved = await readModelDir(outDir);
    expect(saved.meta.kind).toBe('logreg');
    const m = saved.classical as LinearClassifier;
    expect([1e-3, 1e-2, 1e-1]).toContain(m.fitInfo.C);
    expect(uarOn(m, data.test, data.labels)).toBeCloseTo(result.metrics!.uar, 10);
  });

  it("a whole run with fitOn 'train+val' stores the out-of-fold validation predictions, not the kept model's", async () => {
    const params = { cSelection: 'speaker-cv', fitOn: 'train+val', Cs: [1e-3, 1e-2, 1e-1] };
    const run = startRun(
      store,
      { datasetId, model: { preset: 'logreg', params }, split, outDir: join(dir, 'model-both') },
      { inProcess: true, featureWorkers: 0 },
    );
    const result = await run.done;
    expect(result.status).toBe('completed');
    const val = listEvaluations(store.db, result.runId).find((e) => e.split === 'val')!;
    const { outOfFoldVal } = await train(configFor('logreg', params), data);
    const byFile = new Map(val.predictions.map((p) => [p.fileId, p]));
    data.val.forEach((e, i) => {
      const stored = byFile.get(e.fileId)!;
      data.labels.forEach((l, c) => expect(stored.probabilities[l]).toBeCloseTo(outOfFoldVal![i][c], 6));
    });
    const kept = (await readModelDir(join(dir, 'model-both'))).classical!;
    expect(val.report.uar).toBeLessThan(uarOn(kept, data.val, data.labels));
  });
});

describe('test-time speed copies (testTimeSpeedPerturbation) on real functionals', () => {
  const tta = { speedPerturbation: [0.9, 1.1], testTimeSpeedPerturbation: true };
  let d: RunData;
  beforeAll(async () => {
    d = await prepareRunData(store, configFor('logreg', {}, tta), { workers: 0 });
  }, 600_000);

  /** Mean of each target's probabilities and its copies' (computed here, apart from the code under test). */
  const meanOver = (m: ClassicalModel, targets: RunData['test'], pool: RunData['test']) =>
    targets.map((e) => {
      const rows = m.predictProba([e, ...pool.filter((c) => c.fileId === e.fileId)].map((x) => x.inputs[0]));
      return Array.from(rows[0], (_, k) => rows.reduce((a, r) => a + r[k], 0) / rows.length);
    });

  it('copies every test file at each speed, never fits on them, and records the speeds in the preprocessing', () => {
    const testIds = d.test.map((e) => e.fileId).sort((a, b) => a - b);
    for (const speed of [0.9, 1.1])
      expect(
        d.testCopies
          .filter((e) => e.speed === speed)
          .map((e) => e.fileId)
          .sort((a, b) => a - b),
      ).toEqual(testIds);
    expect(d.testCopies).toHaveLength(2 * testIds.length);
    expect(d.preprocessing.testTimeSpeeds).toEqual([0.9, 1.1]);
    // The training copies are what they were without test-time copies: no test file among them.
    const ids = new Set(testIds);
    expect(d.perturbed.some((e) => ids.has(e.fileId))).toBe(false);
    expect(data.testCopies).toEqual([]);
    expect(data.preprocessing.testTimeSpeeds).toBeUndefined();
  });

  it('is refused without speedPerturbation speeds and for networks', () => {
    expect(() => configFor('logreg', {}, { testTimeSpeedPerturbation: true })).toThrow(
      /testTimeSpeedPerturbation: test-time speed copies use the speedPerturbation speeds/,
    );
    expect(() => parseRunConfig({ datasetId: 1, model: 'simplecnn', testTimeSpeedPerturbation: true })).toThrow(
      /testTimeSpeedPerturbation: simplecnn is a network; test-time speed copies are for classical models/,
    );
  });

  it('validation is scored as test will be: each validation file averaged with its copies', async () => {
    const a = await train(configFor('logreg', { C: 0.01 }, tta), d);
    const probs = meanOver(a.model, d.val, d.perturbed);
    const expected = evaluatePredictions(
      d.val.map((e) => e.label),
      probs.map((p) => p.indexOf(Math.max(...p))),
      d.labels,
    ).uar;
    expect(a.metrics.val_uar).toBeCloseTo(expected, 12);
    // Without test-time copies the same fit scores the recordings alone: a different figure on these files.
    const plain = await train(configFor('logreg', { C: 0.01 }, { speedPerturbation: [0.9, 1.1] }), { ...d, preprocessing: data.preprocessing });
    expect(plain.model.toJSON()).toEqual(a.model.toJSON());
    expect(plain.metrics.val_uar).toBeCloseTo(uarOn(a.model, d.val, d.labels), 12);
    expect(plain.metrics.val_uar).not.toBeCloseTo(a.metrics.val_uar, 6);
  });

  it('speaker folds score held-out files with their copies averaged in, and the choice still ignores test labels', async () => {
    const config = configFor('logreg', { cSelection: 'speaker-cv', fitOn: 'train+val', Cs: [1e-3, 1e-2, 1e-1] }, tta);
    const a = await train(config, d);
    const means = a.logs.filter((l) => l.startsWith('C = '));
    const b = await train(config, { ...d, preprocessing: data.preprocessing });
    expect(b.logs.filter((l) => l.startsWith('C = '))).not.toEqual(means);
    const c = await train(config, scrambled(d, 'test'));
    expect(c.logs.filter((l) => l.startsWith('C = '))).toEqual(means);
    // Out-of-fold validation probabilities are averaged too: one per validation file, each a mean of three.
    expect(a.outOfFoldVal).toHaveLength(d.val.length);
    const without = await train(configFor('logreg', { C: a.metrics.C }, tta), d);
    meanOver(without.model, d.val, d.perturbed).forEach((p, i) => p.forEach((v, k) => expect(a.outOfFoldVal![i][k]).toBeCloseTo(v, 6)));
  });

  it('a whole run, ser evaluate and single-file prediction give each test file the same averaged probabilities', async () => {
    const outDir = join(dir, 'model-tta');
    const run = startRun(
      store,
      { datasetId, model: { preset: 'logreg', params: { C: 0.01 } }, split, outDir, ...tta },
      { inProcess: true, featureWorkers: 0 },
    );
    const result = await run.done;
    expect(result.status).toBe('completed');
    const saved = await readModelDir(outDir);
    expect(saved.meta.preprocessing.testTimeSpeeds).toEqual([0.9, 1.1]);
    const expected = meanOver(saved.classical!, d.test, d.testCopies);
    const stored = listEvaluations(store.db, result.runId).find((e) => e.split === 'test')!;
    const byFile = new Map(stored.predictions.map((p) => [p.fileId, p]));
    d.test.forEach((e, i) => d.labels.forEach((l, k) => expect(byFile.get(e.fileId)!.probabilities[l]).toBeCloseTo(expected[i][k], 5)));
    // The recordings alone would be scored differently.
    expect(uarOn(saved.classical!, d.test, d.labels)).not.toBeCloseTo(result.metrics!.uar, 6);
    const model = await loadModel(outDir);
    const evaluated = await evaluateOnDataset(store, model, datasetId, { fileIds: d.test.map((e) => e.fileId), workers: 0 });
    expect(evaluated.report.uar).toBeCloseTo(result.metrics!.uar, 10);
    // One file from disk: decoded, perturbed and featurised here, not read from the cache.
    for (const i of [0, 7]) {
      const f = d.files.get(d.test[i].fileId)!;
      const c = await classifyFile(model, f.path);
      d.labels.forEach((l, k) => expect(c.probabilities[l]).toBeCloseTo(expected[i][k], 4));
    }
  });

  it('with speaker normalisation, one speaker’s files predicted together match the run; a speaker profile is refused', async () => {
    const outDir = join(dir, 'model-tta-adapted');
    const run = startRun(
      store,
      { datasetId, model: { preset: 'logreg', params: { C: 0.01 } }, split, outDir, speakerNormalization: true, ...tta },
      { inProcess: true, featureWorkers: 0 },
    );
    const result = await run.done;
    expect(result.status).toBe('completed');
    const stored = listEvaluations(store.db, result.runId).find((e) => e.split === 'test')!;
    const model = await loadModel(outDir);
    // every test file of one speaker (the run normalised each speaker over all of its files, copies per speed)
    const speaker = d.test[0].speaker;
    const mine = d.test.filter((e) => e.speaker === speaker).map((e) => d.files.get(e.fileId)!);
    const together = await predictPaths(
      model,
      mine.map((f) => f.path),
      { oneSpeaker: true },
    );
    const byFile = new Map(stored.predictions.map((p) => [p.fileId, p]));
    mine.forEach((f, i) => {
      const r = together[i] as { probabilities: Record<string, number> };
      for (const l of d.labels) expect(r.probabilities[l]).toBeCloseTo(byFile.get(f.id)!.probabilities[l], 4);
    });
    const audio = await loadAudio(mine[0].path, { sampleRate: 16000 });
    await expect(classifySamples(model, audio.samples, audio.sampleRate, () => Promise.reject(new Error('not reached')))).rejects.toThrow(
      /test-time speed copies would need the enrolled speaker's statistics at each speed, which a profile does not hold/,
    );
  });
});
