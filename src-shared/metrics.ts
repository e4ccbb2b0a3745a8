/**
 * Classification metrics for SER runs.
 *
 * Conventions (chosen to match scikit-learn's defaults, so numbers are comparable with papers):
 * - accuracy = correct / n.
 * - per-class precision = TP / (TP + FP), recall = TP / support, F1 = 2PR / (P + R); any 0/0 is 0
 *   (sklearn's `zero_division=0`).
 * - UAR = mean recall over classes with support > 0 (sklearn `balanced_accuracy_score`): a class
 *   absent from the test set has no recall to average, and counting it as 0 would punish the model
 *   for the split.
 * - macro-F1 = mean F1 over classes that occur in yTrue or yPred (sklearn `f1_score(average='macro')`
 *   without `labels=`): a class that is predicted but never true counts as F1 0; a class seen in
 *   neither is left out.
 * - confusion[t][p] counts samples of true class t predicted as p; confusion_normalized divides each
 *   row by its support (a row with support 0 stays all zeros).
 */

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface EvaluationReport {
  labels: string[];
  accuracy: number;
  uar: number;
  macroF1: number;
  perClass: Record<string, ClassMetrics>;
  /** [true][pred] counts */
  confusion: number[][];
  /** rows sum to 1 (rows with no support are all 0) */
  confusionNormalized: number[][];
  n: number;
}

const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den);

/** Scores predicted class indices against true ones; indices refer to `labels`. */
export function evaluatePredictions(yTrue: number[], yPred: number[], labels: string[]): EvaluationReport {
  if (yTrue.length !== yPred.length) {
    throw new Error(`Cannot evaluate: ${yTrue.length} true labels but ${yPred.length} predictions.`);
  }
  if (yTrue.length === 0) throw new Error('Cannot evaluate: there are no samples.');
  if (labels.length === 0) throw new Error('Cannot evaluate: the label list is empty.');
  if (new Set(labels).size !== labels.length) throw new Error(`Cannot evaluate: duplicate labels in [${labels.join(', ')}].`);
  const k = labels.length;
  const check = (v: number, i: number, what: string): void => {
    if (!Number.isInteger(v) || v < 0 || v >= k) {
      throw new Error(`Cannot evaluate: ${what}[${i}] = ${v} is not a class index in 0..${k - 1} (${labels.join(', ')}).`);
    }
  };

  const confusion = labels.map(() => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) {
    check(yTrue[i], i, 'yTrue');
    check(yPred[i], i, 'yPred');
    confusion[yTrue[i]][yPred[i]] += 1;
    if (yTrue[i] === yPred[i]) correct += 1;
  }

  const perClass: Record<string, ClassMetrics> = {};
  const recalls: number[] = [];
  const f1s: number[] = [];
  for (let c = 0; c < k; c++) {
    const tp = confusion[c][c];
    const support = confusion[c].reduce((a, b) => a + b, 0);
    let predicted = 0;
    for (let t = 0; t < k; t++) predicted += confusion[t][c];
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    const f1 = ratio(2 * precision * recall, precision + recall);
    perClass[labels[c]] = { precision, recall, f1, support };
    if (support > 0) recalls.push(recall);
    if (support > 0 || predicted > 0) f1s.push(f1);
  }

  const mean = (xs: number[]): number =>
    ratio(
      xs.reduce((a, b) => a + b, 0),
      xs.length,
    );
  return {
    labels: [...labels],
    accuracy: correct / yTrue.length,
    uar: mean(recalls),
    macroF1: mean(f1s),
    perClass,
    confusion,
    confusionNormalized: confusion.map((row) => {
      const s = row.reduce((a, b) => a + b, 0);
      return row.map((v) => ratio(v, s));
    }),
    n: yTrue.length,
  };
}

/** Index of the largest value in each probability row (ties go to the lower index). */
export function argmaxRows(rows: ArrayLike<number>[]): number[] {
  return rows.map((row) => {
    let best = 0;
    for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
    return best;
  });
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** Plain-text summary for the terminal: headline metrics, per-class table, confusion counts. */
export function formatReport(report: EvaluationReport): string {
  const nameWidth = Math.max(5, ...report.labels.map((l) => l.length));
  const lines: string[] = [];
  lines.push(`samples ${report.n}   accuracy ${pct(report.accuracy)}   UAR ${pct(report.uar)}   macro-F1 ${pct(report.macroF1)}`);
  lines.push('');
  lines.push(`${'class'.padEnd(nameWidth)}  precision  recall      f1  support`);
  for (const label of report.labels) {
    const m = report.perClass[label];
    lines.push(
      `${label.padEnd(nameWidth)}  ${m.precision.toFixed(3).padStart(9)}  ${m.recall.toFixed(3).padStart(6)}  ${m.f1
        .toFixed(3)
        .padStart(6)}  ${String(m.support).padStart(7)}`,
    );
  }
  lines.push('');
  // Columns abbreviated to 5 chars so an 8-class matrix fits an 80-column terminal.
  const cell = Math.max(5, ...report.confusion.flat().map((v) => String(v).length)) + 1;
  lines.push(`confusion (rows true, columns predicted)`);
  lines.push(`${''.padEnd(nameWidth)}${report.labels.map((l) => l.slice(0, cell - 1).padStart(cell)).join('')}`);
  report.confusion.forEach((row, t) => {
    lines.push(`${report.labels[t].padEnd(nameWidth)}${row.map((v) => String(v).padStart(cell)).join('')}`);
  });
  return lines.join('\n');
}
