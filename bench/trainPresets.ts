// Speaker-independent RAVDESS benchmark of the model presets: train on actors 01–12, test on 13–16 (by default 11 and
// 12 are held out of training as validation for the best checkpoint; --val-speakers none trains on all twelve and
// keeps the lowest-training-loss epoch). Prints accuracy, UAR, macro-F1 and wall time per preset.
// Usage: npm run bench -- trainPresets [--presets resnet,simplecnn,svm,forest] [--epochs 60] [--seed 42]
//        [--val-speakers 11,12|none] [--seconds 4] [--data ../shared/data/ravdess-16k] [--db tmp/bench-train.sqlite]
//        [--backend auto] [--speaker-norm] [--speaker-bn] [--json]
//   --speaker-norm  standardise each speaker's features on their own first (RunConfig.speakerNormalization)
//   --speaker-bn    networks: batch-norm statistics re-estimated per validation/test speaker (RunConfig.speakerAdaptiveBatchNorm)
import { Command } from 'commander';
import { resolve } from 'node:path';
import { importDataset } from '../src-main/core/datasets/import';
import { FEATURE_PRESETS } from '../src-shared/config/features';
import { getModelPreset } from '../src-main/core/models/presets';
import { MODEL_PRESET_NAMES } from '../src-shared/config/models';
import { openStore } from '../src-main/core/store/db';
import { startRun, type RunResult } from '../src-main/core/training/run';

const program = new Command()
  .option('--presets <list>', 'comma-separated presets', 'resnet,simplecnn,svm,forest')
  .option('--epochs <n>', 'maximum epochs for neural presets', '60')
  .option('--val-speakers <list>', 'validation speakers taken out of 01–12, or "none"', '11,12')
  .option('--seconds <s>', 'fixed log-mel input length of the neural presets, s', '4')
  .option('--seed <n>', 'run seed', '42')
  .option('--data <folder>', 'RAVDESS folder with Actor_01..16', resolve('..', 'shared', 'data', 'ravdess-16k'))
  .option('--db <path>', 'workbench database for the runs', resolve('tmp', 'bench-train.sqlite'))
  .option('--backend <name>', 'auto, native, wasm or cpu', 'auto')
  .option('--speaker-norm', "per-speaker feature normalisation (test speakers' unlabelled audio included)")
  .option('--speaker-bn', 'speaker-adaptive batch norm for the networks (AdaBN on each validation/test speaker)')
  .option('--json', 'one JSON object on stdout')
  .parse();
const opts = program.opts<{
  presets: string;
  epochs: string;
  valSpeakers: string;
  seconds: string;
  seed: string;
  data: string;
  db: string;
  backend: string;
  speakerNorm?: boolean;
  speakerBn?: boolean;
  json?: boolean;
}>();
const log = (m: string) => process.stderr.write(`${m}\n`);

/** The neural recipe: AdamW, cosine LR with warm-up, best checkpoint by validation UAR, spectrogram augmentation. */
const NEURAL_RECIPE = {
  batchSize: 32,
  optimizer: { kind: 'adamw', learningRate: 1e-3, weightDecay: 1e-4, clipNorm: 5 },
  schedule: { kind: 'cosine', minLr: 1e-5, warmupEpochs: 2 },
  monitor: 'val_uar',
  earlyStopping: null,
  augmentation: {
    specAugment: { p: 0.8, timeMasks: 2, maxTimeWidth: 12, freqMasks: 2, maxFreqWidth: 8 },
    timeShift: { p: 0.5, maxFraction: 0.1 },
    pitchShift: { p: 0.5, maxSemitones: 2 },
    timeStretch: { p: 0.3, maxRate: 0.1 },
    noise: { p: 0.3, std: 0.05 },
  },
};

const store = openStore(opts.db);
const imported = await importDataset(store, { folder: opts.data });
log(`dataset ${imported.datasetId}: ${imported.files} files, ${imported.speakers} speakers`);
const val = opts.valSpeakers === 'none' ? [] : opts.valSpeakers.split(',').map((v) => v.trim());
const split = {
  kind: 'speaker',
  testSpeakers: ['13', '14', '15', '16'],
  ...(val.length ? { valSpeakers: val } : { valFraction: 0 }),
  seed: Number(opts.seed),
};
// The seed log-mel (16 kHz, n_fft 1024, hop 512, 64 mels to 8 kHz) over a longer window: RAVDESS sentences often run past 3 s.
const logmel = { ...FEATURE_PRESETS['seed-logmel'], length: { mode: 'fixed', seconds: Number(opts.seconds) } };

const rows: {
  preset: string;
  status: string;
  accuracy: number | null;
  uar: number | null;
  macroF1: number | null;
  seconds: number;
  epochs: number;
  best_epoch: number;
  backend: string | null;
  runId: number;
}[] = [];
for (const name of opts.presets.split(',').map((s) => s.trim())) {
  if (!(MODEL_PRESET_NAMES as readonly string[]).includes(name)) throw new Error(`unknown preset ${name}`);
  const neural = getModelPreset(name).family === 'neural';
  const config = {
    name: `bench ${name}`,
    datasetId: imported.datasetId,
    model: name,
    split,
    seed: Number(opts.seed),
    backend: opts.backend,
    ...(opts.speakerNorm ? { speakerNormalization: true } : {}),
    outDir: resolve('tmp', 'bench-models', name),
    ...(neural ? { ...NEURAL_RECIPE, epochs: Number(opts.epochs), features: logmel } : {}),
    ...(neural && opts.speakerBn ? { speakerAdaptiveBatchNorm: true } : {}),
  };
  log(`${name}: training...`);
  const result: RunResult = await startRun(store, config, {
    onEvent: (e) => {
      if (e.type === 'epoch')
        log(`  ${name} epoch ${e.point.epoch}: val_uar ${e.point.metrics.val_uar?.toFixed(3)} (${e.point.metrics.seconds?.toFixed(1)} s)`);
    },
  }).done;
  const m = result.metrics;
  rows.push({
    preset: name,
    status: result.status,
    accuracy: m?.accuracy ?? null,
    uar: m?.uar ?? null,
    macroF1: m?.macroF1 ?? null,
    seconds: Math.round(result.seconds * 10) / 10,
    epochs: result.epochs,
    best_epoch: result.bestEpoch,
    backend: result.backend,
    runId: result.runId,
  });
  log(`${name}: ${result.status}${result.error ? ` (${result.error})` : ''}; accuracy ${m ? (m.accuracy * 100).toFixed(1) : '-'} %`);
}
store.close();

const described = `RAVDESS-16k, test actors 13-16, validation ${val.length ? val.join(',') : 'none'}, training the rest of 01-12${opts.speakerNorm ? ', speaker normalisation' : ''}${opts.speakerBn ? ', speaker-adaptive batch norm' : ''}`;
if (opts.json) process.stdout.write(`${JSON.stringify({ split: described, rows })}\n`);
else {
  const pct = (v: number | null) => (v === null ? '   -  ' : `${(v * 100).toFixed(1).padStart(5)} %`);
  process.stdout.write(`${described}\n`);
  process.stdout.write('preset       accuracy   UAR       macro-F1  seconds  epochs (best)  backend\n');
  for (const r of rows) {
    process.stdout.write(
      `${r.preset.padEnd(12)} ${pct(r.accuracy)}  ${pct(r.uar)}  ${pct(r.macroF1)}  ${String(r.seconds).padStart(7)}  ${String(r.epochs).padStart(3)} (${r.best_epoch})       ${r.backend}\n`,
    );
  }
}
