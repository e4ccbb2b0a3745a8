/** Feature and model presets from the core (loaded once). */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { FeaturePreset } from '../../src-shared/api/contract';
import type { ModelPresetInfo } from '../../src-shared/config/models';
import { api } from '../api/client';
import { useToasts } from './toasts';

export const usePresets = defineStore('presets', () => {
  const features = ref<FeaturePreset[]>([]);
  const models = ref<ModelPresetInfo[]>([]);
  const toasts = useToasts();
  let loading: Promise<void> | null = null;

  function load(): Promise<void> {
    loading ??= (async () => {
      const [f, m] = await Promise.all([
        toasts.guard(api.call('features.presets', {}), 'Loading feature presets'),
        toasts.guard(api.call('models.presets', {}), 'Loading model presets'),
      ]);
      if (f) features.value = f;
      if (m) models.value = m;
      // Let a later visit retry whatever failed.
      if (!f || !m) loading = null;
    })();
    return loading;
  }

  return { features, models, load };
});
