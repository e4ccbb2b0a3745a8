import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { portAudioBuilt } from '../../src-main/core/recorder/portaudio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../src-main/core/datasets/import';
import { classifyRecording, loadRecorderModel, modelClassifier } from '../../src-main/core/recorder/classifier';
import { FILE_DEVICE_NAME, prepareFileDevice, type FileDevice } from '../../src-main/core/recorder/fileDevice';
import { arraySource, liveClassify, type LiveWindow } from '../../src-shared/live/liveWindow';
import { openStore } from '../../src-main/core/store/db';
import { startRun } from '../../src-main/core/training/run';
import { ser as run } from '../helpers/cli';
import { RAVDESS_16K } from '../helpers/shared';

// `ser record --model` and `--live` with a real (small) trained model: a random forest on
// utterance functionals, trained on RAVDESS Actor_01, listening to Actor_02 through the file microphone.

// Installed and built: npm 12 installs it unbuilt when its install script is blocked.
const hasNaudiodon = portAudioBuilt();

const ANGRY_ACTOR2 = join(RAVDESS_16K, 'Actor_02', '03-01-05-02-01-01-02.wav');
let dir: string;
let modelDir: string;
let mic: FileDevice;

function ser(args: string[]) {
  return run(args, { env: { ...mic.env, SER_DB: join(dir, 'cli.sqlite') }, timeout: 120_000 });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ser-recorder-model-'));
  modelDir = join(dir, 'forest');
  const store = openStore(join(dir, 'train.sqlite'));
  try {
    const ds = await importDataset(store, { folder: join(RAVDESS_16K, 'Actor_01') });
    const run = startRun(
      store,
      { datasetId: ds.datasetId, model: 'forest', split: { kind: 'random', testFraction: 0.2, valFraction: 0.1, seed: 7 }, outDir: modelDir },
      { inProcess: true, featureWorkers: 0 },
    );
    const result = await run.done;
    if (result.status !== 'completed') throw new Error(`training the test model failed: ${result.error}`);
  } finally {
    store.close();
  }
  // Trailing silence: the live test listens past the end of the sentence.
  mic = await prepareFileDevice({ audioPath: ANGRY_ACTOR2, dir, sampleRate: 44100, trailingSilence: 2 });
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!hasNaudiodon)('recording + a saved model', () => {
  it('ser record --model --json: label and probabilities of what the microphone heard', async () => {
    const r = ser(['record', '--seconds', '3', '--model', modelDir, '--json']);
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { label: string; probabilities: Record<string, number>; seconds: number; device: string };
    expect(out.seconds).toBe(3);
    expect(out.device).toBe('default');
    const model = await loadRecorderModel(modelDir);
    expect(Object.keys(out.probabilities).sort()).toEqual([...model.labels].sort());
    expect(Object.values(out.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(out.probabilities[out.label]).toBe(Math.max(...Object.values(out.probabilities)));
    // The same 3 s the device delivered, classified in this process: the same answer.
    const heard = Float32Array.from(mic.pcm.subarray(0, 3 * 44100), (v) => v / 32768);
    const direct = await classifyRecording(model, heard, 44100);
    expect(out.label).toBe(direct.label);
    for (const [label, p] of Object.entries(direct.probabilities)) expect(out.probabilities[label]).toBeCloseTo(p, 6);
  });

  it('ser record --live: one decision per hop over the model input length, as liveClassify gives on the file', async () => {
    const model = await loadRecorderModel(modelDir);
    const seconds = 5;
    const r = ser(['record', '--seconds', String(seconds), '--model', modelDir, '--live', '--device', FILE_DEVICE_NAME, '--json']);
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { device: string; windows: LiveWindow[]; summary: { windows: number; skipped: number } };
    expect(out.device).toBe(FILE_DEVICE_NAME);
    const expected: LiveWindow[] = [];
    const heard = Float32Array.from(mic.pcm.subarray(0, seconds * 44100), (v) => v / 32768);
    const classifier = modelClassifier(model);
    // A forest on functionals takes utterances of any length: live mode uses a 3 s window for it.
    expect(classifier.inputSeconds).toBe(3);
    await liveClassify({ classifier, source: arraySource(heard, 44100), onWindow: (w) => expected.push(w) });
    expect(expected.length).toBe(5); // windows ending at 3, 3.5, 4, 4.5, 5 s
    // The file device outruns real time, so no window is late; every decision matches.
    expect(out.summary.skipped).toBe(0);
    expect(out.windows.map((w) => [w.end, w.label, w.smoothedLabel])).toEqual(expected.map((w) => [w.end, w.label, w.smoothedLabel]));
    // Progress lines went to stderr, one per window.
    expect(r.stderr.split('\n').filter((l) => /^\s+[\d.]+ s {2}\S+/.test(l))).toHaveLength(expected.length);
  });

  it('a directory that is not a model fails before recording, naming it', () => {
    const r = ser(['record', '--seconds', '1', '--model', dir, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toContain(dir);
  });
});
