// `npm run bench -- linearCompare [db-dir]`: the linear models on ComParE functionals of RAVDESS actors 01–16 (../shared),
// 4 folds by speaker (4 test actors per fold, 2 of the other 12 for validation, seed 1), C chosen on validation
// ('auto', the default grid), with training statistics only and with speaker normalisation. Prints per-fold test UAR,
// the chosen C and CPU seconds of each fit (feature extraction excluded; its cache stays in db-dir for re-runs).
//
// Measured 2026-12-06 (this 2-core machine, shared; one seed), mean test UAR over the 4 folds:
//   logreg      training statistics 52.1 % (48.4, 53.9, 55.1, 50.8)   speaker normalisation 67.5 % (62.9, 69.9, 74.2, 62.9)
//   linear-svm  training statistics 53.4 % (48.0, 55.1, 55.9, 54.7)   speaker normalisation 63.5 % (59.8, 64.1, 71.1, 59.0)
// Each fit (7-point grid on 540 × 6,373, calibration included): 5–9 s CPU.
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { importDataset } from '../src-main/core/datasets/import';
import type { LinearClassifier } from '../src-main/core/models/classical';
import { openStore } from '../src-main/core/store/db';
import { prepareRunData } from '../src-main/core/training/data';
import { trainClassical } from '../src-main/core/training/pipeline';
import { parseRunConfig } from '../src-shared/config/run';
import { argmaxRows, evaluatePredictions } from '../src-shared/metrics';

// The database and the feature cache (6,373 values × 960 files) live outside the checkout unless a folder is given.
const dbDir = resolve(process.argv[2] ?? join(tmpdir(), 'ser-bench-linear-compare'));
const shared = process.env.SER_SHARED_DIR ?? resolve('..', 'shared');
const store = openStore(join(dbDir, 'db.sqlite'));
const { datasetId } = await importDataset(store, { folder: join(shared, 'data', 'ravdess-16k') });
const rows: string[] = [];
for (const speakerNormalization of [false, true]) {
  for (const model of ['logreg', 'linear-svm'] as const) {
    const uars: number[] = [];
    for (let fold = 0; fold < 4; fold++) {
      const config = parseRunConfig({
        datasetId,
        model,
        features: 'compare',
        speakerNormalization,
        split: { kind: 'kfold-speaker', k: 4, fold, valFraction: 0.17, seed: 1 },
      });
      const t = performance.now();
      const data = await prepareRunData(store, config, { workers: 0 });
      const featureSeconds = (performance.now() - t) / 1000;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const m = (await trainClassical(config, data, { emit: () => {} }, () => {})).model as LinearClassifier;
      const cpu = process.cpuUsage(cpu0);
      const wall = (performance.now() - t0) / 1000;
      const pred = argmaxRows(m.predictProba(data.test.map((e) => e.inputs[0])));
      const uar = evaluatePredictions(
        data.test.map((e) => e.label),
        pred,
        data.labels,
      ).uar;
      uars.push(uar);
      const line = `${model.padEnd(10)} speakerNorm=${speakerNormalization} fold ${fold}: ${data.train.length} train × ${data.train[0].inputs[0].length} dims, ${data.val.length} val, ${data.test.length} test; C=${m.fitInfo.C}; test UAR ${(uar * 100).toFixed(1)} %; fit ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU (${wall.toFixed(1)} s wall); data ${featureSeconds.toFixed(1)} s`;
      console.log(line);
    }
    const mean = uars.reduce((a, b) => a + b, 0) / uars.length;
    rows.push(
      `${model} speakerNorm=${speakerNormalization}: mean test UAR ${(mean * 100).toFixed(1)} % (folds ${uars.map((u) => (u * 100).toFixed(1)).join(', ')})`,
    );
    console.log(rows.at(-1));
  }
}
console.log(rows.join('\n'));
store.close();
