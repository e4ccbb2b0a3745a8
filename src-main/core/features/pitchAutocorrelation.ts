// Periodicity analysis after Boersma (1993), "Accurate short-term analysis of the fundamental frequency and
// the harmonics-to-noise ratio of a sampled sound", reimplemented from Praat 6.3.07's fon/Sound_to_Pitch.cpp
// (Sound_into_PitchFrame, Sound_to_Pitch_any) and fon/Pitch.cpp (Pitch_pathFinder). Two correlation methods:
// - 'ac': Hanning-windowed autocorrelation divided by the window's own autocorrelation ("To Pitch (ac)");
// - 'cc': forward cross-correlation of unwindowed stretches, the "accurate" variant ("To Harmonicity (cc)").
// Each frame gets up to maxCandidates pitch candidates (peaks of the normalised correlation, refined by sinc
// interpolation) plus an unvoiced candidate; a Viterbi path with octave, octave-jump and voiced/unvoiced costs
// picks one per frame. Frame positions, window lengths and tie rules follow Praat so that the frames line up
// with Praat's own Pitch objects (tests/unit/voiceQualityPraat.test.ts).
// Where this code departs from Praat's for speed it computes the same numbers (to round-off): frames go through
// the FFTs in pairs, the power spectrum's transform is a half-size cosine transform, candidates that stay above
// the ceiling are not refined, and frames the caller does not read that the path finder must leave unvoiced are
// not correlated at all (SkipFrames). The one approximation is optional: refine 'chosen' (see FrameSetup).
import FFT from 'fft.js';
import { improveMaximum, interpolateSinc, PEAK_SINC70, PEAK_SINC700 } from './sincInterpolation';

/** Praat's "To Pitch (ac)" settings (defaults as Praat's). */
export interface PitchSettings {
  /** Hz; also sets the window (periodsPerWindow / floor seconds) */
  floor: number;
  /** Hz; candidates at or above it count as unvoiced */
  ceiling: number;
  /** candidates per frame, at least ceiling / floor */
  maxCandidates: number;
  /** relative to the file's absolute peak: quieter frames lean towards unvoiced */
  silenceThreshold: number;
  /** normalised-correlation strength an unvoiced frame's candidate must beat */
  voicingThreshold: number;
  /** per octave below the ceiling: favours high candidates (the shortest period that fits) */
  octaveCost: number;
  /** per octave of jump between consecutive voiced frames (per 10 ms) */
  octaveJumpCost: number;
  /** per voiced/unvoiced transition (per 10 ms) */
  voicedUnvoicedCost: number;
}

export const PRAAT_PITCH_DEFAULTS: PitchSettings = {
  floor: 75,
  ceiling: 600,
  maxCandidates: 15,
  silenceThreshold: 0.03,
  voicingThreshold: 0.45,
  octaveCost: 0.01,
  octaveJumpCost: 0.35,
  voicedUnvoicedCost: 0.14,
};

/** A pitch contour on a regular time grid, as Praat's Pitch object (after the path finder). */
export interface PitchTrack {
  /** s, time of frame 0 */
  x1: number;
  /** s, time step */
  dx: number;
  /** s, time domain of the sound */
  xmin: number;
  xmax: number;
  /** Hz, the ceiling the contour was made with: only 0 < f < ceiling is voiced */
  ceiling: number;
  /** Hz per frame, 0 where unvoiced */
  f0: Float64Array;
  /** normalised correlation strength of the chosen candidate (0 where unvoiced) */
  strength: Float64Array;
  /**
   * Periodicity whether chosen or not: the strongest candidate below the ceiling, or the largest normalised
   * correlation at lags of pitches between floor and ceiling when that is larger (0 in silence)
   */
  bestStrength: Float64Array;
  /** frame peak relative to the file's peak, clipped to 1 */
  intensity: Float64Array;
}

/** How frames are cut and correlated; derived once per (rate, settings) by {@link frameSetup}. */
export interface FrameSetup {
  method: 'ac' | 'cc';
  /** s per sample, 1 / rate, as Praat stores it */
  dx: number;
  floor: number;
  periodsPerWindow: number;
  /** samples in the longest period (floor) */
  periodSamples: number;
  halfPeriodSamples: number;
  /** s, nominal window (periodsPerWindow / floor) */
  windowSeconds: number;
  /** window = 2 * halfWindow samples */
  halfWindow: number;
  /** largest lag searched for peaks */
  maximumLag: number;
  /** largest lag computed (and used by the interpolation) */
  lagMax: number;
  maxCandidates: number;
  /** peak refinement depth (PEAK_SINC70 / PEAK_SINC700) */
  refineDepth: number;
  /**
   * 'all': every candidate's peak is refined before the path finder (Praat); 'chosen': the path runs on the
   * first-pass estimates (parabolic lag, sinc-interpolated strength) and only the chosen candidates are
   * refined afterwards, with {@link refineChosen} (about four times fewer refinements)
   */
  refine: 'all' | 'chosen';
  fftSize: number;
  /** Hanning window (ac) */
  window: Float64Array;
  /** normalised autocorrelation of the window, lags 0..lagMax (ac) */
  windowR: Float64Array;
  /** 1 / windowR */
  inverseWindowR: Float64Array;
}

