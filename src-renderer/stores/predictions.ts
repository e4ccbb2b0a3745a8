/** Batch-prediction results as `predict.result` events deliver them, per job. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { FilePrediction } from '../../src-shared/api/contract';
import { api } from '../api/client';

export type PredictionRow = FilePrediction | { file: string; error: string };

export const usePredictions = defineStore('predictions', () => {
  // Kept per job so a result that arrives before `predict.start` has answered is not lost.
  const byJob = ref<Record<string, PredictionRow[]>>({});
  api.onEvent((e) => {
    if (e.type !== 'predict.result') return;
    (byJob.value[e.jobId] ??= []).push(e.prediction);
  });
  return { byJob };
});
