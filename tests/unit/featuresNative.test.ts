// The native feature kernels (native/src/spectrogram.cc) against the TypeScript path on real recordings.
// The librosa parity tests run whichever path is active; this pins the two paths to each other.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAudio } from '../../src-main/core/audio/load';
import { melFilterbank, melSpectrogram, melSpectrogramJs } from '../../src-main/core/features/mel';
import { dctBasis, mfccFromLogMel, mfccFromLogMelJs } from '../../src-main/core/features/mfcc';
import { powerToDb } from '../../src-main/core/features/decibels';
import { loadNativeSpectrogram } from '../../src-main/core/features/nativeSpectrogram';
import { RAVDESS_16K } from '../helpers/shared';

const load = loadNativeSpectrogram();
// Built whenever libfftw3-dev is installed (CI installs it); say why when it is not.
if (!load.ok) console.warn(`native feature kernels not tested: ${load.reason}`);

function worstRelative(a: Float64Array, b: Float64Array): number {
  let peak = 0;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    peak = Math.max(peak, Math.abs(b[i]));
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  return worst / peak;
}

describe.skipIf(!load.ok)('native feature kernels', () => {
  const files = ['Actor_01/03-01-01-01-01-01-01.wav', 'Actor_08/03-01-05-02-02-01-08.wav', 'Actor_16/03-01-08-02-01-02-16.wav'];

  it.each([
    { sr: 16000, nFft: 1024, hop: 512, nMels: 64, nMfcc: 40 },
    { sr: 16000, nFft: 2048, hop: 512, nMels: 128, nMfcc: 13 },
    { sr: 16000, nFft: 512, hop: 160, nMels: 40, nMfcc: 40 },
  ])('mel power and MFCC match TypeScript (n_fft $nFft, hop $hop, $nMels mels)', async ({ sr, nFft, hop, nMels, nMfcc }) => {
    const fb = melFilterbank(sr, nFft, nMels, 0, sr / 2);
    for (const f of files) {
      const x = (await loadAudio(join(RAVDESS_16K, f), { sampleRate: sr })).samples;
      const native = melSpectrogram(x, nFft, hop, fb);
      const js = melSpectrogramJs(x, nFft, hop, fb);
      expect([native.frames, native.dims]).toEqual([js.frames, js.dims]);
      expect(worstRelative(native.data, js.data)).toBeLessThan(1e-12);
      const db = { ...js, data: powerToDb(js.data, { topDb: 80 }) };
      const a = mfccFromLogMel(db, nMfcc);
      const b = mfccFromLogMelJs(db, nMfcc);
      expect(a.dims).toBe(nMfcc);
      let worst = 0;
      for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]));
      expect(worst).toBeLessThan(1e-9);
    }
  });

  it('pads a signal shorter than one frame like the TypeScript path', () => {
    const x = Float32Array.from({ length: 300 }, (_, i) => Math.sin(i / 7));
    const fb = melFilterbank(16000, 1024, 64, 0, 8000);
    const native = melSpectrogram(x, 1024, 512, fb);
    const js = melSpectrogramJs(x, 1024, 512, fb);
    expect(native.frames).toBe(1);
    expect(worstRelative(native.data, js.data)).toBeLessThan(1e-12);
  });

  it('refuses buffers of the wrong size instead of writing past them', () => {
    if (!load.ok) return;
    const fb = melFilterbank(16000, 1024, 64, 0, 8000);
    const x = new Float32Array(5000);
    expect(() => load.addon.melSpectrogram(x, 1024, 512, fb.start, fb.length, fb.offset, fb.weights, new Float64Array(10))).toThrow(
      /out has 10 values, expected 640/,
    );
    expect(() => load.addon.melSpectrogram(x, 1000, 512, fb.start, fb.length, fb.offset, fb.weights, new Float64Array(640))).toThrow(/power of two/);
    expect(() => load.addon.matmulRows(new Float64Array(64), dctBasis(64, 40), new Float64Array(39), 64)).toThrow(/rows x k/);
  });
});
