// The ComParE 2016 functionals (openSMILE's cFunctionalXXX components, reimplemented from their definitions in
// audeering/opensmile src/functionals/*.cpp with the options config/compare16/ComParE_2016_core.func.conf.inc sets).
// Every function writes its values into out[at ..] and returns how many it wrote, so one utterance vector is filled
// without intermediate arrays. Inputs are a contour x[0 .. n) with its min, max and mean (openSMILE computes those
// once per contour and hands them to every component). Deviations from openSMILE are listed in docs/compare-features.md.

/** Everything a functional may read about one contour. */
export interface Contour {
  x: Float64Array;
  n: number;
  min: number;
  max: number;
  mean: number;
  /**
   * x[0 .. n) reordered so that every rank the percentile functionals read (floor and ceil of p (n - 1) for
   * p = 1, 25, 50, 75, 99 %) holds its order statistic, as in the sorted contour; only the percentiles read it
   */
  sorted: Float64Array;
  /** seconds per frame (ComParE: 0.01) */
  period: number;
}

/** Fills c.min/max/mean (and c.sorted when asked) from c.x[0 .. c.n). */
export function describeContour(c: Contour, sort: boolean): void {
  const { x, n } = c;
  if (n === 0) {
    c.min = 0;
    c.max = 0;
    c.mean = 0;
    return;
  }
  let min = x[0];
  let max = x[0];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  c.min = min;
  c.max = max;
  c.mean = sum / n;
  if (sort) {
    const s = c.sorted.subarray(0, n);
    s.set(x.subarray(0, n));
    selectRanks(s, percentileRanks(n));
  }
}

const PERCENTILE_FRACTIONS = [0.01, 0.25, 0.5, 0.75, 0.99];

// The last n's ranks: an utterance's contours come in runs of equal length.
let lastRanksN = -1;
let lastRanks: number[] = [];

/** The ranks (ascending, distinct) interpolatedPercentile reads for the ComParE percentiles of n values. */
function percentileRanks(n: number): number[] {
  if (n !== lastRanksN) {
    lastRanks = computePercentileRanks(n);
    lastRanksN = n;
  }
  return lastRanks;
}

function computePercentileRanks(n: number): number[] {
  const r = new Set<number>();
  for (const p of PERCENTILE_FRACTIONS) {
    const idx = p * (n - 1);
    r.add(Math.min(n - 1, Math.max(0, Math.floor(idx))));
    r.add(Math.min(n - 1, Math.max(0, Math.ceil(idx))));
  }
  return [...r].sort((a, b) => a - b);
}

/**
 * Reorders a so that a[r] is the r-th smallest value for every r in ranks (ascending): a multi-rank quickselect
 * (median-of-three Hoare partitions, insertion sort on short stretches). Ten order statistics of a 400-frame contour
 * cost a fraction of a full sort, and 130 contours per utterance need them.
 */
export function selectRanks(a: Float64Array, ranks: readonly number[]): void {
  select(a, 0, a.length - 1, ranks, 0, ranks.length);
}

