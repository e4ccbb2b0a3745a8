import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src-main/core/mulberry32';
import { VAD_DEFAULTS, VoiceActivityDetector, vadSettings, type SpeechSegment, type VadOptions } from '../../src-shared/live/vad';

// The detector on synthetic streams whose speech is known to the sample: a -60 dBFS white-noise room, and "speech"
// made of harmonic bursts (150 Hz and its harmonics, like a voiced vowel) at -25 dBFS.

const RATE = 16000;

function whiteNoise(seconds: number, db: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  // Uniform on [-a, a] has RMS a / sqrt(3).
  const a = 10 ** (db / 20) * Math.sqrt(3);
  return Float32Array.from({ length: Math.round(seconds * RATE) }, () => (rand() * 2 - 1) * a);
}

function voiced(seconds: number, db: number): Float32Array {
  const n = Math.round(seconds * RATE);
  const x = new Float32Array(n);
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let k = 1; k <= 20; k++) v += Math.sin((2 * Math.PI * 150 * k * i) / RATE) / k;
    x[i] = v;
    sumSq += v * v;
  }
  const gain = 10 ** (db / 20) / Math.sqrt(sumSq / n);
  return x.map((v) => v * gain);
}

/** A -60 dBFS noise bed with `bursts` added at [start, start + length) seconds; the bed is as long as `seconds`. */
function stream(seconds: number, bursts: [start: number, burst: Float32Array][], seed = 1): Float32Array {
  const x = whiteNoise(seconds, -60, seed);
  for (const [start, burst] of bursts) {
    const at = Math.round(start * RATE);
    for (let i = 0; i < burst.length; i++) x[at + i] += burst[i];
  }
  return x;
}

function detect(x: Float32Array, opts: VadOptions = {}, chunk = x.length): SpeechSegment[] {
  const vad = new VoiceActivityDetector(RATE, opts);
  const out: SpeechSegment[] = [];
  for (let i = 0; i < x.length; i += chunk) out.push(...vad.push(x.subarray(i, i + chunk)));
  out.push(...vad.flush());
  return out;
}

