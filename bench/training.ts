// Training and inference throughput of the ResNet preset (64x94x1 log-mel, 8 classes) on every available backend.
// Usage: npm run bench -- training [--json] [--backends native,wasm,cpu] [--batch 32] [--steps 10] [--profile]
//   --json       one JSON object on stdout (progress on stderr)
//   On the native backend the preset is measured twice: with the fused BatchNormalization layer of
//   src-main/core/tfjs/batchNormLayer.ts and with the stock tfjs-layers one (same architecture and weights).
//   --profile    CPU time per kernel over the timed training steps, for each backend
//   --cpu-batch  batch of the (very slow) pure-JS cpu training step; default 4, one step (~100 s)
//   --reference  python with PyTorch for the same-run reference (bench/reference/resnet_torch.py, the same network in
//                channels-last); default /usr/bin/python3 (Debian: apt install python3-torch); "none" skips it.
//                Each backend's train and inference rates are then also printed as a ratio to PyTorch's.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { getModelPreset } from '../src-main/core/models/presets';
import { selectBackend } from '../src-main/core/tfjs/backend';
import { type BackendName, BACKEND_NAMES } from '../src-shared/config/backends';
import { adam } from '../src-main/core/tfjs/adamOptimizer';
import { FusedBatchNormalization, StockBatchNormalization } from '../src-main/core/tfjs/batchNormLayer';
import { errorMessage } from '../src-shared/api/errors';

const INPUT: [number, number, number] = [64, 94, 1];
const CLASSES = 8;

const program = new Command()
  .option('--json', 'print one JSON object on stdout')
  .option('--backends <list>', 'comma-separated backends to measure (default: every one that starts)')
  .option('--batch <n>', 'batch size', '32')
  .option('--steps <n>', 'timed training steps per backend (after 2 warm-up steps)', '10')
  .option('--cpu-batch <n>', 'batch of the single cpu training step (pure JS is ~0.1 samples/s)', '4')
  .option('--profile', 'CPU milliseconds per kernel in the timed training steps')
  .option('--reference <python>', 'python with torch for the PyTorch CPU reference, or "none"', '/usr/bin/python3')
  .parse();
const opts = program.opts<{
  json?: boolean;
  backends?: string;
  batch: string;
  steps: string;
  cpuBatch: string;
  profile?: boolean;
  reference: string;
}>();
const log = (msg: string) => process.stderr.write(`${msg}\n`);
/** samples/s with enough digits for the pure-JS backend's 0.04. */
const rate = (x: number) => (x >= 10 ? x.toFixed(1) : x.toPrecision(2));

interface Throughput {
  samplesPerSec: number;
  batch: number;
  /** Timed batches (warm-up excluded). */
  batches: number;
  msPerBatch: number;
  /** Process CPU time per batch (all threads); the wall figure depends on what else the machine runs. */
  cpuMsPerBatch: number;
}

type Variant = 'stock-bn' | 'fused-bn';

interface BackendResult {
  backend: BackendName;
  /** Batch-norm layer class in the model (fused-bn is the stock layer off the native backend). */
  variant: Variant;
  detail: string;
  train?: Throughput;
  infer?: Throughput;
  /** CPU ms per training batch by kernel, largest first (with --profile). */
  profile?: { kernel: string; cpuMs: number; calls: number }[];
  /** CPU ms per training batch spent outside kernels (tfjs engine, layers, optimizer bookkeeping, GC). */
  outsideKernelsCpuMs?: number;
  error?: string;
}

function makeBatch(batch: number): { x: tf.Tensor; y: tf.Tensor } {
  return tf.tidy(() => ({
    x: tf.randomNormal([batch, ...INPUT], 0, 1, 'float32', 7),
    y: tf
      .oneHot(
        tf.tensor1d(
          Array.from({ length: batch }, (_, i) => i % CLASSES),
          'int32',
        ),
        CLASSES,
      )
      .toFloat(),
  }));
}

async function time(batch: number, batches: number, step: () => Promise<void>): Promise<Throughput> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < batches; i++) await step();
  const ms = (performance.now() - t0) / batches;
  const cpu = process.cpuUsage(cpu0);
  return { samplesPerSec: (batch / ms) * 1000, batch, batches, msPerBatch: ms, cpuMsPerBatch: (cpu.user + cpu.system) / 1000 / batches };
}

