// Voice-quality descriptors with Praat's definitions: F0 from "To Pitch (ac)", glottal pulses from
// "To PointProcess (cc)", jitter (local, ddp) and shimmer (local) cycle to cycle over those pulses, HNR from
// "To Harmonicity (cc)". `voiceReport` is what Praat's voice report gives for a whole file (and is tested
// against Praat itself: tests/unit/voiceQualityPraat.test.ts); `voiceQualityTracks` gives the same measures
// per analysis frame for the ComParE low-level descriptors.
import { glottalPulses, jitterDdp, jitterLocal, pulseAmplitudes, shimmerLocal, PRAAT_PERIOD_LIMITS, type PeriodLimits } from './pointProcess';
import {
  frameSetup,
  globalPeakAroundMean,
  pitchCandidates,
  pitchPath,
  pitchTrackFromPath,
  refineChosen,
  PRAAT_PITCH_DEFAULTS,
  soundToPeriodicity,
  type PitchSettings,
  type RowStore,
  type PitchTrack,
  type Samples,
} from './pitchAutocorrelation';

/** Utterance-level voice measures, as Praat's voice report; every measure is 0 where Praat's is undefined (e.g. no voiced frame). */
export interface VoiceReport {
  /** Hz, mean F0 of the voiced pitch frames */
  f0Mean: number;
  /** Hz, median F0 of the voiced pitch frames (Praat's quantile 0.5) */
  f0Median: number;
  /** fraction: mean |T(i) - T(i+1)| / mean period */
  jitterLocal: number;
  /** fraction: mean |(T(i+1) - T(i)) - (T(i) - T(i-1))| / mean period (3 x rap) */
  jitterDdp: number;
  /** fraction: mean |A(i) - A(i+1)| / mean amplitude */
  shimmerLocal: number;
  /** dB, mean harmonics-to-noise ratio of the sounding frames (To Harmonicity (cc), Get mean) */
  hnrMean: number;
  /** voiced pitch frames (0.01 s apart by default) */
  voicedFrames: number;
  /** s, glottal pulse times */
  pulses: Float64Array;
}

export interface VoiceReportOptions {
  /** Hz (Praat's pitch floor, 75) */
  f0Min?: number;
  /** Hz (Praat's pitch ceiling, 600) */
  f0Max?: number;
  /** the rest of To Pitch (ac)'s settings */
  pitch?: Partial<Omit<PitchSettings, 'floor' | 'ceiling'>>;
  /** period floor/ceiling and maximum period/amplitude factors (0.0001 s, 0.02 s, 1.3, 1.6) */
  periods?: Partial<PeriodLimits>;
  /** To Harmonicity (cc) settings (0.01 s, 75 Hz, silence 0.1, 1 period per window) */
  harmonicity?: Partial<HarmonicitySettings>;
}

export interface HarmonicitySettings {
  /** s */
  timeStep: number;
  /** Hz */
  minPitch: number;
  silenceThreshold: number;
  periodsPerWindow: number;
}

export const PRAAT_HARMONICITY_DEFAULTS: HarmonicitySettings = { timeStep: 0.01, minPitch: 75, silenceThreshold: 0.1, periodsPerWindow: 1 };

const zeroIfUndefined = (v: number): number => (Number.isFinite(v) ? v : 0);

function pitchSettings(o: { f0Min?: number; f0Max?: number; pitch?: Partial<Omit<PitchSettings, 'floor' | 'ceiling'>> }): PitchSettings {
  return { ...PRAAT_PITCH_DEFAULTS, ...o.pitch, floor: o.f0Min ?? PRAAT_PITCH_DEFAULTS.floor, ceiling: o.f0Max ?? PRAAT_PITCH_DEFAULTS.ceiling };
}

function checkPitchRange(settings: PitchSettings, caller: string): void {
  if (!(settings.floor > 0 && settings.floor < settings.ceiling))
    throw new Error(`${caller}: need 0 < f0Min < f0Max (got ${settings.floor} and ${settings.ceiling} Hz).`);
}

