// Recorder speed: classify latency per live window (goal < 30 ms on this CPU), live mode's real-time
// factor, the pipeline's own overhead (windowing + resampling, no model), and capture throughput
// through PortAudio from the ALSA file-backed microphone.
// Usage: npm run bench -- recorder [MODEL_DIR] [BACKEND]   (BACKEND: auto (default), native, wasm, cpu...;
// without a model only the model-free figures print)
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAudio } from '../src-main/core/audio/load';
import { resample } from '../src-shared/audio/resample';
import { record } from '../src-main/core/recorder/capture';
import { prepareFileDevice } from '../src-main/core/recorder/fileDevice';
import { arraySource, liveClassify, type WindowClassifier } from '../src-shared/live/liveWindow';

const GOAL_MS = 30;
const data = join(import.meta.dirname, '..', '..', 'shared', 'data');
const modelDir = process.argv[2];
const backendArg = (process.argv[3] ?? 'auto') as Parameters<typeof import('../src-main/core/tfjs/backend').selectBackend>[0];

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return `mean ${mean.toFixed(2)} ms, median ${q(0.5).toFixed(2)}, p95 ${q(0.95).toFixed(2)}, max ${s[s.length - 1].toFixed(2)} (n=${s.length})`;
}

/** ~30 s of real speech at 48 kHz, the rate a typical microphone delivers: Actor_01's originals back to back. */
async function speech48k(seconds: number): Promise<Float32Array> {
  const dir = join(data, 'ravdess-48k', 'Actor_01');
  const parts: Float32Array[] = [];
  let n = 0;
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.wav'))
    .sort()) {
    if (n >= seconds * 48000) break;
    const a = await loadAudio(join(dir, f));
    parts.push(a.samples);
    n += a.samples.length;
  }
  const out = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out.subarray(0, seconds * 48000);
}

const audio = await speech48k(30);
console.log(`input: ${(audio.length / 48000).toFixed(1)} s of RAVDESS speech at 48 kHz`);

// 1. Pipeline overhead: sliding window + 48 -> 16 kHz resampling per window, with a classifier that does nothing.
const idle: WindowClassifier = { inputSeconds: 3, sampleRate: 16000, classify: () => ({ label: 'x', probabilities: { x: 1 } }) };
const idleRun = await liveClassify({ classifier: idle, source: arraySource(audio, 48000), hop: 0.5, skipLate: false });
console.log(
  `live pipeline without a model (stream resampled 48->16 kHz, 3 s window, hop 0.5 s): ${idleRun.windows} windows, ` +
    `real-time factor ${idleRun.realTimeFactor.toFixed(4)} (= ${((idleRun.realTimeFactor * 1000) / 2).toFixed(2)} ms of work per 0.5 s hop)`,
);

// 2. Capture throughput through the real PortAudio path (the file device has no clock: as fast as it can be read).
try {
  const dir = mkdtempSync(join(tmpdir(), 'ser-bench-rec-'));
  try {
    const dev = await prepareFileDevice({ audioPath: join(data, 'ravdess-16k', 'Actor_01', '03-01-05-01-01-01-01.wav'), dir, sampleRate: 44100 });
    const t0 = performance.now();
    const rec = await record({ seconds: 60, env: dev.env, sampleRate: 16000 });
    const s = (performance.now() - t0) / 1000;
    console.log(
      `capture 60 s at 44.1 kHz + resample to 16 kHz via PortAudio/ALSA file device: ${s.toFixed(2)} s wall ` +
        `(${(60 / s).toFixed(0)}x real time, process start included), ${rec.samples.length} samples`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} catch (err) {
  console.log(`capture throughput: skipped (${(err as Error).message})`);
}

// 3. With a saved model: per-window latency and live real-time factor.
if (!modelDir) {
  console.log('classify latency / live real-time factor: give a saved model directory (e.g. from `ser train`) as the argument');
} else {
  const { loadRecorderModel, modelClassifier } = await import('../src-main/core/recorder/classifier');
  const { classifySamples } = await import('../src-main/core/training/predict');
  const model = await loadRecorderModel(modelDir, { backend: backendArg });
  console.log(
    `model: ${modelDir} (${model.meta.kind === 'ensemble' ? `ensemble of ${model.meta.members.length}` : model.meta.preset}, ${model.labels.length} labels, ${model.inputSeconds} s input at ${model.sampleRate} Hz); backend ${model.backend.name}: ${model.backend.detail}`,
  );
  const win = Math.round(model.inputSeconds * model.sampleRate);
  const at16 = resample(audio, 48000, model.sampleRate);
  for (let i = 0; i < 3; i++) await classifySamples(model, at16.subarray(0, win), model.sampleRate); // warm-up (kernels, JIT)
  const ms: number[] = [];
  for (let start = 0; start + win <= at16.length; start += Math.round(0.5 * model.sampleRate)) {
    const t = performance.now();
    await classifySamples(model, at16.subarray(start, start + win), model.sampleRate);
    ms.push(performance.now() - t);
  }
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  console.log(`classify latency per window: ${stats(ms)}; goal < ${GOAL_MS} ms: ${mean < GOAL_MS ? 'met' : 'NOT met'}`);
  const live = await liveClassify({ classifier: modelClassifier(model), source: arraySource(audio, 48000), hop: 0.5, skipLate: false });
  console.log(
    `live mode (48 kHz in, hop 0.5 s): ${live.windows} windows over ${live.audioSeconds.toFixed(1)} s, ` +
      `classify mean ${live.meanLatencyMs.toFixed(2)} ms / max ${live.maxLatencyMs.toFixed(2)} ms per window, ` +
      `real-time factor ${live.realTimeFactor.toFixed(3)} (resample + classify time / audio time; < 1 keeps up, ${(1 / live.realTimeFactor).toFixed(0)}x headroom)`,
  );
}