/** A mono signal. */
export type Samples = Float32Array | Float64Array;

/**
 * Frame geometry as Praat's Sound_to_Pitch_any computes it: a window of floor(periodsPerWindow / floor * rate)
 * samples, rounded down to an even length minus two.
 */
export function frameSetup(
  sampleRate: number,
  settings: PitchSettings,
  method: 'ac' | 'cc',
  periodsPerWindow: number,
  refine: 'all' | 'chosen' = 'all',
): FrameSetup {
  const dx = 1 / sampleRate;
  const floor = settings.floor;
  // Enough slots for every multiple of the period (Praat uses the ceiling before clipping it to Nyquist here).
  const maxCandidates = settings.maxCandidates < settings.ceiling / floor ? Math.floor(settings.ceiling / floor) : settings.maxCandidates;
  const periodSamples = Math.floor(1 / dx / floor);
  const windowSeconds = periodsPerWindow / floor;
  const half = Math.floor(Math.floor(windowSeconds / dx) / 2) - 1;
  if (half < 2) throw new Error(`Pitch analysis window too short (${2 * half} samples): raise the window or lower the pitch floor.`);
  const n = 2 * half;
  const maximumLag = Math.min(Math.floor(n / periodsPerWindow) + 2, n);
  const interpolationDepth = method === 'ac' ? 0.5 : 1;
  const lagMax = Math.floor(n * interpolationDepth);
  let fftSize = 0;
  const window = new Float64Array(method === 'ac' ? n : 0);
  const windowR = new Float64Array(method === 'ac' ? lagMax + 1 : 0);
  if (method === 'ac') {
    fftSize = 1;
    while (fftSize < n * (1 + interpolationDepth)) fftSize *= 2;
    for (let i = 0; i < n; i++) window[i] = 0.5 - 0.5 * Math.cos(((i + 1) * 2 * Math.PI) / (n + 1));
    autocorrelate(window, fftSize, windowR);
    const r0 = windowR[0];
    for (let i = 0; i <= lagMax; i++) windowR[i] /= r0;
  }
  return {
    method,
    dx,
    floor,
    periodsPerWindow,
    periodSamples,
    halfPeriodSamples: Math.floor(periodSamples / 2) + 1,
    windowSeconds,
    halfWindow: half,
    maximumLag,
    lagMax,
    maxCandidates,
    refineDepth: method === 'ac' ? PEAK_SINC70 : PEAK_SINC700,
    refine,
    fftSize,
    window,
    windowR,
    inverseWindowR: windowR.map((v) => 1 / v),
  };
}

interface FftPlan {
  fft: FFT;
  /** the frame to transform, zero-padded: samples from `filled` on are zero */
  input: number[];
  filled: number;
  spectrum: number[];
  power: number[];
  out: number[];
  /** two frames at once, as the real and imaginary parts of one complex FFT: interleaved (re, im) pairs */
  pairInput: number[];
  pairFilled: number;
  pairSpectrum: number[];
  /** the pair's power spectra, bins 0..size/2 (the rest mirrors them) */
  pairPower: Float64Array;
  /** half-size transform for the power spectra's cosine transform, its input and output, sin/cos(pi k / (size/2)) */
  half: FFT;
  halfInput: number[];
  halfOut: number[];
  halfSin: Float64Array;
  halfCos: Float64Array;
}
const fftPlans = new Map<number, FftPlan>();

function fftPlan(size: number): FftPlan {
  let p = fftPlans.get(size);
  if (!p) {
    const fft = new FFT(size);
    // Packed number[] rather than Float64Array: fft.js runs faster on them in V8 (see stft.ts).
    p = {
      fft,
      input: Array.from({ length: size }, () => 0),
      filled: 0,
      spectrum: fft.createComplexArray(),
      power: Array.from({ length: size }, () => 0),
      out: fft.createComplexArray(),
      pairInput: Array.from({ length: 2 * size }, () => 0),
      pairFilled: 0,
      pairSpectrum: fft.createComplexArray(),
      pairPower: new Float64Array(size + 2),
      half: new FFT(size >> 1),
      halfInput: Array.from({ length: size }, () => 0),
      halfOut: Array.from({ length: size }, () => 0),
      halfSin: Float64Array.from({ length: size >> 1 }, (_, k) => Math.sin((Math.PI * k) / (size >> 1))),
      halfCos: Float64Array.from({ length: size >> 1 }, (_, k) => Math.cos((Math.PI * k) / (size >> 1))),
    };
    fftPlans.set(size, p);
  }
  return p;
}

/** Unnormalised autocorrelation of `frame` (zero-padded to fftSize) at lags 0..ac.length-1. */
function autocorrelate(frame: ArrayLike<number>, fftSize: number, ac: Float64Array): void {
  const p = fftPlan(fftSize);
  for (let i = 0; i < frame.length; i++) p.input[i] = frame[i];
  autocorrelateInput(p, frame.length, ac);
}

