import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent, Method, RecorderStream, RecorderStreamEnd, WireResponse } from '../../src-shared/api/contract';
import { base64ToFloat32 } from '../../src-shared/audio/pcmBase64';
import { dispatch, type Handlers } from '../../src-main/core/api/dispatch';
import { createHandlers } from '../../src-main/core/api/handlers';
import { JobQueue } from '../../src-main/core/jobs';
import { prepareFileDevice, type FileDevice } from '../../src-main/core/recorder/fileDevice';
import { portAudioBuilt } from '../../src-main/core/recorder/portaudio';
import { MAX_OPEN_STREAMS } from '../../src-main/core/recorder/streams';
import { openStore, type Store } from '../../src-main/core/store/db';
import { makeTempDir, removeDir } from '../helpers/fixtures';
import { RAVDESS_48K } from '../helpers/shared';

// recorder.start / recorder.stop and their events through the real dispatcher (schema validation
// included) and the real capture path: capture process, naudiodon, PortAudio, ALSA's `file` plugin
// fed with RAVDESS audio. That device has no clock, so a stream runs far ahead of real time, and
// past the end of its file it repeats stale buffers: comparisons stop at the end of the source.

const NEUTRAL_48K = join(RAVDESS_48K, 'Actor_01', '03-01-01-01-01-01-01.wav');

const tmp = makeTempDir('ser-recorder-stream-');
let store: Store;
let handlers: Handlers;
let mic: FileDevice | undefined;
const shutdown = new AbortController();
const clients = new EventTarget();
const events: ApiEvent[] = [];
const savedEnv = { ALSA_CONFIG_PATH: process.env.ALSA_CONFIG_PATH, SER_ALSA_INFILE: process.env.SER_ALSA_INFILE };
let nextId = 1;

beforeAll(async () => {
  store = openStore(join(tmp, 'workbench.sqlite'));
  handlers = createHandlers({ store, jobs: new JobQueue((e) => events.push(e)), mode: 'browser', shutdown: shutdown.signal, clients });
  if (!portAudioBuilt()) return;
  // 44.1 kHz: what PortAudio opens an ALSA plugin device at by default, like a typical microphone.
  mic = await prepareFileDevice({ audioPath: NEUTRAL_48K, dir: tmp, sampleRate: 44100 });
  // The capture process inherits this file's environment (each test file runs in a process of its own).
  Object.assign(process.env, mic.env);
});

afterAll(async () => {
  shutdown.abort();
  // Every stream this file started has ended (or ends now) and its capture process is gone.
  await waitFor(() => captureChildren().length === 0, 5000);
  expect(captureChildren()).toEqual([]);
  store.close();
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  removeDir(tmp);
});

async function call(method: Method | string, params: unknown): Promise<WireResponse> {
  return dispatch(handlers, nextId++, method, params);
}
function resultOf<T>(reply: WireResponse): T {
  expect('result' in reply, JSON.stringify(reply)).toBe(true);
  return (reply as { result: T }).result;
}
function errorOf(reply: WireResponse): { code: string; message: string } {
  expect('error' in reply, JSON.stringify(reply)).toBe(true);
  return (reply as { error: { code: string; message: string } }).error;
}
async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!cond() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
}
function eventsOf(streamId: string): ApiEvent[] {
  return events.filter((e) => 'streamId' in e && e.streamId === streamId);
}
function ended(streamId: string): boolean {
  return eventsOf(streamId).some((e) => e.type === 'recorder.end');
}
/** Capture processes still running under this test process. */
function captureChildren(): string[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  } catch {
    // ps exits 1 when there are no such processes.
  }
  return out.split('\n').filter((l) => l.includes('captureChild'));
}
/** The stream's chunks in order, decoded and joined, with their seq and offsets. */
function joinedChunks(streamId: string): { samples: Float32Array; seqs: number[]; offsets: number[]; lengths: number[] } {
  const chunks = eventsOf(streamId).filter((e): e is Extract<ApiEvent, { type: 'recorder.chunk' }> => e.type === 'recorder.chunk');
  const decoded = chunks.map((c) => base64ToFloat32(c.samples));
  const samples = new Float32Array(decoded.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const d of decoded) {
    samples.set(d, o);
    o += d.length;
  }
  return { samples, seqs: chunks.map((c) => c.seq), offsets: chunks.map((c) => c.offset), lengths: decoded.map((d) => d.length) };
}
/** Index of the first sample that differs from the device's source (int16/32768), or -1, over their common length. */
function firstMismatch(captured: Float32Array, source: Int16Array): number {
  const n = Math.min(captured.length, source.length);
  for (let i = 0; i < n; i++) if (captured[i] !== source[i] / 32768) return i;
  return -1;
}

describe('recorder stream requests are validated before any device opens', () => {
  it.each([
    ['a negative maxSeconds', { maxSeconds: -1 }, 'maxSeconds'],
    ['a maxSeconds over the hour', { maxSeconds: 3601 }, 'maxSeconds'],
    ['a string deviceId', { deviceId: 'default' }, 'deviceId'],
    ['a fractional sampleRate', { sampleRate: 44100.5 }, 'sampleRate'],
  ])('refuses recorder.start with %s', async (_what, params, field) => {
    const error = errorOf(await call('recorder.start', params));
    expect(error.code).toBe('invalid');
    expect(error.message).toContain(field);
    expect(events).toEqual([]);
  });

  it('refuses recorder.stop without a stream id, and names an unknown one', async () => {
    expect(errorOf(await call('recorder.stop', {})).code).toBe('invalid');
    const error = errorOf(await call('recorder.stop', { streamId: 'no-such-stream' }));
    expect(error.code).toBe('not_found');
    expect(error.message).toContain('"no-such-stream"');
  });
});

