import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { portAudioBuilt } from '../../src-main/core/recorder/portaudio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAudio } from '../../src-main/core/audio/load';
import { openCapture, record } from '../../src-main/core/recorder/capture';
import { listDevices, NoInputDeviceError } from '../../src-main/core/recorder/devices';
import { FILE_DEVICE_NAME, NO_CAPTURE_CONFIG, prepareFileDevice, type FileDevice } from '../../src-main/core/recorder/fileDevice';
import { arraySource, liveClassify, type LiveWindow } from '../../src-shared/live/liveWindow';
import { PORTAUDIO_UNAVAILABLE } from '../../src-main/core/recorder/portaudio';
import { RAVDESS_16K, RAVDESS_48K } from '../helpers/shared';

// Records through the real path — capture process, naudiodon, PortAudio, ALSA — from ALSA's
// `file` plugin fed with RAVDESS audio (native/alsa/file-capture.conf). That device has no clock:
// it delivers as fast as it is read, so recordings end by sample count, never by waiting. Past the
// end of its file it returns stale buffers, so comparisons stop at the end of the source.

// Installed and built: npm 12 installs it unbuilt when its install script is blocked.
const hasNaudiodon = portAudioBuilt();

const ANGRY_16K = join(RAVDESS_16K, 'Actor_01', '03-01-05-01-01-01-01.wav');
const NEUTRAL_48K = join(RAVDESS_48K, 'Actor_01', '03-01-01-01-01-01-01.wav');

