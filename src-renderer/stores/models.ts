/** Saved (trained) models available for prediction and the recorder. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { SavedModelInfo } from '../../src-shared/api/contract';
import { api } from '../api/client';
import { useToasts } from './toasts';

export const useModels = defineStore('models', () => {
  const list = ref<SavedModelInfo[]>([]);
  const loaded = ref(false);
  const toasts = useToasts();

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

  return { list, loaded, refresh };
});

/** The model's input window in seconds, from its feature config (fixed length), else `fallback`. */
export function modelInputSeconds(model: SavedModelInfo, fallback = 3): number {
  const length = model.featureConfig.length as { mode?: string; seconds?: number; maxSeconds?: number } | undefined;
  if (length?.mode === 'fixed' && typeof length.seconds === 'number') return length.seconds;
  if (length?.mode === 'variable' && typeof length.maxSeconds === 'number') return length.maxSeconds;
  return fallback;
}