function select(a: Float64Array, lo: number, hi: number, ranks: readonly number[], rlo: number, rhi: number): void {
  while (rlo < rhi && lo < hi) {
    if (hi - lo < 16) {
      for (let i = lo + 1; i <= hi; i++) {
        const v = a[i];
        let j = i - 1;
        while (j >= lo && a[j] > v) {
          a[j + 1] = a[j];
          j--;
        }
        a[j + 1] = v;
      }
      return;
    }
    // median of three as the pivot value
    let x = a[lo];
    let y = a[(lo + hi) >> 1];
    const z = a[hi];
    if (x > y) {
      const t = x;
      x = y;
      y = t;
    }
    const pivot = z < x ? x : z > y ? y : z;
    let i = lo - 1;
    let j = hi + 1;
    for (;;) {
      do i++;
      while (a[i] < pivot);
      do j--;
      while (a[j] > pivot);
      if (i >= j) break;
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    // a[lo..j] <= pivot <= a[j+1..hi]: ranks up to j are decided on the left, the others on the right
    let split = rlo;
    while (split < rhi && ranks[split] <= j) split++;
    if (split - rlo < rhi - split) {
      select(a, lo, j, ranks, rlo, split);
      lo = j + 1;
      rlo = split;
    } else {
      select(a, j + 1, hi, ranks, split, rhi);
      hi = j;
      rhi = split;
    }
  }
}

/** openSMILE's smileMath_ratioLimit: identity on [-limit1, limit1], then a tanh knee converging at limit1 + excess. */
export function ratioLimit(x: number, limit1: number, excess: number): number {
  if (x > limit1) return Math.tanh((Math.sqrt(x - limit1 + 1) - 1) / (excess * 0.5)) * excess + limit1;
  if (x < -limit1) return Math.tanh(-(Math.sqrt(-(x + limit1) + 1) - 1) / (excess * 0.5)) * excess - limit1;
  return x;
}

// ---------------------------------------------------------------- Extremes (range, maxPos, minPos; norm = segment)

export const EXTREMES_NAMES = ['range', 'maxPos', 'minPos'] as const;

/** range = max - min; maxPos/minPos = first index of the max/min over n (relative position in the segment). */
export function extremes(c: Contour, out: Float64Array, at: number): number {
  const { x, n, min, max } = c;
  let maxPos = -1;
  let minPos = -1;
  for (let i = 0; i < n && (maxPos < 0 || minPos < 0); i++) {
    if (maxPos < 0 && x[i] === max) maxPos = i;
    if (minPos < 0 && x[i] === min) minPos = i;
  }
  out[at] = max - min;
  out[at + 1] = maxPos / n;
  out[at + 2] = minPos / n;
  return 3;
}

// ---------------------------------------------------------------- Percentiles (interp = 1)

export const PERCENTILE_NAMES = [
  'quartile1',
  'quartile2',
  'quartile3',
  'iqr1-2',
  'iqr2-3',
  'iqr1-3',
  'percentile1.0',
  'percentile99.0',
  'pctlrange0-1',
] as const;

/** Linearly interpolated percentile p (0..1) of sorted[0 .. n): numpy.percentile's 'linear' rule. */
export function interpolatedPercentile(sorted: Float64Array, n: number, p: number): number {
  const idx = p * (n - 1);
  const i1 = Math.min(n - 1, Math.max(0, Math.floor(idx)));
  const i2 = Math.min(n - 1, Math.max(0, Math.ceil(idx)));
  if (i1 === i2) return sorted[i1];
  return sorted[i1] * (i2 - idx) + sorted[i2] * (idx - i1);
}

/** Quartiles, inter-quartile ranges, the 1st and 99th percentiles and their range. */
export function percentiles(c: Contour, out: Float64Array, at: number): number {
  const { sorted, n } = c;
  const q1 = interpolatedPercentile(sorted, n, 0.25);
  const q2 = interpolatedPercentile(sorted, n, 0.5);
  const q3 = interpolatedPercentile(sorted, n, 0.75);
  const p1 = interpolatedPercentile(sorted, n, 0.01);
  const p99 = interpolatedPercentile(sorted, n, 0.99);
  out[at] = q1;
  out[at + 1] = q2;
  out[at + 2] = q3;
  out[at + 3] = q2 - q1;
  out[at + 4] = q3 - q2;
  out[at + 5] = q3 - q1;
  out[at + 6] = p1;
  out[at + 7] = p99;
  out[at + 8] = Math.abs(p99 - p1);
  return 9;
}

// ---------------------------------------------------------------- Moments (stddev, skewness, kurtosis)

export const MOMENTS_NAMES = ['stddev', 'skewness', 'kurtosis'] as const;

/** Population standard deviation, skewness m3/σ³ and (non-excess) kurtosis m4/σ⁴; 0 for a constant contour. */
export function moments(c: Contour, out: Float64Array, at: number): number {
  const { x, n, mean } = c;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  if (m2 > 0) {
    const s = Math.sqrt(m2);
    out[at] = s;
    out[at + 1] = m3 / (n * m2 * s);
    out[at + 2] = m4 / (n * m2 * m2);
  } else {
    out[at] = 0;
    out[at + 1] = 0;
    out[at + 2] = 0;
  }
  return 3;
}

// ---------------------------------------------------------------- Segments (norm = second)

export const SEGMENTS_NAMES = ['meanSegLen', 'maxSegLen', 'minSegLen', 'segLenStddev'] as const;
/** ComParE's Segments.maxNumSeg: boundaries after the 100th segment are not counted. */
const MAX_SEGMENTS = 100;

/** Collects segment lengths (frames) the way openSMILE's addNewSegment does, including its cap at maxNumSeg. */
class SegmentLengths {
  lengths: number[] = [];
  add(end: number, lastSeg: number): number {
    if (this.lengths.length < MAX_SEGMENTS) this.lengths.push(end - lastSeg);
    return end;
  }
  /** mean, max, min, stddev of the lengths, in seconds */
  write(period: number, out: Float64Array, at: number): number {
    const l = this.lengths;
    let sum = 0;
    let max = 0;
    let min = 0;
    for (const v of l) {
      sum += v;
      if (v > max) max = v;
      if (min === 0 || v < min) min = v;
    }
    const mean = l.length > 1 ? sum / l.length : sum;
    let dev = 0;
    if (l.length > 1) {
      for (const v of l) dev += (v - mean) * (v - mean);
      dev = Math.sqrt(dev / l.length);
    }
    out[at] = mean * period;
    out[at + 1] = max * period;
    out[at + 2] = min * period;
    out[at + 3] = dev * period;
    return 4;
  }
}

/**
 * Segments by relative thresholds ('relTh', thresholds 25 % and 75 % of the range above the min): a boundary
 * wherever the 3-frame running mean crosses a threshold, at least segMinLng = max(2, floor(n / 100) - 1) frames after
 * the previous one. Segment lengths are boundary-to-boundary distances (the first measured from -segMinLng / 2).
 */
export function segmentsRelThreshold(c: Contour, out: Float64Array, at: number): number {
  const { x, n, min, max } = c;
  const range = max - min;
  const t0 = min + range * 0.25;
  const t1 = min + range * 0.75;
  const segMinLng = Math.max(2, Math.trunc(n / MAX_SEGMENTS) - 1);
  let lastSeg = -Math.trunc(segMinLng / 2);
  const seg = new SegmentLengths();
  let ravg = 0;
  let raLast = 0;
  for (let i = 0; i < n; i++) {
    ravg += x[i];
    if (i >= 3) ravg -= x[i - 3];
    const ra = ravg / Math.min(i + 1, 3);
    // without branches (see times()): the running mean hovers around the thresholds
    const cross = (+(ra > t0) & +(raLast <= t0)) | (+(ra < t0) & +(raLast >= t0)) | (+(ra > t1) & +(raLast <= t1)) | (+(ra < t1) & +(raLast >= t1));
    raLast = ra;
    if (cross && i - lastSeg > segMinLng) lastSeg = seg.add(i, lastSeg);
  }
  return seg.write(c.period, out, at);
}

/**
 * Segments of non-zero values ('nonX', X = 0): a run of non-zero frames becomes a segment once it lasts
 * segMinLng = 3 frames, and ends after pauseMinLng = 2 zero frames (openSMILE's process_SegNonX state machine).
 */
export function segmentsNonZero(c: Contour, out: Float64Array, at: number): number {
  const { x, n } = c;
  const segMinLng = 3;
  const pauseMinLng = 2;
  const seg = new SegmentLengths();
  let segStartIndex = 0;
  let state = 0; // 0 pause, 1 candidate, 2 in segment
  let segStart = 0;
  let segEnd = 0;
  let i = 0;
  for (; i < n; i++) {
    if (x[i] !== 0) {
      if (state === 1) {
        segEnd = 0;
        segStart++;
        if (segStart >= segMinLng) {
          segStart = 0;
          state = 2;
        }
      } else if (state === 0) {
        segStart++;
        segStartIndex = i;
        state = 1;
      } else {
        segEnd = 0;
      }
    } else if (state === 2) {
      segStart = 0;
      segEnd++;
      if (segEnd >= pauseMinLng) {
        state = 0;
        seg.add(i - segEnd, segStartIndex);
        segEnd = 0;
      }
    } else if (state === 1) {
      segEnd++;
      if (segEnd >= pauseMinLng) {
        state = 0;
        segEnd = 0;
        segStart = 0;
      }
    }
  }
  if (state === 2) {
    segEnd++;
    seg.add(i - segEnd, segStartIndex);
  }
  return seg.write(c.period, out, at);
}

// ---------------------------------------------------------------- Times (norm = segment)

export const TIMES_NAMES = ['upleveltime25', 'upleveltime50', 'upleveltime75', 'upleveltime90', 'risetime', 'leftctime'] as const;

/**
 * Fractions of frames above 25/50/75/90 % of the range (over min), of rising frames (x[i] > x[i-1], over n - 1) and
 * of left-curving frames (second difference > 0, over n - 2).
 */
export function times(c: Contour, out: Float64Array, at: number): number {
  const { x, n, min, max } = c;
  const range = max - min;
  const l25 = 0.25 * range + min;
  const l50 = 0.5 * range + min;
  const l75 = 0.75 * range + min;
  const l90 = 0.9 * range + min;
  let n25 = 0;
  let n50 = 0;
  let n75 = 0;
  let n90 = 0;
  // Counting with +(comparison) rather than if: V8 compiles it without a branch, and on a fluctuating contour these
  // branches go either way (several times faster; the same counts).
  for (let i = 0; i < n; i++) {
    const v = x[i];
    n25 += +(v <= l25);
    n50 += +(v <= l50);
    n75 += +(v <= l75);
    n90 += +(v <= l90);
  }
  let rise = 0;
  for (let i = 1; i < n; i++) rise += +(x[i - 1] < x[i]);
  let left = 0;
  for (let i = 1; i < n - 1; i++) left += +(x[i] - x[i - 1] < x[i + 1] - x[i]);
  out[at] = (n - n25) / n;
  out[at + 1] = (n - n50) / n;
  out[at + 2] = (n - n75) / n;
  out[at + 3] = (n - n90) / n;
  out[at + 4] = n - 1 !== 0 ? rise / (n - 1) : 0;
  out[at + 5] = n - 2 !== 0 ? left / (n - 2) : 0;
  return 6;
}

// ---------------------------------------------------------------- Lpc (order 5)

export const LPC_NAMES = ['lpgain', 'lpc0', 'lpc1', 'lpc2', 'lpc3', 'lpc4'] as const;
const LPC_ORDER = 5;

/**
 * Levinson-Durbin as openSMILE runs it, in float32 (FLOAT_DMEM) with its in-place symmetric update: the LP
 * coefficients of slowly varying contours come from a nearly singular autocorrelation, where float32 rounding
 * decides the last digits, so the recursion is emulated operation by operation (Math.fround) to give openSMILE's
 * numbers rather than different, equally (un)certain ones. Writes a[0..p), returns the prediction error.
 */
export function levinsonDurbinFloat32(r: Float64Array, p: number, a: Float64Array): number {
  const f = Math.fround;
  a.fill(0, 0, p);
  if (r[0] === 0) return 0;
  let e = f(r[0]);
  for (let m = 1; m <= p; m++) {
    let sum = f(r[m]);
    for (let i = 1; i < m; i++) sum = f(sum + f(a[i - 1] * r[m - i]));
    const k = f(f(-1 / e) * sum);
    a[m - 1] = k;
    for (let i = 1; i <= m >> 1; i++) {
      const x = a[i - 1];
      a[i - 1] = f(a[i - 1] + f(k * a[m - i - 1]));
      if (i < m >> 1 || (m & 1) === 1) a[m - i - 1] = f(a[m - i - 1] + f(k * x));
    }
    e = f(e * f(1 - f(k * k)));
    if (e === 0) {
      a.fill(0, m, p);
      break;
    }
  }
  return e;
}

const lpcAcf = new Float64Array(LPC_ORDER + 1);
const lpcCoeffs = new Float64Array(LPC_ORDER);

/**
 * LP gain (prediction error / n) and the 5 LP coefficients of the contour read as a signal; the autocorrelation is
 * accumulated in float32 and the recursion is levinsonDurbinFloat32, as openSMILE computes them.
 */
export function lpc(c: Contour, out: Float64Array, at: number): number {
  const { x, n } = c;
  const f = Math.fround;
  // The six lags' float32 sums run side by side, each over i = k .. n-1 in order as openSMILE adds them: six
  // independent chains in one loop instead of six loops that each wait on their previous rounding (same numbers).
  if (LPC_ORDER !== 5) throw new Error('internal: lpc() sums lags 0..5');
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let s5 = 0;
  const head = Math.min(n, LPC_ORDER);
  for (let i = 0; i < head; i++) {
    const v = x[i];
    s0 = f(s0 + f(v * v));
    if (i >= 1) s1 = f(s1 + f(v * x[i - 1]));
    if (i >= 2) s2 = f(s2 + f(v * x[i - 2]));
    if (i >= 3) s3 = f(s3 + f(v * x[i - 3]));
    if (i >= 4) s4 = f(s4 + f(v * x[i - 4]));
  }
  for (let i = LPC_ORDER; i < n; i++) {
    const v = x[i];
    s0 = f(s0 + f(v * v));
    s1 = f(s1 + f(v * x[i - 1]));
    s2 = f(s2 + f(v * x[i - 2]));
    s3 = f(s3 + f(v * x[i - 3]));
    s4 = f(s4 + f(v * x[i - 4]));
    s5 = f(s5 + f(v * x[i - 5]));
  }
  lpcAcf[0] = s0;
  lpcAcf[1] = s1;
  lpcAcf[2] = s2;
  lpcAcf[3] = s3;
  lpcAcf[4] = s4;
  lpcAcf[5] = s5;
  const gain = levinsonDurbinFloat32(lpcAcf, LPC_ORDER, lpcCoeffs);
  // A near-singular autocorrelation (a constant or periodic contour) can drive the recursion to Inf/NaN; openSMILE
  // would write those out, we write 0 so every vector stays usable.
  const g = f(gain / n);
  out[at] = Number.isFinite(g) ? g : 0;
  for (let i = 0; i < LPC_ORDER; i++) out[at + 1 + i] = Number.isFinite(lpcCoeffs[i]) ? lpcCoeffs[i] : 0;
  return 1 + LPC_ORDER;
}

// ---------------------------------------------------------------- Means

/** The Means outputs ComParE enables, in openSMILE's output order (amean … nnz, flatness, posamean, …, rqmean). */
export type MeansName = 'amean' | 'nnz' | 'flatness' | 'posamean' | 'rqmean';
const MEANS_ORDER: readonly MeansName[] = ['amean', 'nnz', 'flatness', 'posamean', 'rqmean'];

/** The selected means in openSMILE's order. */
export function meansNames(selected: readonly MeansName[]): MeansName[] {
  return MEANS_ORDER.filter((m) => selected.includes(m));
}

/**
 * Arithmetic mean; nnz = fraction of non-zero frames; flatness = geometric mean of |x| over non-zero frames divided
 * by the mean of |x| over all frames (1 when that is 0); posamean = mean of the positive values; rqmean = root mean square.
 */
export function means(c: Contour, selected: readonly MeansName[], out: Float64Array, at: number): number {
  const { x, n, mean } = c;
  let absSum = 0;
  let sq = 0;
  let logSum = 0;
  let nnz = 0;
  let pos = 0;
  let nPos = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    const a = Math.abs(v);
    absSum += a;
    if (v !== 0) {
      sq += v * v;
      logSum += Math.log(a);
      nnz++;
      if (v > 0) {
        pos += v;
        nPos++;
      }
    }
  }
  const absMean = absSum / n;
  const gmean = nnz > 0 ? Math.exp(logSum / nnz) : 0;
  let k = at;
  for (const m of MEANS_ORDER) {
    if (!selected.includes(m)) continue;
    if (m === 'amean') out[k++] = mean;
    else if (m === 'nnz') out[k++] = nnz / n;
    else if (m === 'flatness') out[k++] = absMean !== 0 ? gmean / absMean : 1;
    else if (m === 'posamean') out[k++] = nPos > 0 ? pos / nPos : 0;
    else out[k++] = Math.sqrt(sq / n);
  }
  return k - at;
}