let dir: string;
let mic44: FileDevice; // the 16 kHz file resampled to a typical microphone rate
let mic48: FileDevice; // a 48 kHz original as recorded

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ser-recorder-'));
  mic44 = await prepareFileDevice({ audioPath: ANGRY_16K, dir, sampleRate: 44100, name: 'angry44' });
  mic48 = await prepareFileDevice({ audioPath: NEUTRAL_48K, dir, trailingSilence: 1, name: 'neutral48' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Index of the first sample where the captured int16 values differ from the source, or -1. */
function firstMismatch(captured: Float32Array, source: Int16Array): number {
  const n = Math.min(captured.length, source.length);
  for (let i = 0; i < n; i++) if (Math.round(captured[i] * 32768) !== source[i]) return i;
  return -1;
}

describe.skipIf(!hasNaudiodon)('recorder capture through PortAudio from an ALSA file device', () => {
  it('lists the file device, with the ALSA default marked as the default input', async () => {
    const devices = await listDevices({ env: mic44.env });
    const names = devices.map((d) => d.name);
    expect(names).toContain(FILE_DEVICE_NAME);
    expect(devices.filter((d) => d.isDefault).map((d) => d.name)).toEqual(['default']);
    for (const d of devices) {
      expect(d.maxInputChannels).toBeGreaterThan(0);
      expect(d.defaultSampleRate).toBeGreaterThan(0);
    }
  });

  it('records 3 s at the device rate with every sample intact, and reports levels while recording', async () => {
    const levels: number[] = [];
    const rec = await record({ seconds: 3, env: mic44.env, onLevel: (l) => levels.push(l.seconds) });
    expect(rec.deviceName).toBe('default');
    expect(rec.captureRate).toBe(44100); // PortAudio's default rate for an ALSA plugin device
    expect(rec.sampleRate).toBe(44100);
    expect(rec.truncated).toBeUndefined();
    expect(rec.samples.length).toBe(3 * 44100);
    expect(firstMismatch(rec.samples, mic44.pcm)).toBe(-1);
    // About one level reading per 50 ms chunk, with the captured time rising to 3 s.
    expect(levels.length).toBeGreaterThanOrEqual(55);
    expect(levels.at(-1)).toBeCloseTo(3, 1);
    expect(levels).toEqual([...levels].sort((a, b) => a - b));
  });

  it('captures a 48 kHz original and its trailing silence bit-exactly', async () => {
    const seconds = Math.floor(mic48.pcm.length / 48000);
    const rec = await record({ seconds, device: FILE_DEVICE_NAME, captureRate: 48000, env: mic48.env });
    expect(rec.deviceName).toBe(FILE_DEVICE_NAME);
    expect(rec.samples.length).toBe(seconds * 48000);
    expect(firstMismatch(rec.samples, mic48.pcm)).toBe(-1);
    expect(rec.samples.subarray(mic48.pcm.length - 48000).every((v) => v === 0)).toBe(true);
  });

  it("resamples to the model's rate: the 44.1 kHz capture comes back as the 16 kHz original", async () => {
    const original = (await loadAudio(ANGRY_16K)).samples;
    const rec = await record({ seconds: 3, env: mic44.env, sampleRate: 16000 });
    expect(rec.sampleRate).toBe(16000);
    expect(rec.captureRate).toBe(44100);
    expect(rec.samples.length).toBe(48000);
    // Aligned (best lag 0) and nearly identical: two band-limited conversions, 16k -> 44.1k -> 16k.
    const n = 48000;
    const corr = (lag: number) => {
      let xy = 0;
      let xx = 0;
      let yy = 0;
      for (let i = 1000; i < n - 1000; i++) {
        const x = rec.samples[i];
        const y = original[i + lag];
        xy += x * y;
        xx += x * x;
        yy += y * y;
      }
      return xy / Math.sqrt(xx * yy);
    };
    const lags = [-3, -2, -1, 0, 1, 2, 3];
    const scores = lags.map(corr);
    expect(lags[scores.indexOf(Math.max(...scores))]).toBe(0);
    expect(scores[3]).toBeGreaterThan(0.999);
  });

  it('keeps what was captured when the capture process dies mid-recording', async () => {
    let pid: number | undefined;
    let killed = false;
    const rec = await record({
      seconds: 300,
      env: mic44.env,
      onStart: (info) => (pid = info.pid),
      onLevel: () => {
        if (!killed && pid) {
          killed = true;
          process.kill(pid, 'SIGKILL');
        }
      },
    });
    expect(rec.truncated).toBe(true);
    expect(rec.reason).toMatch(/capture process was killed by SIGKILL while recording from "default"; kept the first [\d.]+ s of 300 s/);
    expect(rec.samples.length).toBeGreaterThan(0);
    expect(rec.samples.length).toBeLessThan(300 * 44100);
    expect(firstMismatch(rec.samples, mic44.pcm)).toBe(-1);
  });

  it('stops early on abort and returns the audio so far (push-to-talk release)', async () => {
    const ac = new AbortController();
    const rec = await record({ seconds: 120, env: mic44.env, signal: ac.signal, onLevel: (l) => l.seconds > 1 && ac.abort() });
    expect(rec.truncated).toBe(true);
    expect(rec.reason).toMatch(/^stopped after [\d.]+ s of 120 s$/);
    expect(rec.samples.length).toBeGreaterThan(44100);
    expect(firstMismatch(rec.samples, mic44.pcm)).toBe(-1);
  });

  it('uses the preferred (remembered) device when present', async () => {
    const rec = await record({ seconds: 0.5, env: mic44.env, preferred: FILE_DEVICE_NAME });
    expect(rec.deviceName).toBe(FILE_DEVICE_NAME);
    await expect(record({ seconds: 0.5, env: mic44.env, device: 'Blue Yeti' })).rejects.toThrow(/No input device matches "Blue Yeti".*ser_file_mic/);
  });

  it('classifies live from the device on a sliding window, same windows as the file itself', async () => {
    const stream = await openCapture({ env: mic44.env, maxSeconds: 3.5 });
    const fromDevice: LiveWindow[] = [];
    const classifier = {
      inputSeconds: 1,
      sampleRate: 16000,
      classify: (x: Float32Array) => {
        let e = 0;
        for (const v of x) e += v * v;
        const loud = Math.min(1, Math.sqrt(e / x.length) / 0.05);
        return { label: loud > 0.5 ? 'loud' : 'quiet', probabilities: { loud, quiet: 1 - loud } };
      },
    };
    const live = await liveClassify({
      classifier,
      source: { sampleRate: stream.info.sampleRate, chunks: stream.chunks },
      onWindow: (w) => fromDevice.push(w),
    });
    expect(await stream.ended).toEqual({ reason: 'complete', frames: 3.5 * 44100 });
    expect(live.windows).toBe(6); // 1 s window, 0.5 s hop, 3.5 s
    expect(live.skipped).toBe(0);
    const fromFile: LiveWindow[] = [];
    const pcm = Float32Array.from(mic44.pcm.subarray(0, 3.5 * 44100), (v) => v / 32768);
    await liveClassify({ classifier, source: arraySource(pcm, 44100), onWindow: (w) => fromFile.push(w) });
    expect(fromDevice.map((w) => w.probabilities)).toEqual(fromFile.map((w) => w.probabilities));
  });
});

describe.skipIf(!hasNaudiodon)('recorder failures a user can read', () => {
  it('no input device: empty list, and a clear error from record()', async () => {
    const env = { ALSA_CONFIG_PATH: NO_CAPTURE_CONFIG };
    expect(await listDevices({ env })).toEqual([]);
    const err = await record({ seconds: 1, env }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoInputDeviceError);
    expect((err as Error).message).toMatch(/^No audio input device found: PortAudio sees 2 device\(s\), none of which can record/);
  });

  it('naudiodon missing: the documented message, from both entry points', async () => {
    const env = { SER_NAUDIODON_MODULE: 'naudiodon-not-installed' };
    await expect(listDevices({ env })).rejects.toThrow(PORTAUDIO_UNAVAILABLE);
    await expect(record({ seconds: 1, env })).rejects.toThrow(PORTAUDIO_UNAVAILABLE);
  });

  it('naudiodon installed but never built (install script blocked): the cause and the rebuild command', async () => {
    const fake = join(dir, 'unbuilt-naudiodon.cjs');
    writeFileSync(fake, "throw new Error('Could not locate the bindings file. Tried:\\n → /x/naudiodon/build/Release/naudiodon.node');\n");
    const env = { SER_NAUDIODON_MODULE: pathToFileURL(fake).href };
    const unbuilt =
      /^audio capture unavailable: naudiodon was never built \(npm skipped its install script, blocked by allowScripts or --ignore-scripts, or its build failed\)\. Fix \(needs libasound2-dev\): (cd \S+ && )?npm rebuild naudiodon \[Could not locate the bindings file/;
    await expect(listDevices({ env })).rejects.toThrow(unbuilt);
    await expect(record({ seconds: 1, env })).rejects.toThrow(unbuilt);
  });
});

// A stand-in for naudiodon that streams a real recording in real time and then misbehaves the way a
// vanishing USB microphone does: PortAudio stops calling back (stall), reports an error, or crashes.
const FAKE_NAUDIODON = `
const { Readable } = require('node:stream');
const pcm = require('node:fs').readFileSync(process.env.FAKE_PCM);
const mode = process.env.FAKE_MODE;
const goodBytes = Number(process.env.FAKE_GOOD_BYTES);
exports.getDevices = () => [{ id: 0, name: 'USB mic', maxInputChannels: 1, maxOutputChannels: 0, defaultSampleRate: 16000, hostAPIName: 'ALSA' }];
exports.getHostAPIs = () => ({ defaultHostAPI: 0, HostAPIs: [{ id: 0, name: 'ALSA', defaultInput: 0, defaultOutput: -1 }] });
exports.AudioIO = () => {
  let sent = 0;
  let timer;
  const s = new Readable({ read() {} });
  s.start = () => {
    timer = setInterval(() => {
      if (sent < goodBytes) { s.push(pcm.subarray(sent, sent + 1600)); sent += 1600; return; }
      clearInterval(timer);
      if (mode === 'error') s.destroy(new Error('snd_pcm_readi: No such device'));
      if (mode === 'crash') process.kill(process.pid, 'SIGSEGV');
      // 'stall': nothing more, ever
    }, 50);
  };
  s.abort = () => clearInterval(timer);
  return s;
};
`;

describe('device lost mid-recording (stand-in PortAudio module)', () => {
  let fakeEnv: Record<string, string>;
  let pcm: Int16Array;
  let fakeDir: string;
  afterAll(() => rmSync(fakeDir, { recursive: true, force: true }));
  beforeAll(async () => {
    fakeDir = mkdtempSync(join(tmpdir(), 'ser-fake-pa-'));
    writeFileSync(join(fakeDir, 'fake-naudiodon.cjs'), FAKE_NAUDIODON);
    const dev = await prepareFileDevice({ audioPath: ANGRY_16K, dir: fakeDir, name: 'fake' });
    pcm = dev.pcm;
    fakeEnv = {
      SER_NAUDIODON_MODULE: pathToFileURL(join(fakeDir, 'fake-naudiodon.cjs')).href,
      FAKE_PCM: dev.rawPath,
      FAKE_GOOD_BYTES: String(16 * 1600), // 0.8 s of 16 kHz mono
    };
  });

  for (const [mode, reason] of [
    ['stall', /no audio from "USB mic" for 0\.6 s \(device unplugged or stopped\?\); kept the first 0\.80 s of 5 s/],
    ['error', /"USB mic": snd_pcm_readi: No such device; kept the first 0\.80 s of 5 s/],
    ['crash', /capture process was killed by SIGSEGV while recording from "USB mic"; kept the first 0\.80 s of 5 s/],
  ] as const) {
    it(`${mode}: returns the 0.8 s captured, intact, with truncated and the reason`, async () => {
      const rec = await record({ seconds: 5, env: { ...fakeEnv, FAKE_MODE: mode }, stallTimeoutMs: 600 });
      expect(rec.deviceName).toBe('USB mic');
      expect(rec.truncated).toBe(true);
      expect(rec.reason).toMatch(reason);
      expect(rec.samples.length).toBe(16 * 800);
      expect(firstMismatch(rec.samples, pcm)).toBe(-1);
    });
  }
});
