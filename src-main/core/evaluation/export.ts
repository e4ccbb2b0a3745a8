import type { RunDetail, RunSummary } from '../../../src-shared/api/contract';
import { flattenConfig, type RunComparison } from './compare';

/** One CSV field (RFC 4180): quoted when it holds a comma, quote, CR/LF or edge spaces; quotes doubled. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV document: header row then data rows, CRLF line ends (RFC 4180). */
export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Stable JSON document for one run: summary, config, curves, evaluation (with per-file predictions). */
export function runToJson(run: RunDetail): Record<string, unknown> {
  const { config, epochs_data, batches, evaluation, ...summary } = run;
  return {
    format: 'ser-run',
    version: 1,
    exported_at: new Date().toISOString(),
    run: { ...summary, config, epochs: epochs_data, batches, evaluation },
  };
}

const SUMMARY_COLUMNS = ['id', 'name', 'status', 'dataset_id', 'dataset_name', 'model', 'backend', 'split', 'accuracy', 'uar', 'macro_f1', 'epochs', 'seconds', 'created_at', 'tags', 'note', 'error'] as const;

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
    ...labels.map((l) => r.evaluation?.per_class?.[l]?.f1 ?? null),
    ...paths.map((p) => flat[i].get(p) ?? null),
  ]);
  return toCsv(header, rows);
}

/** Per-epoch curves of several runs as long-format CSV: run_id, epoch, then every metric seen. */
export function epochsToCsv(runs: { id: number; epochs_data: RunDetail['epochs_data'] }[]): string {
  const keys: string[] = [];
  for (const r of runs) for (const e of r.epochs_data) for (const k of Object.keys(e.metrics)) if (!keys.includes(k)) keys.push(k);
  const rows = runs.flatMap((r) => r.epochs_data.map((e) => [r.id, e.epoch, ...keys.map((k) => e.metrics[k] ?? null)]));
  return toCsv(['run_id', 'epoch', ...keys], rows);
}

/** A comparison as CSV, one row per run: headline metrics, shared per-class F1, differing config values. */
export function comparisonToCsv(c: RunComparison): string {
  const labels = Object.keys(c.per_class_f1);
  const paths = Object.keys(c.config_diff);
  const header = ['id', 'status', 'accuracy', 'uar', 'macro_f1', ...labels.map((l) => `f1.${l}`), ...paths.map((p) => `config.${p}`)];
  const rows = c.runs.map((r, i) => [
    r.id,
    r.status ?? null,
    c.metrics.accuracy[i],
    c.metrics.uar[i],
    c.metrics.macro_f1[i],
    ...labels.map((l) => c.per_class_f1[l][i]),
    ...paths.map((p) => c.config_diff[p][i]),
  ]);
  return toCsv(header, rows);
}
