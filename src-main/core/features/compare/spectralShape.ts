// ComParE's cSpectral descriptors of the 20 ms Hamming FFT magnitude spectrum (squareInput = 1: power spectrum),
// over bins 1 .. nFft/2 (DC excluded, Nyquist included, as openSMILE's default full range).

/** The descriptors in ComParE's output order, with openSMILE's name suffixes. */
export const SPECTRAL_SHAPE_NAMES = [
  'fband250-650',
  'fband1000-4000',
  'spectralRollOff25.0',
  'spectralRollOff50.0',
  'spectralRollOff75.0',
  'spectralRollOff90.0',
  'spectralFlux',
  'spectralCentroid',
  'spectralEntropy',
  'spectralVariance',
  'spectralSkewness',
  'spectralKurtosis',
  'spectralSlope',
  'psySharpness',
  'spectralHarmonicity',
] as const;

const ROLL_OFFS = [0.25, 0.5, 0.75, 0.9] as const;
const ENTROPY_FLOOR = 0.0000001;
/** The entropy sum's term for a floored bin (a third of the bins of a speech file's spectra), computed once. */
const ENTROPY_FLOOR_TERM = ENTROPY_FLOOR * Math.log2(ENTROPY_FLOOR);

/** The harmonicity's extrema of one spectrum (spectralShapeFrame), reused frame after frame. */
let extremaScratch = new Float64Array(0);

/** Bark (Traunmüller 1990, with his low/high corrections), openSMILE's SPECTSCALE_BARK; 0 for f <= 0. */
export function hzToBark(f: number): number {
  if (f <= 0) return 0;
  const z = 26.81 / (1 + 1960 / f) - 0.53;
  if (z < 2) return 0.85 * z + 0.3;
  if (z > 20.1) return 1.22 * z - 0.22 * 20.1;
  return z;
}

/** Zwicker's sharpness weight g(z): 1 up to 16 Bark, then ((z - 16) / 4)^log2(3) + 1. */
export function sharpnessWeight(z: number): number {
  return z <= 16 ? 1 : Math.pow((z - 16) / 4, 1.5849625) + 1;
}

/** A band [lo, hi] Hz as openSMILE integrates it: partial weights on its first and last FFT bin. */
interface BandRange {
  iL: number;
  wL: number;
  iR: number;
  wR: number;
}

function bandRange(loHz: number, hiHz: number, bins: number, f0: number): BandRange {
  // openSMILE maps band edges through the bin-frequency table: the first bin above lo (weight of the bin below it),
  // the first bin at or above hi (weight of its lower neighbour unless it lands exactly on hi).
  let ii = 0;
  while (ii < bins && ii * f0 <= loHz) ii++;
  let wL = ii < bins && ii > 0 ? (ii * f0 - loHz) / f0 : 1;
  const iL = Math.max(0, ii - 1);
  let jj = 0;
  while (jj < bins && jj * f0 < hiHz) jj++;
  let wR = jj < bins && jj > 0 ? (hiHz - (jj - 1) * f0) / f0 : 1;
  let iR = jj < bins && jj * f0 === hiHz ? jj : jj - 1;
  if (iR >= bins) iR = bins - 1;
  if (wL === 0) wL = 1;
  if (wR === 0) wR = 1;
  if (iR < 0) iR = 0;
  return { iL, wL, iR, wR };
}

/** Precomputed per-spectrum-size tables; one per (sample rate, FFT size). */
export interface SpectralShapePlan {
  bins: number;
  f0: number;
  bands: BandRange[];
  /** Bark(f_k) · g(Bark(f_k)) per bin, for sharpness */
  sharp: Float64Array;
  /** Σ f_k and Σ f_k² over bins 1 .. bins-1, for the slope */
  sumF: number;
  sumF2: number;
}

export function spectralShapePlan(sampleRate: number, nFft: number): SpectralShapePlan {
  const bins = (nFft >> 1) + 1;
  const f0 = sampleRate / nFft;
  const bands = [bandRange(250, 650, bins, f0), bandRange(1000, 4000, bins, f0)];
  const sharp = new Float64Array(bins);
  let sumF = 0;
  let sumF2 = 0;
  for (let k = 1; k < bins; k++) {
    const z = hzToBark(k * f0);
    sharp[k] = z * sharpnessWeight(z);
    sumF += k * f0;
    sumF2 += k * f0 * (k * f0);
  }
  return { bins, f0, bands, sharp, sumF, sumF2 };
}

/**
 * The 15 descriptors of one power spectrum p[off .. off + bins) into out[at ..]. prevMag holds the previous frame's
 * magnitudes (bins 1 .. bins-1) and is updated; `first` marks the first frame, whose flux is 0.
 */
