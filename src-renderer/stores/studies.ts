/**
 * Studies (folds × seeds × grid): the list, and each opened study's report kept live by study.cell / study.status
 * events. A cell's status is patched at once; the aggregate is re-read from the core shortly after (it is never
 * recomputed here), so the figures on screen are always the core's.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Results, StudyReport, StudyStatus, StudySummary } from '../../src-shared/api/contract';
import { STUDY_METRICS, type StudyMetric, type StudySpecInput } from '../../src-shared/config/study';
import { api } from '../api/client';
import { toCsv } from '../../src-shared/csv';
import { useToasts } from './toasts';

/** How long bursts of cell events are gathered before the report is re-read, in ms. */
const RELOAD_DELAY_MS = 400;

export const useStudies = defineStore('studies', () => {
  const list = ref<StudySummary[]>([]);
  const loaded = ref(false);
  const reports = ref<Record<number, StudyReport>>({});
  const toasts = useToasts();

  async function refresh(): Promise<void> {
    const r = await toasts.guard(api.call('studies.list', {}), 'Loading studies');
    if (r) {
      list.value = r;
      loaded.value = true;
    }
  }

  async function load(id: number): Promise<StudyReport | undefined> {
    const r = await toasts.guard(api.call('studies.get', { id }), `Loading study ${id}`);
    if (r) reports.value[id] = r;
    return r;
  }

  const timers = new Map<number | 'list', ReturnType<typeof setTimeout>>();
  function soon(key: number | 'list', action: () => Promise<unknown>): void {
    if (timers.has(key)) return;
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        void action();
      }, RELOAD_DELAY_MS),
    );
  }
  /** Re-reads a study (when it is open here) and the list, once per burst of events. */
  function changed(studyId: number): void {
    if (reports.value[studyId]) soon(studyId, () => load(studyId));
    soon('list', refresh);
  }

  api.onEvent((e) => {
    if (e.type === 'study.cell') {
      const cell = reports.value[e.studyId]?.cells.find((c) => c.key === e.cell);
      if (cell) {
        cell.status = e.status;
        if (e.runId !== null) cell.runId = e.runId;
        cell.error = e.error ?? (e.status === 'failed' ? cell.error : null);
      }
      changed(e.studyId);
    } else if (e.type === 'study.status') {
      const report = reports.value[e.studyId];
      if (report) report.status = e.status;
      const summary = list.value.find((s) => s.id === e.studyId);
      if (summary) summary.status = e.status;
      changed(e.studyId);
    }
  });

  /** Creates a study (the core validates it again and expands the cells) and starts training it. */
  async function create(spec: StudySpecInput): Promise<Results['studies.create']> {
    const r = await api.call('studies.create', { spec });
    void refresh();
    return r;
  }

  async function cancel(id: number): Promise<void> {
    const r = await toasts.guard(api.call('studies.cancel', { id }), `Cancelling study ${id}`);
    if (r) toasts.push('info', `Study ${id} cancelled${r.running ? `; ${r.running} running cell(s) are being stopped` : ''}.`);
    changed(id);
  }

  async function retry(id: number): Promise<void> {
    const r = await toasts.guard(api.call('studies.retry', { id }), `Retrying study ${id}`);
    if (r) toasts.push('info', `Study ${id}: ${r.queued} cell(s) queued again.`);
    changed(id);
  }

  return { list, loaded, reports, refresh, load, create, cancel, retry };
});