// ---------------------------------------------------------------- Regression

export const REGRESSION_NAMES = ['linregc1', 'linregc2', 'linregerrQ', 'qregc1', 'qregc2', 'qregc3', 'qregerrQ', 'centroid'] as const;

/**
 * Linear and quadratic least-squares fits over the frame index i = 0..n-1, with inputs normalised to the range
 * (normInputs = 1): slope, offset, mean squared error, quadratic a, b, c and its error, and the centroid of |x| over
 * time (relative to n). perSecond (normRegCoeff = 2) expresses slopes per second instead of per frame. Slopes pass
 * openSMILE's ratio limit at a tenth of the range; non-finite results become 0 (as openSMILE's security checks do).
 */
export function regression(c: Contour, perSecond: boolean, out: Float64Array, at: number): number {
  const { x, n, min, max, mean } = c;
  let range = max - min;
  let rangeInv: number;
  if (range <= 0) {
    range = 1;
    rangeInv = 0;
  } else rangeInv = 1 / range;
  let num = 0;
  let num2 = 0;
  let numAbs = 0;
  let asumAbs = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    const a = Math.abs(v);
    asumAbs += a;
    numAbs += a * i;
    num += v * i;
    num2 += v * i * i;
  }
  const asum = mean * n;
  let centroid = asumAbs !== 0 ? numAbs / asumAbs : 0;
  centroid = ratioLimit(centroid, n, n) / n;

  let m = 0;
  let t = 0;
  let a = 0;
  let b = 0;
  let cc = 0;
  if (n > 1) {
    const nn1 = n * (n - 1);
    const s1 = nn1 / 2;
    const s2 = (nn1 * (2 * n - 1)) / 6;
    const s1ds2 = s1 / s2;
    const den = n - s1 * s1ds2;
    t = den === 0 ? 0 : (asum - num * s1ds2) / den;
    m = (num - t * s1) / s2;
    const s3 = s1 * s1;
    const n1 = n - 1;
    const s4 = (s2 * (3 * (n1 * n1 + n1) - 1)) / 5;
    const det = s4 * s2 * n + 2 * s3 * s1 * s2 - s2 * s2 * s2 - s3 * s3 * n - s3 * s4;
    if (det !== 0) {
      a = ((s2 * n - s3) * num2 + (s1 * s2 - s3 * n) * num + (s3 * s1 - s2 * s2) * asum) / det;
      b = ((s1 * s2 - s3 * n) * num2 + (s4 * n - s2 * s2) * num + (s3 * s2 - s4 * s1) * asum) / det;
      cc = ((s3 * s1 - s2 * s2) * num2 + (s3 * s2 - s4 * s1) * num + (s4 * s2 - s3 * s3) * asum) / det;
    }
  } else {
    t = x[0];
    cc = x[0];
  }
  let leq = 0;
  let qeq = 0;
  for (let i = 0; i < n; i++) {
    const el = (x[i] - (m * i + t)) * rangeInv;
    leq += el * el;
    const eq = (x[i] - (a * i * i + b * i + cc)) * rangeInv;
    qeq += eq * eq;
  }
  m = ratioLimit(m, range / 10, range / 10 + 0.01);
  a = ratioLimit(a, Math.sqrt(range / 10), Math.sqrt(range / 10) + 0.01);
  b = ratioLimit(b, range / 10, range / 10 + 0.01);
  if (perSecond) {
    const perSec = 1 / c.period;
    m *= perSec;
    a *= perSec * perSec;
    b *= perSec;
  }
  m *= rangeInv;
  t = (t - min) * rangeInv;
  a *= rangeInv;
  b *= rangeInv;
  cc = (cc - min) * rangeInv;
  const fin = (v: number) => (Number.isFinite(v) ? v : 0);
  out[at] = fin(m);
  out[at + 1] = fin(t);
  out[at + 2] = fin(leq / n);
  out[at + 3] = fin(a);
  out[at + 4] = fin(b);
  out[at + 5] = fin(cc);
  out[at + 6] = fin(qeq / n);
  out[at + 7] = fin(centroid);
  return 8;
}

