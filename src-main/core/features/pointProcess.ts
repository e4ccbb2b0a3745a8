// Glottal pulses and Praat's cycle-to-cycle perturbation measures, reimplemented from Praat 6.3.07:
// fon/Pitch_to_PointProcess.cpp (Sound_Pitch_to_PointProcess_cc), fon/PointProcess.cpp (window points,
// PointProcess_isPeriod, getMeanPeriod), fon/VoiceAnalysis.cpp (jitter local, rap, ddp; shimmer local) and
// fon/AmplitudeTier.cpp (PointProcess_Sound_to_AmplitudeTier_period, AmplitudeTier_getShimmer_local).
// Times are in seconds; sample k (0-based) of the sound sits at (k + 0.5) / rate, as in a Praat Sound read
// from a file. Quirks of Praat's code that change results are kept on purpose and marked "as Praat".
import { pitchAtTime, type PitchTrack } from './pitchAutocorrelation';

/** Praat's voice-report limits on what counts as a period (Praat manual: "Voice 2. Jitter"). */
export interface PeriodLimits {
  /** s, shortest period (0.0001) */
  periodFloor: number;
  /** s, longest period (0.02: 50 Hz) */
  periodCeiling: number;
  /** largest ratio of consecutive periods (1.3) */
  maxPeriodFactor: number;
  /** largest ratio of consecutive peak amplitudes, for shimmer (1.6) */
  maxAmplitudeFactor: number;
}

export const PRAAT_PERIOD_LIMITS: PeriodLimits = { periodFloor: 0.0001, periodCeiling: 0.02, maxPeriodFactor: 1.3, maxAmplitudeFactor: 1.6 };

/** The sound as Praat's Sampled sees it. */
interface Sound {
  z: ArrayLike<number>;
  dx: number;
  x1: number;
}

const lowIndex = (s: Sound, t: number): number => Math.floor((t - s.x1) / s.dx + 1); // 1-based, as Praat's
const highIndex = (s: Sound, t: number): number => Math.ceil((t - s.x1) / s.dx + 1);
const nearestIndex = (s: Sound, t: number): number => Math.floor((t - s.x1) / s.dx + 1 + 0.5);

/** The voiced stretch starting at or after `after` (Praat's Pitch_getVoicedIntervalAfter), or null. */
function voicedIntervalAfter(p: PitchTrack, after: number): { left: number; right: number } | null {
  const n = p.f0.length;
  let ileft = Math.ceil((after - p.x1) / p.dx + 1); // 1-based
  if (ileft > n) return null;
  if (ileft < 1) ileft = 1;
  while (ileft <= n && !(p.f0[ileft - 1] > 0)) ileft++;
  if (ileft > n) return null;
  let iright = ileft;
  while (iright <= n && p.f0[iright - 1] > 0) iright++;
  iright--;
  // The whole frame counts as voiced.
  let left = p.x1 + (ileft - 1) * p.dx - 0.5 * p.dx;
  let right = p.x1 + (iright - 1) * p.dx + 0.5 * p.dx;
  if (left >= p.xmax - 0.5 * p.dx) return null;
  if (left < p.xmin) left = p.xmin;
  if (right > p.xmax) right = p.xmax;
  if (right <= after) return null;
  return { left, right };
}

