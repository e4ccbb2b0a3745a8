// The ComParE 2016 feature set (6,373 functionals of 65 LLDs and their deltas), reimplemented from openSMILE's
// config/compare16 definitions. See docs/compare-features.md for every deviation from openSMILE.
import { voiceQualityTracks } from '../voiceQuality';
import { deltaRegression, deltaRegressionInSegments } from './contours';
import {
  describeContour,
  extremes,
  lpc,
  means,
  moments,
  peaks,
  percentiles,
  regression,
  segmentsNonZero,
  segmentsRelThreshold,
  times,
  type Contour,
} from './functionals';
import { compareLlds, type CompareLlds, type VoiceTrackSource } from './llds';
import { compareFeatureNames, FUNCTIONALS_AB, FUNCTIONALS_DELTA, FUNCTIONALS_F0, FUNCTIONALS_LLD, FUNCTIONALS_NZ } from './names';

export { compareFeatureNames } from './names';

/** Number of ComParE 2016 dimensions. */
export const COMPARE_DIMENSIONS = 6373;

/** One Contour record and sort buffer reused for every contour of an utterance. */
function contourReader(frames: number, period: number): (x: Float64Array, sort: boolean) => Contour {
  const c: Contour = { x: new Float64Array(0), n: 0, min: 0, max: 0, mean: 0, sorted: new Float64Array(frames), period };
  return (x, sort) => {
    c.x = x;
    c.n = x.length;
    if (c.sorted.length < x.length) c.sorted = new Float64Array(x.length);
    describeContour(c, sort);
    return c;
  };
}

/** The non-zero values of x, in order (what x.filter(v => v !== 0) gives, without its boxed intermediate list). */
function nonZero(x: Float64Array): Float64Array {
  let count = 0;
  for (let i = 0; i < x.length; i++) count += +(x[i] !== 0);
  const out = new Float64Array(count);
  let j = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) out[j++] = x[i];
  return out;
}

/** Group A/B functionals (range … lpc4) of one contour into out[at ..]. */
function functionalsAB(c: Contour, out: Float64Array, at: number): number {
  let k = at;
  k += extremes(c, out, k);
  k += percentiles(c, out, k);
  k += moments(c, out, k);
  k += segmentsRelThreshold(c, out, k);
  k += times(c, out, k);
  k += lpc(c, out, k);
  return k - at;
}

/** Group Nz functionals over the non-zero frames of the contour (all 0 when there are none, as in openSMILE). */
function functionalsNz(c: Contour, out: Float64Array, at: number): number {
  let k = at;
  if (c.n === 0) return FUNCTIONALS_NZ.length;
  k += means(c, ['amean', 'flatness', 'posamean', 'rqmean'], out, k);
  k += extremes(c, out, k);
  k += regression(c, false, out, k);
  k += percentiles(c, out, k);
  k += moments(c, out, k);
  k += times(c, out, k);
  k += lpc(c, out, k);
  return k - at;
}

/** The functionals vector of a set of LLD contours. */
export function compareFunctionals(llds: CompareLlds): Float64Array {
  const { period } = llds;
  const out = new Float64Array(COMPARE_DIMENSIONS);
  let k = 0;
  const contour = contourReader(Math.max(llds.a[0].length, llds.b[0].length), period);
  // openSMILE stores every level as float32: contours and deltas are rounded to float32 as they are stored, so that
  // ties (flat stretches, exact zeros) and threshold decisions fall the same way.
  const f32 = (v: Float64Array) => {
    const o = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) o[i] = Math.fround(v[i]);
    return o;
  };
  const a = llds.a.map(f32);
  const b = llds.b.map(f32);
  const nz = llds.nz.map(f32);
  const aDelta = a.map((v) => f32(deltaRegression(v)));
  const bDelta = b.map((v) => f32(deltaRegression(v)));
  const nzDelta = nz.map((v) => f32(deltaRegressionInSegments(v)));
  const ab = (tracks: Float64Array[]) => {
    for (const x of tracks) {
      const w = functionalsAB(contour(x, true), out, k);
      if (w !== FUNCTIONALS_AB.length) throw new Error(`internal: ${w} A/B functionals, expected ${FUNCTIONALS_AB.length}`);
      k += w;
    }
  };
  // Frame counts as openSMILE's readers see them: a delta level ends 2 frames early (the regression looks 2 frames
  // ahead and is not padded at the end of input), and a functionals component reading several levels stops at the
  // shortest. So contour+delta groups (A, B, Nz) and the Delta group lose the last 2 frames, functionalsLLD (A beside
  // B) sees B only up to A's count, and F0 (contour only) sees every frame. At least one frame is kept.
  const nA = a[0].length;
  const nB = b[0].length;
  const nNz = nz[0].length;
  const first = (n: number) => (v: Float64Array) => v.subarray(0, Math.max(1, Math.min(n, v.length)));
  ab([...a, ...aDelta].map(first(nA - 2)));
  ab([...b, ...bDelta].map(first(nB - 2)));
  for (const x of [...nz, ...nzDelta].map(first(nNz - 2))) {
    k += functionalsNz(contour(nonZero(x), true), out, k);
  }
  {
    const c = contour(nz[0], false);
    k += means(c, ['nnz'], out, k);
    k += segmentsNonZero(c, out, k);
    if (FUNCTIONALS_F0.length !== 5) throw new Error('internal: F0 functionals');
  }
  for (const x of [...a, ...b].map(first(nA))) {
    const c = contour(x, false);
    k += means(c, ['amean', 'flatness', 'rqmean'], out, k);
    k += peaks(c, out, k);
    k += regression(c, true, out, k);
  }
  for (const x of [...aDelta, ...bDelta].map(first(nA - 2))) {
    const c = contour(x, false);
    k += means(c, ['flatness', 'posamean', 'rqmean'], out, k);
    k += peaks(c, out, k);
  }
  if (k !== COMPARE_DIMENSIONS) throw new Error(`internal: ${k} ComParE values, expected ${COMPARE_DIMENSIONS}`);
  if (FUNCTIONALS_LLD.length + FUNCTIONALS_DELTA.length !== 38) throw new Error('internal: LLD/delta functionals');
  // A float that overflowed somewhere (e.g. a regression on an extreme contour) must not reach a classifier.
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i])) out[i] = 0;
  return out;
}

/**
 * The ComParE 2016 functionals of mono samples (any rate; ComParE is defined at 16 kHz and above), with their
 * openSMILE names. `voice` replaces the voice-quality extractor (tests).
 */
export function compareFeatures(
  x: Float32Array,
  sampleRate: number,
  voice: VoiceTrackSource = voiceQualityTracks,
): { values: Float64Array; names: string[] } {
  const values = compareFunctionals(compareLlds(x, sampleRate, voice));
  return { values, names: compareFeatureNames() };
}