/** Praat's quantile of sorted values (NUMquantile: linear between order statistics, place q n + 0.5). */
function quantileSorted(a: Float64Array, q: number): number {
  const n = a.length;
  if (n < 1) return Number.NaN;
  if (n === 1) return a[0];
  const place = q * n + 0.5;
  const left = Math.min(Math.max(1, Math.floor(place)), n - 1); // 1-based
  const slope = a[left] - a[left - 1];
  return slope === 0 ? a[left - 1] : a[left - 1] + (place - left) * slope;
}

/**
 * Harmonics-to-noise ratio per frame (dB) after Praat's "To Harmonicity (cc)": the forward cross-correlation
 * pitch analysis with no voicing threshold or costs; HNR = 10 log10(r / (1 - r)) of the chosen candidate,
 * clipped to +-150 dB, and -200 dB for frames Praat counts as silent.
 */
export function harmonicityCc(x: Samples, sampleRate: number, settings: HarmonicitySettings = PRAAT_HARMONICITY_DEFAULTS): Float64Array {
  const nyquist = 0.5 * sampleRate;
  const track = soundToPeriodicity(
    x,
    sampleRate,
    {
      floor: settings.minPitch,
      ceiling: nyquist,
      maxCandidates: 15,
      silenceThreshold: settings.silenceThreshold,
      voicingThreshold: 0,
      octaveCost: 0,
      octaveJumpCost: 0,
      voicedUnvoicedCost: 0,
    },
    'cc',
    settings.periodsPerWindow,
    settings.timeStep,
  );
  const hnr = new Float64Array(track.f0.length);
  for (let f = 0; f < hnr.length; f++) {
    const r = track.strength[f];
    hnr[f] = !(track.f0[f] > 0) ? -200 : r <= 1e-15 ? -150 : r > 1 - 1e-15 ? 150 : 10 * Math.log10(r / (1 - r));
  }
  return hnr;
}

/**
 * Praat's voice report for a whole mono sound: pitch (ac) with floor/ceiling f0Min/f0Max, pulses (cc),
 * jitter local/ddp and shimmer local with the period limits, and mean HNR (cc). Silence, or a sound too short
 * for one pitch window (3 periods of f0Min), gives zeros. Costs ~35 ms of CPU per second of 16 kHz audio,
 * most of it the cross-correlation HNR (voiceQualityTracks, without it, ~2 ms).
 */
export function voiceReport(x: Float32Array, sampleRate: number, opts: VoiceReportOptions = {}): VoiceReport {
  const settings = pitchSettings(opts);
  checkPitchRange(settings, 'voiceReport');
  const limits = { ...PRAAT_PERIOD_LIMITS, ...opts.periods };
  const pitch = soundToPeriodicity(x, sampleRate, settings, 'ac', 3, 0);
  const voiced = Float64Array.from(pitch.f0.filter((f) => f > 0)).sort();
  let sum = 0;
  for (const f of voiced) sum += f;
  const pulses = voiced.length > 0 ? glottalPulses(x, sampleRate, pitch) : new Float64Array(0);
  const duration = x.length / sampleRate;
  const amplitudes = pulseAmplitudes(pulses, x, sampleRate, limits);
  const hnr = harmonicityCc(x, sampleRate, { ...PRAAT_HARMONICITY_DEFAULTS, ...opts.harmonicity });
  let hnrSum = 0;
  let sounding = 0;
  for (const h of hnr) {
    if (h !== -200) {
      hnrSum += h;
      sounding++;
    }
  }
  return {
    f0Mean: voiced.length > 0 ? sum / voiced.length : 0,
    f0Median: zeroIfUndefined(quantileSorted(voiced, 0.5)),
    jitterLocal: zeroIfUndefined(jitterLocal(pulses, 0, duration, limits)),
    jitterDdp: zeroIfUndefined(jitterDdp(pulses, 0, duration, limits)),
    shimmerLocal: zeroIfUndefined(shimmerLocal(pulses, amplitudes, 0, duration, limits)),
    hnrMean: sounding > 0 ? hnrSum / sounding : 0,
    voicedFrames: voiced.length,
    pulses,
  };
}