/** Time of the largest |sample| in [tmin, tmax], parabolically interpolated (Praat's Sound_findExtremum, maxima and minima). */
function findExtremum(s: Sound, tmin: number, tmax: number): number {
  const nx = s.z.length;
  const imin = Math.max(1, lowIndex(s, tmin));
  const imax = Math.min(highIndex(s, tmax), nx);
  const n = imax - imin + 1;
  const v = (i: number): number => s.z[imin - 1 + i - 1]; // i is 1-based within the stretch
  let iextremum: number;
  if (n <= 0) iextremum = 0;
  else if (n === 1) iextremum = 1;
  else if (n === 2) {
    const a = Math.abs(v(1));
    const b = Math.abs(v(2));
    iextremum = a > b ? 1 : a < b ? 2 : 1.5;
  } else {
    let imn = 1;
    let imx = 1;
    let minimum = v(1);
    let maximum = minimum;
    for (let i = 2; i <= n; i++) {
      const value = v(i);
      if (value < minimum) {
        minimum = value;
        imn = i;
      }
      if (value > maximum) {
        maximum = value;
        imx = i;
      }
    }
    if (minimum === maximum) iextremum = 0.5 * (n + 1);
    else {
      const iextr = Math.abs(minimum) > Math.abs(maximum) ? imn : imx;
      if (iextr === 1) iextremum = 1;
      else if (iextr === n) iextremum = n;
      else {
        const mid = v(iextr);
        const l = v(iextr - 1);
        const r = v(iextr + 1);
        iextremum = iextr + (0.5 * (r - l)) / (2 * mid - l - r);
      }
    }
  }
  return iextremum !== 0 ? s.x1 + (imin - 1 + iextremum - 1) * s.dx : 0.5 * (tmin + tmax);
}

/** Scratch for stretchProducts, grown as needed (one findMaximumCorrelation at a time). */
let productScratch = new Float64Array(256);

/**
 * Σ z[i1 - 1] z[i1 + shift - 1] over the pairs inside the sound (i1 in [max(ileft1, 1, 1 - shift), min(iright1, nx,
 * nx - shift)], 1-based) for shift = ileft2 - ileft1, ileft2 = ileft2min .. ileft2max, as findMaximumCorrelation's
 * products. Where four consecutive lags share the range (everywhere but at the sound's edges) they are summed in one
 * loop: four independent sums, each over i1 in order as alone, so the same numbers at a fraction of the time (one
 * sum is bound by the latency of its additions).
 */
function stretchProducts(z: ArrayLike<number>, ileft1: number, iright1: number, ileft2min: number, ileft2max: number): Float64Array {
  const nx = z.length;
  const lags = ileft2max - ileft2min + 1;
  if (productScratch.length < lags) productScratch = new Float64Array(2 * lags);
  const products = productScratch;
  const innerFrom = Math.max(ileft1, 1);
  const innerTo = Math.min(iright1, nx);
  let k = 0;
  for (; k + 3 < lags; k += 4) {
    const shift = ileft2min + k - ileft1;
    // the range of shifts shift .. shift + 3 is clipped by neither edge of the sound
    if (1 - shift > innerFrom || nx - shift - 3 < innerTo) {
      for (let j = 0; j < 4; j++) products[k + j] = stretchProduct(z, ileft1, iright1, shift + j);
      continue;
    }
    let p0 = 0;
    let p1 = 0;
    let p2 = 0;
    let p3 = 0;
    for (let i1 = innerFrom; i1 <= innerTo; i1++) {
      const a = z[i1 - 1];
      const b = i1 + shift - 1;
      p0 += a * z[b];
      p1 += a * z[b + 1];
      p2 += a * z[b + 2];
      p3 += a * z[b + 3];
    }
    products[k] = p0;
    products[k + 1] = p1;
    products[k + 2] = p2;
    products[k + 3] = p3;
  }
  for (; k < lags; k++) products[k] = stretchProduct(z, ileft1, iright1, ileft2min + k - ileft1);
  return products;
}

/** One lag's Σ z[i1 - 1] z[i1 + shift - 1] over the pairs inside the sound. */
function stretchProduct(z: ArrayLike<number>, ileft1: number, iright1: number, shift: number): number {
  const nx = z.length;
  const from = Math.max(ileft1, 1, 1 - shift);
  const to = Math.min(iright1, nx, nx - shift);
  let product = 0;
  for (let i1 = from; i1 <= to; i1++) product += z[i1 - 1] * z[i1 + shift - 1];
  return product;
}

