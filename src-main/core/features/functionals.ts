/** Statistics taken over each frame-level descriptor, in output order. */
export const FUNCTIONAL_STATS = ['mean', 'std', 'min', 'max', 'p20', 'p50', 'p80', 'iqr', 'slope'] as const;

/** Linear-interpolated percentile (numpy 'linear') of an ascending-sorted array, q in [0, 100]. */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const pos = (q / 100) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Least-squares slope of values against times (units of value per unit of time); 0 for fewer than 2 points. */
export function slope(times: ArrayLike<number>, values: ArrayLike<number>): number {
  // Fewer than 2 points (or all at one time) leave den at 0, hence slope 0: no separate guard needed.
  const n = values.length;
  let mt = 0;
  let mv = 0;
  for (let i = 0; i < n; i++) {
    mt += times[i];
    mv += values[i];
  }
  mt /= n;
  mv /= n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (times[i] - mt) * (values[i] - mv);
    den += (times[i] - mt) ** 2;
  }
  return den > 0 ? num / den : 0;
}

/**
 * FUNCTIONAL_STATS of a descriptor track sampled at `times` (s), over the frames where include[t] is set
 * (all frames when omitted). No included frame gives all zeros, so the vector never holds NaN.
 */
export function functionalsOf(values: ArrayLike<number>, times: ArrayLike<number>, include?: ArrayLike<number>): number[] {
  const v: number[] = [];
  const ts: number[] = [];
  for (let t = 0; t < values.length; t++) {
    if (include && !include[t]) continue;
    v.push(values[t]);
    ts.push(times[t]);
  }
  if (v.length === 0) return FUNCTIONAL_STATS.map(() => 0);
  let mean = 0;
  for (const x of v) mean += x;
  mean /= v.length;
  let varSum = 0;
  for (const x of v) varSum += (x - mean) ** 2;
  const sorted = Float64Array.from(v).sort();
  const p20 = percentileSorted(sorted, 20);
  const p80 = percentileSorted(sorted, 80);
  return [mean, Math.sqrt(varSum / v.length), sorted[0], sorted[sorted.length - 1], p20, percentileSorted(sorted, 50), p80, p80 - p20, slope(ts, v)];
}
