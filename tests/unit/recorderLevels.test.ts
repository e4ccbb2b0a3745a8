import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAudio } from '../../src-main/core/audio/load';
import { pcm16ToMono } from '../../src-main/core/recorder/capture';
import { floatToPcm16 } from '../../src-main/core/recorder/fileDevice';
import { decimateWaveform, measureLevel, SILENCE_DB, toDbfs } from '../../src-shared/audio/levels';
import { RAVDESS_16K, RAVDESS_48K } from '../helpers/shared';

const ANGRY_16K = join(RAVDESS_16K, 'Actor_01', '03-01-05-01-01-01-01.wav');
// One of the two stereo originals in the 48 kHz set.
const STEREO_48K = join(RAVDESS_48K, 'Actor_01', '03-01-02-01-01-02-01.wav');

describe('measureLevel', () => {
  it('reads a half-scale sine as -9.03 dBFS RMS and -6.02 dBFS peak', () => {
    const x = new Float32Array(48000);
    for (let i = 0; i < x.length; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 48000 + Math.PI / 2); // sample 0 sits on a crest
    const l = measureLevel(x);
    expect(l.rms).toBeCloseTo(0.5 / Math.SQRT2, 5);
    expect(l.rmsDb).toBeCloseTo(-9.031, 2);
    expect(l.peakDb).toBeCloseTo(-6.021, 2);
    expect(l.clipped).toBe(false);
  });

  it('matches a direct computation on real speech, over a sub-range too', async () => {
    const { samples } = await loadAudio(ANGRY_16K);
    let sumSq = 0;
    let peak = 0;
    for (let i = 16000; i < 32000; i++) {
      sumSq += samples[i] ** 2;
      peak = Math.max(peak, Math.abs(samples[i]));
    }
    const l = measureLevel(samples, 16000, 32000);
    expect(l.rms).toBeCloseTo(Math.sqrt(sumSq / 16000), 12);
    expect(l.peak).toBe(peak);
    // Speech in RAVDESS sits well below full scale and well above silence.
    expect(l.rmsDb).toBeGreaterThan(-50);
    expect(l.rmsDb).toBeLessThan(-3);
  });

  it('floors silence and flags clipping', () => {
    expect(measureLevel(new Float32Array(100)).rmsDb).toBe(SILENCE_DB);
    expect(toDbfs(0)).toBe(SILENCE_DB);
    expect(measureLevel(Float32Array.from([0.1, -1, 0.2])).clipped).toBe(true);
  });
});

describe('decimateWaveform', () => {
  it('gives min/max per bucket that cover the whole signal', async () => {
    const { samples } = await loadAudio(ANGRY_16K);
    const { min, max } = decimateWaveform(samples, 300);
    expect(min.length).toBe(300);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of samples) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(Math.min(...min)).toBe(lo);
    expect(Math.max(...max)).toBe(hi);
    // Bucket 17 spans samples [floor(17n/300), floor(18n/300)).
    const a = Math.floor((17 * samples.length) / 300);
    const b = Math.floor((18 * samples.length) / 300);
    expect(max[17]).toBe(Math.max(...samples.subarray(a, b)));
    expect(min[17]).toBe(Math.min(...samples.subarray(a, b)));
  });

  it('returns one bucket per sample for short input and rejects bad bucket counts', () => {
    const x = Float32Array.from([0.5, -0.25]);
    expect(decimateWaveform(x, 10)).toEqual({ min: x, max: x });
    expect(() => decimateWaveform(x, 0)).toThrow(/buckets/);
  });
});

describe('PCM conversion', () => {
  it('round-trips a real 16-bit file through int16 bytes bit-exactly', async () => {
    const { samples } = await loadAudio(ANGRY_16K);
    const pcm = floatToPcm16(samples);
    const back = pcm16ToMono(new Uint8Array(pcm.buffer), 1);
    expect(back).toEqual(samples);
  });

  it('downmixes interleaved stereo by the mean, like the file loader', async () => {
    const audio = await loadAudio(STEREO_48K);
    expect(audio.channels).toBe(2);
    // Re-create interleaved stereo from the mono mix and a known difference signal.
    const n = 48000;
    const inter = new Int16Array(2 * n);
    for (let i = 0; i < n; i++) {
      const m = Math.round(audio.samples[i] * 32768);
      inter[2 * i] = m + 3;
      inter[2 * i + 1] = m - 3;
    }
    const mono = pcm16ToMono(new Uint8Array(inter.buffer), 2);
    expect(mono.length).toBe(n);
    for (let i = 0; i < n; i += 997) expect(Math.round(mono[i] * 32768)).toBe(Math.round(audio.samples[i] * 32768));
    // An odd byte offset (bytes straight off a pipe) is handled by copying.
    const shifted = new Uint8Array(inter.byteLength + 1);
    shifted.set(new Uint8Array(inter.buffer), 1);
    expect(pcm16ToMono(shifted.subarray(1), 2)).toEqual(mono);
  });
});