export function spectralShapeFrame(
  plan: SpectralShapePlan,
  p: Float64Array,
  off: number,
  prevMag: Float64Array,
  first: boolean,
  out: Float64Array,
  at: number,
): void {
  const { bins, f0, sharp } = plan;
  const lo = 1;
  const hi = bins - 1;
  const nBins = hi - lo + 1;
  // pass 1: sums the centroid, flux, entropy and sharpness need
  let frameSum = 0;
  let sumA = 0;
  let flux = 0;
  let sumV = 0;
  let sumVLogV = 0;
  let sh = 0;
  for (let j = lo; j <= hi; j++) {
    const pj = p[off + j];
    frameSum += pj;
    sumA += j * f0 * pj;
    const m = Math.sqrt(pj);
    const dm = m - prevMag[j];
    flux += dm * dm;
    prevMag[j] = m;
    // entropy of q = max(p, 1e-7) / max(Σp, 1e-7): Σ q log2 q = (Σ v log2 v - log2(dn) Σ v) / dn
    if (pj > ENTROPY_FLOOR) {
      sumV += pj;
      sumVLogV += pj * Math.log2(pj);
    } else {
      sumV += ENTROPY_FLOOR;
      sumVLogV += ENTROPY_FLOOR_TERM;
    }
    sh += sharp[j] * pj;
  }
  let k = at;
  // band energies (normBandEnergies = 0: band sum over the number of bins in the full range)
  for (const b of plan.bands) {
    let s = p[off + b.iL] * b.wL;
    for (let j = b.iL + 1; j < b.iR; j++) s += p[off + j];
    s += p[off + b.iR] * b.wR;
    out[k++] = s / nBins;
  }
  // pass 2: roll-off points (the first bin whose cumulative power reaches the fraction of the frame's power) and the
  // moments around the centroid (power-weighted, Hz)
  const ctr = frameSum !== 0 ? sumA / frameSum : 0;
  let ro25 = 0;
  let ro50 = 0;
  let ro75 = 0;
  let ro90 = 0;
  const t25 = ROLL_OFFS[0] * frameSum;
  const t50 = ROLL_OFFS[1] * frameSum;
  const t75 = ROLL_OFFS[2] * frameSum;
  const t90 = ROLL_OFFS[3] * frameSum;
  let cum = 0;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let j = lo; j <= hi; j++) {
    const pj = p[off + j];
    cum += pj;
    if (ro25 === 0 && cum >= t25) ro25 = j * f0;
    if (ro50 === 0 && cum >= t50) ro50 = j * f0;
    if (ro75 === 0 && cum >= t75) ro75 = j * f0;
    if (ro90 === 0 && cum >= t90) ro90 = j * f0;
    const d = j * f0 - ctr;
    const w = d * d * pj;
    m2 += w;
    m3 += w * d;
    m4 += w * d * d;
  }
  out[k++] = ro25;
  out[k++] = ro50;
  out[k++] = ro75;
  out[k++] = ro90;
  // flux: RMS difference of magnitudes to the previous frame (0 on the first)
  out[k++] = first ? 0 : flux > 0 ? Math.sqrt(flux / nBins) : 0;
  out[k++] = ctr;
  // entropy of the power distribution in bits (values floored at 1e-7, openSMILE's smileStat_entropy)
  const dn = Math.max(frameSum, ENTROPY_FLOOR);
  out[k++] = -(sumVLogV - Math.log2(dn) * sumV) / dn;
  const sigma2 = frameSum !== 0 ? m2 / frameSum : 0;
  out[k++] = sigma2;
  out[k++] = sigma2 > 0 ? m3 / (frameSum * sigma2 * Math.sqrt(sigma2)) : 0;
  out[k++] = sigma2 !== 0 ? m4 / (frameSum * sigma2 * sigma2) : 0;
  // slope of the least-squares line through (f_k, p_k), scaled by (nBins - 1) as openSMILE's default oldSlopeScale = 1
  const deno = nBins * plan.sumF2 - plan.sumF * plan.sumF;
  const slope = deno !== 0 ? (nBins * sumA - plan.sumF * frameSum) / deno : 0;
  out[k++] = slope * (nBins - 1);
  // psychoacoustic sharpness: 0.11 · power-weighted mean of z · g(z)
  out[k++] = frameSum !== 0 ? (0.11 * sh) / frameSum : 0;
  // harmonicity: half the summed jumps between consecutive strict local extrema (±2 bins), over the number of bins.
  // The extrema are gathered first without branches (each bin written to the next free slot, kept only by an
  // extremum: on a noisy spectrum the comparisons go either way), then summed in order as openSMILE does.
  if (extremaScratch.length < bins) extremaScratch = new Float64Array(bins);
  const extrema = extremaScratch;
  let count = 0;
  for (let j = off + lo + 2; j < off + hi - 1; j++) {
    const v = p[j];
    const l2 = p[j - 2];
    const l1 = p[j - 1];
    const r1 = p[j + 1];
    const r2 = p[j + 2];
    extrema[count] = v;
    count += (+(l2 < v) & +(l1 < v) & +(v > r1) & +(v > r2)) | (+(l2 > v) & +(l1 > v) & +(v < r1) & +(v < r2));
  }
  let ptp = 0;
  let lastPeak = -99;
  for (let e = 0; e < count; e++) {
    const v = extrema[e];
    if (lastPeak !== -99) ptp += Math.abs(v - lastPeak);
    lastPeak = v;
  }
  out[k++] = ptp / 2 / nBins;
}