/** Autocorrelation of the plan's input, whose first n samples the caller has just written, via the power spectrum. */
function autocorrelateInput(p: FftPlan, n: number, ac: Float64Array): void {
  const { input, spectrum, power, out } = p;
  const fftSize = input.length;
  for (let i = n; i < p.filled; i++) input[i] = 0;
  p.filled = n;
  p.fft.realTransform(spectrum, input);
  const halfSize = fftSize >> 1;
  for (let k = 0; k <= halfSize; k++) {
    const re = spectrum[2 * k];
    const im = spectrum[2 * k + 1];
    power[k] = re * re + im * im;
  }
  for (let k = 1; k < halfSize; k++) power[fftSize - k] = power[k];
  // The power spectrum is real and even, so its forward transform is (a multiple of) the autocorrelation.
  p.fft.realTransform(out, power);
  for (let lag = 0; lag < ac.length; lag++) ac[lag] = out[2 * lag];
}

/**
 * Autocorrelations of two frames at once (lags 0..acA.length-1, at most size/2), the plan's pairInput holding
 * frame A in its real and frame B in its imaginary parts (first n samples). One complex FFT gives both spectra
 * (split by conjugate symmetry). The autocorrelation is the transform of the power spectrum, which is real and
 * even: a cosine transform of its size/2 + 1 distinct bins, computed with a half-size FFT (Numerical Recipes'
 * cosft1 construction, both frames again as the real and imaginary parts). Per frame this is a quarter of the
 * transforms of the plain route (two real FFTs of the full size), the autocorrelation agreeing to ~1e-14.
 */
function autocorrelatePair(p: FftPlan, n: number, acA: Float64Array, acB: Float64Array): void {
  const { pairInput: input, pairSpectrum: z, pairPower: power, halfInput: y, halfOut: w, halfSin, halfCos } = p;
  const size = p.input.length;
  const m = size >> 1;
  for (let i = 2 * n; i < p.pairFilled; i++) input[i] = 0;
  p.pairFilled = 2 * n;
  p.fft.transform(z, input);
  for (let k = 0; k <= m; k++) {
    const k2 = k === 0 ? 0 : size - k;
    const zr = z[2 * k];
    const zi = z[2 * k + 1];
    const wr = z[2 * k2];
    const wi = z[2 * k2 + 1];
    // A[k] = (Z[k] + conj Z[n-k]) / 2, B[k] = (Z[k] - conj Z[n-k]) / 2i; the common factor 1/4 cancels later.
    power[2 * k] = (zr + wr) * (zr + wr) + (zi - wi) * (zi - wi);
    power[2 * k + 1] = (zr - wr) * (zr - wr) + (zi + wi) * (zi + wi);
  }
  // ac[l] = P[0] + (-1)^l P[m] + 2 sum_{k=1}^{m-1} P[k] cos(pi k l / m). With
  // y[k] = (P[k] + P[m-k]) / 2 - sin(pi k / m) (P[k] - P[m-k]) and Y its FFT (e^{-2 pi i jk/m}):
  // ac[2j] / 2 = Re Y[j], ac[2j+1] / 2 = ac[2j-1] / 2 - Im Y[j], starting from
  // ac[1] / 2 = (P[0] - P[m]) / 2 + sum_{k=1}^{m-1} P[k] cos(pi k / m).
  let oddA = 0.5 * (power[0] - power[2 * m]);
  let oddB = 0.5 * (power[1] - power[2 * m + 1]);
  for (let k = 0; k < m; k++) {
    const pa = power[2 * k];
    const pb = power[2 * k + 1];
    const qa = power[2 * (m - k)];
    const qb = power[2 * (m - k) + 1];
    y[2 * k] = 0.5 * (pa + qa) - halfSin[k] * (pa - qa);
    y[2 * k + 1] = 0.5 * (pb + qb) - halfSin[k] * (pb - qb);
    if (k > 0) {
      oddA += pa * halfCos[k];
      oddB += pb * halfCos[k];
    }
  }
  p.half.transform(w, y);
  for (let j = 0; 2 * j < acA.length; j++) {
    // Split the two real sequences' transforms, as above.
    const j2 = j === 0 ? 0 : m - j;
    const zr = w[2 * j];
    const zi = w[2 * j + 1];
    const wr = w[2 * j2];
    const wi = w[2 * j2 + 1];
    acA[2 * j] = zr + wr;
    acB[2 * j] = zi + wi;
    if (j > 0) {
      oddA -= 0.5 * (zi - wi);
      oddB += 0.5 * (zr - wr);
    }
    if (2 * j + 1 < acA.length) {
      acA[2 * j + 1] = 2 * oddA;
      acB[2 * j + 1] = 2 * oddB;
    }
  }
}

/** Candidates of all frames before the path finder: slot 0 of every frame is the unvoiced candidate. */
export interface PitchCandidates {
  frames: number;
  maxCandidates: number;
  /** per frame */
  count: Int32Array;
  intensity: Float64Array;
  /** Hz, frame-major [frame * maxCandidates + slot] */
  frequency: Float64Array;
  strength: Float64Array;
  /** largest normalised correlation at lags from rate / ceiling to the longest searched (0 in silence) */
  peakCorrelation: Float64Array;
  /**
   * with refine 'chosen': normalised correlations at lags 0..lagMax, one row for each frame with a candidate besides
   * the unvoiced one (the only frames refineChosen may read), row-major
   */
  correlation?: Float64Array;
  /** with refine 'chosen': each frame's row in correlation, -1 where none */
  correlationRow?: Int32Array;
  /** with refine 'chosen': each candidate's integer lag, frame-major as frequency */
  lag?: Int32Array;
}