describe('VoiceActivityDetector', () => {
  it('finds harmonic bursts in a -60 dBFS noise room to within 20 ms, and pads their audio by 0.1 s', () => {
    const x = stream(5, [
      [1.5, voiced(0.8, -25)],
      [3.0, voiced(1.2, -35)],
    ]);
    const segs = detect(x);
    expect(segs).toHaveLength(2);
    const expected = [
      [1.5, 2.3],
      [3.0, 4.2],
    ];
    for (const [i, s] of segs.entries()) {
      expect(Math.abs(s.start - expected[i][0])).toBeLessThan(0.02);
      expect(Math.abs(s.end - expected[i][1])).toBeLessThan(0.02);
      expect(s.samplesStart).toBeCloseTo(s.start - 0.1, 3);
      expect(s.samples.length / RATE).toBeCloseTo(s.end - s.start + 0.2, 3);
      // The audio handed on is the stream's own.
      const from = Math.round(s.samplesStart * RATE);
      expect(Array.from(s.samples.subarray(0, 100))).toEqual(Array.from(x.subarray(from, from + 100)));
    }
  });

  it('calibrates on the ambient noise: the floor is its level', () => {
    const vad = new VoiceActivityDetector(RATE);
    vad.push(whiteNoise(1.2, -60, 3));
    expect(vad.noiseFloorDb).toBeGreaterThan(-61);
    expect(vad.noiseFloorDb).toBeLessThan(-59);
  });

  it('still finds speech that starts inside the calibration second', () => {
    const segs = detect(stream(3, [[0.3, voiced(0.4, -25)]]));
    expect(segs).toHaveLength(1);
    expect(segs[0].start).toBeCloseTo(0.3, 1);
    expect(segs[0].end).toBeCloseTo(0.7, 1);
  });

  it('ignores clicks and blips shorter than the minimum speech duration', () => {
    const x = stream(4, [
      [1.5, voiced(0.01, -15)],
      [2.5, voiced(0.05, -20)],
    ]);
    expect(detect(x)).toEqual([]);
    // ...which alone is what drops them: with no minimum they are utterances.
    expect(detect(x, { minSpeechSeconds: 0 })).toHaveLength(2);
  });

  it('does not split an utterance at a 150 ms pause, and does at a pause longer than minSilenceSeconds', () => {
    const gap = stream(4, [
      [1.5, voiced(0.5, -25)],
      [2.15, voiced(0.5, -25)],
    ]);
    const segs = detect(gap);
    expect(segs).toHaveLength(1);
    expect(segs[0].start).toBeCloseTo(1.5, 1);
    expect(segs[0].end).toBeCloseTo(2.65, 1);
    expect(detect(gap, { minSilenceSeconds: 0.12 })).toHaveLength(2);
  });

  it('does not take breath-like noise of speech level for speech (the spectral cue)', () => {
    const x = stream(4, [[1.5, whiteNoise(0.6, -25, 9)]]);
    expect(detect(x)).toEqual([]);
    expect(detect(x, { maxFlatness: 1 })).toHaveLength(1);
  });

  it('cuts an utterance at maxUtteranceSeconds and carries on with the next', () => {
    const segs = detect(stream(27, [[1, voiced(25, -25)]]));
    const lengths = segs.map((s) => s.end - s.start);
    expect(lengths).toHaveLength(3);
    expect(lengths[0]).toBeCloseTo(10, 6);
    expect(lengths[1]).toBeCloseTo(10, 6);
    expect(Math.abs(lengths[2] - 5)).toBeLessThan(0.05);
    expect(segs[1].start).toBeCloseTo(segs[0].end, 1);
    expect(segs[2].start).toBeCloseTo(segs[1].end, 1);
    expect(segs[0].start).toBeCloseTo(1, 1);
    expect(segs[2].end).toBeCloseTo(26, 1);
  });

  it('closes the utterance in progress at flush()', () => {
    const segs = detect(stream(2.5, [[1.5, voiced(1, -25)]]));
    expect(segs).toHaveLength(1);
    expect(segs[0].end).toBeCloseTo(2.5, 1);
  });

  it('gives the same segments however the stream is chunked (1, 37 samples, whole)', () => {
    const x = stream(4, [
      [1.2, voiced(0.6, -25)],
      [1.95, voiced(0.3, -30)],
      [2.8, voiced(0.01, -15)],
      [3.2, voiced(0.5, -25)],
    ]);
    const whole = detect(x);
    expect(whole.length).toBe(2);
    expect(detect(x, {}, 37)).toEqual(whole);
    expect(detect(x, {}, 1)).toEqual(whole);
  });

  it('checks its options, naming the bad one', () => {
    expect(vadSettings()).toEqual(VAD_DEFAULTS);
    const bad: [VadOptions, RegExp][] = [
      [{ frameSeconds: 0 }, /frameSeconds/],
      [{ hopSeconds: 0.05 }, /hopSeconds/],
      [{ marginDb: -3 }, /marginDb/],
      [{ maxFlatness: 1.5 }, /maxFlatness/],
      [{ bandLowHz: 5000 }, /bandHighHz/],
      [{ minSilenceSeconds: 0.05 }, /minSilenceSeconds/],
      [{ postPadSeconds: 0.5 }, /postPadSeconds/],
      [{ maxUtteranceSeconds: Number.NaN }, /maxUtteranceSeconds/],
      [{ calibrationSeconds: -1 }, /calibrationSeconds/],
      [{ hangover: 1 } as VadOptions, /hangover is unknown/],
    ];
    for (const [opts, message] of bad) expect(() => new VoiceActivityDetector(RATE, opts)).toThrow(message);
    expect(() => new VoiceActivityDetector(RATE, { minSilenceSeconds: 0.05 })).toThrow(RangeError);
    expect(() => new VoiceActivityDetector(0)).toThrow(/sampleRate/);
  });
});
