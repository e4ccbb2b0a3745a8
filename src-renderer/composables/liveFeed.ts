/**
 * What both live modes (sliding window and per utterance) share: the open input as the async chunk stream the
 * shared live loops read, and a classifier that sends audio to `recorder.classify`.
 */
import { float32ToBase64 } from '../../src-shared/audio/pcmBase64';
import type { AudioSource, WindowClassifier } from '../../src-shared/live/liveWindow';
import { api } from '../api/client';
import type { CaptureSource } from './useCaptureSource';

/** Chunks pushed from capture events, as an async iterable; it ends after end() (once drained) or when `signal` aborts. */
function chunkFeed(signal: AbortSignal): { push(chunk: Float32Array): void; end(): void; chunks: AsyncIterable<Float32Array> } {
  const queue: Float32Array[] = [];
  let ended = false;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    wake?.();
    wake = null;
  };
  signal.addEventListener('abort', notify, { once: true });
  return {
    push(chunk) {
      if (signal.aborted || ended) return;
      queue.push(chunk);
      notify();
    },
    end() {
      ended = true;
      notify();
    },
    chunks: (async function* () {
      while (!signal.aborted) {
        const next = queue.shift();
        if (next) yield next;
        else if (ended) return;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    })(),
  };
}

export interface CaptureFeedHandlers {
  /** Called once, with the first chunk: the stream at the rate the input reports with it. */
  run(source: AudioSource): void;
  /** Each chunk as it arrives (for fill and calibration counters). */
  chunk?(samples: number, sampleRate: number): void;
  /** The input is closing (released, source changed, view left, or lost). */
  closing(): void;
}

/**
 * Feeds the open input into `handlers.run` until `signal` aborts or end() is called; returns end(), which ends
 * the stream (what the consumer holds is still processed) and unsubscribes from the input.
 */
export function feedCapture(src: CaptureSource, signal: AbortSignal, handlers: CaptureFeedHandlers): () => void {
  const feed = chunkFeed(signal);
  let running = false;
  const unlisten = src.listen({
    chunk(chunk, sampleRate) {
      if (!running) {
        running = true;
        handlers.run({ sampleRate, chunks: feed.chunks });
      }
      handlers.chunk?.(chunk.length, sampleRate);
      feed.push(chunk);
    },
    closing: handlers.closing,
  });
  return () => {
    unlisten();
    feed.end();
  };
}

/**
 * `recorder.classify` as a live classifier: audio goes out at the capture's rate (the core resamples it), adapted to
 * the speaker profile `profileId` when given.
 */
export function recorderClassifier(opts: {
  modelId: number;
  profileId?: number;
  /** The audio is utterances cut by the segmenter (the profile's statistics are then taken the same way). */
  segmented?: boolean;
  inputSeconds: number;
  sampleRate: number;
}): WindowClassifier {
  const { modelId, profileId, segmented, inputSeconds, sampleRate } = opts;
  return {
    inputSeconds,
    sampleRate,
    classify: (samples, rate) =>
      api.call('recorder.classify', { modelId, profileId, segmented: segmented || undefined, sampleRate: rate, samples: float32ToBase64(samples) }),
  };
}