/**
 * Best match of the period-long stretch around t1 within lags that put its centre in [tmin2, tmax2]
 * (Praat's Sound_findMaximumCorrelation). Returns the correlation (-1 when none), the matched time and the
 * stretch's absolute peak.
 */
function findMaximumCorrelation(s: Sound, t1: number, windowLength: number, tmin2: number, tmax2: number): { r: number; t: number; peak: number } {
  const nx = s.z.length;
  const z = s.z;
  let maximumCorrelation = -1;
  let r1Best = Number.NaN;
  let r3Best = Number.NaN;
  let ir = Number.NaN;
  let r1 = 0;
  let r2 = 0;
  let r3 = 0;
  let peak = 0;
  const half = 0.5 * windowLength;
  const ileft1 = nearestIndex(s, t1 - half);
  const iright1 = nearestIndex(s, t1 + half);
  const ileft2min = lowIndex(s, tmin2 - half);
  const ileft2max = highIndex(s, tmax2 - half);
  // The stretches' energies: the first one's changes only where the sound's edge clips the pairs, the second
  // one's slides by a sample per lag (one sample leaves, one enters) unless clipping changes the range.
  let norm1 = 0;
  let norm2 = 0;
  let rangeFrom = 0;
  let rangeTo = -1;
  const products = stretchProducts(z, ileft1, iright1, ileft2min, ileft2max);
  for (let ileft2 = ileft2min; ileft2 <= ileft2max; ileft2++) {
    // Only pairs with both samples inside the sound count (1-based indices, as Praat's).
    const shift = ileft2 - ileft1;
    const from = Math.max(ileft1, 1, 1 - shift);
    const to = Math.min(iright1, nx, nx - shift);
    if (from !== rangeFrom || to !== rangeTo || ileft2 === ileft2min) {
      norm1 = 0;
      norm2 = 0;
      for (let i1 = from; i1 <= to; i1++) {
        norm1 += z[i1 - 1] * z[i1 - 1];
        norm2 += z[i1 + shift - 1] * z[i1 + shift - 1];
      }
      rangeFrom = from;
      rangeTo = to;
    } else if (to >= from) {
      const leaving = z[from + shift - 2];
      const entering = z[to + shift - 1];
      norm2 += entering * entering - leaving * leaving;
      if (norm2 <= 0) {
        // Round-off after near-silence: start the sum afresh rather than take the root of a negative number.
        norm2 = 0;
        for (let i1 = from; i1 <= to; i1++) norm2 += z[i1 + shift - 1] * z[i1 + shift - 1];
      }
    }
    const product = products[ileft2 - ileft2min];
    r1 = r2;
    r2 = r3;
    r3 = product !== 0 ? product / Math.sqrt(norm1 * norm2) : 0;
    if (r2 > maximumCorrelation && r2 >= r1 && r2 >= r3) {
      r1Best = r1;
      maximumCorrelation = r2;
      r3Best = r3;
      ir = ileft2 - 1;
      // As Praat: the absolute peak of the stretch one lag further than the maximum (this iteration's).
      peak = 0;
      for (let i1 = from; i1 <= to; i1++) peak = Math.max(peak, Math.abs(z[i1 + shift - 1]));
    }
  }
  let t = Number.NaN;
  if (maximumCorrelation > -1) {
    const d2r = 2 * maximumCorrelation - r1Best - r3Best;
    if (d2r !== 0) {
      const dr = 0.5 * (r3Best - r1Best);
      maximumCorrelation += (0.5 * dr * dr) / d2r;
      ir += dr / d2r;
    }
    t = t1 + (ir - ileft1) * s.dx;
  }
  return { r: maximumCorrelation, t, peak };
}