// ---------------------------------------------------------------- Peaks2 (relThresh 0.1, norm = seconds)

export const PEAKS_NAMES = [
  'meanPeakDist',
  'peakDistStddev',
  'peakRangeAbs',
  'peakRangeRel',
  'peakMeanAbs',
  'peakMeanMeanDist',
  'peakMeanRel',
  'minRangeRel',
  'meanRisingSlope',
  'stddevRisingSlope',
  'meanFallingSlope',
  'stddevFallingSlope',
] as const;

/** A doubly linked list of local extrema over index arrays (openSMILE prunes its list while walking it). */
class ExtremaList {
  type: Int8Array;
  pos: Int32Array;
  y: Float64Array;
  next: Int32Array;
  prev: Int32Array;
  size = 0;
  first = -1;
  last = -1;
  constructor(capacity: number) {
    this.type = new Int8Array(capacity);
    this.pos = new Int32Array(capacity);
    this.y = new Float64Array(capacity);
    this.next = new Int32Array(capacity);
    this.prev = new Int32Array(capacity);
  }
  /** Empties the list, growing it to hold `capacity` extrema. */
  reset(capacity: number): this {
    if (this.type.length < capacity) {
      this.type = new Int8Array(capacity);
      this.pos = new Int32Array(capacity);
      this.y = new Float64Array(capacity);
      this.next = new Int32Array(capacity);
      this.prev = new Int32Array(capacity);
    }
    this.size = 0;
    this.first = -1;
    this.last = -1;
    return this;
  }
  /** Links the first `size` entries in index order (after writing type, y and pos directly). */
  linkInOrder(size: number): void {
    this.size = size;
    this.first = size > 0 ? 0 : -1;
    this.last = size - 1;
    for (let k = 0; k < size; k++) {
      this.next[k] = k + 1 < size ? k + 1 : -1;
      this.prev[k] = k - 1;
    }
  }
  remove(k: number): void {
    const p = this.prev[k];
    const nx = this.next[k];
    if (p >= 0) this.next[p] = nx;
    else this.first = nx;
    if (nx >= 0) this.prev[nx] = p;
    else this.last = p;
  }
}

