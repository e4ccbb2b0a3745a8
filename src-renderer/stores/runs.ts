/** Training runs: the list, and live curves fed by run.* events on top of `runs.get` history. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { BatchPoint, EpochPoint, RunDetail, RunSummary } from '../../src-shared/api/contract';
import { api } from '../api/client';
import { useToasts } from './toasts';

export interface LiveRun {
  runId: number;
  status: RunSummary['status'] | null;
  backend: string | null;
  error: string | null;
  batches: BatchPoint[];
  epochs: EpochPoint[];
  /** Seconds left, as last estimated by the trainer. */
  eta: number | null;
  logs: string[];
  /** Bumped on every change so charts can watch one number instead of deep arrays. */
  version: number;
}

const MAX_LOGS = 500;

export const useRuns = defineStore('runs', () => {
  const list = ref<RunSummary[]>([]);
  const loaded = ref(false);
  const live = ref<Record<number, LiveRun>>({});
  const toasts = useToasts();

  function liveOf(runId: number): LiveRun {
    if (!live.value[runId]) {
      live.value[runId] = { runId, status: null, backend: null, error: null, batches: [], epochs: [], eta: null, logs: [], version: 0 };
    }
    return live.value[runId];
  }

  async function refresh(): Promise<void> {
    const r = await toasts.guard(api.call('runs.list', {}), 'Loading runs');
    if (r) {
      list.value = r;
      loaded.value = true;
    }
  }

  let refreshTimer: ReturnType<typeof setTimeout> | null = null;
  function refreshSoon(): void {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      void refresh();
    }, 300);
  }

  /** Loads a run's full history and merges it under whatever events already arrived. */
  async function load(runId: number): Promise<RunDetail | undefined> {
    const d = await toasts.guard(api.call('runs.get', { id: runId }), `Loading run ${runId}`);
    if (!d) return undefined;
    const l = liveOf(runId);
    const steps = new Set(d.batches.map((b) => b.step));
    l.batches = [...d.batches, ...l.batches.filter((b) => !steps.has(b.step))].sort((a, b) => a.step - b.step);
    const epochs = new Set(d.epochsData.map((e) => e.epoch));
    l.epochs = [...d.epochsData, ...l.epochs.filter((e) => !epochs.has(e.epoch))].sort((a, b) => a.epoch - b.epoch);
    l.status = d.status;
    l.backend = d.backend;
    l.error = d.error;
    l.version++;
    return d;
  }

  api.onEvent((e) => {
    switch (e.type) {
      case 'run.status': {
        const l = liveOf(e.runId);
        l.status = e.status;
        if (e.backend) l.backend = e.backend;
        if (e.error) l.error = e.error;
        if (e.status !== 'running' && e.status !== 'queued') l.eta = null;
        l.version++;
        refreshSoon();
        break;
      }
      case 'run.batch': {
        const l = liveOf(e.runId);
        const last = l.batches[l.batches.length - 1];
        if (!last || e.point.step > last.step) l.batches.push(e.point);
        if (e.etaSeconds !== undefined) l.eta = e.etaSeconds;
        l.version++;
        break;
      }
      case 'run.epoch': {
        const l = liveOf(e.runId);
        const i = l.epochs.findIndex((p) => p.epoch === e.point.epoch);
        if (i >= 0) l.epochs[i] = e.point;
        else l.epochs.push(e.point);
        if (e.etaSeconds !== undefined) l.eta = e.etaSeconds;
        l.version++;
        refreshSoon();
        break;
      }
      case 'run.log': {
        const l = liveOf(e.runId);
        l.logs.push(e.message);
        if (l.logs.length > MAX_LOGS) l.logs.splice(0, l.logs.length - MAX_LOGS);
        l.version++;
        break;
      }
    }
  });

  async function update(id: number, patch: { tags?: string[]; note?: string }): Promise<void> {
    const r = await toasts.guard(api.call('runs.update', { id, ...patch }), `Updating run ${id}`);
    if (r) list.value = list.value.map((x) => (x.id === id ? r : x));
  }

  async function remove(id: number): Promise<void> {
    await toasts.guard(api.call('runs.delete', { id }), `Deleting run ${id}`);
    delete live.value[id];
    await refresh();
  }

  return { list, loaded, live, liveOf, refresh, load, update, remove };
});

/** A value inside a run config by dotted path, e.g. `training.learningRate`. */
export function configValue(config: object | null, path: string): unknown {
  let cur: unknown = config;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}
