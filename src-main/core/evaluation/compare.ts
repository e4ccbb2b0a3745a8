import type { CompareResult, EpochPoint } from '../../../src-shared/api/contract';

/**
 * Run comparison: which config values differ, and the metrics side by side. Pure functions over run
 * records (the store's queries fetch them), so the CLI, the UI and tests share one definition.
 */

/** What a comparison needs from one stored run. */
export interface RunForComparison {
  id: number;
  /** The run's JSON config as stored. */
  config: unknown;
  /** The run's evaluation metrics (an EvaluationReport, or any object with accuracy/uar/macro_f1); null when it has none (e.g. a failed run). */
  metrics: Record<string, unknown> | null;
  labels?: string[] | null;
  perClass?: Record<string, { f1?: number | null }> | null;
  status?: string;
  /** Per-epoch metrics, for overlaid curves. */
  epochs?: EpochPoint[];
  /** The run's dataset has been deleted since (its config and results are still stored). */
  datasetDeleted?: boolean;
}

export interface HeadlineMetrics {
  accuracy: number | null;
  uar: number | null;
  macroF1: number | null;
}

/**
 * The API's CompareResult: runs (id, config, headline metrics), config_diff (dotted path -> value
 * per run, only paths that differ, null where a run lacks one), metrics (headline -> value per run),
 * per_class_f1 (label -> F1 per run over the labels all evaluated runs share), warnings, curves and
 * confusion matrices; plus the shared labels and each run's status.
 */