// One list reused by every call: an utterance runs peaks() on 118 contours.
const extremaList = new ExtremaList(0);

/** Unity ratio limit (doRatioLimit = 1): clip to [-1, 1]. */
const unity = (v: number) => (v > 1 ? 1 : v < -1 ? -1 : v);

/**
 * openSMILE's cFunctionalPeaks2: local maxima/minima (strict, frames 2..n-3), pruned so neighbouring extrema differ by
 * at least 10 % of the contour range and maxima and minima alternate; then peak distances (s), peak amplitude range
 * (absolute and over the contour range), the mean of the peaks (absolute, minus the contour mean, over the contour
 * mean with the ratio limit), the range of the minima over the contour range, and rising/falling slopes (per second)
 * between consecutive extrema. Two openSMILE details are kept for comparability: the peak-distance spread is
 * measured from the preceding minimum, not the preceding peak, and a mean peak distance averages only when there are
 * at least two distances.
 */
export function peaks(c: Contour, out: Float64Array, at: number): number {
  const { x, n, min, max, mean } = c;
  const T = c.period;
  const range = max - min;
  const absThresh = 0.1 * range;
  const below = (diff: number) => diff < absThresh;
  const list = extremaList.reset(n);
  {
    // Every frame is written to the next free slot, which only an extremum keeps: no branch on the comparisons,
    // which on a noisy contour go either way.
    const { type, y, pos } = list;
    let size = 0;
    for (let i = 2; i < n - 2; i++) {
      const v = x[i];
      const isMax = +(v > x[i - 1]) & +(v > x[i + 1]);
      const isMin = +(v < x[i - 1]) & +(v < x[i + 1]);
      type[size] = isMax;
      y[size] = v;
      pos[size] = i;
      size += isMax | isMin;
    }
    list.linkInOrder(size);
  }
  const { type, y, pos, next } = list;

  // step 2a: drop maxima that rise too little above the previous value and the last minimum
  let lastVal = x[0];
  let lastMin = x[0];
  let lastMax = x[0];
  let minFlag = false;
  let lastMaxPtr = -1;
  let lastMinPtr = -1;
  for (let k = list.first; k >= 0;) {
    const nk = next[k];
    if (type[k] === 1) {
      if (below(Math.abs(y[k] - lastVal))) {
        if (below(y[k] - lastMin)) list.remove(k);
        else {
          if (y[k] > lastMax * 1.05) {
            if (lastMaxPtr >= 0) list.remove(lastMaxPtr);
            lastMax = y[k];
            lastMaxPtr = k;
          } else if (minFlag) {
            lastMax = y[k];
            lastMaxPtr = k;
          } else list.remove(k);
          minFlag = false;
        }
      } else {
        minFlag = false;
        lastMax = y[k];
        lastMaxPtr = k;
      }
    } else if (!below(Math.abs(y[k] - lastVal))) {
      minFlag = true;
      lastMin = y[k];
    }
    lastVal = y[k];
    k = nk;
  }
  // step 2b: drop minima that lie too little below the last maximum
  lastMax = x[0];
  for (let k = list.first; k >= 0;) {
    const nk = next[k];
    if (type[k] === 0) {
      if (below(lastMax - y[k])) list.remove(k);
    } else lastMax = y[k];
    k = nk;
  }
  // step 3: of consecutive maxima keep the highest, of consecutive minima the lowest
  lastMax = x[0];
  lastMin = x[0];
  minFlag = false;
  let init = true;
  for (let k = list.first; k >= 0;) {
    const nk = next[k];
    if (type[k] === 0) {
      if (!minFlag || init) {
        lastMin = y[k];
        lastMinPtr = k;
        minFlag = true;
        init = false;
      } else if (y[k] >= lastMin) list.remove(k);
      else if (lastMinPtr !== k) {
        list.remove(lastMinPtr);
        lastMinPtr = k;
        lastMin = y[k];
      }
    } else if (minFlag || init) {
      lastMax = y[k];
      lastMaxPtr = k;
      minFlag = false;
      init = false;
    } else if (y[k] <= lastMax) list.remove(k);
    else if (lastMaxPtr !== k) {
      list.remove(lastMaxPtr);
      lastMaxPtr = k;
      lastMax = y[k];
    }
    k = nk;
  }

  // statistics over the surviving extrema
  let peakMax = 0;
  let peakMin = 0;
  let peakDist = 0;
  let nPeakDist = 0;
  let peakMean = 0;
  let nPeaks = 0;
  let minMax = 0;
  let minMin = 0;
  let prevMax = -1;
  let prevMin = -1;
  for (let k = list.first; k >= 0; k = next[k]) {
    if (type[k] === 0) {
      if (prevMin < 0) {
        minMin = y[k];
        minMax = y[k];
      } else {
        if (minMin > y[k]) minMin = y[k];
        if (minMax < y[k]) minMax = y[k];
      }
      prevMin = k;
    } else {
      if (prevMax < 0) {
        peakMin = y[k];
        peakMax = y[k];
      } else {
        nPeakDist++;
        peakDist += pos[k] - pos[prevMax];
        if (peakMin > y[k]) peakMin = y[k];
        if (peakMax < y[k]) peakMax = y[k];
      }
      peakMean += y[k];
      nPeaks++;
      prevMax = k;
    }
  }
  if (nPeaks > 1) {
    peakMean /= nPeaks;
    if (nPeakDist > 1) peakDist /= nPeakDist;
  }
  let peakStddevDist = 0;
  prevMax = -1;
  prevMin = -1;
  for (let k = list.first; k >= 0; k = next[k]) {
    if (type[k] === 0) prevMin = k;
    else {
      if (prevMax >= 0 && prevMin >= 0) {
        const d = pos[k] - pos[prevMin] - peakDist;
        peakStddevDist += d * d;
      }
      prevMax = k;
    }
  }
  if (nPeakDist > 1) peakStddevDist /= nPeakDist;
  peakStddevDist = peakStddevDist > 0 ? Math.sqrt(peakStddevDist) : 0;

  // slopes between consecutive extrema (and from the last one to the end of the contour), per second
  let meanRise = 0;
  let nRise = 0;
  let meanFall = 0;
  let nFall = 0;
  let lastIsMax = -1;
  let lMax = x[0];
  let lMaxPos = 0;
  let lMin = x[0];
  let lMinPos = 0;
  for (let k = list.first; k >= 0; k = next[k]) {
    if (type[k] === 0) {
      lMin = y[k];
      lMinPos = pos[k];
      if (lMinPos - lMaxPos > 0) {
        meanFall += (lMax - lMin) / ((lMinPos - lMaxPos) * T);
        nFall++;
        lastIsMax = 0;
      }
    } else {
      lMax = y[k];
      lMaxPos = pos[k];
      if (lMaxPos - lMinPos > 0) {
        meanRise += (lMax - lMin) / ((lMaxPos - lMinPos) * T);
        nRise++;
        lastIsMax = 1;
      }
    }
  }
  if (lastIsMax === 1) {
    if (n - 1 - lMaxPos > 0) {
      meanFall += (x[n - 1] - lMax) / ((n - 1 - lMaxPos) * T);
      nFall++;
    }
  } else if (lastIsMax === 0) {
    if (n - 1 - lMinPos > 0) {
      meanRise += (x[n - 1] - lMin) / ((n - 1 - lMinPos) * T);
      nRise++;
    }
  } else {
    const s = (x[n - 1] - x[0]) / n;
    if (s > 0) {
      meanRise = s;
      nRise = 1;
    } else if (s < 0) {
      meanFall = s;
      nFall = 1;
    }
  }
  if (nRise > 1) meanRise /= nRise;
  if (nFall > 1) meanFall /= nFall;
  let sdRise = 0;
  let sdFall = 0;
  lMax = x[0];
  lMaxPos = 0;
  lMin = x[0];
  lMinPos = 0;
  for (let k = list.first; k >= 0; k = next[k]) {
    if (type[k] === 0) {
      lMin = y[k];
      lMinPos = pos[k];
      if (lMinPos - lMaxPos > 0) {
        const s = (lMax - lMin) / ((lMinPos - lMaxPos) * T);
        sdFall += (s - meanFall) * (s - meanFall);
      }
    } else {
      lMax = y[k];
      lMaxPos = pos[k];
      if (lMaxPos - lMinPos !== 0) {
        const s = (lMax - lMin) / ((lMaxPos - lMinPos) * T);
        sdRise += (s - meanRise) * (s - meanRise);
      }
    }
  }
  if (nRise > 1) sdRise /= nRise;
  if (nFall > 1) sdFall /= nFall;
  sdRise = sdRise > 0 ? Math.sqrt(sdRise) : 0;
  sdFall = sdFall > 0 ? Math.sqrt(sdFall) : 0;

  out[at] = peakDist * T;
  out[at + 1] = peakStddevDist * T;
  out[at + 2] = peakMax - peakMin;
  out[at + 3] = range !== 0 ? unity(Math.abs((peakMax - peakMin) / range)) : peakMax - peakMin;
  out[at + 4] = peakMean;
  out[at + 5] = peakMean - mean;
  out[at + 6] = mean !== 0 ? ratioLimit(peakMean / mean, 10, 10) : 20;
  out[at + 7] = range !== 0 ? unity(Math.abs((minMax - minMin) / range)) : minMax - minMin;
  out[at + 8] = meanRise;
  out[at + 9] = sdRise;
  out[at + 10] = meanFall;
  out[at + 11] = sdFall;
  return 12;
}