/** Sorted insertion as Praat's PointProcess_addPoint (an equal time is skipped unless it would be last). */
function addPoint(points: number[], t: number): void {
  const n = points.length;
  if (n === 0 || t >= points[n - 1]) {
    points.push(t);
    return;
  }
  // Largest index with points[i] <= t (Praat's getLowIndex), -1 when t is before the first point.
  let lo = -1;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (points[mid] <= t) lo = mid;
    else hi = mid - 1;
  }
  if (lo === -1 || points[lo] !== t) points.splice(lo + 1, 0, t);
}

/**
 * Glottal pulse times (s) by waveform cross-correlation within the voiced stretches of `pitch`
 * (Praat's "Sound & Pitch: To PointProcess (cc)"): from an extremum near each stretch's middle, step one
 * local period back and forth to the best-correlating position.
 */
export function glottalPulses(x: ArrayLike<number>, sampleRate: number, pitch: PitchTrack): Float64Array {
  const s: Sound = { z: x, dx: 1 / sampleRate, x1: 0.5 / sampleRate };
  const points: number[] = [];
  let globalPeak = 0;
  for (let i = 0; i < x.length; i++) globalPeak = Math.max(globalPeak, Math.abs(x[i]));
  let t = pitch.xmin;
  let addedRight = -1e308;
  for (;;) {
    const interval = voicedIntervalAfter(pitch, t);
    if (!interval) break;
    const { left: tleft, right: tright } = interval;
    const tmiddle = 0.5 * (tleft + tright);
    const f0middle = pitchAtTime(pitch, tmiddle);
    if (!(f0middle > 0)) break; // cannot happen for a voiced stretch (Praat aborts here)
    let tmax = findExtremum(s, tmiddle - 0.5 / f0middle, tmiddle + 0.5 / f0middle);
    addPoint(points, tmax);
    const tsave = tmax;
    for (;;) {
      const f0 = pitchAtTime(pitch, tmax);
      if (!(f0 > 0)) break;
      const m = findMaximumCorrelation(s, tmax, 1 / f0, tmax - 1.25 / f0, tmax - 0.8 / f0);
      // No correlation at all: this one period drops out.
      tmax = m.r === -1 ? tmax - 1 / f0 : m.t;
      if (tmax < tleft) {
        if (m.r > 0.7 && m.peak > 0.023333 * globalPeak && tmax - addedRight > 0.8 / f0) addPoint(points, tmax);
        break;
      }
      if (m.r > 0.3 && (m.peak === 0 || m.peak > 0.01 * globalPeak) && tmax - addedRight > 0.8 / f0) addPoint(points, tmax);
    }
    tmax = tsave;
    for (;;) {
      const f0 = pitchAtTime(pitch, tmax);
      if (!(f0 > 0)) break;
      const m = findMaximumCorrelation(s, tmax, 1 / f0, tmax + 0.8 / f0, tmax + 1.25 / f0);
      tmax = m.r === -1 ? tmax + 1 / f0 : m.t;
      if (tmax > tright) {
        if (m.r > 0.7 && m.peak > 0.023333 * globalPeak) {
          addPoint(points, tmax);
          addedRight = tmax;
        }
        break;
      }
      if (m.r > 0.3 && (m.peak === 0 || m.peak > 0.01 * globalPeak)) {
        addPoint(points, tmax);
        addedRight = tmax;
      }
    }
    t = tright;
  }
  return Float64Array.from(points);
}

/** 0-based index range [first, last] of the points inside [tmin, tmax] (Praat's getWindowPoints); empty when last < first. */
export function windowPoints(t: ArrayLike<number>, tmin: number, tmax: number): { first: number; last: number } {
  // first point >= tmin, last point <= tmax
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid] < tmin) lo = mid + 1;
    else hi = mid;
  }
  const first = lo;
  lo = 0;
  hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid] <= tmax) lo = mid + 1;
    else hi = mid;
  }
  return { first, last: lo - 1 };
}

