import type { RunDetail, RunSummary } from '../../../src-shared/api/contract';
import { flattenConfig, type RunComparison } from './compare';
import { toCsv } from '../../../src-shared/csv';

/** Stable JSON document for one run: summary, config, curves, evaluation (with per-file predictions). */
export function runToJson(run: RunDetail): Record<string, unknown> {
  const { config, epochsData, batches, evaluation, ...summary } = run;
  // Version 2: field names in camelCase, as everywhere on the API (version 1 wrote snake_case).
  return {
    format: 'ser-run',
    version: 2,
    exportedAt: new Date().toISOString(),
    run: { ...summary, config, epochs: epochsData, batches, evaluation },
  };
}

const SUMMARY_COLUMNS = [
  'id',
  'name',
  'status',
  'datasetId',
  'datasetName',
  'model',
  'backend',
  'split',
  'accuracy',
  'uar',
  'macroF1',
  'epochs',
  'seconds',
  'createdAt',
  'tags',
  'note',
  'error',
] as const;

/**
 * Runs as CSV, one row each: the summary columns, per-class F1 (`f1.<label>`) when evaluations are
 * given, then every config value as `config.<dotted path>` (union over the runs, blank where absent).
 */
export function runsToCsv(runs: (RunSummary & { evaluation?: RunDetail['evaluation'] })[]): string {
  const labels: string[] = [];
  for (const r of runs) for (const l of r.evaluation?.labels ?? []) if (!labels.includes(l)) labels.push(l);
  const flat = runs.map((r) => flattenConfig(r.config));
  const paths: string[] = [];
  for (const f of flat) for (const p of f.keys()) if (!paths.includes(p)) paths.push(p);
  const header = [...SUMMARY_COLUMNS, ...labels.map((l) => `f1.${l}`), ...paths.map((p) => `config.${p}`)];
  const rows = runs.map((r, i) => [
    ...SUMMARY_COLUMNS.map((c) => (c === 'tags' ? r.tags.join(';') : r[c])),
    ...labels.map((l) => r.evaluation?.perClass?.[l]?.f1 ?? null),
    ...paths.map((p) => flat[i].get(p) ?? null),
  ]);
  return toCsv(header, rows);
}

/** Per-epoch curves of several runs as long-format CSV: runId, epoch, then every metric seen. */
export function epochsToCsv(runs: { id: number; epochsData: RunDetail['epochsData'] }[]): string {
  const keys: string[] = [];
  for (const r of runs) for (const e of r.epochsData) for (const k of Object.keys(e.metrics)) if (!keys.includes(k)) keys.push(k);
  const rows = runs.flatMap((r) => r.epochsData.map((e) => [r.id, e.epoch, ...keys.map((k) => e.metrics[k] ?? null)]));
  return toCsv(['runId', 'epoch', ...keys], rows);
}

/** A comparison as CSV, one row per run: headline metrics, shared per-class F1, differing config values. */
export function comparisonToCsv(c: RunComparison): string {
  const labels = Object.keys(c.perClassF1);
  const paths = Object.keys(c.configDiff);
  const header = ['id', 'status', 'accuracy', 'uar', 'macroF1', ...labels.map((l) => `f1.${l}`), ...paths.map((p) => `config.${p}`)];
  const rows = c.runs.map((r, i) => [
    r.id,
    r.status ?? null,
    c.metrics.accuracy[i],
    c.metrics.uar[i],
    c.metrics.macroF1[i],
    ...labels.map((l) => c.perClassF1[l][i]),
    ...paths.map((p) => c.configDiff[p][i]),
  ]);
  return toCsv(header, rows);
}
