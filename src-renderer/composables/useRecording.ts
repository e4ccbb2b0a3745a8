/** Takes: timed and push-to-talk recording from the open input (browser microphone or PortAudio stream). */
import { computed, ref, shallowRef, watch } from 'vue';
import { encodeWav } from '../../src-shared/audio/wav';
import type { LiveCapture } from '../audio/microphone';
import { concatChunks } from '../audio/ring';
import type { CaptureSource } from './useCaptureSource';

export const MAX_RECORD_SECONDS = 300;
/** Shorter takes are a slip of the key, not speech. */
const MIN_TAKE_SECONDS = 0.1;

/** A finished recording. */
export interface Take {
  samples: Float32Array;
  sampleRate: number;
  device: string;
  /** Why it ended early, if it did. */
  note?: string;
}

export interface RecordingOptions {
  /** True while something else (live mode) uses the input, so no take starts. */
  busy: () => boolean;
  /** Space records only while this holds (the recorder view is shown). */
  keysEnabled: () => boolean;
}

export function useRecording(src: CaptureSource, opts: RecordingOptions) {
  const seconds = ref(3);
  const recording = ref(false);
  const recMode = ref<'timed' | 'ptt'>('timed');
  const recSamples = ref(0);
  const recRate = ref(0);
  let recChunks: Float32Array[] = [];
  let recFrom: LiveCapture | null = null;
  const recorded = shallowRef<Take | null>(null);
  const recordedUrl = ref<string | null>(null);

  watch(recorded, (r) => {
    if (recordedUrl.value) URL.revokeObjectURL(recordedUrl.value);
    recordedUrl.value = r ? URL.createObjectURL(new Blob([encodeWav(r.samples, r.sampleRate) as BlobPart], { type: 'audio/wav' })) : null;
    if (r) src.show(r.samples);
  });

  src.listen({
    chunk(chunk, rate) {
      if (!recording.value) return;
      const limit = Math.round((recMode.value === 'timed' ? seconds.value : MAX_RECORD_SECONDS) * rate);
      // A timed take is exactly as long as asked, not rounded up to whole chunks.
      const part = chunk.subarray(0, limit - recSamples.value);
      recChunks.push(part);
      recSamples.value += part.length;
      if (recSamples.value >= limit) finishRecording(recMode.value === 'timed' ? undefined : `Stopped at the ${MAX_RECORD_SECONDS} s limit.`);
    },
    closing: (reason) => finishRecording(reason),
  });

  async function startRecording(mode: 'timed' | 'ptt'): Promise<void> {
    if (recording.value || opts.busy()) return;
    src.captureError.value = null;
    const c = await src.ensureCapture();
    if (!c) return;
    recChunks = [];
    recFrom = c;
    recSamples.value = 0;
    recRate.value = c.sampleRate;
    recMode.value = mode;
    recording.value = true;
  }
  function finishRecording(note?: string): void {
    if (!recording.value) return;
    recording.value = false;
    const samples = concatChunks(recChunks);
    recChunks = [];
    const rate = recRate.value;
    const device = recFrom?.label ?? 'microphone';
    recFrom = null;
    if (samples.length < rate * MIN_TAKE_SECONDS) {
      src.captureError.value = note ?? `The recording was shorter than ${MIN_TAKE_SECONDS} s, so it was discarded. Hold the key longer.`;
      return;
    }
    recorded.value = { samples, sampleRate: rate, device, note };
  }
  /** Forgets the take (live mode replaces it on the waveform). */
  function clearTake(): void {
    recorded.value = null;
  }

  // Push-to-talk: hold Space (outside text fields) or the button.
  const pttHeld = ref(false);
  function typingTarget(e: KeyboardEvent): boolean {
    const t = e.target as HTMLElement | null;
    return !!t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
  }
  function onKeyDown(e: KeyboardEvent): void {
    if (e.code !== 'Space' || e.repeat || typingTarget(e) || !opts.keysEnabled() || src.paDevice.value) return;
    e.preventDefault();
    pttDown();
  }
  function onKeyUp(e: KeyboardEvent): void {
    if (e.code !== 'Space' || !pttHeld.value) return;
    e.preventDefault();
    pttUp();
  }
  function pttDown(): void {
    pttHeld.value = true;
    void startRecording('ptt');
  }
  function pttUp(): void {
    if (!pttHeld.value) return;
    pttHeld.value = false;
    if (recMode.value === 'ptt') finishRecording();
  }
  /** Space listens on the window only while the view is shown (adding twice is harmless). */
  function listenKeys(): void {
    window.addEventListener('keydown', onKeyDown);
    window.addEventListener('keyup', onKeyUp);
  }
  function unlistenKeys(): void {
    window.removeEventListener('keydown', onKeyDown);
    window.removeEventListener('keyup', onKeyUp);
  }

  const recordProgress = computed(() => {
    if (!recording.value || !recRate.value) return 0;
    return recMode.value === 'timed' ? Math.min(1, recSamples.value / (seconds.value * recRate.value)) : 0;
  });

  return {
    seconds,
    recording,
    recMode,
    recSamples,
    recRate,
    recorded,
    recordedUrl,
    pttHeld,
    recordProgress,
    startRecording,
    finishRecording,
    clearTake,
    pttDown,
    pttUp,
    listenKeys,
    unlistenKeys,
  };
}