/** Wraps every kernel of a backend to sum process CPU time per kernel name; returns the table and an unwrap function. */
function instrument(backendName: string): { table: Map<string, { us: number; calls: number }>; restore: () => void } {
  const table = new Map<string, { us: number; calls: number }>();
  const originals = tf.getKernelsForBackend(backendName);
  let depth = 0; // composite kernels (wasm's composed Conv2DBackpropFilter) call other kernels: count the outermost only
  for (const config of originals) {
    tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        if (depth > 0) return config.kernelFunc(args);
        depth++;
        const c0 = process.cpuUsage();
        let out: ReturnType<tf.KernelFunc>;
        try {
          out = config.kernelFunc(args);
        } finally {
          depth--;
        }
        const c = process.cpuUsage(c0);
        const e = table.get(config.kernelName) ?? { us: 0, calls: 0 };
        e.us += c.user + c.system;
        e.calls++;
        table.set(config.kernelName, e);
        return out;
      },
    });
  }
  const restore = () => {
    for (const config of originals) {
      tf.unregisterKernel(config.kernelName, backendName);
      tf.registerKernel(config);
    }
  };
  return { table, restore };
}

/**
 * The ResNet preset with the requested batch-norm class: as built when it already uses it, else rebuilt from its own
 * JSON while the serialization registry maps BatchNormalization to that class (weights copied over).
 */
async function buildModel(variant: Variant): Promise<tf.LayersModel> {
  const preset = getModelPreset('resnet');
  if (preset.family !== 'neural') throw new Error('the resnet preset is not a neural model');
  const model = preset.build({ inputShape: INPUT, numClasses: CLASSES, seed: 1, params: {} });
  const wanted = variant === 'fused-bn' ? FusedBatchNormalization : StockBatchNormalization;
  const batchNorms = (m: tf.LayersModel) => m.layers.filter((l) => l.getClassName() === 'BatchNormalization');
  const count = batchNorms(model).length;
  if (batchNorms(model).every((l) => l.constructor === wanted)) return model;
  tf.serialization.registerClass(wanted);
  let rebuilt: tf.LayersModel;
  try {
    rebuilt = await tf.models.modelFromJSON({ modelTopology: model.toJSON(null, false) as tf.io.ModelJSON['modelTopology'] });
  } finally {
    tf.serialization.registerClass(FusedBatchNormalization);
  }
  rebuilt.setWeights(model.getWeights());
  model.dispose();
  const swapped = batchNorms(rebuilt).filter((l) => l.constructor === wanted).length;
  if (swapped !== count) throw new Error(`expected ${count} ${variant} layers, got ${swapped}`);
  return rebuilt;
}

async function measure(name: BackendName, variant: Variant): Promise<BackendResult> {
  const selected = await selectBackend(name);
  const result: BackendResult = { backend: name, variant, detail: selected.detail };
  const model = await buildModel(variant);
  model.compile({ optimizer: adam(1e-3), loss: 'categoricalCrossentropy' });
  const isCpu = name === 'cpu';
  const batch = isCpu ? Number(opts.cpuBatch) : Number(opts.batch);
  const steps = isCpu ? 1 : Number(opts.steps);
  const trainData = makeBatch(batch);
  const trainStep = async () => {
    await model.trainOnBatch(trainData.x, trainData.y);
  };
  log(`${name} (${variant}): ${selected.detail}`);
  if (!isCpu) for (let i = 0; i < 2; i++) await trainStep();
  const probe = opts.profile ? instrument(tf.getBackend()) : undefined;
  result.train = await time(batch, steps, trainStep);
  probe?.restore();
  if (probe) {
    const perBatch = (us: number) => us / 1000 / steps;
    result.profile = [...probe.table]
      .map(([kernel, e]) => ({ kernel, cpuMs: perBatch(e.us), calls: e.calls / steps }))
      .sort((a, b) => b.cpuMs - a.cpuMs);
    const inKernels = result.profile.reduce((s, k) => s + k.cpuMs, 0);
    result.outsideKernelsCpuMs = result.train.cpuMsPerBatch - inKernels;
  }
  log(
    `  train: ${rate(result.train.samplesPerSec)} samples/s (batch ${batch}, ${steps} step${steps > 1 ? 's' : ''}, ${result.train.msPerBatch.toFixed(0)} ms/batch, ${result.train.cpuMsPerBatch.toFixed(0)} CPU ms/batch)`,
  );
  tf.dispose([trainData.x, trainData.y]);

  const inferBatch = Number(opts.batch);
  const inferData = makeBatch(inferBatch);
  const predict = async () => {
    const out = model.predict(inferData.x) as tf.Tensor;
    await out.data();
    out.dispose();
  };
  if (!isCpu) await predict();
  result.infer = await time(inferBatch, isCpu ? 1 : Math.max(3, steps), predict);
  log(`  infer: ${rate(result.infer.samplesPerSec)} samples/s (batch ${inferBatch}, ${result.infer.msPerBatch.toFixed(0)} ms/batch)`);
  tf.dispose([inferData.x, inferData.y]);
  model.dispose();
  return result;
}