describe.skipIf(!portAudioBuilt())('recorder.start / recorder.stop through PortAudio from an ALSA file device', () => {
  it('streams the device bit-exactly as ordered chunk events with levels while recording, and ends once on stop', async () => {
    const device = mic!;
    const before = events.length;
    const started = resultOf<RecorderStream>(await call('recorder.start', { sampleRate: device.sampleRate }));
    // Nothing is sent before the client knows the stream's id.
    expect(events.length).toBe(before);
    expect(started).toMatchObject({ sampleRate: 44100, channels: expect.any(Number), deviceName: 'default' });
    const { streamId } = started;

    const wanted = 2 * device.sampleRate;
    await waitFor(() => joinedChunks(streamId).samples.length >= wanted, 20_000);
    const beforeStop = eventsOf(streamId);
    const stopped = resultOf<RecorderStreamEnd>(await call('recorder.stop', { streamId }));
    const all = eventsOf(streamId);

    // Levels arrived while recording, before the stop was asked for.
    expect(beforeStop.some((e) => e.type === 'recorder.level')).toBe(true);
    const level = beforeStop.find((e) => e.type === 'recorder.level')!;
    expect(level).toMatchObject({ seconds: expect.any(Number), rmsDb: expect.any(Number), peak: expect.any(Number), clipped: false });

    const { samples, seqs, offsets, lengths } = joinedChunks(streamId);
    expect(samples.length).toBeGreaterThanOrEqual(wanted);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(offsets).toEqual(lengths.map((_, i) => lengths.slice(0, i).reduce((a, b) => a + b, 0)));
    expect(firstMismatch(samples, device.pcm)).toBe(-1);

    // Exactly one end, after the last chunk, counting exactly the frames delivered; the stop's answer agrees.
    const ends = all.filter((e) => e.type === 'recorder.end');
    expect(ends).toEqual([{ type: 'recorder.end', streamId, reason: 'stopped', frames: samples.length }]);
    expect(all.at(-1)).toBe(ends[0]);
    expect(stopped).toEqual({ reason: 'stopped', frames: samples.length });

    // Nothing more arrives for it, and it cannot be stopped twice.
    await new Promise((r) => setTimeout(r, 300));
    expect(eventsOf(streamId)).toHaveLength(all.length);
    expect(errorOf(await call('recorder.stop', { streamId })).code).toBe('not_found');
  });

  it('ends a stream by itself at maxSeconds, with exactly that many frames', async () => {
    const device = mic!;
    const { streamId } = resultOf<RecorderStream>(await call('recorder.start', { sampleRate: device.sampleRate, maxSeconds: 0.5 }));
    await waitFor(() => ended(streamId), 20_000);
    const { samples } = joinedChunks(streamId);
    expect(samples.length).toBe(0.5 * device.sampleRate);
    expect(firstMismatch(samples, device.pcm)).toBe(-1);
    expect(eventsOf(streamId).filter((e) => e.type === 'recorder.end')).toEqual([
      { type: 'recorder.end', streamId, reason: 'complete', frames: samples.length },
    ]);
    expect(errorOf(await call('recorder.stop', { streamId })).code).toBe('not_found');
  });

  it(`keeps at most ${MAX_OPEN_STREAMS} streams open, even when the starts arrive together`, async () => {
    const replies = await Promise.all([0, 1, 2].map(() => call('recorder.start', { sampleRate: 44100 })));
    const opened = replies.filter((r) => 'result' in r).map((r) => resultOf<RecorderStream>(r).streamId);
    const refused = replies.filter((r) => 'error' in r).map(errorOf);
    expect(opened).toHaveLength(MAX_OPEN_STREAMS);
    expect(refused).toHaveLength(3 - MAX_OPEN_STREAMS);
    expect(refused[0].message).toMatch(/At most 2 recording streams/);

    // Once one is stopped, a new one may start.
    resultOf(await call('recorder.stop', { streamId: opened[0] }));
    const again = resultOf<RecorderStream>(await call('recorder.start', { sampleRate: 44100 }));
    for (const id of [opened[1], again.streamId]) resultOf(await call('recorder.stop', { streamId: id }));
  });

  it('stops every open stream when no renderer is left to stop it (the last client gone), and still starts new ones', async () => {
    const { streamId } = resultOf<RecorderStream>(await call('recorder.start', { sampleRate: 44100 }));
    await waitFor(() => eventsOf(streamId).length > 0, 20_000);
    clients.dispatchEvent(new Event('gone'));
    await waitFor(() => ended(streamId), 5000);
    expect(eventsOf(streamId).filter((e) => e.type === 'recorder.end')).toMatchObject([{ reason: 'stopped' }]);
    const next = resultOf<RecorderStream>(await call('recorder.start', { sampleRate: 44100 }));
    resultOf(await call('recorder.stop', { streamId: next.streamId }));
  });

  it('stops every open stream when the workbench shuts down, and starts no new one', async () => {
    const { streamId } = resultOf<RecorderStream>(await call('recorder.start', { sampleRate: 44100 }));
    await waitFor(() => eventsOf(streamId).length > 0, 20_000);
    shutdown.abort();
    await waitFor(() => ended(streamId), 5000);
    expect(eventsOf(streamId).filter((e) => e.type === 'recorder.end')).toMatchObject([{ reason: 'stopped' }]);
    expect(errorOf(await call('recorder.start', {})).message).toMatch(/shutting down/);
  });
});
