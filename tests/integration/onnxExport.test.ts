import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx, ONNX_TOLERANCE } from '../../src-main/core/export/onnxExport';
import { batchFeeds, runOnnx } from '../../src-main/core/export/onnxRuntime';
import { modelCardFor, type ModelCard } from '../../src-main/core/export/modelCard';
import type { OnnxExportResult } from '../../src-shared/api/contract';
import { loadAudio } from '../../src-main/core/audio/load';
import { activateBackend } from '../../src-main/core/training/pipeline';
import { loadModel, predictInputs } from '../../src-main/core/training/predict';
import { inputShapes } from '../../src-main/core/training/preprocessing';
import { recordingInputs } from '../../src-main/core/training/recordingInputs';
import { ser as run } from '../helpers/cli';
import { makeTempDir, removeDir } from '../helpers/fixtures';
import { RAVDESS_16K, REPO_ROOT } from '../helpers/shared';

const tmp = makeTempDir('ser-onnx-');
const db = join(tmp, 'db.sqlite');
const ser = (...args: string[]) => run([...args, '--db', db], { timeout: 600_000 });
afterAll(() => removeDir(tmp));

/** 100 real RAVDESS files: all of actor 01 and 40 of actor 02. */
const FILES = ['Actor_01', 'Actor_02'].flatMap((a) => readdirSync(join(RAVDESS_16K, a)).map((f) => join(RAVDESS_16K, a, f))).slice(0, 100);

/** Trains `model` for one epoch on actors 01–03 (test 03, validation 02) and returns the saved model folder. */
function train(model: string, ...extra: string[]): string {
  const out = join(tmp, `model-${model}-${extra.length}`);
  const r = ser(
    'train',
    '--dataset',
    '1',
    '--model',
    model,
    '--epochs',
    '1',
    '--test-speakers',
    '03',
    '--val-speakers',
    '02',
    '--out',
    out,
    '--json',
    ...extra,
  );
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return out;
}

/** The export's predictor, model and preprocessing copied to a folder outside the repository, with only onnxruntime-node beside them. */
function standaloneCopy(out: string): string {
  const dir = makeTempDir('ser-standalone-');
  for (const f of ['model.onnx', 'preprocessing.json', 'predict.mjs']) copyFileSync(join(out, f), join(dir, f));
  mkdirSync(join(dir, 'node_modules'));
  for (const pkg of ['onnxruntime-node', 'onnxruntime-common']) symlinkSync(join(REPO_ROOT, 'node_modules', pkg), join(dir, 'node_modules', pkg));
  return dir;
}

beforeAll(async () => {
  const corpus = join(tmp, 'ravdess-3');
  mkdirSync(corpus);
  for (const a of ['01', '02', '03']) symlinkSync(join(RAVDESS_16K, `Actor_${a}`), join(corpus, `Actor_${a}`));
  expect(ser('import', corpus, '--json').code).toBe(0);
  await activateBackend('auto');
}, 120_000);

