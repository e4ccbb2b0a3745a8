import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAudio } from '../../src-main/core/audio/load';
import { resample } from '../../src-shared/audio/resample';
import { StreamResampler } from '../../src-shared/audio/streamResampler';
import { concatChunks } from '../../src-renderer/audio/ring';
import { RAVDESS_48K } from '../helpers/shared';

const NEUTRAL_48K = join(RAVDESS_48K, 'Actor_01', '03-01-01-01-01-01-01.wav');

function streamed(x: Float32Array, from: number, to: number, chunk: number): Float32Array {
  const r = new StreamResampler(from, to);
  const parts: Float32Array[] = [];
  for (let i = 0; i < x.length; i += chunk) parts.push(r.push(x.subarray(i, i + chunk)));
  parts.push(r.flush());
  return concatChunks(parts);
}

describe('StreamResampler', () => {
  it('gives exactly what resample() gives for the whole recording, for any chunking and rate pair', async () => {
    const speech = (await loadAudio(NEUTRAL_48K)).samples.subarray(0, 48000 * 2);
    const at44 = resample(speech, 48000, 44100);
    for (const [x, from, to] of [
      [speech, 48000, 16000],
      [at44, 44100, 16000],
      [at44, 44100, 48000],
      [speech, 48000, 22050],
    ] as const) {
      const whole = resample(x, from, to);
      for (const chunk of [7, 37, 441, 2205, 9600, x.length]) {
        expect(streamed(x, from, to, chunk), `${from}->${to}, chunks of ${chunk}`).toEqual(whole);
      }
    }
  });

  it('emits output as input arrives (bounded delay), keeping little input around', () => {
    const r = new StreamResampler(48000, 16000);
    const chunk = new Float32Array(2400).fill(0.1); // 50 ms
    let out = 0;
    for (let i = 0; i < 20; i++) out += r.push(chunk).length;
    // 1 s in, all but the filter's look-ahead (20 zero crossings at 16 kHz = 20 samples) out.
    expect(out).toBeGreaterThanOrEqual(16000 - 20);
    expect(out + r.flush().length).toBe(16000);
  });

  it('passes audio through unchanged at equal rates and rejects bad rates', () => {
    const x = Float32Array.from([0.1, -0.2, 0.3]);
    expect(new StreamResampler(16000, 16000).push(x)).toEqual(x);
    expect(() => new StreamResampler(0, 16000)).toThrow(/positive integers/);
  });
});
