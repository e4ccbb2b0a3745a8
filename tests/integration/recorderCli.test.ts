import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { portAudioBuilt } from '../../src-main/core/recorder/portaudio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAudio } from '../../src-main/core/audio/load';
import { resample } from '../../src-shared/audio/resample';
import { listFiles } from '../../src-main/core/store/datasets';
import { openStore } from '../../src-main/core/store/db';
import { rememberedDevice } from '../../src-main/core/recorder/devices';
import { FILE_DEVICE_NAME, NO_CAPTURE_CONFIG, prepareFileDevice, type FileDevice } from '../../src-main/core/recorder/fileDevice';
import { importDataset } from '../../src-main/core/datasets/import';
import { startRun } from '../../src-main/core/training/run';
import { ser as run } from '../helpers/cli';
import { enrolFiles, profileSpeaker } from '../../src-main/core/profiles/speakerProfiles';
import { classifyRecording } from '../../src-main/core/recorder/classifier';
import { loadModel } from '../../src-main/core/training/predict';
import { RAVDESS_16K, RAVDESS_48K } from '../helpers/shared';

// `ser devices` and `ser record` end to end, recording from the ALSA file-backed microphone.

// Installed and built: npm 12 installs it unbuilt when its install script is blocked.
const hasNaudiodon = portAudioBuilt();

const NEUTRAL_48K = join(RAVDESS_48K, 'Actor_01', '03-01-01-01-01-01-01.wav');
let dir: string;
let mic: FileDevice;
let db: string;

