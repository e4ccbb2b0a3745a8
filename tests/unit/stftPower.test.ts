import { describe, expect, it } from 'vitest';
import { hannPeriodic, powerSpectrogram } from '../../src-main/core/features/stft';

/** |X_k|^2 of centred, zero-padded, Hann-windowed frame t by the defining sum (O(n^2), exact enough to compare). */
function dftPower(x: Float32Array, nFft: number, hop: number, t: number): Float64Array {
  const w = hannPeriodic(nFft);
  const out = new Float64Array((nFft >> 1) + 1);
  for (let k = 0; k < out.length; k++) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < nFft; i++) {
      const j = t * hop - nFft / 2 + i;
      const v = j >= 0 && j < x.length ? x[j] * w[i] : 0;
      re += v * Math.cos((2 * Math.PI * k * i) / nFft);
      im -= v * Math.sin((2 * Math.PI * k * i) / nFft);
    }
    out[k] = re * re + im * im;
  }
  return out;
}

describe('powerSpectrogram', () => {
  // A deterministic chirp plus a DC offset: energy in every bin, including 0 and n/2, which the split FFT treats apart.
  const x = Float32Array.from({ length: 3000 }, (_, i) => 0.3 + Math.sin(0.0005 * i * i) + 0.25 * Math.cos(2.9 * i));

  it.each([2, 4, 8, 64, 1024])('matches the direct DFT for nFft %i', (nFft) => {
    const hop = Math.max(1, nFft / 4);
    const spec = powerSpectrogram(x, nFft, hop);
    expect(spec.bins).toBe(nFft / 2 + 1);
    let peak = 0;
    let worst = 0;
    for (const t of [0, 1, Math.floor(spec.frames / 2), spec.frames - 1]) {
      const ref = dftPower(x, nFft, hop, t);
      for (let k = 0; k < ref.length; k++) {
        peak = Math.max(peak, ref[k]);
        worst = Math.max(worst, Math.abs(spec.data[t * spec.bins + k] - ref[k]));
      }
    }
    expect(peak).toBeGreaterThan(0);
    expect(worst / peak).toBeLessThan(1e-12);
  });
});
