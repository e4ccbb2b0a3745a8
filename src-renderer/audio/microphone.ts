/** Capture sources as one streaming interface: the browser microphone, or PortAudio through the API. */
import workletUrl from './capture-worklet.ts?worker&url';
import type { ApiEvent, Results } from '../../src-shared/api/contract';
import { api } from '../api/client';
import { base64ToFloat32 } from '../../src-shared/audio/pcmBase64';
import { errorMessage } from '../../src-shared/api/errors';

export interface LiveCapture {
  readonly sampleRate: number;
  /** Device name, for display. */
  readonly label: string;
  onChunk(listener: (chunk: Float32Array) => void): () => void;
  /** Called once if the source stops by itself (device lost, permission revoked, server error). */
  onEnded(listener: (reason: string) => void): () => void;
  close(): Promise<void>;
}

/** getUserMedia failures as messages that say what to do. */
export function microphoneErrorMessage(err: unknown): string {
  const name = err instanceof DOMException ? err.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Microphone permission was denied. Allow microphone access for this page (site settings, left of the address bar) and try again.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No microphone was found. Connect one (or choose a PortAudio device) and try again.';
    case 'NotReadableError':
    case 'AbortError':
      return 'The microphone could not be opened: another application may be using it, or the device failed.';
    default:
      return `The microphone could not be opened: ${errorMessage(err)}`;
  }
}

class Emitter<T> {
  private listeners = new Set<(v: T) => void>();
  on(l: (v: T) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  emit(v: T): void {
    for (const l of this.listeners) l(v);
  }
}

/** Opens the browser microphone (raw: no echo cancellation, noise suppression or gain control). */
export async function openBrowserMicrophone(): Promise<LiveCapture> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error('This page cannot use a microphone: the browser offers no getUserMedia here (it needs http://127.0.0.1 or https).');
  }
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
  } catch (err) {
    throw new Error(microphoneErrorMessage(err));
  }
  const ctx = new AudioContext();
  await ctx.resume();
  const source = ctx.createMediaStreamSource(stream);
  const sink = ctx.createGain();
  sink.gain.value = 0;
  sink.connect(ctx.destination);
  const chunks = new Emitter<Float32Array>();
  const ended = new Emitter<string>();
  let node: AudioNode;
  try {
    await ctx.audioWorklet.addModule(workletUrl);
    const worklet = new AudioWorkletNode(ctx, 'ser-capture', { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1 });
    worklet.port.onmessage = (ev: MessageEvent<Float32Array>) => chunks.emit(ev.data);
    node = worklet;
  } catch {
    // Older engines or a blocked module fetch: the deprecated ScriptProcessor still captures.
    const proc = ctx.createScriptProcessor(4096, 1, 1);
    proc.onaudioprocess = (ev) => chunks.emit(new Float32Array(ev.inputBuffer.getChannelData(0)));
    node = proc;
  }
  source.connect(node);
  node.connect(sink);
  const track = stream.getAudioTracks()[0];
  let closed = false;
  track.addEventListener('ended', () => {
    if (!closed) ended.emit('The microphone stopped delivering audio (unplugged, or access was revoked). What was captured so far is kept.');
  });
  return {
    sampleRate: ctx.sampleRate,
    label: track.label || 'browser microphone',
    onChunk: (l) => chunks.on(l),
    onEnded: (l) => ended.on(l),
    async close() {
      closed = true;
      source.disconnect();
      node.disconnect();
      for (const t of stream.getTracks()) t.stop();
      await ctx.close();
    },
  };
}

/** Words for a stream that ended without being closed here. */
function streamEndMessage(end: Extract<ApiEvent, { type: 'recorder.end' }>): string {
  if (end.reason === 'lost') return `${end.detail ?? 'The device stopped delivering audio.'} What was captured so far is kept.`;
  if (end.reason === 'complete') return 'The PortAudio stream reached its time limit.';
  return 'The PortAudio stream was stopped by the workbench (it is shutting down, or another window stopped it).';
}

/**
 * PortAudio on the workbench's machine: `recorder.start` opens the device, its audio arrives as `recorder.chunk`
 * events for this stream, and close() sends `recorder.stop`.
 */
export async function openPortAudioStream(deviceId: number): Promise<LiveCapture> {
  const chunks = new Emitter<Float32Array>();
  const ended = new Emitter<string>();
  let streamId: string | null = null;
  // Events wait here until the stream's id is known and whoever opened it has subscribed.
  let backlog: ApiEvent[] | null = [];
  let nextSeq = 0;
  let over = false;
  const finish = (reason: string): void => {
    if (over) return;
    over = true;
    unsubscribe();
    window.removeEventListener('pagehide', stopOnUnload);
    ended.emit(reason);
  };
  const handle = (e: ApiEvent): void => {
    if ((e.type !== 'recorder.chunk' && e.type !== 'recorder.end') || e.streamId !== streamId || over) return;
    if (e.type === 'recorder.end') return finish(streamEndMessage(e));
    if (e.seq !== nextSeq) {
      // Only a dropped connection loses events: a take with a hole in it must not pass for a whole one.
      void api.call('recorder.stop', { streamId: e.streamId }).catch(() => {});
      return finish(`Audio from the workbench was lost in transit (chunk ${nextSeq} missing); the stream was stopped. What came before is kept.`);
    }
    nextSeq++;
    chunks.emit(base64ToFloat32(e.samples));
  };
  const unsubscribe = api.onEvent((e) => {
    if (!backlog) handle(e);
    else if (e.type === 'recorder.chunk' || e.type === 'recorder.end') backlog.push(e);
  });
  // Best effort: a reloaded or closed page cannot stop its stream later, and streams are few.
  const stopOnUnload = (): void => void (streamId && api.call('recorder.stop', { streamId }).catch(() => {}));

  let started: Results['recorder.start'];
  try {
    started = await api.call('recorder.start', { deviceId });
  } catch (err) {
    unsubscribe();
    throw err;
  }
  streamId = started.streamId;
  window.addEventListener('pagehide', stopOnUnload);
  // After the caller has subscribed (it does so as soon as this resolves).
  setTimeout(() => {
    const early = backlog ?? [];
    backlog = null;
    for (const e of early) handle(e);
  }, 0);
  return {
    sampleRate: started.sampleRate,
    label: started.deviceName,
    onChunk: (l) => chunks.on(l),
    onEnded: (l) => ended.on(l),
    async close() {
      if (over) return;
      over = true;
      unsubscribe();
      window.removeEventListener('pagehide', stopOnUnload);
      await api.call('recorder.stop', { streamId: started.streamId }).catch(() => {});
    },
  };
}