/** Is t[i]..t[i+1] a period? (Praat's PointProcess_isPeriod: within the limits, and not off by more than the factor from both neighbours.) */
function isPeriod(t: ArrayLike<number>, i: number, lim: PeriodLimits): boolean {
  const n = t.length;
  if (i < 0 || i + 1 >= n) return false;
  if (lim.periodFloor === lim.periodCeiling) return true;
  const interval = t[i + 1] - t[i];
  if (interval <= 0 || interval < lim.periodFloor || interval > lim.periodCeiling) return false;
  if (!(lim.maxPeriodFactor >= 1)) return true;
  const previous = i <= 0 ? Number.NaN : t[i] - t[i - 1];
  const next = i + 2 >= n ? Number.NaN : t[i + 2] - t[i + 1];
  let previousFactor = previous > 0 ? interval / previous : Number.NaN;
  let nextFactor = next > 0 ? interval / next : Number.NaN;
  if (Number.isNaN(previousFactor) && Number.isNaN(nextFactor)) return true;
  if (previousFactor > 0 && previousFactor < 1) previousFactor = 1 / previousFactor;
  if (nextFactor > 0 && nextFactor < 1) nextFactor = 1 / nextFactor;
  return !(previousFactor > lim.maxPeriodFactor && nextFactor > lim.maxPeriodFactor);
}

/** s, mean of the periods in [tmin, tmax] (Praat's PointProcess_getMeanPeriod); NaN when none. */
export function meanPeriod(t: ArrayLike<number>, tmin: number, tmax: number, lim: PeriodLimits): number {
  const { first, last } = windowPoints(t, tmin, tmax);
  let count = 0;
  let sum = 0;
  for (let i = first; i < last; i++) {
    if (isPeriod(t, i, lim)) {
      count++;
      sum += t[i + 1] - t[i];
    }
  }
  return count > 0 ? sum / count : Number.NaN;
}

/** Is the pair of consecutive periods p1, p2 usable (both within the limits, ratio at most the factor)? */
function periodPair(p1: number, p2: number, lim: PeriodLimits): boolean {
  if (lim.periodFloor === lim.periodCeiling) return true;
  const factor = p1 > p2 ? p1 / p2 : p2 / p1;
  return p1 >= lim.periodFloor && p1 <= lim.periodCeiling && p2 >= lim.periodFloor && p2 <= lim.periodCeiling && factor <= lim.maxPeriodFactor;
}

/** Jitter (local): mean |difference of consecutive periods| / mean period, over [tmin, tmax]; NaN with fewer than 2 usable periods. */
export function jitterLocal(t: ArrayLike<number>, tmin: number, tmax: number, lim: PeriodLimits): number {
  const { first, last } = windowPoints(t, tmin, tmax);
  let periods = last - first;
  if (periods < 2) return Number.NaN;
  let sum = 0;
  for (let i = first + 1; i < last; i++) {
    const p1 = t[i] - t[i - 1];
    const p2 = t[i + 1] - t[i];
    if (periodPair(p1, p2, lim)) sum += Math.abs(p1 - p2);
    else periods--;
  }
  if (periods < 2) return Number.NaN;
  return sum / (periods - 1) / meanPeriod(t, tmin, tmax, lim);
}

/** Jitter (rap): mean |period - mean of it and its two neighbours| / mean period; NaN with fewer than 3 usable periods. */
export function jitterRap(t: ArrayLike<number>, tmin: number, tmax: number, lim: PeriodLimits): number {
  const { first, last } = windowPoints(t, tmin, tmax);
  let periods = last - first;
  if (periods < 3) return Number.NaN;
  let sum = 0;
  for (let i = first + 2; i < last; i++) {
    const p1 = t[i - 1] - t[i - 2];
    const p2 = t[i] - t[i - 1];
    const p3 = t[i + 1] - t[i];
    if (periodPair(p1, p2, lim) && periodPair(p2, p3, lim)) sum += Math.abs(p2 - (p1 + p2 + p3) / 3);
    else periods--;
  }
  if (periods < 3) return Number.NaN;
  return sum / (periods - 2) / meanPeriod(t, tmin, tmax, lim);
}