export interface VoiceQualityTrackOptions {
  /** samples between frame starts */
  hop: number;
  /** number of frames */
  frames: number;
  /** s, frame length: the span whose pulses give a frame's jitter and shimmer, and whose centre its F0 (0.06, ComParE's pitch frame) */
  windowSeconds?: number;
  /** Hz (75) */
  f0Min?: number;
  /** Hz (600) */
  f0Max?: number;
  /** the rest of the pitch settings (Praat's defaults) */
  pitch?: Partial<Omit<PitchSettings, 'floor' | 'ceiling'>>;
  /** period limits for jitter and shimmer (Praat's defaults) */
  periods?: Partial<PeriodLimits>;
  /** periods of f0Min in the pitch window (3, Praat's: 40 ms at 75 Hz), centred on the frame */
  pitchWindowPeriods?: number;
  /**
   * Refine every candidate before the path finder, as Praat does (slower). By default the path runs on the
   * first-pass estimates and only the chosen F0 is refined: on the 13 RAVDESS files of the Praat fixture this
   * changed no voicing decision and 1 of 1,662 voiced F0 values (voicingProb in unvoiced frames, which then
   * comes from first-pass strengths, by up to 0.06).
   */
  refineAllCandidates?: boolean;
  /**
   * Frames whose voicingProb and logHnr the caller does not read (non-zero entries; e.g. frames it gates out by
   * energy). Those of them quiet enough that the path finder leaves them unvoiced whatever their correlation get no
   * correlation analysis: their voicingProb and logHnr come out NaN; F0, the pulses, jitter and shimmer, and every
   * other frame's values are as without this option.
   */
  unusedVoicing?: ArrayLike<number>;
}

/** Per-frame voice-quality descriptors, each `frames` long. */
export interface VoiceQualityTracks {
  /** Hz, 0 where unvoiced */
  f0: Float64Array;
  /**
   * 0..1: the normalised autocorrelation (Praat's candidate strength) of the chosen period in voiced frames;
   * in unvoiced frames the largest one at a lag between 1/f0Max and 1/f0Min (candidate or not), 0 only in
   * digital silence. Not gated by the voicing decision, like openSMILE's voicing probability.
   */
  voicingProb: Float64Array;
  /** fraction, from the pulses inside the frame (0 with fewer than 2 usable periods) */
  jitterLocal: Float64Array;
  /** fraction, from the pulses inside the frame (0 with fewer than 3 usable periods) */
  jitterDdp: Float64Array;
  /** fraction, from the pulses inside the frame (0 with fewer than 3 pulses) */
  shimmerLocal: Float64Array;
  /** dB, 10 log10(r / (1 - r)) of voicingProb's r, clipped to [-100, 100] (openSMILE's HNRdB range): -100 where r = 0 (digital silence) */
  logHnr: Float64Array;
}

/**
 * Correlation rows lent to pitchCandidates by voiceQualityTracks, file after file (voiceQualityTracks reads them before
 * it returns, so one store serves every call); up to 4 MB (about a 10 s file) are kept between calls.
 */
const correlationRows: RowStore = { buffer: new Float64Array(0) };
const MAX_KEPT_ROWS = (4 * 1024 * 1024) / 8;

/** dB floor and ceiling of logHnr, as openSMILE's cPitchACF HNRdB. */
export const LOG_HNR_FLOOR_DB = -100;
export const LOG_HNR_CEILING_DB = 100;

/**
 * Voice-quality tracks on openSMILE's frame grid: frame t is the `windowSeconds` window starting at sample
 * t * hop (samples past the end read as zeros). F0 and voicing are Praat's "To Pitch (ac)" frames centred on
 * those windows (Praat's own window of 3 periods of f0Min, its candidates and path costs, the octave-jump and
 * voiced/unvoiced costs scaled to `hop` as Praat scales them to its time step); jitter and shimmer use Praat's
 * cross-correlation pulses over the whole sound, with the pulses inside each frame's window.
 */
