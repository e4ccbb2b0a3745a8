// The whole ComParE 2016 vector (compareFeatures) on RAVDESS speech with the Praat-style voice-quality tracks, and on
// the inputs the compute path accepts at its edges: silence, clipping, a single frame, less than one frame.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAudio } from '../../src-main/core/audio/load';
import { COMPARE_DIMENSIONS, compareFeatureNames, compareFeatures, compareFunctionals } from '../../src-main/core/features/compare/index';
import { compareLlds, type VoiceTrackSource } from '../../src-main/core/features/compare/llds';
import { LLD_B } from '../../src-main/core/features/compare/names';
import { RAVDESS_16K } from '../helpers/shared';

const names = compareFeatureNames();
const at = (name: string) => {
  const i = names.indexOf(name);
  if (i < 0) throw new Error(`no ComParE dimension ${name}`);
  return i;
};
const mean = (x: ArrayLike<number>) => Array.from(x).reduce((a, b) => a + b, 0) / x.length;
const bIndex = (base: string, index?: number) => LLD_B.findIndex((l) => (typeof l === 'string' ? l === base : l.base === base && l.index === index));

describe('compareFeatures on RAVDESS speech', async () => {
  const audio = await loadAudio(join(RAVDESS_16K, 'Actor_03', '03-01-05-02-01-01-03.wav'), { sampleRate: 16000 });
  const { values, names: got } = compareFeatures(audio.samples, 16000);

  it('gives 6,373 finite values with the openSMILE names', () => {
    expect(COMPARE_DIMENSIONS).toBe(6373);
    expect(values).toHaveLength(6373);
    expect(got).toEqual(names);
    expect(values.every(Number.isFinite)).toBe(true);
  });

  it('voice block: F0 functionals over voiced frames within the 52-620 Hz search range, a voiced fraction in (0, 1)', () => {
    const f0Mean = values[at('F0final_sma_amean')];
    expect(f0Mean).toBeGreaterThan(80);
    expect(f0Mean).toBeLessThan(400);
    expect(values[at('F0final_sma_quartile1')]).toBeGreaterThanOrEqual(52);
    expect(values[at('F0final_sma_percentile99.0')]).toBeLessThanOrEqual(620);
    const nnz = values[at('F0final_sma_ff0_nnz')];
    expect(nnz).toBeGreaterThan(0.2);
    expect(nnz).toBeLessThan(1);
    expect(values[at('F0final_sma_ff0_meanSegLen')]).toBeGreaterThan(0.03); // voiced stretches of tens of ms
    expect(values[at('jitterLocal_sma_amean')]).toBeGreaterThan(0);
    expect(values[at('jitterLocal_sma_amean')]).toBeLessThan(0.1);
    expect(values[at('shimmerLocal_sma_amean')]).toBeGreaterThan(0);
    expect(values[at('shimmerLocal_sma_amean')]).toBeLessThan(0.5);
  });

  it("each value sits under its name, over the frames openSMILE's readers see, on float32-stored contours", async () => {
    // the same LLDs again (the voice source only affects the voice block), stored as float32 like openSMILE's levels
    const { voiceQualityTracks } = await import('../../src-main/core/features/voiceQuality');
    const l = compareLlds(audio.samples, 16000, voiceQualityTracks);
    const f32 = (v: ArrayLike<number>) => Array.from(v, Math.fround);
    const nA = l.a[0].length;
    const nB = l.b[0].length;
    expect(nB).toBe(nA + 4); // 20 ms frames: four more than 60 ms frames
    // functionalsLLD reads A beside B: every A frame, B cut to A's count
    const rel = (x: number, y: number) => Math.abs(x - y) / Math.abs(y);
    expect(rel(values[at('pcm_RMSenergy_sma_amean')], mean(f32(l.a[2])))).toBeLessThan(1e-12);
    expect(rel(values[at('pcm_zcr_sma_amean')], mean(f32(l.a[3])))).toBeLessThan(1e-12);
    expect(rel(values[at('audspec_lengthL1norm_sma_amean')], mean(f32(l.a[0])))).toBeLessThan(1e-12);
    expect(rel(values[at('mfcc_sma[1]_amean')], mean(f32(l.b[bIndex('mfcc', 1)]).slice(0, nA)))).toBeLessThan(1e-12);
    expect(rel(values[at('audSpec_Rfilt_sma[5]_amean')], mean(f32(l.b[bIndex('audSpec_Rfilt', 5)]).slice(0, nA)))).toBeLessThan(1e-12);
    // functionalsB reads B beside its deltas, which end 2 frames early
    const centroid = f32(l.b[bIndex('pcm_fftMag_spectralCentroid')]).slice(0, nB - 2);
    expect(values[at('pcm_fftMag_spectralCentroid_sma_range')]).toBe(Math.max(...centroid) - Math.min(...centroid));
    // voice functionals over the non-zero frames of the contour beside its deltas; F0's own group over every frame
    const voiced = f32(l.nz[0].subarray(0, l.nz[0].length - 2)).filter((f) => f !== 0);
    expect(rel(values[at('F0final_sma_amean')], mean(voiced))).toBeLessThan(1e-12);
    expect(values[at('F0final_sma_ff0_nnz')]).toBeCloseTo(Array.from(l.nz[0]).filter((f) => f !== 0).length / l.nz[0].length, 14);
    // group A: contour and delta over the first nA - 2 frames; the Delta group the same frames
    const rms = f32(l.a[2]);
    const head = rms.slice(0, nA - 2);
    expect(values[at('pcm_RMSenergy_sma_range')]).toBe(Math.max(...head) - Math.min(...head));
    const d = f32(
      rms.map((_, t) => {
        const v = (k: number) => rms[Math.min(rms.length - 1, Math.max(0, k))]; // edges repeat
        return (v(t + 1) - v(t - 1) + 2 * (v(t + 2) - v(t - 2))) / 10;
      }),
    ).slice(0, nA - 2);
    expect(rel(values[at('pcm_RMSenergy_sma_de_posamean')], mean(d.filter((v) => v > 0)))).toBeLessThan(1e-12);
  });

  it('another speaker and emotion gives a different vector', async () => {
    const other = await loadAudio(join(RAVDESS_16K, 'Actor_04', '03-01-02-01-02-01-04.wav'), { sampleRate: 16000 });
    const v2 = compareFeatures(other.samples, 16000).values;
    let differ = 0;
    for (let i = 0; i < v2.length; i++) if (Math.abs(v2[i] - values[i]) > 1e-9 * (1 + Math.abs(values[i]))) differ++;
    expect(differ).toBeGreaterThan(5000);
  });
});

