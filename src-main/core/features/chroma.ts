import type { FrameMatrix } from './frameMatrix';
import type { Spectrogram } from './stft';

const f32 = Math.fround;

/**
 * librosa.estimate_tuning on a power spectrogram: piptrack peaks (150-4000 Hz, 0.1 x frame max), keep those
 * at or above the median peak magnitude, histogram their deviation from equal temperament in 0.01-bin
 * steps, return the most common deviation (fraction of a bin, in [-0.5, 0.5)).
 * librosa does this arithmetic in float32; it is mirrored here because the histogram peak is discrete
 * and a different tuning shifts every chroma filter.
 */
export function estimateTuning(spec: Spectrogram, sampleRate: number, binsPerOctave = 12): number {
  const { bins, frames, data } = spec;
  const nFft = 2 * (bins - 1);
  const fmin = 150;
  const fmax = Math.min(4000, sampleRate / 2);
  const binHz = 1 / (nFft * (1 / sampleRate));
  const kLo = Math.max(1, Math.ceil(fmin / binHz) - 1);
  const pitches: number[] = [];
  const mags: number[] = [];
  for (let t = 0; t < frames; t++) {
    const base = t * bins;
    let peak = 0;
    for (let k = 0; k < bins; k++) if (data[base + k] > peak) peak = data[base + k];
    const ref = f32(0.1 * f32(peak));
    const th = (k: number): number => (k < 0 || k >= bins ? 0 : f32(data[base + k]) > ref ? f32(data[base + k]) : 0);
    for (let k = kLo; k < bins; k++) {
      const f = k * binHz;
      if (f < fmin) continue;
      if (f >= fmax) break;
      const x = th(k);
      const isMax = k === bins - 1 ? x > th(k - 1) : x > th(k - 1) && x >= th(k + 1);
      if (!isMax) continue;
      const s0 = f32(data[base + k]);
      const sm = f32(data[base + k - 1]);
      const sp = k + 1 < bins ? f32(data[base + k + 1]) : 0;
      const a = f32(sp + sm) - 2 * s0;
      const b = f32(sp - sm) / 2;
      const shift = Math.abs(b) >= Math.abs(a) ? 0 : f32(-b / a);
      const avg = k + 1 < bins ? f32(f32(sp - sm) / 2) : f32(s0 - sm);
      pitches.push(f32(((k + shift) * sampleRate) / nFft));
      mags.push(f32(s0 + f32(f32(0.5 * avg) * shift)));
    }
  }
  const positive = pitches.map((p, i) => ({ p, m: mags[i] })).filter((x) => x.p > 0);
  if (positive.length === 0) return 0;
  const sorted = positive.map((x) => x.m).sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return pitchTuning(
    positive.filter((x) => x.m >= median).map((x) => x.p),
    0.01,
    binsPerOctave,
  );
}

/** librosa.pitch_tuning: histogram peak of deviations (in bins) of `frequencies` (Hz) from A440 equal temperament. */
export function pitchTuning(frequencies: number[], resolution = 0.01, binsPerOctave = 12): number {
  const nBins = Math.ceil(1 / resolution);
  const step = 1 / nBins;
  const edges = new Float64Array(nBins + 1);
  for (let i = 0; i < nBins; i++) edges[i] = i * step + -0.5;
  edges[nBins] = 0.5;
  const counts = new Int32Array(nBins);
  let any = false;
  for (const f of frequencies) {
    if (!(f > 0)) continue;
    any = true;
    const octs = f32(Math.log2(f32(f / (440 / 16))));
    let r = f32(binsPerOctave * octs);
    r = f32(r - Math.floor(r));
    if (r >= 0.5) r = f32(r - 1);
    // Bin i holds edges[i] <= r < edges[i+1] (numpy.histogram), found exactly against the stored edges.
    let i = Math.min(nBins - 1, Math.max(0, Math.floor((r + 0.5) * nBins)));
    while (i > 0 && r < edges[i]) i--;
    while (i < nBins - 1 && r >= edges[i + 1]) i++;
    counts[i]++;
  }
  if (!any) return 0;
  let best = 0;
  for (let i = 1; i < nBins; i++) if (counts[i] > counts[best]) best = i;
  return edges[best];
}

const fbCache = new Map<string, Float64Array>();

/** Chroma filterbank [nChroma x bins] (librosa.filters.chroma: ctroct 5, octwidth 2, L2 norm, base C), float32-rounded. */
export function chromaFilterbank(sampleRate: number, nFft: number, tuning = 0, nChroma = 12): Float64Array {
  const key = `${sampleRate}/${nFft}/${tuning}/${nChroma}`;
  const hit = fbCache.get(key);
  if (hit) return hit;
  const a440 = 440 * 2 ** (tuning / nChroma);
  const frq = new Float64Array(nFft);
  for (let i = 1; i < nFft; i++) frq[i] = nChroma * Math.log2((i * (sampleRate / nFft)) / (a440 / 16));
  frq[0] = frq[1] - 1.5 * nChroma;
  const width = new Float64Array(nFft);
  for (let i = 0; i < nFft - 1; i++) width[i] = Math.max(frq[i + 1] - frq[i], 1);
  width[nFft - 1] = 1;
  const half = Math.round(nChroma / 2);
  const bins = (nFft >> 1) + 1;
  const wts = new Float64Array(nChroma * bins);
  const col = new Float64Array(nChroma);
  for (let i = 0; i < bins; i++) {
    let norm = 0;
    for (let c = 0; c < nChroma; c++) {
      const x = frq[i] - c + half + 10 * nChroma;
      const d = x - Math.floor(x / nChroma) * nChroma - half;
      const v = Math.exp(-0.5 * ((2 * d) / width[i]) ** 2);
      col[c] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    const octWeight = Math.exp(-0.5 * ((frq[i] / nChroma - 5) / 2) ** 2);
    const shift = 3 * Math.floor(nChroma / 12);
    for (let c = 0; c < nChroma; c++) {
      // np.roll(wts, -3): row c takes the old row c + 3, so chroma 0 is C rather than A.
      wts[c * bins + i] = f32((col[(c + shift) % nChroma] / norm) * octWeight);
    }
  }
  fbCache.set(key, wts);
  return wts;
}

/** librosa.feature.chroma_stft on a power spectrogram: frame-major [frames x nChroma], each frame scaled to max 1 (silent frames stay 0). */
export function chromaStft(spec: Spectrogram, sampleRate: number, tuning?: number, nChroma = 12): FrameMatrix {
  const { bins, frames, data } = spec;
  const nFft = 2 * (bins - 1);
  const fb = chromaFilterbank(sampleRate, nFft, tuning ?? estimateTuning(spec, sampleRate, nChroma), nChroma);
  const out = new Float64Array(nChroma * frames);
  for (let t = 0; t < frames; t++) {
    const base = t * bins;
    const dst = t * nChroma;
    let peak = 0;
    for (let c = 0; c < nChroma; c++) {
      let s = 0;
      const row = c * bins;
      for (let k = 0; k < bins; k++) s += fb[row + k] * data[base + k];
      out[dst + c] = s;
      if (Math.abs(s) > peak) peak = Math.abs(s);
    }
    // librosa.util.normalize leaves columns whose norm is below float32 tiny untouched.
    if (peak >= 1.1754943508222875e-38) for (let c = 0; c < nChroma; c++) out[dst + c] /= peak;
  }
  return { frames, dims: nChroma, data: out };
}
