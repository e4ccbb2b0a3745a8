import { STUDY_METRICS, type StudyMetric } from '../config/study';
import type { EvaluationReport } from '../metrics';
import { mean, pairedComparison, sampleStd, summarize, type PairedComparison, type Summary } from './statistics';

/** What the aggregation needs from one cell (its run's stored results). */
export interface CellOutcome {
  key: string;
  fold: number;
  seed: number;
  point: number;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  runId: number | null;
  /** UAR of the kept model on the fold's validation speakers: the only figure a study selects on. */
  valUar: number | null;
  test: EvaluationReport | null;
  /** Test predictions with the file's speaker (pooled confusion, per-speaker accuracy, paired checks). */
  predictions: { fileId?: number; label: string; predicted: string; speaker: string | null }[];
}

export interface MetricAggregate extends Summary {
  /** Per fold, the mean over that fold's completed seeds (null: no completed cell). The CI is over these. */
  perFold: (number | null)[];
  /** Per seed, the mean over the folds it completed. */
  perSeed: { seed: number; value: number; folds: number }[];
}

export interface PointSummary {
  point: number;
  values: Record<string, unknown>;
  /** Mean validation UAR over the point's completed cells; null when none completed. */
  valUar: number | null;
  completed: number;
  cells: number;
}

export interface StudyAggregate {
  /** The grid point chosen on mean validation UAR (never on test); its test figures are the study's. */
  selected: PointSummary | null;
  points: PointSummary[];
  /** Every cell of the selected point completed (otherwise the figures are provisional). */
  complete: boolean;
  metrics: Record<StudyMetric, MetricAggregate> | null;
  /** Every test prediction of the selected point's cells, summed over folds and seeds: [true][predicted]. */
  pooledConfusion: { labels: string[]; matrix: number[][] } | null;
  perClassF1: Record<string, { mean: number; std: number | null }>;
  perSpeaker: { speaker: string; fold: number; n: number; accuracy: number }[];
}

/**
 * A study's figures. Selection: the grid point with the best mean validation UAR (ties: the earlier point);
 * reported: that point's test metrics, seeds averaged within each fold first, then mean, sample std and a 95 %
 * t-interval over folds (folds are the independent units; seeds of one fold share test speakers).
 */
export function aggregateStudy(
  cells: readonly CellOutcome[],
  pointValues: readonly Record<string, unknown>[],
  folds: number,
  seeds: readonly number[],
): StudyAggregate {
  const points: PointSummary[] = pointValues.map((values, point) => {
    const mine = cells.filter((c) => c.point === point);
    const done = mine.filter((c) => c.status === 'completed' && c.valUar !== null);
    return { point, values, valUar: done.length ? mean(done.map((c) => c.valUar!)) : null, completed: done.length, cells: mine.length };
  });
  let selected: PointSummary | null = null;
  for (const p of points) if (p.valUar !== null && (selected === null || p.valUar > selected.valUar!)) selected = p;
  const empty: StudyAggregate = { selected, points, complete: false, metrics: null, pooledConfusion: null, perClassF1: {}, perSpeaker: [] };
  if (!selected) return empty;

  const chosen = cells.filter((c) => c.point === selected.point);
  const done = chosen.filter((c) => c.status === 'completed' && c.test !== null);
  if (!done.length) return empty;
  const foldMean = (fold: number, value: (r: EvaluationReport) => number): number | null => {
    const here = done.filter((c) => c.fold === fold);
    return here.length ? mean(here.map((c) => value(c.test!))) : null;
  };
  const aggregateMetric = (value: (r: EvaluationReport) => number): MetricAggregate => {
    const perFold = Array.from({ length: folds }, (_, f) => foldMean(f, value));
    const perSeed = seeds.flatMap((seed) => {
      const mine = done.filter((c) => c.seed === seed);
      return mine.length ? [{ seed, value: mean(mine.map((c) => value(c.test!))), folds: mine.length }] : [];
    });
    return { ...summarize(perFold.filter((v): v is number => v !== null)), perFold, perSeed };
  };
  const metrics = Object.fromEntries(STUDY_METRICS.map((m) => [m, aggregateMetric((r) => r[m])])) as Record<StudyMetric, MetricAggregate>;

  const labels = done[0].test!.labels;
  const index = new Map(labels.map((l, i) => [l, i]));
  const matrix = labels.map(() => labels.map(() => 0));
  for (const c of done) {
    if (c.test!.labels.join('\u0000') !== labels.join('\u0000')) {
      throw new Error(`cell ${c.key} was scored on labels [${c.test!.labels.join(', ')}], not [${labels.join(', ')}]`);
    }
    c.test!.confusion.forEach((row, t) => row.forEach((count, p) => (matrix[t][p] += count)));
  }

  const perClassF1: StudyAggregate['perClassF1'] = {};
  for (const label of labels) {
    const perFold = Array.from({ length: folds }, (_, f) => foldMean(f, (r) => r.perClass[label].f1)).filter((v): v is number => v !== null);
    perClassF1[label] = { mean: mean(perFold), std: perFold.length > 1 ? sampleStd(perFold) : null };
  }

  const speakers = new Map<string, { fold: number; n: number; correct: number }>();
  for (const c of done) {
    for (const p of c.predictions) {
      if (p.speaker === null || !index.has(p.label)) continue;
      const s = speakers.get(p.speaker) ?? { fold: c.fold, n: 0, correct: 0 };
      s.n++;
      if (p.predicted === p.label) s.correct++;
      speakers.set(p.speaker, s);
    }
  }
  const perSpeaker = [...speakers]
    .map(([speaker, s]) => ({ speaker, fold: s.fold, n: s.n, accuracy: s.correct / s.n }))
    .sort((a, b) => a.speaker.localeCompare(b.speaker, 'en', { numeric: true }));

  return {
    selected,
    points,
    complete: chosen.length === done.length && chosen.length === folds * seeds.length,
    metrics,
    pooledConfusion: { labels, matrix },
    perClassF1,
    perSpeaker,
  };
}

/** Two studies' selected points compared fold by fold (a − b); the folds must test the same files. */
export interface StudyComparison extends Record<StudyMetric, PairedComparison> {
  folds: number;
}

/**
 * Paired comparison over folds. `testFiles[f]` lists the test file ids of fold f on each side; a fold whose files
 * differ (another dataset, split seed or fold scheme) makes the comparison meaningless, so it is an error.
 */
export function compareStudies(
  a: StudyAggregate,
  b: StudyAggregate,
  testFiles: { a: (readonly number[] | null)[]; b: (readonly number[] | null)[] },
): StudyComparison {
  if (!a.metrics || !b.metrics) throw new Error('both studies need completed cells to compare');
  const folds = a.metrics.uar.perFold.length;
  if (b.metrics.uar.perFold.length !== folds) throw new Error(`the studies have different folds (${folds} vs ${b.metrics.uar.perFold.length})`);
  for (let f = 0; f < folds; f++) {
    const fa = testFiles.a[f];
    const fb = testFiles.b[f];
    if (!fa || !fb) throw new Error(`fold ${f + 1} has no completed cell in ${fa ? 'the second' : 'the first'} study`);
    const sa = [...fa].sort((x, y) => x - y).join(',');
    if (sa !== [...fb].sort((x, y) => x - y).join(','))
      throw new Error(`fold ${f + 1} tests different files in the two studies; a paired comparison needs the same folds`);
  }
  const result = { folds } as StudyComparison;
  for (const m of ['accuracy', 'uar', 'macroF1'] as const) {
    result[m] = pairedComparison(a.metrics[m].perFold as number[], b.metrics[m].perFold as number[]);
  }
  return result;
}
