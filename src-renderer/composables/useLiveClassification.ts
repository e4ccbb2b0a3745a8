/**
 * Live mode: the shared `liveClassify` (as `ser record --live` runs it) over the open input, so the same model
 * shows the same windows and smoothed probabilities here as on the command line.
 */
import { computed, ref, type Ref } from 'vue';
import type { ProfileSummary, SavedModelInfo } from '../../src-shared/api/contract';
import { errorMessage } from '../../src-shared/api/errors';
import { LIVE_HOP_SECONDS, LIVE_SMOOTHING_SECONDS, liveClassify } from '../../src-shared/live/liveWindow';
import { modelInputSeconds } from '../stores/models';
import { feedCapture, recorderClassifier } from './liveFeed';
import type { CaptureSource } from './useCaptureSource';

/** Windows kept for the chart (a minute at the default hop). */
const HISTORY = 120;
/** Weight of the newest latency in the shown running average. */
const LATENCY_WEIGHT = 0.2;

/** Smoothed probabilities at the end of one window, `t` seconds into the stream. */
export interface LivePoint {
  t: number;
  probs: Record<string, number>;
}

export interface LiveClassificationOptions {
  modelId: Readonly<Ref<number | null>>;
  model: Readonly<Ref<SavedModelInfo | null>>;
  /** The speaker profile to classify with (one that holds enough utterances), else null. */
  profile: Readonly<Ref<ProfileSummary | null>>;
  /** True while a take is being recorded, so live mode does not start. */
  busy: () => boolean;
  /** Called as live mode begins (the take gives way to the live waveform). */
  onStart?: () => void;
}

export function useLiveClassification(src: CaptureSource, opts: LiveClassificationOptions) {
  const on = ref(false);
  const error = ref<string | null>(null);
  const windows = ref(0);
  const skipped = ref(0);
  /** Running average of the classify round trip in ms. */
  const latency = ref<number | null>(null);
  /** Share of the first window filled so far (1 once classifying). */
  const fill = ref(0);
  const current = ref<Record<string, number> | null>(null);
  const history = ref<LivePoint[]>([]);
  const windowSeconds = computed(() => (opts.model.value ? modelInputSeconds(opts.model.value) : 3));
  /** The profile the current (or last) session classifies with; fixed at start. */
  const profileUsed = ref<ProfileSummary | null>(null);
  let controller: AbortController | null = null;
  let endFeed: (() => void) | null = null;

  async function start(): Promise<void> {
    const modelId = opts.modelId.value;
    if (on.value || modelId === null || opts.busy()) return;
    error.value = null;
    const c = await src.ensureCapture();
    if (!c) return;
    windows.value = 0;
    skipped.value = 0;
    latency.value = null;
    history.value = [];
    current.value = null;
    fill.value = 0;
    opts.onStart?.();
    const ac = new AbortController();
    controller = ac;
    on.value = true;

    const inputSeconds = windowSeconds.value;
    const profile = (profileUsed.value = opts.profile.value);
    let received = 0;
    endFeed = feedCapture(src, ac.signal, {
      run(source) {
        void liveClassify({
          classifier: recorderClassifier({ modelId, profileId: profile?.id, inputSeconds, sampleRate: source.sampleRate }),
          source,
          hop: LIVE_HOP_SECONDS,
          smoothingSeconds: LIVE_SMOOTHING_SECONDS,
          signal: ac.signal,
          onWindow(w) {
            // A classification that was in flight when live mode stopped no longer counts.
            if (ac.signal.aborted) return;
            windows.value++;
            skipped.value = w.index + 1 - windows.value;
            latency.value = latency.value === null ? w.latencyMs : (1 - LATENCY_WEIGHT) * latency.value + LATENCY_WEIGHT * w.latencyMs;
            current.value = w.smoothed;
            history.value = [...history.value.slice(1 - HISTORY), { t: w.end, probs: w.smoothed }];
          },
        }).then(
          (summary) => {
            // Windows dropped after the last classified one show up only in the summary.
            if (controller === ac) skipped.value = summary.skipped;
          },
          (err: unknown) => {
            if (ac.signal.aborted) return;
            error.value = errorMessage(err);
            stop();
          },
        );
      },
      chunk(samples, sampleRate) {
        received += samples;
        fill.value = Math.min(1, received / Math.round(inputSeconds * sampleRate));
      },
      closing: stop,
    });
  }

  /** Stops live mode; the counters, chart and last probabilities stay. */
  function stop(): void {
    on.value = false;
    controller?.abort();
    endFeed?.();
    endFeed = null;
  }

  return { on, error, windows, skipped, latency, fill, current, history, windowSeconds, profileUsed, start, stop };
}