const requested = opts.backends ? (opts.backends.split(',').map((s) => s.trim()) as BackendName[]) : [...BACKEND_NAMES];
const results: BackendResult[] = [];
for (const name of requested) {
  // The two only differ on the native backend.
  for (const variant of (name === 'native' ? ['fused-bn', 'stock-bn'] : ['fused-bn']) as Variant[]) {
    try {
      results.push(await measure(name, variant));
    } catch (error) {
      const message = errorMessage(error);
      log(`${name}: skipped (${message})`);
      results.push({ backend: name, variant, detail: '', error: message });
      break;
    }
  }
}

if (opts.profile) {
  for (const r of results.filter((x) => x.profile)) {
    log(
      `\nprofile ${r.backend} (${r.variant}): CPU ms per training batch of ${r.train?.batch} (${r.train?.cpuMsPerBatch.toFixed(0)} total, ${r.outsideKernelsCpuMs?.toFixed(0)} outside kernels)`,
    );
    for (const k of r.profile?.slice(0, 20) ?? [])
      log(`  ${k.kernel.padEnd(26)} ${k.cpuMs.toFixed(1).padStart(8)} ms  ${String(k.calls).padStart(5)} calls`);
  }
}

interface Reference {
  torch: string;
  threads: number;
  params: number;
  train_samples_per_sec: number;
  infer_samples_per_sec: number;
}

/** PyTorch CPU on the same network, batch and threads, right after the tfjs backends (null when unavailable). */
function pytorchReference(): { ok: Reference } | { error: string } | null {
  if (opts.reference === 'none') return null;
  log('\npytorch reference: bench/reference/resnet_torch.py (channels-last)');
  const r = spawnSync(
    opts.reference,
    [
      join(dirname(fileURLToPath(import.meta.url)), 'reference', 'resnet_torch.py'),
      String(availableParallelism()),
      opts.batch,
      opts.steps,
      'channels_last',
    ],
    {
      encoding: 'utf8',
      timeout: 600_000,
    },
  );
  if (r.error || r.status !== 0) {
    const why =
      r.error?.message ??
      (r.stderr.includes('No module named') ? 'torch is not installed (Debian: apt install python3-torch)' : r.stderr.trim().split('\n').at(-1));
    log(`pytorch reference: skipped (${why})`);
    return { error: why ?? 'failed' };
  }
  const ref = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as Reference;
  log(
    `  pytorch ${ref.torch} (${ref.params} params, ${ref.threads} threads): train ${rate(ref.train_samples_per_sec)} samples/s, infer ${rate(ref.infer_samples_per_sec)} samples/s`,
  );
  return { ok: ref };
}
const reference = pytorchReference();
const ref = reference && 'ok' in reference ? reference.ok : null;

const report = {
  model: 'resnet',
  input: INPUT,
  classes: CLASSES,
  cores: (await import('node:os')).availableParallelism(),
  node: process.version,
  results,
  pytorch: reference === null ? null : 'ok' in reference ? reference.ok : { error: reference.error },
};
if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
else {
  const ratio = (x: number | undefined, of: number | undefined) => (x !== undefined && of ? `${(x / of).toFixed(2)}x` : '-');
  console.log(`\nbackend  variant   train samples/s        infer samples/s${ref ? '  train/pytorch  infer/pytorch' : ''}`);
  for (const r of results) {
    const train = r.train ? `${rate(r.train.samplesPerSec)} (batch ${r.train.batch} x${r.train.batches})` : '-';
    const infer = r.infer ? rate(r.infer.samplesPerSec) : '-';
    const vs = ref
      ? `${ratio(r.train?.samplesPerSec, ref.train_samples_per_sec).padEnd(14)} ${ratio(r.infer?.samplesPerSec, ref.infer_samples_per_sec).padEnd(14)}`
      : '';
    console.log(`${r.backend.padEnd(8)} ${r.variant.padEnd(9)} ${train.padEnd(22)} ${infer.padEnd(15)} ${vs} ${r.error ? `(${r.error})` : ''}`);
  }
  if (ref) console.log(`pytorch  ${ref.torch.padEnd(9)} ${rate(ref.train_samples_per_sec).padEnd(22)} ${rate(ref.infer_samples_per_sec)}`);
}