describe('ONNX export: onnxruntime gives the workbench probabilities on 100 real RAVDESS files', () => {
  // The linear models on ComParE: one as its recipe (C on validation), one through SelectKBest and PCA as well.
  const linearConfig = join(tmp, 'logreg-select-pca.json');
  writeFileSync(
    linearConfig,
    JSON.stringify({
      features: 'compare',
      model: { preset: 'logreg', params: { C: 'auto', cSelection: 'val', class_weight: 'balanced', select: { k: 800 }, pca: { components: 40 } } },
    }),
  );
  // A linear SVM whose every prediction averages the recording with its copies at ×0.9 and ×1.1.
  const copiesConfig = join(tmp, 'linear-svm-test-time.json');
  writeFileSync(copiesConfig, JSON.stringify({ features: 'functionals', speedPerturbation: [0.9, 1.1], testTimeSpeedPerturbation: true }));
  const cases: [string, string, string[]][] = [
    ...['simplecnn', 'resnet', 'hybrid', 'cnn-gru', 'cnn-lstm', 'bilstm', 'transformer'].map((p): [string, string, string[]] => [p, p, []]),
    ['linear-svm', 'linear-svm', []],
    ['forest', 'forest', []],
    ['svm (RBF)', 'svm', []],
    ['logreg with selection and PCA', 'logreg', ['--config', linearConfig]],
    ['linear-svm with test-time speed copies', 'linear-svm', ['--config', copiesConfig]],
  ];
  for (const [what, preset, extra] of cases) {
    it(`${what}: onnxruntime within ${ONNX_TOLERANCE} of the workbench on 100 files, its standalone predictor, its model card`, async () => {
      const dir = train(preset, ...extra);
      const out = join(tmp, `onnx-${preset}-${extra.length}`);
      const r = ser('export-model', '--model', dir, '--format', 'onnx', '--out', out, '--json');
      expect(r.code, r.stderr + r.stdout).toBe(0);
      const result = JSON.parse(r.stdout) as Awaited<ReturnType<typeof exportOnnx>>;
      expect(result.file).toBe(join(out, 'model.onnx'));
      expect(result.predictor).toBe(join(out, 'predict.mjs'));
      expect(result.opset).toBe(13);
      expect(result.outputs).toEqual([{ name: 'probabilities', dims: ['N', 8] }]);
      expect(result.maxAbsDiff).toBeLessThanOrEqual(ONNX_TOLERANCE);

      const model = await loadModel(dir);
      if (what.includes('PCA')) {
        // the transform really selects and projects (ComParE: 6,373 → 800 → 40)
        const t = (
          JSON.parse(readFileSync(join(dir, 'classical.json'), 'utf8')) as {
            transform: { inputDims: number; selected: number[]; outputDims: number };
          }
        ).transform;
        expect([t.inputDims, t.selected.length, t.outputDims]).toEqual([6373, 800, 40]);
      }
      expect(result.labels).toEqual(model.labels);
      expect(result.inputs.map((i) => i.dims)).toEqual(inputShapes(model.preprocessing).map((s) => ['N', ...s]));
      const perFile: Float32Array[][] = [];
      for (const f of FILES) {
        const audio = await loadAudio(f, { sampleRate: model.sampleRate });
        perFile.push(recordingInputs(model, audio.samples, audio.sampleRate, f));
      }
      const ours = await predictInputs(model, perFile);
      const feeds = batchFeeds(perFile, result.inputs);
      const theirs = await runOnnx(readFileSync(result.file), feeds);
      let max = 0;
      ours.forEach((p, i) => p.forEach((v, c) => (max = Math.max(max, Math.abs(v - theirs[i * 8 + c])))));
      expect(max).toBeLessThanOrEqual(ONNX_TOLERANCE);
      // not a constant: the files get different probabilities
      const first = ours.map((p) => p[0]);
      expect(Math.max(...first) - Math.min(...first)).toBeGreaterThan(1e-3);
      // The standalone predictor, copied out of the repository with only onnxruntime-node beside it, prints what
      // ser predict prints (a broken file is reported by name and the others still classified).
      const standalone = standaloneCopy(out);
      try {
        const broken = join(standalone, 'broken.wav');
        writeFileSync(broken, 'RIFF....WAVEnot audio');
        const some = [FILES[0], FILES[37], FILES[99]];
        const mine = spawnSync(process.execPath, ['predict.mjs', some[0], broken, ...some.slice(1), '--json'], { cwd: standalone, encoding: 'utf8' });
        expect(mine.status, mine.stderr).toBe(1);
        const lines = mine.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { file: string; label?: string; error?: string; probabilities?: Record<string, number> });
        expect(lines.map((l) => l.file)).toEqual([some[0], broken, ...some.slice(1)]);
        expect(lines[1].error).toContain(broken);
        // The standalone predictor computes features in TypeScript (no native addon beside it): the reference does
        // too, as the native kernels agree only to float rounding, and a forest's split at a training value (actor 01
        // is in training) can fall either side of a 1-ulp difference.
        const reference = JSON.parse(
          run(['predict', '--model', dir, ...some, '--json', '--db', db], { env: { SER_FEATURES_JS: '1' }, timeout: 600_000 }).stdout,
        ) as {
          predictions: { file: string; label: string; probabilities: Record<string, number> }[];
        };
        const got = lines.filter((l) => !l.error);
        reference.predictions.forEach((p, i) => {
          // ser predict reports files by their real path (../shared may be a link); the predictor as given
          expect(realpathSync(got[i].file)).toBe(realpathSync(p.file));
          for (const label of model.labels)
            expect(Math.abs(got[i].probabilities![label] - p.probabilities[label])).toBeLessThanOrEqual(ONNX_TOLERANCE);
        });
      } finally {
        removeDir(standalone);
      }
      if (preset === 'hybrid' || preset === 'linear-svm') {
        // The exported graph evaluated back in the workbench on a dataset scores as the model it came from.
        type Evaluated = { uar: number; accuracy: number; n: number; model: string };
        const viaOnnx = ser('evaluate', '--model', result.file, '--dataset', '1', '--json');
        expect(viaOnnx.code, viaOnnx.stderr + viaOnnx.stdout).toBe(0);
        const a = JSON.parse(viaOnnx.stdout) as Evaluated;
        const b = JSON.parse(ser('evaluate', '--model', dir, '--dataset', '1', '--json').stdout) as Evaluated;
        expect(a.n).toBe(180);
        expect([a.uar, a.accuracy]).toEqual([b.uar, b.accuracy]);
        if (preset === 'hybrid') {
          // a tfjs layers model from elsewhere: model.json and its weights, with the same preprocessing.json
          const external = join(tmp, 'external-tfjs');
          mkdirSync(external);
          for (const f of ['model.json', 'weights.bin']) copyFileSync(join(dir, f), join(external, f));
          copyFileSync(join(out, 'preprocessing.json'), join(external, 'preprocessing.json'));
          const viaTfjs = ser('evaluate', '--model', join(external, 'model.json'), '--dataset', '1', '--json');
          expect(viaTfjs.code, viaTfjs.stderr + viaTfjs.stdout).toBe(0);
          const c = JSON.parse(viaTfjs.stdout) as Evaluated;
          expect([c.n, c.uar, c.accuracy]).toEqual([180, b.uar, b.accuracy]);
        }
      }
      // The model card: the run's split recomputed as trained (and checked against its test evaluation), figures, confusions.
      const card = JSON.parse(readFileSync(join(out, 'model_card.json'), 'utf8')) as ModelCard;
      expect(card.training.found).toBe(true);
      expect(card.data).toMatchObject({
        speakers: { train: ['01'], val: ['02'], test: ['03'] },
        files: { train: 60, val: 60, test: 60 },
        warning: null,
      });
      expect(card.data!.datasets.map((d) => d.name)).toEqual(['ravdess-3']);
      expect(card.test!.n).toBe(60);
      expect(Object.keys(card.test!.perClass)).toEqual(model.labels);
      expect(card.confusions.length).toBeLessThanOrEqual(3);
      expect(card.confusions.map((c) => c.share)).toEqual([...card.confusions.map((c) => c.share)].sort((a, b) => b - a));
      expect(card.adaptation).toMatchObject({ speakerNormalization: false, speakerAdaptiveBatchNorm: false });
      expect(card.export).toEqual({ format: 'onnx', opset: 13, maxAbsDiff: result.maxAbsDiff });
      const md = readFileSync(result.modelCard, 'utf8');
      // the card's deterministic sections, as a snapshot of a real run's
      expect(md).toContain(
        [
          '## Data',
          '',
          '- Datasets: ravdess-3 (ravdess)',
          '- Split: `{"kind":"speaker","testSpeakers":["03"],"valSpeakers":["02"],"seed":42}`',
          '- train: 60 files, speakers 01',
          '- val: 60 files, speakers 02',
          '- test: 60 files, speakers 03',
          '',
          '## Speaker adaptation',
          '',
          'none: the model predicts each recording on its own with training statistics',
          '',
          '## Results',
        ].join('\n'),
      );
      expect(md).toContain(`accuracy ${(card.test!.accuracy * 100).toFixed(1)} %, UAR ${(card.test!.uar * 100).toFixed(1)} %`);
      const pre = JSON.parse(readFileSync(join(out, 'preprocessing.json'), 'utf8')) as {
        labels: string[];
        inputs: { onnxInput: string }[];
        testTimeSpeeds?: number[];
      };
      expect(pre.labels).toEqual(model.labels);
      // test-time copies travel with the graph; the standalone predictor's agreement with ser predict above holds for
      // the averaged probabilities (and ser evaluate of the graph matched the saved model's)
      const copies = what.includes('test-time') ? [0.9, 1.1] : undefined;
      expect(pre.testTimeSpeeds).toEqual(copies);
      expect(card.testTimeSpeeds).toEqual(copies ?? null);
      expect(
        md.includes('Test-time copies: every prediction averages the class probabilities of the recording and of its copies played ×0.9, ×1.1'),
      ).toBe(Boolean(copies));
      expect(pre.inputs.map((i) => i.onnxInput)).toEqual(result.inputs.map((i) => i.name));
    }, 600_000);
  }

  it('an ensemble (forest on functionals + linear SVM on ComParE, validation weights) exports as one graph that mixes its members', async () => {
    const ens = join(tmp, 'ensemble');
    const built = ser(
      'ensemble',
      '--models',
      `${join(tmp, 'model-forest-0')},${join(tmp, 'model-linear-svm-0')}`,
      '--weights',
      'val',
      '--out',
      ens,
      '--json',
    );
    expect(built.code, built.stderr).toBe(0);
    const out = join(tmp, 'onnx-ensemble');
    const r = ser('export-model', '--model', ens, '--out', out, '--json');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const result = JSON.parse(r.stdout) as OnnxExportResult;
    expect(result.inputs).toEqual([
      { name: 'm1_functionals', dims: ['N', 284] },
      { name: 'm2_functionals', dims: ['N', 6373] },
    ]);
    expect(result.maxAbsDiff).toBeLessThanOrEqual(ONNX_TOLERANCE);
    const some = [FILES[5], FILES[60], FILES[90]];
    const standalone = standaloneCopy(out);
    try {
      const mine = spawnSync(process.execPath, ['predict.mjs', ...some, '--json'], { cwd: standalone, encoding: 'utf8' });
      expect(mine.status, mine.stderr).toBe(0);
      const got = mine.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { probabilities: Record<string, number> });
      const reference = JSON.parse(
        run(['predict', '--model', ens, ...some, '--json', '--db', db], { env: { SER_FEATURES_JS: '1' }, timeout: 600_000 }).stdout,
      ) as {
        predictions: { probabilities: Record<string, number> }[];
      };
      reference.predictions.forEach((p, i) => {
        for (const [label, v] of Object.entries(p.probabilities))
          expect(Math.abs(got[i].probabilities[label] - v)).toBeLessThanOrEqual(ONNX_TOLERANCE);
      });
    } finally {
      removeDir(standalone);
    }
    const md = readFileSync(result.modelCard, 'utf8');
    expect(md).toMatch(/^# Model card: ensemble of forest \+ linear-svm\n/);
    expect(md).toContain('## Member 1 (weight ');
    expect(md).toContain('## Member 2 (weight ');
    // Results' "Model card" of the saved ensemble: the same card, without an export
    const shown = await modelCardFor(ens, null);
    expect(shown.markdown).toContain('## Member 2 (weight ');
    expect(shown.markdown).not.toContain('ONNX opset');
    // one graph cannot stand for an ensemble's members in ser evaluate: its saved folder is the thing to evaluate
    const e = ser('evaluate', '--model', result.file, '--dataset', '1', '--json');
    expect(e.code).toBe(1);
    expect(JSON.parse(e.stdout).error).toContain('an exported ensemble cannot be evaluated as one model here');
  }, 600_000);

  it('refuses what a fixed graph cannot express or this exporter cannot map, naming it, and writes nothing', () => {
    // an ensemble with a member that averages test-time copies: one graph run feeds every member at once
    const withCopies = join(tmp, 'ensemble-test-time');
    const built = ser('ensemble', '--models', `${join(tmp, 'model-linear-svm-0')},${join(tmp, 'model-linear-svm-2')}`, '--out', withCopies, '--json');
    expect(built.code, built.stderr).toBe(0);
    const cases: [string, RegExp][] = [
      [train('simplecnn', '--speaker-bn'), /re-estimates batch-norm statistics per speaker at prediction time \(speakerAdaptiveBatchNorm\)/],
      [withCopies, /member 1 \([^)]*\): the model averages test-time speed copies, which an exported ensemble's single graph run cannot do/],
    ];
    for (const [dir, message] of cases) {
      const out = join(tmp, 'refused');
      const r = ser('export-model', '--model', dir, '--out', out, '--json');
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).error).toMatch(message);
      expect(existsSync(join(out, 'model.onnx'))).toBe(false);
    }
    // an ONNX model without its preprocessing.json cannot be evaluated: it would be guessing the features
    const lone = join(tmp, 'lone');
    mkdirSync(lone);
    copyFileSync(join(tmp, 'onnx-simplecnn-0', 'model.onnx'), join(lone, 'model.onnx'));
    const r = ser('evaluate', '--model', join(lone, 'model.onnx'), '--dataset', '1', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toContain(`${join(lone, 'model.onnx')}: preprocessing.json is missing beside it`);
  }, 600_000);
});
