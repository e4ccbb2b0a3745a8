/** Imported datasets: the list and a cache of details. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { DatasetDetail, DatasetSummary } from '../../src-shared/api/contract';
import { api } from '../api/client';
import { useToasts } from './toasts';

export const useDatasets = defineStore('datasets', () => {
  const list = ref<DatasetSummary[]>([]);
  const loaded = ref(false);
  const details = ref<Record<number, DatasetDetail>>({});
  const toasts = useToasts();

  async function refresh(): Promise<void> {
    const r = await toasts.guard(api.call('datasets.list', {}), 'Loading datasets');
    if (r) {
      list.value = r;
      loaded.value = true;
    }
  }

  async function detail(id: number, force = false): Promise<DatasetDetail | undefined> {
    if (!force && details.value[id]) return details.value[id];
    const r = await toasts.guard(api.call('datasets.get', { id }), `Loading dataset ${id}`);
    if (r) details.value[id] = r;
    return r;
  }

  async function remove(id: number): Promise<boolean> {
    const r = await toasts.guard(api.call('datasets.delete', { id }), `Deleting dataset ${id}`);
    delete details.value[id];
    await refresh();
    return Boolean(r?.deleted);
  }

  return { list, loaded, details, refresh, detail, remove };
});