/**
 * Frames whose correlation a caller may leave out: `unused[f]` non-zero means the caller reads neither the frame's
 * peakCorrelation nor its candidates' strengths (e.g. frames it gates out by energy). Of those, the frames that the
 * path finder (costs scaled to `pathTimeStep`, s) must leave unvoiced whatever their candidates
 * ({@link certainlyUnvoicedStrength}) get only the unvoiced candidate and a NaN peakCorrelation; the path, and so
 * every voiced frame and the pulses, come out as with their candidates.
 */
export interface SkipFrames {
  unused: ArrayLike<number>;
  pathTimeStep: number;
}

/** The unvoiced candidate's strength in a frame of this intensity (Praat's Pitch_pathFinder). */
function unvoicedStrength(intensity: number, settings: PitchSettings): number {
  const s = settings.silenceThreshold <= 0 ? 0 : 2 - intensity / (settings.silenceThreshold / (1 + settings.voicingThreshold));
  return settings.voicingThreshold + Math.max(0, s);
}

/**
 * An unvoiced strength above which the path finder leaves a frame unvoiced whatever its voiced candidates:
 * a voiced candidate scores at most 1 (strength <= 1, octave cost >= 0), and turning a frame of a path from voiced to
 * unvoiced changes the transition costs into and out of it by at most one voiced/unvoiced cost each (octave-jump
 * costs are >= 0). So when the unvoiced candidate beats 1 by more than two such costs, every path through a voiced
 * candidate of the frame scores less than the same path through the unvoiced one, the Viterbi sums of the next frame
 * never come from a voiced candidate of this frame, and its voiced candidates can be left out without changing any
 * choice (1e-6 covers the round-off of the sums). Infinity (never) for negative costs, where the bound fails.
 */
export function certainlyUnvoicedStrength(settings: PitchSettings, pathTimeStep: number): number {
  if (!(settings.octaveCost >= 0 && settings.octaveJumpCost >= 0 && settings.voicedUnvoicedCost >= 0)) return Infinity;
  return 1 + 2 * settings.voicedUnvoicedCost * (0.01 / pathTimeStep) + 1e-6;
}

/**
 * Memory for the correlation rows of refine 'chosen', kept by a caller that analyses file after file: a fresh
 * megabyte per file costs more in page faults than the rows' copying. The candidates' correlation is then a view of
 * the buffer, valid until the store is used again.
 */
export interface RowStore {
  buffer: Float64Array;
}

/**
 * Correlation candidates for frames at times `times` (s) of a sound whose sample k (0-based) sits at x1 + k dx.
 * Samples outside z read as zeros (Praat's own frames never reach them; openSMILE-style frames past the end
 * do). `globalPeak` is the sound's largest |sample - mean|. `skip` leaves out frames the caller does not read
 * and the path finder leaves unvoiced anyway (see {@link SkipFrames}); `rowStore` lends memory for refine 'chosen'.
 */
