// The 65 ComParE 2016 low-level descriptors of one utterance, smoothed (_sma), as ComParE_2016_core.lld.conf.inc
// defines them: 20 ms Hamming frames (FFT 512 at 16 kHz) for the spectral descriptors and RMS energy, 60 ms frames
// for the zero-crossing rate and the voice descriptors, all every 10 ms, left-aligned.
import { auditoryBands, equalLoudnessWeight, melBands, RastaFilter, rastaAuditoryBands, triangularMelBank } from './auditorySpectrum';
import { liftedDctBasis, mfccFrame } from './cepstrum';
import { smooth3, smooth3NonZero } from './contours';
import { rmsEnergy, zeroCrossingRate } from './energy';
import { gaussWindow, hammingWindow, leftFrameCount, nextPowerOfTwo } from './framing';
import { PowerSpectrumFramer } from './powerSpectra';
import { SPECTRAL_SHAPE_NAMES, spectralShapeFrame, spectralShapePlan } from './spectralShape';

/** Voice tracks on the 10 ms grid (frame t = 60 ms window starting at t * hop), as voiceQuality.ts returns them. */
export interface VoiceTracks {
  /** Hz, 0 where unvoiced */
  f0: Float64Array;
  voicingProb: Float64Array;
  jitterLocal: Float64Array;
  jitterDdp: Float64Array;
  shimmerLocal: Float64Array;
  /** dB */
  logHnr: Float64Array;
}

/** The voice-quality extractor the descriptors are computed with (voiceQualityTracks in production). */
export type VoiceTrackSource = (
  x: Float32Array,
  sampleRate: number,
  opts: { hop: number; frames: number; windowSeconds: number; f0Min: number; f0Max: number; unusedVoicing?: Uint8Array },
) => VoiceTracks;

/**
 * Smoothed LLD contours per functional group (names in names.ts: LLD_A, LLD_B, LLD_NZ). A and Nz have the 60 ms frame
 * count, B the 20 ms count (the groups that read B beside A, functionals LLD and Delta, see its first a.length frames).
 */
export interface CompareLlds {
  a: Float64Array[];
  b: Float64Array[];
  nz: Float64Array[];
  /** seconds per frame */
  period: number;
}

/** ComParE's frame step, s. */
export const FRAME_PERIOD = 0.01;
/** cPitchShs minPitch / maxPitch in ComParE, Hz. */
const F0_MIN = 52;
const F0_MAX = 620;
/** cValbasedSelector threshold on the 60 ms Gaussian-window RMS: quieter frames have no F0 or voicing. */
const VOICE_ENERGY_THRESHOLD = 0.001;
/** cPitchJitter's lgHNRfloor: the log HNR of frames with no pitch period. */
const LOG_HNR_FLOOR = -100;

/**
 * The LLDs of mono samples at sampleRate. Input shorter than one 60 ms frame is zero-padded to one frame (openSMILE
 * would produce no frames and no output); every contour then has at least one frame.
 */
