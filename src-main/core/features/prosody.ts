import { slope } from './functionals';
import { rms } from './spectral';
import { yin } from './yin';

/** Names of the prosody vector, in order (units in the names). */
export const PROSODY_NAMES = [
  'f0_mean_hz',
  'f0_std_hz',
  'f0_min_hz',
  'f0_max_hz',
  'f0_range_st',
  'f0_slope_hz_per_s',
  'voiced_fraction',
  'energy_mean_db',
  'energy_std_db',
  'energy_max_db',
  'energy_range_db',
  'jitter_local',
  'shimmer_local',
  'hnr_db',
] as const;

/** Frame-level tracks behind the prosody vector, on the YIN frame grid (centred, `hop` apart). */
export interface ProsodyTracks {
  /** s, frame centres */
  times: Float64Array;
  /** Hz (librosa.yin; meaningful where voiced) */
  f0: Float64Array;
  /** 1 = voiced */
  voiced: Uint8Array;
  /** frame RMS in dB re full scale, floored at -100 dB */
  energyDb: Float64Array;
  /** frame RMS, linear */
  energy: Float64Array;
  /** CMNDF at the chosen lag (~1 - normalised autocorrelation) */
  aperiodicity: Float64Array;
}

export interface ProsodyOptions {
  f0Min: number;
  f0Max: number;
  frameLength: number;
  hop: number;
}

// YIN's own 0.1 threshold keeps only the cleanest frames of natural speech; 0.25 with an energy gate
// (within 35 dB of the loudest frame) keeps voiced speech and drops breath and room noise.
const VOICING_APERIODICITY = 0.25;
const VOICING_ENERGY_DB = -35;

/** Frame-level f0, voicing and energy tracks. */
export function prosodyTracks(x: Float32Array, sampleRate: number, o: ProsodyOptions): ProsodyTracks {
  const y = yin(x, sampleRate, { fmin: o.f0Min, fmax: o.f0Max, frameLength: o.frameLength, hop: o.hop });
  const energy = rms(x, o.frameLength, o.hop);
  const frames = y.f0.length;
  const energyDb = new Float64Array(frames);
  let peakDb = -100;
  for (let t = 0; t < frames; t++) {
    energyDb[t] = 20 * Math.log10(Math.max(energy[t], 1e-5));
    peakDb = Math.max(peakDb, energyDb[t]);
  }
  const voiced = new Uint8Array(frames);
  const times = new Float64Array(frames);
  for (let t = 0; t < frames; t++) {
    times[t] = (t * o.hop) / sampleRate;
    const f = y.f0[t];
    voiced[t] =
      y.interior[t] && y.aperiodicity[t] < VOICING_APERIODICITY && energyDb[t] >= peakDb + VOICING_ENERGY_DB && f >= o.f0Min && f <= o.f0Max ? 1 : 0;
  }
  return { times, f0: y.f0, voiced, energyDb, energy, aperiodicity: y.aperiodicity };
}

/**
 * Utterance prosody (PROSODY_NAMES order). Jitter and shimmer are frame-level estimates (relative change of
 * period / RMS between consecutive voiced frames), not cycle-to-cycle as in Praat; HNR comes from the YIN
 * aperiodicity, 10 log10((1 - a) / a). With no voiced frame every f0/voice measure is 0 (see voiced_fraction).
 */
export function prosodyVector(tr: ProsodyTracks): Float64Array {
  const f0: number[] = [];
  const ft: number[] = [];
  let jitterSum = 0;
  let shimmerSum = 0;
  let pairs = 0;
  let periodSum = 0;
  let ampSum = 0;
  let hnrSum = 0;
  const n = tr.f0.length;
  for (let t = 0; t < n; t++) {
    if (!tr.voiced[t]) continue;
    f0.push(tr.f0[t]);
    ft.push(tr.times[t]);
    periodSum += 1 / tr.f0[t];
    ampSum += tr.energy[t];
    const a = Math.min(Math.max(tr.aperiodicity[t], 1e-4), 1 - 1e-4);
    hnrSum += 10 * Math.log10((1 - a) / a);
    if (t > 0 && tr.voiced[t - 1]) {
      jitterSum += Math.abs(1 / tr.f0[t] - 1 / tr.f0[t - 1]);
      shimmerSum += Math.abs(tr.energy[t] - tr.energy[t - 1]);
      pairs++;
    }
  }
  const nv = f0.length;
  const out = new Float64Array(PROSODY_NAMES.length);
  if (nv > 0) {
    const mean = f0.reduce((s, v) => s + v, 0) / nv;
    const std = Math.sqrt(f0.reduce((s, v) => s + (v - mean) ** 2, 0) / nv);
    const min = Math.min(...f0);
    const max = Math.max(...f0);
    out.set([mean, std, min, max, 12 * Math.log2(max / min), slope(ft, f0)], 0);
    out[11] = pairs > 0 ? jitterSum / pairs / (periodSum / nv) : 0;
    out[12] = pairs > 0 && ampSum > 0 ? shimmerSum / pairs / (ampSum / nv) : 0;
    out[13] = hnrSum / nv;
  }
  out[6] = n > 0 ? nv / n : 0;
  if (n > 0) {
    let m = 0;
    let peak = -Infinity;
    let low = Infinity;
    for (const v of tr.energyDb) {
      m += v;
      peak = Math.max(peak, v);
      low = Math.min(low, v);
    }
    m /= n;
    let s = 0;
    for (const v of tr.energyDb) s += (v - m) ** 2;
    out.set([m, Math.sqrt(s / n), peak, peak - low], 7);
  }
  return out;
}
