/**
 * Live mode by utterance: the shared `liveSegmentClassify` (as `ser record --live --segments` runs it) over the open
 * input, one decision per utterance, kept as a session list that can be played back and exported.
 */
import { computed, ref, shallowRef, type Ref } from 'vue';
import type { ProfileSummary, SavedModelInfo } from '../../src-shared/api/contract';
import { errorMessage } from '../../src-shared/api/errors';
import { encodeWav } from '../../src-shared/audio/wav';
import { liveSegmentClassify, type LiveUtterance } from '../../src-shared/live/liveSegments';
import { VAD_DEFAULTS } from '../../src-shared/live/vad';
import { toCsv } from '../../src-shared/csv';
import { downloadText } from '../download';
import { modelInputSeconds } from '../stores/models';
import { feedCapture, recorderClassifier } from './liveFeed';
import type { CaptureSource } from './useCaptureSource';

/** Decisions kept in the session list. */
const MAX_UTTERANCES = 500;
/** Utterances whose audio is kept for playback (a few MB each at 48 kHz): the newest ones. */
const MAX_WITH_AUDIO = 50;

/** One decision in the session list: the utterance without its audio, which stays in `audio` while kept. */
export type SessionUtterance = Omit<LiveUtterance, 'samples' | 'sampleRate'> & {
  /** The profile the decision was made with (null: the model's training statistics). */
  profile: string | null;
  /** Playback key for audio/playback.ts; null once the audio was dropped. */
  audioKey: string | null;
};

export interface LiveSegmentsOptions {
  modelId: Readonly<Ref<number | null>>;
  model: Readonly<Ref<SavedModelInfo | null>>;
  /** The speaker profile to classify with (one that holds enough utterances), else null. */
  profile: Readonly<Ref<ProfileSummary | null>>;
  /** True while a take is being recorded, so live mode does not start. */
  busy: () => boolean;
  /** Called as live mode begins (the take gives way to the live waveform). */
  onStart?: () => void;
}

export function useLiveSegments(src: CaptureSource, opts: LiveSegmentsOptions) {
  const on = ref(false);
  /** Stopped, but the utterance in progress is still being closed and classified. */
  const finishing = ref(false);
  const error = ref<string | null>(null);
  /** Seconds of input heard since start (the first VAD_DEFAULTS.calibrationSeconds measure the room's noise). */
  const heard = ref(0);
  const calibrating = computed(() => on.value && heard.value < VAD_DEFAULTS.calibrationSeconds);
  const utterances = ref<SessionUtterance[]>([]);
  /** Session the list belongs to: the model and profile at its start. */
  const session = shallowRef<{ model: SavedModelInfo | null; profile: ProfileSummary | null; startedAt: string } | null>(null);
  /** WAV object URLs of the kept utterances, by playback key. */
  const audio = new Map<string, string>();
  let sessionNumber = 0;
  let controller: AbortController | null = null;
  let endFeed: (() => void) | null = null;

  function add(u: LiveUtterance, profile: string | null): void {
    const { samples, sampleRate, ...decision } = u;
    const audioKey = `blob:utterance-${sessionNumber}-${u.index}`;
    audio.set(audioKey, URL.createObjectURL(new Blob([encodeWav(samples, sampleRate) as BlobPart], { type: 'audio/wav' })));
    let list = [...utterances.value, { ...decision, profile, audioKey }];
    if (list.length > MAX_UTTERANCES) list = list.slice(-MAX_UTTERANCES);
    // Drop the audio of older decisions: the list itself is small, the audio is not.
    list = list.map((row, i) => (i < list.length - MAX_WITH_AUDIO && row.audioKey ? (dropAudio(row.audioKey), { ...row, audioKey: null }) : row));
    utterances.value = list;
  }
  function dropAudio(key: string): void {
    const url = audio.get(key);
    if (url) URL.revokeObjectURL(url);
    audio.delete(key);
  }

  async function start(): Promise<void> {
    const modelId = opts.modelId.value;
    if (on.value || finishing.value || modelId === null || opts.busy()) return;
    error.value = null;
    const c = await src.ensureCapture();
    if (!c) return;
    // A new session starts a new list (export or clear the old one first if it matters).
    clear();
    heard.value = 0;
    opts.onStart?.();
    const ac = new AbortController();
    controller = ac;
    on.value = true;
    const profile = opts.profile.value;
    session.value = { model: opts.model.value, profile, startedAt: new Date().toISOString() };
    sessionNumber++;
    const inputSeconds = opts.model.value ? modelInputSeconds(opts.model.value) : 3;

    endFeed = feedCapture(src, ac.signal, {
      run(source) {
        void liveSegmentClassify({
          classifier: recorderClassifier({ modelId, profileId: profile?.id, segmented: true, inputSeconds, sampleRate: source.sampleRate }),
          source,
          signal: ac.signal,
          onSegment(u) {
            // A session aborted or replaced meanwhile does not take late decisions.
            if (ac.signal.aborted || controller !== ac) return;
            add(u, profile?.name ?? null);
          },
        }).then(
          () => {
            if (controller === ac) finishing.value = false;
          },
          (err: unknown) => {
            if (controller === ac) finishing.value = false;
            if (ac.signal.aborted) return;
            error.value = errorMessage(err);
            stop();
          },
        );
      },
      chunk(samples, sampleRate) {
        heard.value += samples / sampleRate;
      },
      closing: stop,
    });
  }

  /** Stops listening; the utterance in progress is still closed and classified, and the list stays. */
  function stop(): void {
    if (!on.value) return;
    on.value = false;
    finishing.value = true;
    endFeed?.();
    endFeed = null;
  }
  /** Stops at once, dropping the utterance in progress (leaving the view). */
  function abort(): void {
    stop();
    controller?.abort();
    finishing.value = false;
  }
  function clear(): void {
    for (const key of [...audio.keys()]) dropAudio(key);
    utterances.value = [];
  }
  function audioUrl(key: string): string | null {
    return audio.get(key) ?? null;
  }

  /** Labels of the export's p_ columns: the model's classes, else whatever the decisions report. */
  const exportLabels = computed(() => session.value?.model?.labels ?? [...new Set(utterances.value.flatMap((u) => Object.keys(u.probabilities)))]);
  const fileStem = computed(() => `live-utterances-${(session.value?.startedAt ?? new Date().toISOString()).replace(/[:.]/g, '-')}`);
  function exportCsv(): void {
    const labels = exportLabels.value;
    const header = ['index', 'start', 'end', 'label', ...labels.map((l) => `p_${l}`), 'latencyMs'];
    const rows = utterances.value.map((u) => [
      u.index,
      u.start.toFixed(3),
      u.end.toFixed(3),
      u.label,
      ...labels.map((l) => (u.probabilities[l] ?? 0).toFixed(6)),
      u.latencyMs.toFixed(0),
    ]);
    downloadText(toCsv(header, rows), `${fileStem.value}.csv`, 'text/csv');
  }
  function exportJson(): void {
    const s = session.value;
    const body = {
      model: s?.model ? { id: s.model.id, name: s.model.name, labels: s.model.labels } : null,
      profile: s?.profile ? { id: s.profile.id, name: s.profile.name } : null,
      startedAt: s?.startedAt ?? null,
      utterances: utterances.value.map(({ audioKey: _audio, ...u }) => u),
    };
    downloadText(JSON.stringify(body, null, 2), `${fileStem.value}.json`, 'application/json');
  }

  return { on, finishing, error, calibrating, heard, utterances, session, start, stop, abort, clear, audioUrl, exportCsv, exportJson };
}
