import { z } from 'zod';
import type { BatchPoint, EpochPoint, EvaluationReport, FilePrediction } from '../../../src-shared/api/contract';

/** What happened to a run, as the worker reports it (the parent adds runId and persists it). */
export type RunProgressEvent =
  | { type: 'status'; status: 'running'; backend: string }
  | { type: 'epoch'; point: EpochPoint; etaSeconds?: number }
  | { type: 'batch'; point: BatchPoint; etaSeconds?: number }
  | { type: 'log'; message: string }
  | { type: 'progress'; stage: string; done: number; total: number; detail?: string }
  | { type: 'evaluation'; split: string; datasetId: number | null; report: EvaluationReport; predictions: FilePrediction[] }
  | { type: 'model'; path: string; kind: string; name: string; labels: string[]; featureConfig: Record<string, unknown> };

/** How a run ended, from the worker's side. */
export interface RunOutcome {
  status: 'completed' | 'cancelled';
  backend: string;
  seconds: number;
  epochs: number;
  bestEpoch: number;
  metrics: EvaluationReport | null;
  modelDir: string | null;
}

/** Messages the parent sends to a train worker. */
export type ToTrainWorker = { type: 'start'; runId: number; dbPath: string; config: unknown; modelDir: string } | { type: 'cancel' };

/** Messages a train worker sends to the parent. */
export type FromTrainWorker = RunProgressEvent | { type: 'done'; outcome: RunOutcome } | { type: 'error'; error: string };

const num = z.number();
const report = z.object({
  labels: z.array(z.string()),
  accuracy: num,
  uar: num,
  macroF1: num,
  perClass: z.record(z.string(), z.object({ precision: num, recall: num, f1: num, support: num })),
  confusion: z.array(z.array(num)),
  confusionNormalized: z.array(z.array(num)),
  n: num,
});

/** Validates worker messages at the parent (a malformed one is a bug to report, not to act on). */
export const FromTrainWorkerSchema: z.ZodType<FromTrainWorker> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), status: z.literal('running'), backend: z.string() }),
  z.object({ type: z.literal('epoch'), point: z.object({ epoch: num, metrics: z.record(z.string(), num) }), etaSeconds: num.optional() }),
  z.object({
    type: z.literal('batch'),
    point: z.object({ epoch: num, batch: num, step: num, loss: num.nullable(), accuracy: num.nullable(), lr: num.nullable() }),
    etaSeconds: num.optional(),
  }),
  z.object({ type: z.literal('log'), message: z.string() }),
  z.object({ type: z.literal('progress'), stage: z.string(), done: num, total: num, detail: z.string().optional() }),
  z.object({
    type: z.literal('evaluation'),
    split: z.string(),
    datasetId: num.nullable(),
    report,
    predictions: z.array(
      z.object({ fileId: num.optional(), file: z.string(), label: z.string(), predicted: z.string(), probabilities: z.record(z.string(), num) }),
    ),
  }),
  z.object({
    type: z.literal('model'),
    path: z.string(),
    kind: z.string(),
    name: z.string(),
    labels: z.array(z.string()),
    featureConfig: z.record(z.string(), z.unknown()),
  }),
  z.object({
    type: z.literal('done'),
    outcome: z.object({
      status: z.enum(['completed', 'cancelled']),
      backend: z.string(),
      seconds: num,
      epochs: num,
      bestEpoch: num,
      metrics: report.nullable(),
      modelDir: z.string().nullable(),
    }),
  }),
  z.object({ type: z.literal('error'), error: z.string() }),
]);

export const ToTrainWorkerSchema: z.ZodType<ToTrainWorker> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), runId: num, dbPath: z.string(), config: z.unknown(), modelDir: z.string() }),
  z.object({ type: z.literal('cancel') }),
]);