/** How many cells a study has in total. */
export function cellTotal(counts: Record<StudyStatus, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** The fold scheme in words, e.g. "4-fold speaker CV". */
export function describeFolds(spec: StudySpecInput, folds: number): string {
  switch (spec.folds.kind) {
    case 'kfold':
      return `${spec.folds.k}-fold speaker-independent CV`;
    case 'loso':
      return `leave-one-speaker-out (${folds} speakers)`;
    case 'groups':
      return `${spec.folds.groups.length} fixed speaker groups`;
  }
}

/** The base config's model preset, whatever form the config gives it in. */
export function baseModel(spec: StudySpecInput): string | null {
  const model = spec.base?.model;
  if (typeof model === 'string') return model;
  if (model && typeof model === 'object' && 'preset' in model && typeof model.preset === 'string') return model.preset;
  return null;
}

export const METRIC_LABELS: Record<StudyMetric, string> = { accuracy: 'Accuracy', uar: 'UAR', macroF1: 'Macro-F1' };

/** A share (0…1) as a percentage with one decimal, without the unit; '–' when absent. */
export function pct(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : (100 * x).toFixed(1);
}

/** Every cell of a study as CSV: one row per cell, figures as fractions (0…1), the grid point as JSON. */
export function studyCellsCsv(r: StudyReport): string {
  const header = ['key', 'fold', 'seed', 'point', 'gridPoint', 'status', 'runId', 'attempts', 'valUar', 'accuracy', 'uar', 'macroF1', 'n', 'error'];
  const rows = r.cells.map((c) => [
    c.key,
    c.fold,
    c.seed,
    c.point,
    JSON.stringify(r.aggregate.points[c.point]?.values ?? {}),
    c.status,
    c.runId,
    c.attempts,
    c.valUar,
    c.test?.accuracy,
    c.test?.uar,
    c.test?.macroF1,
    c.test?.n,
    c.error,
  ]);
  return toCsv(header, rows);
}

interface ResultRow {
  metric: StudyMetric;
  label: string;
  mean: string;
  std: string | null;
  ci: [string, string] | null;
}

function resultRows(r: StudyReport): ResultRow[] {
  const m = r.aggregate.metrics;
  if (!m) return [];
  return STUDY_METRICS.map((metric) => {
    const s = m[metric];
    return {
      metric,
      label: METRIC_LABELS[metric],
      mean: pct(s.mean),
      std: s.std === null ? null : pct(s.std),
      ci: s.ci95 ? [pct(s.ci95[0]), pct(s.ci95[1])] : null,
    };
  });
}

/** What the numbers are, for a table's caption: folds, seeds, selection, completeness. */
function resultsCaption(r: StudyReport, datasetName: string | null): string {
  const m = r.aggregate.metrics;
  const folds = m?.uar.n ?? 0;
  const totalFolds = m?.uar.perFold.length ?? 0;
  const seeds = r.spec.seeds;
  const model = baseModel(r.spec);
  const parts = [
    `Study ${r.studyId}${r.name ? ` (${r.name})` : ''}${datasetName ? ` on ${datasetName}` : ''}${model ? `, ${model}` : ''}:`,
    `test metrics in %, mean ± sample std over ${folds} fold${folds === 1 ? '' : 's'} (${describeFolds(r.spec, totalFolds)})`,
    `with ${seeds.length} seed${seeds.length === 1 ? '' : 's'} (${seeds.join(', ')}) averaged within each fold,`,
    `and the 95 % t-interval over folds.`,
  ];
  const sel = r.aggregate.selected;
  if (r.aggregate.points.length > 1 && sel) {
    parts.push(`Grid point ${JSON.stringify(sel.values)} of ${r.aggregate.points.length} selected on mean validation UAR.`);
  }
  if (!r.aggregate.complete) {
    parts.push(`Provisional: ${r.counts.completed} of ${cellTotal(r.counts)} cells completed.`);
  }
  return parts.join(' ');
}

/** The results table in Markdown: one row per metric, "mean ± std [CI lo, hi]" in %, the counts in a footnote. */
export function studyResultsMarkdown(r: StudyReport, datasetName: string | null = null): string {
  const rows = resultRows(r);
  if (!rows.length) return `No completed cells in study ${r.studyId} yet.\n`;
  const cell = (x: ResultRow) => `${x.mean} ± ${x.std ?? '–'} ${x.ci ? `[${x.ci[0]}, ${x.ci[1]}]` : '[no CI: one fold]'}`;
  return [
    '| Metric | Mean ± std [95 % CI] (%) |',
    '|:--|--:|',
    ...rows.map((x) => `| ${x.label} | ${cell(x)} |`),
    '',
    `*${resultsCaption(r, datasetName)}*`,
    '',
  ].join('\n');
}

const LATEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  $: '\\$',
  '&': '\\&',
  '#': '\\#',
  '^': '\\textasciicircum{}',
  _: '\\_',
  '~': '\\textasciitilde{}',
  '%': '\\%',
};
function latexEscape(s: string): string {
  return s.replace(/[\\{}$&#^_~%]/g, (ch) => LATEX_SPECIALS[ch]).replace(/±/g, '$\\pm$');
}

/** The results table as a LaTeX (booktabs) table: one row per metric, the counts in the caption. */
export function studyResultsLatex(r: StudyReport, datasetName: string | null = null): string {
  const rows = resultRows(r);
  const cell = (x: ResultRow) => `${x.mean} $\\pm$ ${x.std ?? '--'} & ${x.ci ? `[${x.ci[0]}, ${x.ci[1]}]` : 'n/a (one fold)'}`;
  return [
    '% needs \\usepackage{booktabs}',
    '\\begin{table}[t]',
    '  \\centering',
    `  \\caption{${latexEscape(resultsCaption(r, datasetName))}}`,
    `  \\label{tab:study-${r.studyId}}`,
    '  \\begin{tabular}{lrr}',
    '    \\toprule',
    '    Metric & Mean $\\pm$ std (\\%) & 95\\,\\% CI (\\%) \\\\',
    '    \\midrule',
    ...(rows.length ? rows.map((x) => `    ${x.label} & ${cell(x)} \\\\`) : ['    \\multicolumn{3}{c}{no completed cells yet} \\\\']),
    '    \\bottomrule',
    '  \\end{tabular}',
    '\\end{table}',
    '',
  ].join('\n');
}