export function compareLlds(samples: Float32Array, sampleRate: number, voice: VoiceTrackSource): CompareLlds {
  const step = Math.round(FRAME_PERIOD * sampleRate);
  const size20 = Math.round(0.02 * sampleRate);
  const size60 = Math.round(0.06 * sampleRate);
  let x = samples;
  if (x.length < size60) {
    x = new Float32Array(size60);
    x.set(samples);
  }
  const n20 = leftFrameCount(x.length, size20, step);
  const n60 = leftFrameCount(x.length, size60, step);

  // one FFT pass on the 20 ms Hamming frames feeds the mel bands, MFCCs and every spectral-shape descriptor
  const nFft = nextPowerOfTwo(size20);
  // frame by frame: each power spectrum is read once, in order, by the loop below
  const spec = new PowerSpectrumFramer(hammingWindow(size20), step, nFft);
  const power = new Float64Array(spec.bins);
  const bank = triangularMelBank(sampleRate, nFft, 26, 20, 8000);
  const eql = bank.centres.map(equalLoudnessWeight);
  const logEql = eql.map(Math.log);
  const rasta = new RastaFilter(26, FRAME_PERIOD);
  const dct = liftedDctBasis(26, 1, 14, 22);
  const plan = spectralShapePlan(sampleRate, nFft);
  const nShape = SPECTRAL_SHAPE_NAMES.length;

  const audspecSum = new Float64Array(n20);
  const rastaSum = new Float64Array(n20);
  const rastaBands = new Float64Array(n20 * 26);
  const shape = new Float64Array(n20 * nShape);
  const mfcc = new Float64Array(n20 * 14);
  const mel = new Float64Array(26);
  const aud = new Float64Array(26);
  const scratch = new Float64Array(26);
  const prevMag = new Float64Array(spec.bins);
  for (let t = 0; t < n20; t++) {
    spec.frame(x, t, power, 0);
    melBands(power, 0, bank, mel);
    mfccFrame(mel, dct, scratch, mfcc, t * 14);
    aud.set(mel);
    auditoryBands(aud, eql);
    let s = 0;
    for (let i = 0; i < 26; i++) s += aud[i];
    audspecSum[t] = s / 26;
    rastaAuditoryBands(mel, logEql, rasta);
    s = 0;
    for (let i = 0; i < 26; i++) {
      s += mel[i];
      rastaBands[t * 26 + i] = mel[i];
    }
    rastaSum[t] = s / 26;
    spectralShapeFrame(plan, power, 0, prevMag, t === 0, shape, t * nShape);
  }
  const column = (m: Float64Array, dims: number, k: number) => {
    const v = new Float64Array(n20);
    for (let t = 0; t < n20; t++) v[t] = m[t * dims + k];
    return smooth3(v);
  };
  const b: Float64Array[] = [];
  for (let k = 0; k < 26; k++) b.push(column(rastaBands, 26, k));
  for (let k = 0; k < nShape; k++) b.push(column(shape, nShape, k));
  for (let k = 0; k < 14; k++) b.push(column(mfcc, 14, k));

  // Group A mixes 20 ms and 60 ms levels; openSMILE's multi-level reader stops at the shorter one, so A has the 60 ms
  // count. The 20 ms tracks are smoothed at full length first (the smoother of their last A frame still sees the next
  // 20 ms frame), the ZCR on its own 60 ms frames.
  const rms = rmsEnergy(x, size20, step, n20);
  const zcr = zeroCrossingRate(x, size60, step, n60);
  const a = [...[audspecSum, rastaSum, rms].map((v) => smooth3(v).slice(0, n60)), smooth3(zcr)];

  const energy60 = rmsEnergy(x, size60, step, n60, gaussWindow(size60, 0.4));
  // Frames below the energy threshold read nothing from the voice tracks, so their voicing analysis may be left out.
  const quiet = new Uint8Array(n60);
  for (let t = 0; t < n60; t++) quiet[t] = energy60[t] < VOICE_ENERGY_THRESHOLD ? 1 : 0;
  const v = voice(x, sampleRate, { hop: step, frames: n60, windowSeconds: 0.06, f0Min: F0_MIN, f0Max: F0_MAX, unusedVoicing: quiet });
  const f0 = new Float64Array(n60);
  const voicing = new Float64Array(n60);
  const jitter = new Float64Array(n60);
  const ddp = new Float64Array(n60);
  const shimmer = new Float64Array(n60);
  const hnr = new Float64Array(n60).fill(LOG_HNR_FLOOR);
  for (let t = 0; t < n60; t++) {
    if (energy60[t] < VOICE_ENERGY_THRESHOLD) continue;
    voicing[t] = finite(v.voicingProb[t]);
    const f = finite(v.f0[t]);
    if (f <= 0) continue;
    f0[t] = f;
    jitter[t] = finite(v.jitterLocal[t]);
    ddp[t] = finite(v.jitterDdp[t]);
    shimmer[t] = finite(v.shimmerLocal[t]);
    hnr[t] = Math.max(LOG_HNR_FLOOR, finite(v.logHnr[t], LOG_HNR_FLOOR));
  }
  const nz = [f0, voicing, jitter, ddp, shimmer, hnr].map(smooth3NonZero);
  return { a, b, nz, period: FRAME_PERIOD };
}

function finite(v: number, fallback = 0): number {
  return Number.isFinite(v) ? v : fallback;
}
