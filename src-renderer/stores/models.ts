/** Saved (trained) models available for prediction and the recorder. */
import { defineStore } from 'pinia';
import { liveWindowSeconds } from '../../src-shared/live/liveWindow';
import { ref } from 'vue';
import type { RunDetail, SavedModelInfo } from '../../src-shared/api/contract';
import { api } from '../api/client';
import { useToasts } from './toasts';

export const useModels = defineStore('models', () => {
  const list = ref<SavedModelInfo[]>([]);
  const loaded = ref(false);
  const toasts = useToasts();
  /** Per model id: how it adapts to a speaker (empty: not at all); absent until loaded, null when its run is unknown. */
  const adaptations = ref<Record<number, string[] | null>>({});

  async function refresh(): Promise<void> {
    const r = await toasts.guard(api.call('models.list', {}), 'Loading saved models');
    if (r) {
      list.value = r;
      loaded.value = true;
    }
  }

  // A finished run may have saved a model.
  api.onEvent((e) => {
    if (e.type === 'run.status' && e.status === 'completed' && loaded.value) void refresh();
  });

  /** Loads a model's speaker adaptation from the run that saved it (once per model: a saved model does not change). */
  async function loadAdaptation(model: SavedModelInfo): Promise<void> {
    if (model.id in adaptations.value) return;
    if (model.runId === null) {
      adaptations.value = { ...adaptations.value, [model.id]: null };
      return;
    }
    const d = await toasts.guard(api.call('runs.get', { id: model.runId }), `Reading how model #${model.id} adapts to speakers`);
    if (d) adaptations.value = { ...adaptations.value, [model.id]: runAdaptation(d) };
  }

  return { list, loaded, refresh, adaptations, loadAdaptation };
});

/** How a run's model adapts to the speaker ('speaker normalisation', 'adaptive batch norm'); empty when it does not. */
export function runAdaptation(d: RunDetail): string[] {
  const a = d.ensemble?.adaptation ?? {
    speakerNormalization: Boolean(d.config?.speakerNormalization),
    speakerAdaptiveBatchNorm: Boolean(d.config?.speakerAdaptiveBatchNorm),
  };
  return [a.speakerNormalization && 'speaker normalisation', a.speakerAdaptiveBatchNorm && 'adaptive batch norm'].filter((x): x is string => !!x);
}

/** The model's live window in seconds: its fixed input length, else UTTERANCE_WINDOW_SECONDS. */
export function modelInputSeconds(model: SavedModelInfo): number {
  return liveWindowSeconds(model.featureConfig.length as { mode?: string; seconds?: number } | undefined);
}
