// ComParE's 26-band mel spectrum (cMelspec), the auditory spectrum derived from it (cPlp with doAud: equal-loudness
// weighting and cube-root compression) and its RASTA-filtered variant (cPlp newRASTA), as configured in
// ComParE_2016_core.lld.conf.inc. openSMILE's own filterbank is kept (not librosa's): triangles of peak 1 on the
// mel scale 1127 ln(1 + f/700), band edges at 20 Hz and 8 kHz.

/** mel = 1127 ln(1 + f / 700) (openSMILE's SPECTSCALE_MEL); 0 for f <= 0. */
export function hzToMelOpenSmile(f: number): number {
  return f > 0 ? 1127 * Math.log(1 + f / 700) : 0;
}

/** Inverse of hzToMelOpenSmile. */
export function melToHzOpenSmile(m: number): number {
  return 700 * (Math.exp(m / 1127) - 1);
}

/** The filterbank as openSMILE stores it: each FFT bin feeds band chanMap[k] with weight w and band chanMap[k] + 1 with 1 - w. */
export interface TriangularMelBank {
  nBands: number;
  /** first and one-past-last FFT bin read (openSMILE's nLoF .. nHiF; bins at or below nLoF are skipped) */
  loBin: number;
  hiBin: number;
  chanMap: Int32Array;
  weight: Float64Array;
  /** centre frequency of each band, Hz */
  centres: Float64Array;
}

/**
 * openSMILE's standard mel filterbank for an nFft-point spectrum at sampleRate: nBands + 2 points equally spaced in
 * mel from loHz to hiHz (hiHz clamped to Nyquist), band m rising from point m to m + 1 and falling to m + 2.
 */
export function triangularMelBank(sampleRate: number, nFft: number, nBands: number, loHz: number, hiHz: number): TriangularMelBank {
  const bins = (nFft >> 1) + 1;
  const f0 = sampleRate / nFft;
  const fs = ((bins - 1) * 2) / (nFft / sampleRate);
  let lo = loHz;
  let hi = hiHz;
  if (lo < 0 || lo > fs / 2 || lo > hi) lo = 0;
  if (hi < lo || hi > fs / 2 || hi <= 0) hi = fs / 2;
  const loMel = hzToMelOpenSmile(lo);
  const hiMel = hzToMelOpenSmile(hi);
  const loBin = Math.min(bins, Math.max(0, Math.round(lo / f0)));
  const hiBin = Math.min(bins, Math.max(0, Math.round(hi / f0)));
  const step = (hiMel - loMel) / (nBands + 1);
  const cfs = new Float64Array(nBands + 2);
  for (let m = 0; m <= nBands + 1; m++) cfs[m] = loMel + m * step;
  const centres = new Float64Array(nBands);
  for (let m = 1; m <= nBands; m++) centres[m - 1] = melToHzOpenSmile(cfs[m]);
  const chanMap = new Int32Array(bins);
  let m = 0;
  for (let n = 0; n < bins; n++) {
    if (n <= loBin || n >= hiBin) chanMap[n] = -3;
    else {
      const mel = hzToMelOpenSmile(n * f0);
      while (cfs[m] < mel) {
        if (m > nBands) break;
        m++;
      }
      chanMap[n] = m - 2;
    }
  }
  const weight = new Float64Array(bins);
  m = 0;
  for (let n = loBin; n < hiBin; n++) {
    const mel = hzToMelOpenSmile(n * f0);
    while (mel > cfs[m + 1] && m <= nBands) m++;
    weight[n] = (cfs[m + 1] - mel) / (cfs[m + 1] - cfs[m]);
  }
  return { nBands, loBin, hiBin, chanMap, weight, centres };
}