export function pitchCandidates(
  z: Samples,
  x1: number,
  times: ArrayLike<number>,
  setup: FrameSetup,
  settings: PitchSettings,
  globalPeak: number,
  skip?: SkipFrames,
  rowStore?: RowStore,
): PitchCandidates {
  const ceiling = Math.min(settings.ceiling, 0.5 / setup.dx);
  const frames = times.length;
  const m = setup.maxCandidates;
  const out: PitchCandidates = {
    frames,
    maxCandidates: m,
    count: new Int32Array(frames).fill(1),
    intensity: new Float64Array(frames),
    frequency: new Float64Array(frames * m),
    strength: new Float64Array(frames * m),
    peakCorrelation: new Float64Array(frames),
  };
  const { dx, halfWindow: h, periodSamples: np, halfPeriodSamples: hp, lagMax: B, maximumLag } = setup;
  if (setup.refine === 'chosen') {
    out.correlation = new Float64Array(0);
    out.correlationRow = new Int32Array(frames).fill(-1);
    out.lag = new Int32Array(frames * m);
  }
  if (skip && skip.unused.length < frames) throw new Error(`pitchCandidates: skip.unused has ${skip.unused.length} entries for ${frames} frames.`);
  if (globalPeak === 0) return out;
  const n = 2 * h;
  const plan = setup.method === 'ac' ? fftPlan(setup.fftSize) : null;
  const skipAbove = skip ? certainlyUnvoicedStrength(settings, skip.pathTimeStep) : Infinity;
  // Correlation at lags -B..B (r[-l] = r[l]) as one array, index l + B, for the sinc interpolation.
  const rr = new Float64Array(2 * B + 1);
  const lagOfSlot = new Int32Array(m);
  // 'ac': the autocorrelations of the pair of frames that share an FFT.
  const acPair = [new Float64Array(B + 1), new Float64Array(B + 1)];
  // A candidate whose lag stays below rate / ceiling even after refinement (which moves it by less than one
  // sample) is above the ceiling either way: the path finder treats it as unvoiced whatever its strength, so
  // its refinement (most of the cost in noisy frames) is skipped; this changes no result.
  const unvoicedLag = 1 / dx / ceiling - 1;
  // Negative lags are read only by the interpolation around small lags: 30 (first pass) or 70 (refinement)
  // deep, unless a refined candidate is so short (lag < 3.3) that Praat interpolates 700 deep.
  const mirrored = setup.method === 'ac' && unvoicedLag > 3.4 ? Math.min(B, 72) : B;
  const voicingHalf = 0.5 * settings.voicingThreshold;
  const peakFrom = Math.max(0, h - hp);
  const peakTo = Math.min(n - 1, h + hp - 1);
  // The local mean's sum slides along with the frames (they come in time order), instead of n new terms each:
  // [sum, first sample, last sample] (a typed array, not closure variables: V8 boxes every double written to a
  // closure's variable, which made megabytes of garbage per file).
  const sliding = new Float64Array([0, 0, -1]);
  /** Praat's leftSample of frame f, 0-based. */
  const leftSample = (f: number): number => Math.floor((times[f] - x1) / dx + 1) - 1;
  /** Local mean of frame f (over a longest period to either side of its centre). */
  const localMean = (f: number): number => {
    const left = leftSample(f);
    const right = left + 1;
    const from = Math.max(0, right - np);
    const to = Math.min(z.length - 1, left + np);
    let sum = sliding[0];
    const sumFrom = sliding[1];
    const sumTo = sliding[2];
    if (from < sumFrom || from > sumTo + 1 || to < sumTo) {
      sum = 0;
      for (let i = from; i <= to; i++) sum += z[i];
    } else {
      for (let i = sumTo + 1; i <= to; i++) sum += z[i];
      for (let i = sumFrom; i < from; i++) sum -= z[i];
    }
    sliding[0] = sum;
    sliding[1] = from;
    sliding[2] = to;
    return sum / (2 * np);
  };
  /** Local peak of frame f: the largest |sample - mean| (windowed for 'ac', as Praat) within half a period of its centre. */
  const localPeakOf = (f: number, mean: number): number => {
    const start = leftSample(f) + 1 - h;
    const window = setup.window;
    let peak = 0;
    for (let j = peakFrom; j <= peakTo; j++) {
      const i = start + j;
      const v = (i >= 0 && i < z.length ? z[i] : 0) - mean;
      peak = Math.max(peak, Math.abs(plan ? v * window[j] : v));
    }
    return peak;
  };
  /** Writes frame f's windowed samples (less the local mean) into lane 0 or 1 of the pair FFT's input. */
  const fillLane = (f: number, lane: number, mean: number): void => {
    if (!plan) throw new Error('internal: fillLane without an FFT plan');
    const input = plan.pairInput;
    const window = setup.window;
    const start = leftSample(f) + 1 - h;
    const j0 = Math.max(0, -start);
    const j1 = Math.min(n, z.length - start);
    for (let j = 0; j < j0; j++) input[2 * j + lane] = -mean * window[j];
    for (let j = j0; j < j1; j++) input[2 * j + lane] = (z[start + j] - mean) * window[j];
    for (let j = Math.max(j0, j1); j < n; j++) input[2 * j + lane] = -mean * window[j];
  };
  /** Normalised autocorrelation of a frame from its autocorrelation (ac): into rr, mirrored where the interpolation reads it. */
  const normalise = (ac: Float64Array): void => {
    rr[B] = 1;
    const inverseEnergy = 1 / ac[0];
    for (let l = 1; l <= B; l++) rr[B + l] = ac[l] * inverseEnergy * setup.inverseWindowR[l];
    for (let l = 1; l <= mirrored; l++) rr[B - l] = rr[B + l];
  };
  /** Candidates of frame f from its normalised correlation in rr. */
  const candidatesOf = (f: number): void => {
    let peakCorrelation = 0;
    for (let i = Math.max(1, Math.ceil(1 / dx / ceiling)); i < maximumLag && i <= B; i++) {
      const ri = rr[B + i];
      peakCorrelation = Math.max(peakCorrelation, ri > 1 ? 1 / ri : ri);
    }
    out.peakCorrelation[f] = peakCorrelation;

    const base = f * m;
    let count = 1;
    for (let i = 2; i < maximumLag && i < B; i++) {
      const ri = rr[B + i];
      if (!(ri > voicingHalf && ri > rr[B + i - 1] && ri >= rr[B + i + 1])) continue;
      const dr = 0.5 * (rr[B + i + 1] - rr[B + i - 1]);
      const d2r = 2 * ri - rr[B + i - 1] - rr[B + i + 1];
      const frequency = 1 / dx / (i + dr / d2r);
      let strength = interpolateSinc(rr, 1 / dx / frequency + B, 30);
      if (strength > 1) strength = 1 / strength; // short windows can overshoot: reflect around 1
      let place = -1;
      if (count < m) {
        place = count++;
      } else {
        // Replace the weakest candidate so far (octave cost relative to the floor favours high frequencies).
        let weakest = 2;
        for (let w = 1; w < m; w++) {
          const local = out.strength[base + w] - settings.octaveCost * Math.log2(setup.floor / out.frequency[base + w]);
          if (local < weakest) {
            weakest = local;
            place = w;
          }
        }
        if (strength - settings.octaveCost * Math.log2(setup.floor / frequency) <= weakest) place = -1;
      }
      if (place > 0) {
        out.frequency[base + place] = frequency;
        out.strength[base + place] = strength;
        lagOfSlot[place] = i;
      }
    }
    out.count[f] = count;
    if (out.correlation && out.correlationRow && out.lag) {
      if (count === 1) return; // nothing to refine
      // Plain loops: a subarray() view per frame cost more than the copy.
      const row = rows[0]++;
      out.correlationRow[f] = row;
      const correlation = out.correlation;
      const offset = row * (B + 1) - B;
      for (let l = B; l <= 2 * B; l++) correlation[offset + l] = rr[l];
      for (let c = 0; c < count; c++) out.lag[base + c] = lagOfSlot[c];
      return;
    }
    // Second pass: maximise the sinc interpolant for extra precision.
    for (let c = 1; c < count; c++) {
      if (lagOfSlot[c] < unvoicedLag) continue;
      const depth = out.frequency[base + c] > 0.3 / dx ? PEAK_SINC700 : setup.refineDepth;
      const best = improveMaximum(rr, lagOfSlot[c] + B, depth);
      out.frequency[base + c] = 1 / dx / (best.x - B);
      out.strength[base + c] = best.value > 1 ? 1 / best.value : best.value;
    }
  };
  // First every frame's local mean and intensity, and whether it needs its correlation (not silent, not left out).
  const means = new Float64Array(frames);
  const needs = new Uint8Array(frames);
  let needed = 0;
  for (let f = 0; f < frames; f++) {
    const mean = localMean(f);
    means[f] = mean;
    const localPeak = localPeakOf(f, mean);
    const intensity = localPeak > globalPeak ? 1 : localPeak / globalPeak;
    out.intensity[f] = intensity;
    if (localPeak === 0) continue; // absolute silence: only the unvoiced candidate
    if (skip && skip.unused[f] && unvoicedStrength(intensity, settings) > skipAbove) {
      out.peakCorrelation[f] = Number.NaN;
      continue;
    }
    needs[f] = 1;
    needed++;
  }
  // Rows for the frames that keep a correlation for refineChosen (at most the frames correlated): [next free row].
  const rows = new Int32Array(1);
  if (out.correlation) {
    const size = needed * (B + 1);
    if (rowStore && rowStore.buffer.length < size) rowStore.buffer = new Float64Array(size);
    out.correlation = rowStore ? rowStore.buffer.subarray(0, size) : new Float64Array(size);
  }
  if (!plan) {
    for (let f = 0; f < frames; f++) {
      if (!needs[f]) continue;
      crossCorrelate(z, x1, times[f], setup, means[f], rr);
      candidatesOf(f);
    }
    return out;
  }
  // 'ac': frames 2k and 2k+1 go through one FFT, as long as either needs it. (Always the same pairs: a frame's
  // autocorrelation depends on its partner's to round-off, so leaving frames out changes no value.)
  for (let f = 0; f < frames; f += 2) {
    const need0 = needs[f] === 1;
    const need1 = f + 1 < frames && needs[f + 1] === 1;
    if (!need0 && !need1) continue;
    fillLane(f, 0, means[f]);
    if (f + 1 < frames) fillLane(f + 1, 1, means[f + 1]);
    else for (let j = 0; j < n; j++) plan.pairInput[2 * j + 1] = 0;
    autocorrelatePair(plan, n, acPair[0], acPair[1]);
    if (need0) {
      normalise(acPair[0]);
      candidatesOf(f);
    }
    if (need1) {
      normalise(acPair[1]);
      candidatesOf(f + 1);
    }
  }
  return out;
}

