// Live latency, capture → decision: a RAVDESS session (10 of Actor_01's utterances with pauses) is delivered in
// 50 ms chunks at the pace of a real microphone, and each decision is timed from the arrival of the chunk holding
// the last sample it depends on: per sliding window (the window's end) and per utterance (the end of speech, so the
// segmenter's wait for the pause to be confirmed is included).
// Usage: npm run bench -- liveLatency <MODEL_DIR>... [--backend native]
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadAudio } from '../src-main/core/audio/load';
import { loadRecorderModel, modelClassifier } from '../src-main/core/recorder/classifier';
import { liveSegmentClassify } from '../src-shared/live/liveSegments';
import { liveClassify, type AudioSource } from '../src-shared/live/liveWindow';

const args = process.argv.slice(2);
const backendAt = args.indexOf('--backend');
const backend = (backendAt >= 0 ? args.splice(backendAt, 2)[1] : 'native') as 'native' | 'wasm' | 'cpu' | 'auto';
if (args.length === 0) throw new Error('usage: npm run bench -- liveLatency <MODEL_DIR>... [--backend native]');
const RATE = 16000;
const CHUNK = 0.05;

async function session(): Promise<Float32Array> {
  const dir = join(import.meta.dirname, '..', '..', 'shared', 'data', 'ravdess-16k', 'Actor_01');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .filter((_, i) => i % 6 === 0);
  const gap = new Float32Array(RATE * 0.5);
  const parts: Float32Array[] = [new Float32Array(RATE)];
  for (const f of files) parts.push((await loadAudio(join(dir, f), { sampleRate: RATE })).samples, gap);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  // Room noise at about -70 dBFS (a digital zero floor is not a microphone).
  let seed = 1;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    out[i] += ((seed / 2 ** 32) * 2 - 1) * 3e-4;
  }
  return out;
}

/** Chunks at real-time pace; `arrivals[k]` is when chunk k (samples k·step … (k+1)·step) arrived. */
function pacedSource(samples: Float32Array): AudioSource & { arrivalOf(sample: number): number } {
  const step = Math.round(CHUNK * RATE);
  const arrivals: number[] = [];
  return {
    sampleRate: RATE,
    arrivalOf: (sample) => arrivals[Math.min(arrivals.length - 1, Math.floor((sample - 1) / step))],
    chunks: (async function* () {
      const t0 = performance.now();
      for (let k = 0; k * step < samples.length; k++) {
        const due = t0 + (k + 1) * CHUNK * 1000;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        arrivals[k] = performance.now();
        yield samples.subarray(k * step, (k + 1) * step);
      }
    })(),
  };
}

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `median ${q(0.5).toFixed(0)} ms, p95 ${q(0.95).toFixed(0)}, max ${s[s.length - 1].toFixed(0)} (n=${s.length})`;
}

const audio = await session();
console.log(`session: ${(audio.length / RATE).toFixed(1)} s, 10 utterances, delivered in ${CHUNK * 1000} ms chunks in real time`);
for (const dir of args) {
  const model = await loadRecorderModel(dir, { backend });
  const name = `${model.meta.name ?? dir} (${model.backend.name})`;
  const classifier = modelClassifier(model);
  // Warm-up: the first prediction builds the graph.
  await classifier.classify(audio.subarray(RATE, RATE * 4), RATE);
  const windowSource = pacedSource(audio);
  const perWindow: number[] = [];
  const summary = await liveClassify({
    classifier,
    source: windowSource,
    onWindow: (w) => perWindow.push(performance.now() - windowSource.arrivalOf(Math.round(w.end * RATE))),
  });
  const perUtterance: number[] = [];
  const classifyMs: number[] = [];
  await liveSegmentClassify({
    classifier,
    source: pacedSource(audio),
    onSegment: (u) => {
      perUtterance.push(u.decisionDelayMs);
      classifyMs.push(u.latencyMs);
    },
  });
  console.log(`${name}`);
  console.log(
    `  per window (${classifier.inputSeconds} s, hop 0.5 s): capture → decision ${stats(perWindow)}; ${summary.skipped} windows skipped as late`,
  );
  console.log(`  per utterance: end of speech → decision ${stats(perUtterance)}; of which classifying ${stats(classifyMs)}`);
}