/** Band powers of one power spectrum (power[off .. off + bins)) into out[0 .. nBands). */
export function melBands(power: Float64Array, off: number, bank: TriangularMelBank, out: Float64Array): void {
  const { nBands, loBin, hiBin, chanMap, weight } = bank;
  out.fill(0, 0, nBands);
  for (let n = loBin; n < hiBin; n++) {
    const m = chanMap[n];
    if (m <= -2) continue;
    const p = power[off + n];
    const a = p * weight[n];
    if (m > -1) out[m] += a;
    if (m < nBands - 1) out[m + 1] += p - a;
  }
}

/** openSMILE's equal-loudness weight (smileDsp_equalLoudnessWeight, Hermansky's PLP curve as openSMILE writes it). */
export function equalLoudnessWeight(f: number): number {
  const w = 2 * Math.PI * f;
  const w2 = w * w;
  const c = w2 + 6300000;
  return (1e32 * ((w2 + 56.8e6) * w2 * w2)) / (c * c * (w2 + 0.38e9) * (w2 * w2 * w2 * w + 1.7e31));
}

/** cPlp's default melfloor: band powers below it are raised to it before weighting or the log. */
export const MEL_FLOOR = 0.00000000093;
/** cPlp compression = 0.33: the power law of hearing. */
export const COMPRESSION = 0.33;

/** Auditory spectrum of one frame: (max(mel, floor) · equal-loudness weight)^0.33, in place. */
export function auditoryBands(mel: Float64Array, eql: Float64Array): void {
  for (let i = 0; i < eql.length; i++) mel[i] = Math.pow(Math.max(mel[i], MEL_FLOOR) * eql[i], COMPRESSION);
}

/**
 * RASTA band-pass filtering of log band powers across frames (cPlp newRASTA): per band the FIR numerator
 * [2, -4ω, 0, 4ω, -2] / sqrt(10 (32ω² + 8)) with ω = cos(2π 29 Hz T) and the pole 1 - sin(2π 1 Hz T), T = frame period,
 * in transposed direct form. The first 5 frames output 0 and feed no pole, as in openSMILE.
 */
export class RastaFilter {
  private readonly fir: Float64Array;
  private readonly pole: number;
  private readonly state: Float64Array;
  private frame = 0;

  constructor(
    private readonly bands: number,
    framePeriod: number,
  ) {
    this.pole = 1 - Math.sin(2 * Math.PI * 1 * framePeriod);
    const om = Math.cos(2 * Math.PI * 29 * framePeriod);
    const norm = Math.sqrt(10 * (32 * om * om + 8));
    const b0 = 2 / norm;
    const b1 = (-4 * om) / norm;
    this.fir = Float64Array.of(b0, b1, 0, -b1, -b0);
    this.state = new Float64Array(bands * 4);
  }

  /** Filters one frame of log band powers in place. */
  process(v: Float64Array): void {
    const { fir, state, pole } = this;
    const ready = this.frame >= 5 ? 1 : 0;
    for (let i = 0; i < this.bands; i++) {
      const x = v[i];
      const s = i * 4;
      const y = fir[0] * x + state[s];
      state[s] = fir[1] * x + state[s + 1] + ready * pole * y;
      state[s + 1] = fir[2] * x + state[s + 2];
      state[s + 2] = fir[3] * x + state[s + 3];
      state[s + 3] = fir[4] * x;
      v[i] = ready ? y : 0;
    }
    if (this.frame < 5) this.frame++;
  }
}

/**
 * RASTA auditory spectrum of one frame, in place: log(max(mel, floor)), RASTA across frames, plus the log
 * equal-loudness weight, times 0.33, exp (cPlp with newRASTA forces doLog and doInvLog).
 */
export function rastaAuditoryBands(mel: Float64Array, logEql: Float64Array, rasta: RastaFilter): void {
  const n = logEql.length;
  const logFloor = Math.log(MEL_FLOOR);
  for (let i = 0; i < n; i++) mel[i] = mel[i] < MEL_FLOOR ? logFloor : Math.log(mel[i]);
  rasta.process(mel);
  for (let i = 0; i < n; i++) mel[i] = Math.exp((mel[i] + logEql[i]) * COMPRESSION);
}