/**
 * Refines the chosen voiced candidate of every frame in place (the second pass of {@link pitchCandidates},
 * for candidates made with refine 'chosen').
 */
export function refineChosen(c: PitchCandidates, chosen: Int32Array, setup: FrameSetup, ceiling: number): void {
  if (!c.correlation || !c.correlationRow || !c.lag) throw new Error("refineChosen needs candidates made with refine 'chosen'.");
  const B = setup.lagMax;
  const m = c.maxCandidates;
  const rr = new Float64Array(2 * B + 1);
  for (let f = 0; f < c.frames; f++) {
    const slot = f * m + chosen[f];
    const frequency = c.frequency[slot];
    if (chosen[f] === 0 || !(frequency > 0 && frequency < ceiling)) continue;
    const row = c.correlationRow[f];
    if (row < 0) throw new Error(`internal: frame ${f} chose candidate ${chosen[f]} but kept no correlation`);
    for (let l = 0; l <= B; l++) rr[B + l] = rr[B - l] = c.correlation[row * (B + 1) + l];
    const depth = frequency > 0.3 / setup.dx ? PEAK_SINC700 : setup.refineDepth;
    const best = improveMaximum(rr, c.lag[slot] + B, depth);
    c.frequency[slot] = 1 / setup.dx / (best.x - B);
    c.strength[slot] = best.value > 1 ? 1 / best.value : best.value;
  }
}