/** Jitter (ddp): mean |difference of consecutive period differences| / mean period = 3 x rap, as Praat defines it. */
export function jitterDdp(t: ArrayLike<number>, tmin: number, tmax: number, lim: PeriodLimits): number {
  return 3 * jitterRap(t, tmin, tmax, lim);
}

/**
 * Peak amplitude of every pulse that sits between two usable periods (Praat's
 * PointProcess_Sound_to_AmplitudeTier_period): the RMS of the sound under a Hann window reaching 0.2 of
 * the period to either side, divided by the window's RMS. NaN where the pulse does not qualify.
 */
export function pulseAmplitudes(t: ArrayLike<number>, x: ArrayLike<number>, sampleRate: number, lim: PeriodLimits): Float64Array {
  const n = t.length;
  const amp = new Float64Array(n).fill(Number.NaN);
  const dx = 1 / sampleRate;
  const x1 = 0.5 * dx;
  for (let i = 1; i < n - 1; i++) {
    const p1 = t[i] - t[i - 1];
    const p2 = t[i + 1] - t[i];
    if (!periodPair(p1, p2, lim)) continue;
    const widthLeft = 0.2 * p1;
    const widthRight = 0.2 * p2;
    // Praat's Sampled_getWindowSamples: sample centres inside [tmid - widthLeft, tmid + widthRight].
    const imin = Math.max(1, 1 + Math.ceil((t[i] - widthLeft - x1) / dx));
    const imax = Math.min(x.length, 1 + Math.floor((t[i] + widthRight - x1) / dx));
    if (imax - imin + 1 < 3) continue;
    let sumOfSquares = 0;
    let windowSumOfSquares = 0;
    for (let k = imin; k <= imax; k++) {
      const tk = x1 + (k - 1) * dx;
      const width = tk < t[i] ? widthLeft : widthRight;
      const w = 0.5 + 0.5 * Math.cos((Math.PI * (tk - t[i])) / width);
      const v = x[k - 1] * w;
      sumOfSquares += v * v;
      windowSumOfSquares += w * w;
    }
    const peak = Math.sqrt(sumOfSquares / windowSumOfSquares);
    if (peak > 0) amp[i] = peak;
  }
  return amp;
}

/**
 * Shimmer (local) over [tmin, tmax]: mean |difference of consecutive peak amplitudes| / mean amplitude,
 * from {@link pulseAmplitudes}; NaN with fewer than 3 pulses in the range or no usable pair.
 */
export function shimmerLocal(t: ArrayLike<number>, amplitudes: Float64Array, tmin: number, tmax: number, lim: PeriodLimits): number {
  const { first, last } = windowPoints(t, tmin, tmax);
  if (last - first + 1 < 3) return Number.NaN;
  // The amplitude tier: qualifying pulses strictly inside the range's first and last point.
  let count = 0;
  let previousTime = Number.NaN;
  let previousAmp = Number.NaN;
  let numerator = 0;
  let pairs = 0;
  let denominator = 0;
  for (let i = first + 1; i < last; i++) {
    const a = amplitudes[i];
    if (!(a > 0)) continue;
    if (count > 0) {
      const p = t[i] - previousTime;
      if (lim.periodFloor === lim.periodCeiling || (p >= lim.periodFloor && p <= lim.periodCeiling)) {
        const factor = previousAmp > a ? previousAmp / a : a / previousAmp;
        if (factor <= lim.maxAmplitudeFactor) {
          numerator += Math.abs(previousAmp - a);
          pairs++;
        }
      }
      denominator += previousAmp; // as Praat: the mean leaves out the last point
    }
    previousTime = t[i];
    previousAmp = a;
    count++;
  }
  if (pairs < 1) return Number.NaN;
  const mean = denominator / (count - 1);
  return mean === 0 ? Number.NaN : numerator / pairs / mean;
}
