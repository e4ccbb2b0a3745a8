import FFT from 'fft.js';
import { centredFrame, centredFrameCount } from './stft';

export interface YinOptions {
  /** Hz */
  fmin: number;
  /** Hz */
  fmax: number;
  /** samples (power of two); librosa's default window is half of it */
  frameLength: number;
  /** samples */
  hop: number;
  /** cumulative-mean-normalised difference below which a trough counts as periodic (librosa: 0.1) */
  troughThreshold?: number;
}

/** Per-frame YIN results. */
export interface YinTrack {
  /** Hz per frame, librosa.yin's estimate (every frame gets one, voiced or not) */
  f0: Float64Array;
  /** period in samples (parabolically refined) */
  period: Float64Array;
  /** CMNDF value at the chosen lag: ~0 for clean periodicity, ~1 for noise */
  aperiodicity: Float64Array;
  /** 1 where a trough below troughThreshold was found (librosa's voicing rule), else 0 */
  periodic: Uint8Array;
  /** 1 where the chosen lag is inside the search range, 0 where it sits on an end (f0 pinned to fmin/fmax: not a pitch) */
  interior: Uint8Array;
}

const f32 = Math.fround;

interface YinPlan {
  fft: FFT;
  frame: Float64Array;
  rev: Float64Array;
  a: Float64Array;
  b: Float64Array;
  prod: Float64Array;
  conv: Float64Array;
}
const plans = new Map<number, YinPlan>();

function plan(n: number): YinPlan {
  let p = plans.get(n);
  if (!p) {
    p = {
      fft: new FFT(n),
      frame: new Float64Array(n),
      rev: new Float64Array(n),
      a: new Float64Array(2 * n),
      b: new Float64Array(2 * n),
      prod: new Float64Array(2 * n),
      conv: new Float64Array(2 * n),
    };
    plans.set(n, p);
  }
  return p;
}

/** Parabolic vertex offset at i (librosa's _parabolic_interpolation); 0 at the ends or when the fit is ill-posed. */
function parabolicShift(y: Float64Array, i: number): number {
  if (i <= 0 || i >= y.length - 1) return 0;
  const a = y[i + 1] + y[i - 1] - 2 * y[i];
  const b = (y[i + 1] - y[i - 1]) / 2;
  return Math.abs(b) >= Math.abs(a) ? 0 : -b / a;
}

/** librosa.yin f0 track (centred, zero-padded frames), plus period, aperiodicity and the periodicity flag. */
export function yin(x: Float32Array, sampleRate: number, opts: YinOptions): YinTrack {
  const L = opts.frameLength;
  const W = L >> 1;
  const threshold = opts.troughThreshold ?? 0.1;
  const minP = Math.floor(sampleRate / opts.fmax);
  const maxP = Math.min(Math.ceil(sampleRate / opts.fmin), L - W - 1);
  if (minP < 1 || minP >= maxP) {
    throw new Error(`yin: the f0 range ${opts.fmin}-${opts.fmax} Hz gives no lag range at ${sampleRate} Hz with frames of ${L}`);
  }
  const frames = centredFrameCount(x.length, L, opts.hop);
  const out: YinTrack = {
    f0: new Float64Array(frames),
    period: new Float64Array(frames),
    aperiodicity: new Float64Array(frames),
    periodic: new Uint8Array(frames),
    interior: new Uint8Array(frames),
  };
  const p = plan(L);
  const cum = new Float64Array(L);
  const d = new Float64Array(maxP + 1);
  const cmndf = new Float64Array(maxP - minP + 1);
  for (let t = 0; t < frames; t++) {
    const { fft, frame, rev, a, b, prod, conv } = p;
    centredFrame(x, t, opts.hop, frame);
    // acf[tau] = sum_{j=1..W} x[j] x[j+tau], via the product of the frame's spectrum and the reversed window's.
    rev.fill(0);
    for (let m = 0; m < W; m++) rev[m] = frame[W - m];
    fft.realTransform(a, frame);
    fft.completeSpectrum(a);
    fft.realTransform(b, rev);
    fft.completeSpectrum(b);
    for (let k = 0; k < L; k++) {
      const ar = a[2 * k];
      const ai = a[2 * k + 1];
      const br = b[2 * k];
      const bi = b[2 * k + 1];
      prod[2 * k] = ar * br - ai * bi;
      prod[2 * k + 1] = ar * bi + ai * br;
    }
    fft.inverseTransform(conv, prod);
    // librosa accumulates the energies in float32 (the frames are float32); mirrored for the same zero cut-offs.
    let acc = 0;
    for (let i = 0; i < L; i++) {
      const v = f32(frame[i]);
      acc = f32(acc + f32(v * v));
      cum[i] = acc;
    }
    let e0 = 0;
    for (let tau = 0; tau <= maxP; tau++) {
      let acf = conv[2 * (W + tau)];
      if (Math.abs(acf) < 1e-6) acf = 0;
      let e = f32(cum[W + tau] - cum[tau]);
      if (Math.abs(e) < 1e-6) e = 0;
      if (tau === 0) e0 = e;
      d[tau] = e0 + e - 2 * acf;
    }
    let running = 0;
    for (let tau = 1; tau <= maxP; tau++) {
      running += d[tau];
      if (tau >= minP) cmndf[tau - minP] = d[tau] / (running / tau + 2.2250738585072014e-308);
    }
    const n = cmndf.length;
    let chosen = -1;
    let argmin = 0;
    for (let i = 0; i < n; i++) {
      if (cmndf[i] < cmndf[argmin]) argmin = i;
      if (chosen >= 0) continue;
      const trough = i === 0 ? cmndf[0] < cmndf[1] : i === n - 1 ? cmndf[i] < cmndf[i - 1] : cmndf[i] < cmndf[i - 1] && cmndf[i] <= cmndf[i + 1];
      if (trough && cmndf[i] < threshold) chosen = i;
    }
    const idx = chosen >= 0 ? chosen : argmin;
    const period = minP + idx + parabolicShift(cmndf, idx);
    out.period[t] = period;
    out.f0[t] = sampleRate / period;
    out.aperiodicity[t] = cmndf[idx];
    out.periodic[t] = chosen >= 0 ? 1 : 0;
    out.interior[t] = idx > 0 && idx < n - 1 ? 1 : 0;
  }
  return out;
}
