// Cross-corpus and multi-corpus figures on the classes RAVDESS and EMO-DB share (angry, disgust, fearful, happy,
// neutral, sad): (1) trained on one corpus, tested on every file of the other (leave-corpus-out; validation speakers
// from the training corpus), per seed; (2) RAVDESS speaker folds trained on RAVDESS alone vs on RAVDESS + EMO-DB (EMO-DB
// split into the same number of folds), scored on the RAVDESS test speakers of each fold, paired over folds.
// Usage: npm run bench -- multiCorpus [--recipe logreg] [--folds 4] [--seeds 1,2,3] [--speaker-norm]
//        [--ravdess ../shared/data/ravdess-16k] [--emodb ../shared/data/emodb-2s] [--db tmp/bench-multicorpus.sqlite] [--json]
import { Command } from 'commander';
import { resolve } from 'node:path';
import { importDataset } from '../src-main/core/datasets/import';
import { openStore } from '../src-main/core/store/db';
import { listEvaluations } from '../src-main/core/store/runs';
import { startRun } from '../src-main/core/training/run';
import { getRecipe, recipeRunConfig } from '../src-shared/config/recipes';
import { pairedComparison, summarize } from '../src-shared/studies/statistics';

const SHARED = ['angry', 'disgust', 'fearful', 'happy', 'neutral', 'sad'];

const opts = new Command()
  .option('--recipe <name>', 'recipe of every run', 'logreg')
  .option('--folds <k>', 'speaker folds of the multi-corpus comparison', '4')
  .option('--seeds <list>', 'training seeds', '1,2,3')
  .option('--speaker-norm', 'per-speaker normalisation (uses the test speakers’ unlabelled audio)')
  .option('--ravdess <folder>', 'RAVDESS', resolve('..', 'shared', 'data', 'ravdess-16k'))
  .option('--emodb <folder>', 'EMO-DB', resolve('..', 'shared', 'data', 'emodb-2s'))
  .option('--db <path>', 'bench database', resolve('tmp', 'bench-multicorpus.sqlite'))
  .option('--json', 'one JSON object on stdout')
  .parse()
  .opts<{ recipe: string; folds: string; seeds: string; speakerNorm?: boolean; ravdess: string; emodb: string; db: string; json?: boolean }>();
const log = (m: string) => process.stderr.write(`${m}\n`);
const seeds = opts.seeds.split(',').map(Number);
const k = Number(opts.folds);
const recipe = getRecipe(opts.recipe);

const store = openStore(opts.db);
const ravdess = (await importDataset(store, { folder: opts.ravdess })).datasetId;
const emodb = (await importDataset(store, { folder: opts.emodb })).datasetId;
log(`datasets: RAVDESS ${ravdess}, EMO-DB ${emodb}; recipe ${recipe.name}${opts.speakerNorm ? ' + speaker normalisation' : ''}`);

const started = performance.now();
/** Runs one config in this process; the UAR of each named evaluation split. */
async function uarOf(config: Record<string, unknown>, splits: string[]): Promise<number[]> {
  const run = recipeRunConfig(recipe, { labels: SHARED, ...config }, { adapted: opts.speakerNorm });
  const r = await startRun(store, run, { inProcess: true }).done;
  if (r.status !== 'completed') throw new Error(`run ${r.runId} ${r.status}: ${r.error}`);
  const evals = listEvaluations(store.db, r.runId);
  return splits.map((s) => evals.find((e) => e.split === s)!.report.uar);
}

// (1) Cross-corpus: one whole corpus as the test set.
const cross: { train: string; test: string; seed: number; uar: number }[] = [];
for (const [train, test, name] of [
  [ravdess, emodb, ['RAVDESS', 'EMO-DB']],
  [emodb, ravdess, ['EMO-DB', 'RAVDESS']],
] as const) {
  for (const seed of seeds) {
    const [uar] = await uarOf(
      {
        datasetId: train,
        extraDatasets: [{ datasetId: test }],
        split: { kind: 'leave-corpus-out', testDatasetId: test, valFraction: 0.15, seed },
        seed,
      },
      ['test'],
    );
    cross.push({ train: name[0], test: name[1], seed, uar });
    log(`cross ${name[0]} → ${name[1]}, seed ${seed}: UAR ${(uar * 100).toFixed(1)} %`);
  }
}

// (2) RAVDESS folds: RAVDESS alone vs RAVDESS + EMO-DB, scored on the same RAVDESS test speakers.
const alone: number[] = [];
const joint: number[] = [];
const jointEmodb: number[] = [];
for (let fold = 0; fold < k; fold++) {
  const a: number[] = [];
  const j: number[] = [];
  const je: number[] = [];
  for (const seed of seeds) {
    const split = { kind: 'kfold-speaker', k, fold, valFraction: 0.15, seed: 42 };
    a.push((await uarOf({ datasetId: ravdess, split, seed }, ['test']))[0]);
    const [r, e] = await uarOf({ datasetId: ravdess, extraDatasets: [{ datasetId: emodb }], split, seed }, [`test:${ravdess}`, `test:${emodb}`]);
    j.push(r);
    je.push(e);
  }
  // Seeds share the fold's test speakers: averaged within the fold first, as studies do.
  const avg = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  alone.push(avg(a));
  joint.push(avg(j));
  jointEmodb.push(avg(je));
  log(
    `fold ${fold}: RAVDESS alone ${(alone[fold] * 100).toFixed(1)} %, with EMO-DB ${(joint[fold] * 100).toFixed(1)} % (EMO-DB test ${(jointEmodb[fold] * 100).toFixed(1)} %)`,
  );
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const ci = (v: number[]) => {
  const s = summarize(v);
  return `${pct(s.mean)} [${s.ci95 ? `${(s.ci95[0] * 100).toFixed(1)}, ${(s.ci95[1] * 100).toFixed(1)}` : '-'}]`;
};
const diff = pairedComparison(joint, alone);
const result = {
  recipe: recipe.name,
  speakerNormalization: Boolean(opts.speakerNorm),
  classes: SHARED,
  cross,
  folds: { k, seeds, ravdessAlone: alone, ravdessWithEmodb: joint, emodbInJoint: jointEmodb, difference: diff },
  minutes: (performance.now() - started) / 60000,
};
if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
else {
  for (const [t, s] of [
    ['RAVDESS', 'EMO-DB'],
    ['EMO-DB', 'RAVDESS'],
  ]) {
    const v = cross.filter((c) => c.train === t && c.test === s).map((c) => c.uar);
    console.log(`train ${t} → test all of ${s}: UAR ${v.map(pct).join(' / ')} (seeds ${seeds.join(', ')})`);
  }
  console.log(`RAVDESS ${k}-fold, RAVDESS test speakers: alone ${ci(alone)}, with EMO-DB ${ci(joint)}`);
  console.log(
    `  difference ${(diff.meanDifference * 100).toFixed(1)} points${diff.ci95 ? ` [${(diff.ci95[0] * 100).toFixed(1)}, ${(diff.ci95[1] * 100).toFixed(1)}]` : ''}, paired t p = ${diff.tPValue?.toFixed(3) ?? '-'}`,
  );
  console.log(`  EMO-DB test speakers in the joint runs: ${ci(jointEmodb)}`);
  console.log(`${result.minutes.toFixed(1)} min`);
}
store.close();
