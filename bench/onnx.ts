// ONNX inference throughput (onnxruntime-node, CPU) next to the workbench's own tfjs backend, per neural preset, on
// the recipes' input (64 mels x 126 frames of 4 s log-mel), batch 32, in the same run. Weights are the presets' seeded
// initial ones: speed does not depend on their values. Usage: npm run bench -- onnx [--seconds 3]
import * as tf from '@tensorflow/tfjs';
import { OnnxGraph } from '../src-main/core/export/onnxGraph';
import { addNetwork } from '../src-main/core/export/onnxNetwork';
import { getModelPreset, type NeuralPreset } from '../src-main/core/models/presets';
import { activateBackend } from '../src-main/core/training/pipeline';
import { Random } from '../src-main/core/training/seededRandom';

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 3;
const backend = await activateBackend('auto');
const ort = await import('onnxruntime-node');
const BATCH = 32;
const shape: [number, number, number] = [64, 126, 1];
const AUX = 284;
const rng = new Random(7);
const noise = (n: number) => Float32Array.from({ length: n }, () => rng.normal());

/** Samples per second of `step` (one batch) over about `seconds`, after one warm-up call. */
async function rate(step: () => Promise<void>): Promise<number> {
  await step();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await step();
    n += BATCH;
  }
  return n / ((performance.now() - t0) / 1000);
}

console.log(`backend: ${backend.name} (${backend.detail}); onnxruntime-node ${ort.env.versions.node}, batch ${BATCH}, ${seconds} s per figure`);
console.log('preset        tfjs samples/s   onnxruntime samples/s   ratio');
for (const name of ['simplecnn', 'resnet', 'hybrid', 'cnn-gru', 'cnn-lstm', 'bilstm', 'transformer']) {
  const preset = getModelPreset(name) as NeuralPreset;
  const model = preset.build({ inputShape: shape, auxDims: AUX, numClasses: 8, seed: 1, params: {} });
  const g = new OnnxGraph();
  const graph = addNetwork(g, model);
  const session = await ort.InferenceSession.create(g.encode({ name, producerVersion: 'bench', doc: '' }));
  const feeds = graph.inputs.map((input) => {
    const dims = [BATCH, ...(input.dims.slice(1) as number[])];
    return { name: input.name, dims, data: noise(dims.reduce((a, b) => a * b, 1)) };
  });
  const tensors = feeds.map((f) => tf.tensor(f.data, f.dims));
  const tfjs = await rate(async () => {
    const out = model.predict(tensors.length === 1 ? tensors[0] : tensors) as tf.Tensor;
    await out.data();
    out.dispose();
  });
  const ortFeeds = Object.fromEntries(feeds.map((f) => [f.name, new ort.Tensor('float32', f.data, f.dims)]));
  const onnx = await rate(async () => {
    await session.run(ortFeeds);
  });
  console.log(`${name.padEnd(12)}  ${tfjs.toFixed(0).padStart(14)}   ${onnx.toFixed(0).padStart(21)}   ${(onnx / tfjs).toFixed(2)}`);
  tf.dispose(tensors);
  model.dispose();
  await session.release();
}