function ser(args: string[], env: Record<string, string> = mic.env) {
  return run(args, { env: { ...env, SER_DB: db }, timeout: 60_000 });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ser-record-cli-'));
  db = join(dir, 'workbench.sqlite');
  // PortAudio opens ALSA plugin devices at 44.1 kHz by default, so feed it 44.1 kHz audio, as a typical microphone would.
  mic = await prepareFileDevice({ audioPath: NEUTRAL_48K, dir, sampleRate: 44100 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!hasNaudiodon)('ser devices / ser record', () => {
  it('ser devices --json prints exactly one JSON document: the input devices', () => {
    const r = ser(['devices', '--json']);
    expect(r.code).toBe(0);
    const devices = JSON.parse(r.stdout) as { name: string; isDefault: boolean }[];
    expect(devices.map((d) => d.name)).toEqual([FILE_DEVICE_NAME, 'default']);
    expect(devices.find((d) => d.isDefault)?.name).toBe('default');
  });

  it('ser record --out writes the captured audio (44.1 kHz device, 16 kHz file) and remembers --device', async () => {
    const out = join(dir, 'take.wav');
    const r = ser(['record', '--seconds', '2', '--device', FILE_DEVICE_NAME, '--out', out, '--rate', '16000', '--json']);
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    // Nothing but our JSON on stdout: PortAudio's own printing stays in the capture process.
    expect(JSON.parse(r.stdout)).toEqual({ seconds: 2, device: FILE_DEVICE_NAME, sampleRate: 16000, out });
    const written = await loadAudio(out);
    expect(written.sampleRate).toBe(16000);
    expect(written.samples.length).toBe(32000);
    // What the device delivered at 44.1 kHz (the first 2 s of the file), resampled: the same to 16-bit rounding.
    const source = Float32Array.from(mic.pcm.subarray(0, 88200), (v) => v / 32768);
    const expected = resample(source, 44100, 16000);
    let maxErr = 0;
    for (let i = 0; i < expected.length; i++) maxErr = Math.max(maxErr, Math.abs(written.samples[i] - expected[i]));
    expect(maxErr).toBeLessThanOrEqual(1 / 32768);
    const store = openStore(db);
    try {
      expect(rememberedDevice(store.db)).toBe(FILE_DEVICE_NAME);
    } finally {
      store.close();
    }
    expect(ser(['devices']).stdout).toMatch(/ser_file_mic .*\[last used\]/);
  });

  it('ser record --dataset collects a labelled take into a folders dataset', () => {
    const folder = join(dir, 'collected');
    const r = ser(['record', '--seconds', '1', '--dataset', folder, '--label', 'neutral', '--speaker', 'actor01', '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { saved: { file: string; datasetId: number } };
    expect(result.saved.file).toMatch(/collected\/neutral\/actor01_\d{8}T\d{9}Z\.wav$/);
    const store = openStore(db);
    try {
      const files = listFiles(store.db, result.saved.datasetId);
      expect(files.map((f) => [f.label, f.sampleRate, f.duration])).toEqual([['neutral', 44100, 1]]);
    } finally {
      store.close();
    }
  });

  it('fails with one readable line and exit code 1: no device, unknown device, nothing to do', () => {
    const none = ser(['record', '--seconds', '1', '--out', join(dir, 'x.wav')], { ALSA_CONFIG_PATH: NO_CAPTURE_CONFIG });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^error: No audio input device found/m);
    const unknown = ser(['record', '--seconds', '1', '--device', 'Blue Yeti', '--out', join(dir, 'x.wav'), '--json']);
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout).error).toMatch(/No input device matches "Blue Yeti"/);
    const idle = ser(['record', '--seconds', '1']);
    expect(idle.code).toBe(1);
    expect(idle.stderr).toMatch(/nothing to do: give --out/);
    const badSeconds = ser(['record', '--seconds', '-2', '--out', join(dir, 'x.wav')]);
    expect(badSeconds.stderr).toMatch(/--seconds must be a number > 0/);
  });

  it('ser record --live --segments --json: one JSON line per utterance as it is decided, then the summary', async () => {
    // A small real model (a forest on utterance functionals, trained on RAVDESS Actor_02) to classify with.
    const modelDir = join(dir, 'forest');
    const store = openStore(join(dir, 'train.sqlite'));
    try {
      const ds = await importDataset(store, { folder: join(RAVDESS_16K, 'Actor_02') });
      const training = startRun(
        store,
        { datasetId: ds.datasetId, model: 'forest', split: { kind: 'random', testFraction: 0.2, valFraction: 0.1, seed: 7 }, outDir: modelDir },
        { inProcess: true, featureWorkers: 0 },
      );
      const result = await training.done;
      expect(result.status, result.error ?? undefined).toBe('completed');
    } finally {
      store.close();
    }
    // 3 s of the device's file (3.3 s long, so no stale buffers): near-silence, then "Kids are talking by the door" from
    // about 1.0 s to 2.3 s (a lip click at 0.84 s, too short to be speech, before it).
    const r = ser(['record', '--seconds', '3', '--device', FILE_DEVICE_NAME, '--live', '--segments', '--json', '--model', modelDir]);
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const docs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(docs).toHaveLength(2);
    const [utterance, last] = docs as [
      { start: number; end: number; label: string; probabilities: Record<string, number>; latencyMs: number; decisionDelayMs: number },
      { summary: { utterances: number; audioSeconds: number; device: string } },
    ];
    expect(utterance.start).toBeGreaterThan(0.85);
    expect(utterance.start).toBeLessThan(1.1);
    expect(utterance.end).toBeGreaterThan(2.1);
    expect(utterance.end).toBeLessThan(2.5);
    expect(utterance.probabilities[utterance.label]).toBe(Math.max(...Object.values(utterance.probabilities)));
    expect(Object.values(utterance.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(utterance.decisionDelayMs).toBeGreaterThanOrEqual(utterance.latencyMs);
    expect(last.summary).toMatchObject({ utterances: 1, audioSeconds: 3, device: FILE_DEVICE_NAME });
    // Human lines (one per utterance) went to stderr.
    expect(r.stderr.split('\n').filter((l) => /^\s+[\d.]+-[\d.]+ s {2}\S+/.test(l))).toHaveLength(1);
    // --segments is a live mode; its tuning is checked before anything is recorded.
    expect(ser(['record', '--seconds', '1', '--segments', '--out', join(dir, 'x.wav')]).stderr).toMatch(/--segments.* go with --live/);
    const badMargin = ser(['record', '--seconds', '1', '--live', '--segments', '--model', modelDir, '--vad-margin', '-3', '--json']);
    expect(badMargin.code).toBe(1);
    expect(JSON.parse(badMargin.stdout).error).toMatch(/--vad-margin must be/);
  }, 600_000);
  it('ser record --profile classifies the take with the enrolled speaker statistics, as the core does', async () => {
    // A speaker-normalised SVM (Actor_02), and a profile of the device's speaker (Actor_01) from 8 of their other files.
    const modelDir = join(dir, 'svm-sn');
    const train = openStore(join(dir, 'train-sn.sqlite'));
    try {
      const ds = await importDataset(train, { folder: join(RAVDESS_16K, 'Actor_02') });
      const result = await startRun(
        train,
        {
          datasetId: ds.datasetId,
          model: 'svm',
          speakerNormalization: true,
          split: { kind: 'random', testFraction: 0.2, valFraction: 0, seed: 7 },
          outDir: modelDir,
        },
        { inProcess: true, featureWorkers: 0 },
      ).done;
      expect(result.status, result.error ?? undefined).toBe('completed');
    } finally {
      train.close();
    }
    const store = openStore(db);
    const actor01 = readdirSync(join(RAVDESS_16K, 'Actor_01'))
      .filter((f) => f.endsWith('.wav') && !f.startsWith('03-01-01-01-01-01'))
      .sort()
      .slice(0, 8)
      .map((f) => join(RAVDESS_16K, 'Actor_01', f));
    const enrolled = await enrolFiles(store, 'Actor One', actor01);
    expect(enrolled.profile.utterances).toBe(8);
    const speaker = profileSpeaker(store, enrolled.profile.id);
    const r = ser(['record', '--seconds', '2', '--device', FILE_DEVICE_NAME, '--model', modelDir, '--profile', 'actor one', '--json']);
    expect(r.stderr).not.toMatch(/^error/m);
    const take = JSON.parse(r.stdout) as { label: string; probabilities: Record<string, number> };
    // What the device delivered (the first 2 s of its file at 44.1 kHz), classified in this process with the profile.
    const samples = Float32Array.from(mic.pcm.subarray(0, 88200), (v) => v / 32768);
    const model = await loadModel(modelDir);
    const expected = await classifyRecording(model, samples, 44100, speaker);
    store.close();
    expect(take.label).toBe(expected.label);
    for (const [l, p] of Object.entries(expected.probabilities)) expect(take.probabilities[l]).toBeCloseTo(p, 5);
    // Without the profile the take alone has no statistics for the SVM's functionals: refused with what to do.
    const lone = ser(['record', '--seconds', '1', '--device', FILE_DEVICE_NAME, '--model', modelDir]);
    expect(lone.code).toBe(1);
    expect(lone.stderr).toMatch(/standardises its utterance-level features per speaker.*--profile/);
    expect(ser(['record', '--seconds', '1', '--device', FILE_DEVICE_NAME, '--out', join(dir, 'p.wav'), '--profile', 'Actor One']).stderr).toMatch(
      /--profile adapts a model to the speaker: give --model/,
    );
    expect(ser(['record', '--seconds', '1', '--device', FILE_DEVICE_NAME, '--model', modelDir, '--profile', 'Nobody']).stderr).toMatch(
      /no speaker profile named "Nobody"/,
    );
  }, 600_000);
});