export interface RunComparison extends CompareResult {
  runs: { id: number; status?: string; config: Record<string, unknown>; metrics: Record<string, number | null> }[];
  metrics: Record<keyof HeadlineMetrics, (number | null)[]>;
  sharedLabels: string[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Leaf values of a config by dotted path. Objects recurse; arrays of plain values stay one leaf
 * (`labels`, `filters` read better whole); arrays holding objects recurse by index (`a.0.b`).
 */
export function flattenConfig(value: unknown, prefix = '', out: Map<string, unknown> = new Map()): Map<string, unknown> {
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0 && prefix) out.set(prefix, {});
    for (const k of keys) flattenConfig(value[k], prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(value) && value.some((v) => typeof v === 'object' && v !== null)) {
    value.forEach((v, i) => flattenConfig(v, prefix ? `${prefix}.${i}` : String(i), out));
  } else if (prefix) {
    out.set(prefix, value === undefined ? null : value);
  }
  return out;
}

/**
 * Text for equality of config leaves. flattenConfig leaves only plain values, null, `{}` and arrays of plain values
 * (it recurses into every other object), so their JSON text is canonical: no object key order can enter it.
 */
const leafText = (v: unknown): string => JSON.stringify(v);

/** Leaf text with an array's order ignored: labels and named speakers select files as sets. */
const leafSetText = (v: unknown): string => leafText(Array.isArray(v) ? [...(v as unknown[])].sort() : v);

/** The config paths whose values differ between runs, each with one value per run (missing = null). */
export function configDiff(configs: unknown[]): Record<string, unknown[]> {
  const flat = configs.map((c) => flattenConfig(c));
  // Every path any run has, in first-seen order.
  const paths = [...new Set(flat.flatMap((f) => [...f.keys()]))];
  const diff: Record<string, unknown[]> = {};
  const isEmpty = (v: unknown): boolean => ['null', '{}', '[]'].includes(leafText(v));
  for (const p of paths) {
    const values = flat.map((f) => (f.has(p) ? f.get(p) : null));
    // `params: {}` in one run vs `params.kernel` in another: the child path already shows the difference.
    if (values.every(isEmpty) && paths.some((q) => q.startsWith(`${p}.`))) continue;
    const first = leafText(values[0]);
    if (values.some((v) => leafText(v) !== first)) diff[p] = values;
  }
  return diff;
}

const numberOrNull = (v: unknown): number | null => (Number.isFinite(v) ? (v as number) : null);

/** accuracy / uar / macro_f1 of a stored metrics object; null for any that is missing. */
export function headlineMetrics(metrics: Record<string, unknown> | null | undefined): HeadlineMetrics {
  return { accuracy: numberOrNull(metrics?.accuracy), uar: numberOrNull(metrics?.uar), macroF1: numberOrNull(metrics?.macroF1) };
}

/** Labels and per-class metrics of a run: explicit fields first, else read from its EvaluationReport. */
function classInfo(run: RunForComparison): { labels: string[] | null; perClass: Record<string, { f1?: number | null }> | null } {
  const m = run.metrics;
  const labels = run.labels ?? (Array.isArray(m?.labels) && m.labels.every((l) => typeof l === 'string') ? (m.labels as string[]) : null);
  const perClass = run.perClass ?? (isPlainObject(m?.perClass) ? (m.perClass as Record<string, { f1?: number | null }>) : null);
  return { labels: labels ?? (perClass ? Object.keys(perClass) : null), perClass };
}

/** The stored confusion counts if they form a k x k matrix of numbers, else null. */
function confusionOf(metrics: Record<string, unknown> | null, k: number): number[][] | null {
  const m = metrics?.confusion;
  if (!Array.isArray(m) || m.length !== k || k === 0) return null;
  const ok = m.every((row) => Array.isArray(row) && row.length === k && row.every((v) => typeof v === 'number'));
  return ok ? (m as number[][]) : null;
}

const listLabels = (labels: string[]): string => labels.join(', ');

/** Side-by-side comparison of runs; never throws on missing metrics, explains gaps in `warnings`. */
export function compareRuns(runs: RunForComparison[]): RunComparison {
  const warnings: string[] = [];
  const heads = runs.map((r) => headlineMetrics(r.metrics));
  runs.forEach((r, i) => {
    if (!r.metrics) {
      const why = r.status && r.status !== 'completed' ? ` (status ${r.status})` : '';
      warnings.push(`Run ${r.id} has no evaluation${why}; its metrics are shown as null.`);
    } else if (heads[i].accuracy === null && heads[i].uar === null && heads[i].macroF1 === null) {
      warnings.push(`Run ${r.id}'s stored metrics hold no accuracy, UAR or macro-F1.`);
    }
  });

  for (const r of runs) {
    if (r.datasetDeleted)
      warnings.push(`Run ${r.id}'s dataset has been deleted; its config and results are still shown, but it cannot be re-run or re-evaluated.`);
  }
  const differing = configDiff(runs.map((r) => r.config));
  // The same labels or named speakers listed in another order test the same files.
  const testSetPaths = Object.keys(differing).filter(
    (p) => (p === 'datasetId' || p === 'labels' || p === 'split' || p.startsWith('split.')) && new Set(differing[p].map(leafSetText)).size > 1,
  );
  if (testSetPaths.length) {
    warnings.push(`Runs differ in ${testSetPaths.join(', ')}, so they may not have been tested on the same files: compare their metrics with care.`);
  }

  const infos = runs.map(classInfo);
  const evaluated = infos.map((info, i) => ({ info, run: runs[i] })).filter((x) => x.info.labels);
  let shared: string[] = [];
  if (evaluated.length) {
    shared = evaluated[0].info.labels!.filter((l) => evaluated.every((x) => x.info.labels!.includes(l)));
    const differs = evaluated.some((x) => leafSetText(x.info.labels) !== leafSetText(evaluated[0].info.labels));
    if (differs) {
      const sets = evaluated.map((x) => `run ${x.run.id} [${listLabels(x.info.labels!)}]`).join('; ');
      warnings.push(
        shared.length
          ? `Runs use different label sets (${sets}). Per-class F1 compares only the ${shared.length} shared labels (${listLabels(shared)}); overall accuracy, UAR and macro-F1 were computed over different classes and are not directly comparable.`
          : `Runs use different label sets with no label in common (${sets}); there is no per-class comparison, and overall metrics are not comparable.`,
      );
    }
  }
  const perClassF1: Record<string, (number | null)[]> = {};
  for (const label of shared) perClassF1[label] = infos.map((info) => numberOrNull(info.perClass?.[label]?.f1));

  return {
    runs: runs.map((r, i) => ({
      id: r.id,
      ...(r.status ? { status: r.status } : {}),
      config: isPlainObject(r.config) ? r.config : { value: r.config ?? null },
      metrics: { ...heads[i], n: numberOrNull(r.metrics?.n) },
    })),
    configDiff: differing,
    metrics: { accuracy: heads.map((h) => h.accuracy), uar: heads.map((h) => h.uar), macroF1: heads.map((h) => h.macroF1) },
    perClassF1,
    sharedLabels: shared,
    warnings,
    curves: runs.map((r) => ({ id: r.id, epochs: r.epochs ?? [] })),
    confusions: runs.map((r, i) => ({ id: r.id, labels: infos[i].labels ?? [], matrix: confusionOf(r.metrics, infos[i].labels?.length ?? 0) })),
  };
}