describe('compareFeatures at the edges of its input', () => {
  const noVoice: VoiceTrackSource = (_x, _sr, o) => {
    const z = () => new Float64Array(o.frames);
    return { f0: z(), voicingProb: z(), jitterLocal: z(), jitterDdp: z(), shimmerLocal: z(), logHnr: z().fill(-100) };
  };

  it('digital silence: finite, no voiced frame, the voice block all 0 except logHNR at its -100 floor', () => {
    const v = compareFeatures(new Float32Array(16000), 16000).values;
    expect(v.every(Number.isFinite)).toBe(true);
    expect(v[at('F0final_sma_ff0_nnz')]).toBe(0);
    expect(v[at('F0final_sma_amean')]).toBe(0);
    expect(v[at('voicingFinalUnclipped_sma_amean')]).toBe(0);
    expect(v[at('logHNR_sma_amean')]).toBe(-100);
    expect(v[at('pcm_RMSenergy_sma_amean')]).toBe(0);
  });

  it('clipped speech-like input, a single 60 ms frame and 5 ms of audio all give 6,373 finite values', () => {
    const clipped = Float32Array.from({ length: 16000 }, (_, i) => Math.max(-1, Math.min(1, 3 * Math.sin((2 * Math.PI * 180 * i) / 16000))));
    const oneFrame = Float32Array.from({ length: 960 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / 16000));
    const tiny = Float32Array.from({ length: 80 }, (_, i) => (i % 7) / 10 - 0.3);
    for (const x of [clipped, oneFrame, tiny]) {
      const v = compareFeatures(x, 16000).values;
      expect(v).toHaveLength(6373);
      expect(v.every(Number.isFinite)).toBe(true);
    }
    // the clipped 180 Hz tone is voiced at about 180 Hz
    const c = compareFeatures(clipped, 16000).values;
    expect(c[at('F0final_sma_amean')]).toBeGreaterThan(170);
    expect(c[at('F0final_sma_amean')]).toBeLessThan(190);
  });

  it('a constant non-zero input (DC) is finite too: flat contours, zero spread', () => {
    const v = compareFunctionals(compareLlds(new Float32Array(8000).fill(0.5), 16000, noVoice));
    expect(v.every(Number.isFinite)).toBe(true);
    // the smoother and deltas continue the edge values, so a constant input gives constant contours and zero deltas
    expect(v[at('pcm_RMSenergy_sma_stddev')]).toBe(0);
    expect(v[at('pcm_RMSenergy_sma_quartile2')]).toBeCloseTo(0.5, 12);
    expect(v[at('pcm_RMSenergy_sma_de_rqmean')]).toBe(0);
  });
});
