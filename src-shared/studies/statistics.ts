import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import wilcoxon from '@stdlib/stats-wilcoxon';

/** Mean, sample standard deviation and a t-interval over independent values (e.g. one value per fold). */
export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); null for one value. */
  std: number | null;
  /** Two-sided 95 % t-interval for the mean; null for one value (no spread to estimate). */
  ci95: [number, number] | null;
}

export function mean(values: readonly number[]): number {
  if (!values.length) throw new Error('mean of no values');
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** Sample standard deviation (divisor n − 1), as numpy's std(ddof=1) and R's sd. */
export function sampleStd(values: readonly number[]): number {
  if (values.length < 2) throw new Error('a sample standard deviation needs at least two values');
  const m = mean(values);
  let ss = 0;
  for (const v of values) ss += (v - m) ** 2;
  return Math.sqrt(ss / (values.length - 1));
}

/** Student's t quantile for a two-sided interval of the given coverage. */
function tCritical(level: number, df: number): number {
  return tQuantile(1 - (1 - level) / 2, df);
}

/**
 * mean ± t(0.975, n − 1) · s / √n: the interval a paper reports over folds. With few folds the t quantile is wide
 * (12.7 for 2 folds, 2.57 for 6), which is the honest price of few folds.
 */
export function summarize(values: readonly number[], level = 0.95): Summary {
  const n = values.length;
  const m = mean(values);
  if (n < 2) return { n, mean: m, std: null, ci95: null };
  const std = sampleStd(values);
  const half = (tCritical(level, n - 1) * std) / Math.sqrt(n);
  return { n, mean: m, std, ci95: [m - half, m + half] };
}

/** Two studies (or models) compared on the same folds: differences a − b, one per fold. */
export interface PairedComparison {
  n: number;
  meanDifference: number;
  /** 95 % t-interval of the mean difference; null for one pair. */
  ci95: [number, number] | null;
  /** Paired t statistic and two-sided p; null when undefined (one pair, or every difference the same). */
  t: number | null;
  tPValue: number | null;
  /** Wilcoxon signed-rank statistic (sum of the ranks of positive differences, R's V) and two-sided p; null when every difference is 0 or fewer than two pairs. */
  wilcoxonStatistic: number | null;
  wilcoxonPValue: number | null;
}

/**
 * Paired t-test and Wilcoxon signed-rank test on per-fold differences. The Wilcoxon test is R's wilcox.test (via
 * @stdlib): zero differences dropped; the exact null distribution for fewer than 50 pairs without ties, otherwise
 * the normal approximation with tie and continuity correction — scipy.stats.wilcoxon(correction=True) gives the same
 * p in both cases (tests/reference/statisticsReference.py).
 */
export function pairedComparison(a: readonly number[], b: readonly number[]): PairedComparison {
  if (a.length !== b.length) throw new Error(`paired comparison needs the same folds on both sides (${a.length} vs ${b.length} values)`);
  if (!a.length) throw new Error('paired comparison of no values');
  const d = a.map((v, i) => v - b[i]);
  const n = d.length;
  const s = summarize(d);
  let t: number | null = null;
  let tPValue: number | null = null;
  // std is null for one pair and 0 when every difference is the same: t is undefined then
  if ((s.std ?? 0) > 0) {
    t = s.mean / (s.std! / Math.sqrt(n));
    tPValue = 2 * (1 - tCdf(Math.abs(t), n - 1));
  }
  let wilcoxonStatistic: number | null = null;
  let wilcoxonPValue: number | null = null;
  if (n >= 2 && d.some((v) => v !== 0)) {
    // @stdlib's defaults are R's: zero differences dropped ('wilcox'), continuity correction on.
    const w = wilcoxon(d);
    wilcoxonStatistic = w.statistic;
    wilcoxonPValue = Math.min(1, w.pValue);
  }
  return { n, meanDifference: s.mean, ci95: s.ci95, t, tPValue, wilcoxonStatistic, wilcoxonPValue };
}
