/** Capture sources as one streaming interface: the browser microphone, or PortAudio through the API. */
import workletUrl from './capture-worklet.ts?worker&url';
import { api } from '../api/client';
import { base64ToFloat32 } from '../../src-shared/audio/pcmBase64';
import { errorMessage } from '../../src-shared/api/errors';

export interface LiveCapture {
  readonly sampleRate: number;
  /** Device name, for display. */
  readonly label: string;
  /** True when consecutive chunks may have gaps between them (PortAudio polled through the API). */
  readonly gappy: boolean;
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
    gappy: false,
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

/**
 * PortAudio on the workbench's machine, streamed by recording `chunkSeconds` at a time through
 * `recorder.record` (the API has no streaming capture), so short gaps between chunks are possible.
 */
export function openPortAudioStream(deviceId: number, label: string, chunkSeconds = 0.5): LiveCapture {
  const chunks = new Emitter<Float32Array>();
  const ended = new Emitter<string>();
  let running = true;
  let rate = 0;
  const loop = async () => {
    while (running) {
      try {
        const r = await api.call('recorder.record', { deviceId, seconds: chunkSeconds });
        rate = r.sampleRate;
        if (!running) break;
        chunks.emit(base64ToFloat32(r.samples));
        if (r.truncated) {
          running = false;
          ended.emit(r.reason ?? 'The device stopped delivering audio.');
        }
      } catch (err) {
        if (running) ended.emit(errorMessage(err));
        running = false;
      }
    }
  };
  void loop();
  return {
    get sampleRate() {
      return rate;
    },
    label,
    gappy: true,
    onChunk: (l) => chunks.on(l),
    onEnded: (l) => ended.on(l),
    async close() {
      running = false;
    },
  };
}
