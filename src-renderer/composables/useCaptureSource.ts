/** The recorder's input: which device, the open capture stream, and the level meter and waveform it feeds. */
import { computed, ref, shallowRef, watch } from 'vue';
import type { Device } from '../../src-shared/api/contract';
import { errorMessage } from '../../src-shared/api/errors';
import { measureLevel, SILENCE_DB } from '../../src-shared/audio/levels';
import { api } from '../api/client';
import { openBrowserMicrophone, openPortAudioStream, type LiveCapture } from '../audio/microphone';
import { SampleRing } from '../audio/ring';
import { useApp } from '../stores/app';
import { useToasts } from '../stores/toasts';

const SOURCE_KEY = 'ser.recorder.source';
const DISPLAY_SECONDS = 5;

/** What recording and live mode hear from the open input. */
export interface CaptureListener {
  /** Each chunk, after the meter and the waveform took it; `sampleRate` is the input's. */
  chunk?(chunk: Float32Array, sampleRate: number): void;
  /** The input is about to close: released, source changed, view left, or it ended by itself (`reason`). */
  closing?(reason?: string): void;
}

export interface CaptureSourceOptions {
  /** While true the waveform keeps what `show` put there (a finished take) instead of following the input. */
  holdDisplay: () => boolean;
}

export type CaptureSource = ReturnType<typeof useCaptureSource>;

export function useCaptureSource(opts: CaptureSourceOptions) {
  const app = useApp();
  const toasts = useToasts();

  // ---------- device list and choice ----------
  const devices = ref<Device[]>([]);
  const devicesState = ref<'idle' | 'loading' | 'done' | 'error'>('idle');
  const devicesError = ref<string | null>(null);
  /** 'browser' or 'pa:<deviceId>' */
  const source = ref<string>('browser');
  const paDevice = computed(() => (source.value.startsWith('pa:') ? (devices.value.find((d) => `pa:${d.id}` === source.value) ?? null) : null));

  async function loadDevices(): Promise<void> {
    if (!app.info?.capabilities.portaudio) {
      devicesState.value = 'done';
      return pickSource();
    }
    devicesState.value = 'loading';
    try {
      devices.value = await api.call('recorder.devices', {});
      devicesState.value = 'done';
    } catch (err) {
      devicesError.value = errorMessage(err);
      devicesState.value = 'error';
    }
    pickSource();
  }
  /** Remembered choice, else PortAudio's default in Electron, else the browser microphone. */
  function pickSource(): void {
    const remembered = localStorage.getItem(SOURCE_KEY);
    const byName = devices.value.find((d) => d.name === remembered);
    if (remembered === 'browser') source.value = 'browser';
    else if (byName) source.value = `pa:${byName.id}`;
    else if (app.info?.mode === 'electron' && devices.value.length)
      source.value = `pa:${(devices.value.find((d) => d.isDefault) ?? devices.value[0]).id}`;
    else source.value = 'browser';
  }
  watch(source, () => {
    const name = paDevice.value?.name;
    localStorage.setItem(SOURCE_KEY, name ?? 'browser');
    if (name) void toasts.guard(api.call('settings.set', { key: 'recorder.device', value: name }), 'Remembering the device');
    void closeCapture();
  });
  // Browser mode learns the capabilities after the view may have mounted.
  watch(
    () => app.info,
    (info, old) => {
      if (info && !old) void loadDevices();
    },
  );

  // ---------- capture stream ----------
  const capture = shallowRef<LiveCapture | null>(null);
  const captureError = ref<string | null>(null);
  const opening = ref(false);
  /** dBFS shown by the meter (falls back slowly, like a peak meter). */
  const level = ref(SILENCE_DB);
  const displaySamples = shallowRef<Float32Array | null>(null);
  const displayVersion = ref(0);
  let display: SampleRing | null = null;
  let unsubscribe: (() => void)[] = [];
  const listeners = new Set<CaptureListener>();

  /** Subscribes to the input's chunks and closing, whichever stream is open; returns the unsubscriber. */
  function listen(listener: CaptureListener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Shows samples on the waveform (a take, or the latest seconds of the input). */
  function show(samples: Float32Array): void {
    displaySamples.value = samples;
    displayVersion.value++;
  }

  async function ensureCapture(): Promise<LiveCapture | null> {
    if (capture.value) return capture.value;
    opening.value = true;
    captureError.value = null;
    try {
      const c = paDevice.value ? await openPortAudioStream(paDevice.value.id) : await openBrowserMicrophone();
      unsubscribe = [c.onChunk((chunk) => onChunk(c, chunk)), c.onEnded((reason) => onEnded(reason))];
      capture.value = c;
      return c;
    } catch (err) {
      captureError.value = errorMessage(err);
      return null;
    } finally {
      opening.value = false;
    }
  }
  async function closeCapture(reason?: string): Promise<void> {
    const c = capture.value;
    if (!c) return;
    // Listeners go first, while the stream's rate and label are still there to finish a take.
    for (const l of [...listeners]) l.closing?.(reason);
    for (const u of unsubscribe) u();
    unsubscribe = [];
    capture.value = null;
    display = null;
    level.value = SILENCE_DB;
    await c.close();
  }
  function onEnded(reason: string): void {
    captureError.value = reason;
    void closeCapture(reason);
  }
  function onChunk(c: LiveCapture, chunk: Float32Array): void {
    const rate = c.sampleRate;
    display ??= new SampleRing(rate * DISPLAY_SECONDS);
    display.push(chunk);
    level.value = Math.max(measureLevel(chunk).rmsDb, level.value - 4);
    if (!opts.holdDisplay()) show(display.latest());
    for (const l of [...listeners]) l.chunk?.(chunk, rate);
  }

  return {
    devices,
    devicesState,
    devicesError,
    source,
    paDevice,
    loadDevices,
    capture,
    captureError,
    opening,
    level,
    displaySamples,
    displayVersion,
    ensureCapture,
    closeCapture,
    listen,
    show,
  };
}