/** Praat's forward cross-correlation ('cc'): each lag's correlation normalised by both stretches' energies. */
function crossCorrelate(z: Samples, x1: number, t: number, setup: FrameSetup, mean: number, rr: Float64Array): void {
  const { dx, halfWindow: h, lagMax: B, maximumLag } = setup;
  const n = 2 * h;
  const startTime = t - 0.5 * (1 / setup.floor + setup.windowSeconds);
  let startSample = Math.floor((startTime - x1) / dx + 1); // 1-based, as Praat's
  if (startSample < 1) startSample = 1;
  let localSpan = maximumLag + n;
  if (localSpan > z.length + 1 - startSample) localSpan = z.length + 1 - startSample;
  const localMaximumLag = localSpan - n;
  const offset = startSample - 1; // amp[i] (1-based) = z[offset + i - 1]
  let sumx2 = 0;
  for (let i = 1; i <= n; i++) {
    const v = z[offset + i - 1] - mean;
    sumx2 += v * v;
  }
  let sumy2 = sumx2;
  rr[B] = 1;
  // Lags past the stretch that fits keep their previous values, as in Praat (its buffer outlives the frame).
  for (let lag = 1; lag <= localMaximumLag; lag++) {
    const y0 = z[offset + lag - 1] - mean;
    const yZ = z[offset + lag + n - 1] - mean;
    sumy2 += yZ * yZ - y0 * y0;
    let product = 0;
    for (let j = 1; j <= n; j++) product += (z[offset + j - 1] - mean) * (z[offset + lag + j - 1] - mean);
    rr[B + lag] = rr[B - lag] = product / Math.sqrt(sumx2 * sumy2);
  }
}

/**
 * Praat's Pitch_pathFinder: the Viterbi path through the candidates that maximises strength minus octave
 * cost (relative to the ceiling) minus octave-jump and voiced/unvoiced transition costs (scaled to a 10 ms
 * step). Returns the chosen slot per frame.
 */
export function pitchPath(c: PitchCandidates, settings: PitchSettings, ceiling: number, dx: number): Int32Array {
  const frames = c.frames;
  const m = c.maxCandidates;
  const chosen = new Int32Array(frames);
  if (frames === 0) return chosen;
  const timeStepCorrection = 0.01 / dx;
  const octaveJumpCost = settings.octaveJumpCost * timeStepCorrection;
  const voicedUnvoicedCost = settings.voicedUnvoicedCost * timeStepCorrection;
  const delta = new Float64Array(frames * m);
  const psi = new Int32Array(frames * m);
  const voiced = (f: number): boolean => f > 0 && f < ceiling;
  for (let f = 0; f < frames; f++) {
    const unvoiced = unvoicedStrength(c.intensity[f], settings);
    for (let k = 0; k < c.count[f]; k++) {
      const freq = c.frequency[f * m + k];
      delta[f * m + k] = voiced(freq) ? c.strength[f * m + k] - settings.octaveCost * Math.log2(ceiling / freq) : unvoiced;
    }
  }
  for (let f = 1; f < frames; f++) {
    const prev = (f - 1) * m;
    const cur = f * m;
    for (let k2 = 0; k2 < c.count[f]; k2++) {
      const f2 = c.frequency[cur + k2];
      const currentVoiced = voiced(f2);
      let maximum = -1e30;
      let place = 0;
      for (let k1 = 0; k1 < c.count[f - 1]; k1++) {
        const f1 = c.frequency[prev + k1];
        const previousVoiced = voiced(f1);
        let transitionCost: number;
        if (!currentVoiced) transitionCost = previousVoiced ? voicedUnvoicedCost : 0;
        else if (!previousVoiced) transitionCost = voicedUnvoicedCost;
        else transitionCost = octaveJumpCost * Math.abs(Math.log2(f1 / f2));
        const value = delta[prev + k1] - transitionCost + delta[cur + k2];
        if (value > maximum) {
          maximum = value;
          place = k1;
        }
      }
      delta[cur + k2] = maximum;
      psi[cur + k2] = place;
    }
  }
  let place = 0;
  let maximum = delta[(frames - 1) * m];
  for (let k = 1; k < c.count[frames - 1]; k++) {
    if (delta[(frames - 1) * m + k] > maximum) {
      place = k;
      maximum = delta[(frames - 1) * m + k];
    }
  }
  for (let f = frames - 1; f >= 0; f--) {
    chosen[f] = place;
    place = psi[f * m + place];
  }
  return chosen;
}

/** The contour the path picks, plus each frame's strongest candidate below the ceiling. */
export function pitchTrackFromPath(
  c: PitchCandidates,
  chosen: Int32Array,
  grid: { x1: number; dx: number; xmin: number; xmax: number; ceiling: number },
): PitchTrack {
  const m = c.maxCandidates;
  const f0 = new Float64Array(c.frames);
  const strength = new Float64Array(c.frames);
  const bestStrength = new Float64Array(c.frames);
  for (let f = 0; f < c.frames; f++) {
    const freq = c.frequency[f * m + chosen[f]];
    if (freq > 0 && freq < grid.ceiling) {
      f0[f] = freq;
      strength[f] = c.strength[f * m + chosen[f]];
    }
    bestStrength[f] = c.peakCorrelation[f];
    for (let k = 1; k < c.count[f]; k++) {
      const fk = c.frequency[f * m + k];
      if (fk > 0 && fk < grid.ceiling) bestStrength[f] = Math.max(bestStrength[f], c.strength[f * m + k]);
    }
  }
  return { ...grid, f0, strength, bestStrength, intensity: c.intensity };
}