export function voiceQualityTracks(x: Float32Array, sampleRate: number, opts: VoiceQualityTrackOptions): VoiceQualityTracks {
  const frames = Math.max(0, opts.frames);
  const out: VoiceQualityTracks = {
    f0: new Float64Array(frames),
    voicingProb: new Float64Array(frames),
    jitterLocal: new Float64Array(frames),
    jitterDdp: new Float64Array(frames),
    shimmerLocal: new Float64Array(frames),
    logHnr: new Float64Array(frames).fill(LOG_HNR_FLOOR_DB),
  };
  if (frames === 0) return out;
  const settings = pitchSettings(opts);
  const limits = { ...PRAAT_PERIOD_LIMITS, ...opts.periods };
  const windowSeconds = opts.windowSeconds ?? 0.06;
  if (!(opts.hop > 0) || !(windowSeconds > 0))
    throw new Error(`voiceQualityTracks: hop (${opts.hop} samples) and windowSeconds (${windowSeconds} s) must be positive.`);
  if (!(settings.floor > 0 && settings.floor < settings.ceiling))
    throw new Error(`voiceQualityTracks: need 0 < f0Min < f0Max (got ${settings.floor} and ${settings.ceiling} Hz).`);
  const hop = opts.hop;
  const dx = 1 / sampleRate;
  const setup = frameSetup(sampleRate, settings, 'ac', opts.pitchWindowPeriods ?? 3, opts.refineAllCandidates ? 'all' : 'chosen');
  // Each pitch window is centred on its frame: Praat's frame at time (t hop + W/2) / rate.
  const centre = Math.floor(Math.round(windowSeconds * sampleRate) / 2);
  const times = new Float64Array(frames);
  for (let t = 0; t < frames; t++) times[t] = (t * hop + centre) * dx;
  const peak = globalPeakAroundMean(x);
  // Samples before the start and past the end read as zeros.
  const skip = opts.unusedVoicing ? { unused: opts.unusedVoicing, pathTimeStep: hop * dx } : undefined;
  const candidates = pitchCandidates(x, 0.5 * dx, times, setup, settings, peak, skip, correlationRows);
  const ceiling = Math.min(settings.ceiling, 0.5 * sampleRate);
  const chosen = peak === 0 ? new Int32Array(frames) : pitchPath(candidates, settings, ceiling, hop * dx);
  if (setup.refine === 'chosen') refineChosen(candidates, chosen, setup, ceiling);
  // the rows are read; a long file's rows are not kept for the next file
  if (correlationRows.buffer.length > MAX_KEPT_ROWS) correlationRows.buffer = new Float64Array(0);
  const pitch: PitchTrack = pitchTrackFromPath(candidates, chosen, { x1: centre * dx, dx: hop * dx, xmin: 0, xmax: x.length * dx, ceiling });

  const pulses = pitch.f0.some((f) => f > 0) ? glottalPulses(x, sampleRate, pitch) : new Float64Array(0);
  const amplitudes = pulseAmplitudes(pulses, x, sampleRate, limits);
  const windowSamples = Math.round(windowSeconds * sampleRate);
  for (let t = 0; t < frames; t++) {
    out.f0[t] = pitch.f0[t];
    const r = pitch.f0[t] > 0 ? pitch.strength[t] : pitch.bestStrength[t];
    out.voicingProb[t] = r;
    out.logHnr[t] =
      r <= 0
        ? LOG_HNR_FLOOR_DB
        : r >= 1
          ? LOG_HNR_CEILING_DB
          : Math.min(LOG_HNR_CEILING_DB, Math.max(LOG_HNR_FLOOR_DB, 10 * Math.log10(r / (1 - r))));
    if (pulses.length < 3) continue;
    const tmin = t * hop * dx;
    const tmax = (t * hop + windowSamples) * dx;
    out.jitterLocal[t] = zeroIfUndefined(jitterLocal(pulses, tmin, tmax, limits));
    out.jitterDdp[t] = zeroIfUndefined(jitterDdp(pulses, tmin, tmax, limits));
    out.shimmerLocal[t] = zeroIfUndefined(shimmerLocal(pulses, amplitudes, tmin, tmax, limits));
  }
  return out;
}
