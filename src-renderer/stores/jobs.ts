/** Background jobs (import, extract, train, predict) as the server reports them. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { JobKind } from '../../src-shared/api/contract';
import { api } from '../api/client';

export interface JobState {
  jobId: string;
  kind: JobKind | null;
  status: 'running' | 'done' | 'error' | 'cancelled';
  done: number;
  total: number;
  detail: string | null;
  error: string | null;
  result: unknown;
}

export const useJobs = defineStore('jobs', () => {
  const jobs = ref<Record<string, JobState>>({});

  function ensure(jobId: string): JobState {
    if (!jobs.value[jobId]) {
      jobs.value[jobId] = { jobId, kind: null, status: 'running', done: 0, total: 0, detail: null, error: null, result: null };
    }
    return jobs.value[jobId];
  }

  /** Registers a job the view just started, so its progress shows before the first event. */
  function track(jobId: string, kind: JobKind): JobState {
    const j = ensure(jobId);
    j.kind = kind;
    return j;
  }

  api.onEvent((e) => {
    if (e.type === 'job.progress') {
      const j = ensure(e.jobId);
      j.kind = e.kind;
      j.done = e.done;
      j.total = e.total;
      j.detail = e.detail ?? null;
    } else if (e.type === 'job.done') {
      const j = ensure(e.jobId);
      j.kind = e.kind;
      j.status = 'done';
      j.result = e.result;
      if (j.total) j.done = j.total;
    } else if (e.type === 'job.error') {
      const j = ensure(e.jobId);
      j.kind = e.kind;
      j.status = e.cancelled ? 'cancelled' : 'error';
      j.error = e.error;
    }
  });

  async function cancel(jobId: string): Promise<boolean> {
    const r = await api.call('jobs.cancel', { jobId });
    return r.cancelled;
  }

  return { jobs, track, cancel };
});