/** Largest |sample - mean| (Praat's global peak for the silence threshold). */
export function globalPeakAroundMean(z: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < z.length; i++) mean += z[i];
  mean /= z.length || 1;
  let peak = 0;
  for (let i = 0; i < z.length; i++) peak = Math.max(peak, Math.abs(z[i] - mean));
  return peak;
}

/**
 * Praat's Sampled_shortTermAnalysis: as many frames of `windowSeconds` as fit, `timeStep` apart, centred in
 * the sound. Returns 0 frames when the window does not fit.
 */
export function shortTermFrames(numSamples: number, dx: number, windowSeconds: number, timeStep: number): { frames: number; t1: number } {
  const duration = dx * numSamples;
  if (windowSeconds > duration) return { frames: 0, t1: 0 };
  const frames = Math.floor((duration - windowSeconds) / timeStep) + 1;
  const x1 = 0.5 * dx;
  const t1 = x1 - 0.5 * dx + 0.5 * duration - 0.5 * frames * timeStep + 0.5 * timeStep;
  return { frames, t1 };
}

/**
 * Praat's "Sound: To Pitch (ac)" on a mono sound (sample k at (k + 0.5) / rate): time step 0 means
 * 0.75 / floor (0.01 s at 75 Hz), 3 periods of the floor per window. A sound shorter than the window gives
 * an empty track.
 */
export function soundToPitch(x: Samples, sampleRate: number, settings: PitchSettings = PRAAT_PITCH_DEFAULTS, timeStep = 0): PitchTrack {
  return soundToPeriodicity(x, sampleRate, settings, 'ac', 3, timeStep);
}

/** Shared driver of To Pitch (ac) and To Harmonicity (cc): Praat's frame grid, candidates, path. */
export function soundToPeriodicity(
  x: Samples,
  sampleRate: number,
  settings: PitchSettings,
  method: 'ac' | 'cc',
  periodsPerWindow: number,
  timeStep: number,
): PitchTrack {
  const z = x;
  const setup = frameSetup(sampleRate, settings, method, periodsPerWindow);
  const dt = timeStep > 0 ? timeStep : periodsPerWindow / settings.floor / 4;
  const ceiling = Math.min(settings.ceiling, 0.5 * sampleRate);
  const duration = z.length / sampleRate;
  const window = method === 'cc' ? 1 / settings.floor + setup.windowSeconds : setup.windowSeconds;
  const grid = shortTermFrames(z.length, setup.dx, window, dt);
  const empty = { x1: grid.t1, dx: dt, xmin: 0, xmax: duration, ceiling };
  if (grid.frames === 0 || settings.floor < periodsPerWindow / duration) {
    return pitchTrackFromPath(emptyCandidates(0, setup.maxCandidates), new Int32Array(0), empty);
  }
  const times = new Float64Array(grid.frames);
  for (let f = 0; f < grid.frames; f++) times[f] = grid.t1 + f * dt;
  const peak = globalPeakAroundMean(z);
  const c = pitchCandidates(z, 0.5 * setup.dx, times, setup, settings, peak);
  // Digital silence: Praat skips the path finder, every frame stays unvoiced.
  const chosen = peak === 0 ? new Int32Array(grid.frames) : pitchPath(c, settings, ceiling, dt);
  return pitchTrackFromPath(c, chosen, empty);
}

function emptyCandidates(frames: number, m: number): PitchCandidates {
  return {
    frames,
    maxCandidates: m,
    count: new Int32Array(frames).fill(1),
    intensity: new Float64Array(frames),
    frequency: new Float64Array(frames * m),
    strength: new Float64Array(frames * m),
    peakCorrelation: new Float64Array(frames),
  };
}

/** Hz at time t, linearly interpolated between voiced frames, NaN where unvoiced (Praat's Pitch_getValueAtTime, linear). */
export function pitchAtTime(p: PitchTrack, t: number): number {
  if (t < p.xmin || t > p.xmax) return Number.NaN;
  const n = p.f0.length;
  const indexReal = (t - p.x1) / p.dx; // 0-based
  const leftIndex = Math.floor(indexReal);
  let phase = indexReal - leftIndex;
  let near: number;
  let far: number;
  if (phase < 0.5) {
    near = leftIndex;
    far = leftIndex + 1;
  } else {
    far = leftIndex;
    near = leftIndex + 1;
    phase = 1 - phase;
  }
  if (near < 0 || near >= n) return Number.NaN;
  const nearValue = p.f0[near];
  if (!(nearValue > 0)) return Number.NaN;
  if (far < 0 || far >= n) return nearValue;
  const farValue = p.f0[far];
  if (!(farValue > 0)) return nearValue;
  return nearValue + phase * (farValue - nearValue);
}
