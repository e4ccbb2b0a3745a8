import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src-main/core/mulberry32';
import { VoiceActivityDetector, speechSegments, vadSettings, type SpeechSegment, type VadOptions } from '../../src-shared/live/vad';

// The detector's rules frame by frame. With frameSeconds = hopSeconds = 10 ms at 16 kHz, frame f is exactly the samples
// [160 f, 160 f + 160) and stands for [f / 100, (f + 1) / 100) s, so streams built frame by frame have known cues:
// - silence: zeros, SILENCE_DB (-120 dBFS) and flat;
// - tone: a 1000 Hz sine tiled from one 16-sample period, 10 whole periods a frame, so every frame holds the same
//   samples and its energy is exactly the tone's RMS level: one spectral peak, far from flat;
// - hiss: samples of ±c with seeded random signs, energy exactly 20 log10 c in every frame, a white (flat) spectrum.

const RATE = 16000;
const HOP = 160;

function periodic(period: number[], frames: number, frameLength = HOP): Float32Array {
  const n = frames * frameLength;
  return Float32Array.from({ length: n }, (_, i) => period[i % period.length]);
}

/** A 1000 Hz sine of RMS level `db` dBFS. */
function tone(frames: number, db: number): Float32Array {
  const a = 10 ** (db / 20) * Math.SQRT2;
  return periodic(
    Array.from({ length: 16 }, (_, i) => a * Math.sin((2 * Math.PI * i) / 16)),
    frames,
  );
}

function silence(frames: number, frameLength = HOP): Float32Array {
  return new Float32Array(frames * frameLength);
}

/** ±c with random signs: every frame's energy is exactly 20 log10 c dBFS (c rounded to float32, as the detector sees it). */
function hiss(frames: number, db: number, seed = 7): Float32Array {
  const rand = mulberry32(seed);
  const c = 10 ** (db / 20);
  return Float32Array.from({ length: frames * HOP }, () => (rand() < 0.5 ? -c : c));
}

/** The exact frame energy of a hiss/tone frame as the detector defines it: 10 log10 of the mean square. */
function levelDb(frame: Float32Array): number {
  let sumSq = 0;
  for (const v of frame) sumSq += v * v;
  return 10 * Math.log10(sumSq / frame.length);
}

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** '.' a frame of silence, '#' a frame of -20 dBFS tone. */
function pattern(frames: string): Float32Array {
  return concat(...[...frames].map((c) => (c === '#' ? tone(1, -20) : silence(1))));
}

function detect(x: Float32Array, opts: VadOptions, chunk = x.length): SpeechSegment[] {
  const vad = new VoiceActivityDetector(RATE, opts);
  const out: SpeechSegment[] = [];
  for (let i = 0; i < x.length; i += chunk) out.push(...vad.push(x.subarray(i, i + chunk)));
  out.push(...vad.flush());
  return out;
}

/** Segment boundaries in frames (each boundary is an exact multiple of 10 ms here). */
function frameSpans(segs: SpeechSegment[]): [number, number][] {
  return segs.map((s) => {
    expect(s.start * 100).toBeCloseTo(Math.round(s.start * 100), 9);
    expect(s.end * 100).toBeCloseTo(Math.round(s.end * 100), 9);
    return [Math.round(s.start * 100), Math.round(s.end * 100)];
  });
}

// Frames: calibration 10, hangover 3, minSpeech 5, minSilence 8, maxUtterance 20; no padding.
const RULES: VadOptions = {
  frameSeconds: 0.01,
  hopSeconds: 0.01,
  calibrationSeconds: 0.1,
  hangoverSeconds: 0.03,
  minSpeechSeconds: 0.05,
  minSilenceSeconds: 0.08,
  maxUtteranceSeconds: 0.2,
  prePadSeconds: 0,
  postPadSeconds: 0,
};
const CAL = '..........';

function spansOf(frames: string, opts: VadOptions = {}): [number, number][] {
  return frameSpans(detect(pattern(frames), { ...RULES, ...opts }));
}

describe('VoiceActivityDetector duration rules, to the frame', () => {
  it('a run of exactly minSpeech frames is speech, one frame less is not', () => {
    expect(spansOf(`${CAL}#####.....`)).toEqual([[10, 15]]);
    expect(spansOf(`${CAL}######.....`)).toEqual([[10, 16]]);
    expect(spansOf(`${CAL}####......`)).toEqual([]);
  });

  it('a gap of exactly hangover frames joins two blips into one run, one frame more does not', () => {
    // Two 3-frame blips, each shorter than minSpeech (5): only as one run (with the gap) are they speech.
    expect(spansOf(`${CAL}###..###..........`)).toEqual([[10, 18]]);
    expect(spansOf(`${CAL}###...###..........`)).toEqual([[10, 19]]);
    expect(spansOf(`${CAL}###....###..........`)).toEqual([]);
  });

  it('a pause of exactly minSilence frames splits the utterance, one frame less does not', () => {
    expect(spansOf(`${CAL}######........######..........`)).toEqual([
      [10, 16],
      [24, 30],
    ]);
    // 7 silent frames: the next run starts before the pause is long enough, and keeps the utterance open until it is
    // speech, although by then its frames are more than minSilence after the utterance's last speech frame.
    expect(spansOf(`${CAL}######.......######..........`)).toEqual([[10, 29]]);
  });

  it('a run that starts inside the pause keeps the utterance open until it proves to be speech', () => {
    // Gap 5 (> hangover): the second run reaches minSpeech only at its 5th frame, 9 frames after the first run's end.
    expect(spansOf(`${CAL}######.....######..........`)).toEqual([[10, 27]]);
    // The same run, too short to be speech: the utterance ends at the first run.
    expect(spansOf(`${CAL}######.....####..........`)).toEqual([[10, 16]]);
  });

  it('cuts at exactly maxUtterance frames and goes on with the rest of the run', () => {
    expect(spansOf(`${CAL}${'#'.repeat(19)}..........`)).toEqual([[10, 29]]);
    expect(spansOf(`${CAL}${'#'.repeat(20)}..........`)).toEqual([[10, 30]]);
    expect(spansOf(`${CAL}${'#'.repeat(45)}..........`)).toEqual([
      [10, 30],
      [30, 50],
      [50, 55],
    ]);
  });

  it('finds speech inside the calibration at its exact frames', () => {
    // A 20-frame calibration, 14 of its frames silent: the floor is digital silence.
    expect(spansOf(`..######............`, { calibrationSeconds: 0.2 })).toEqual([[2, 8]]);
  });

  it('hands an utterance on with the push that completes its minSilence-th silent frame (post-padding as long)', () => {
    const x = pattern(`${CAL}######${'.'.repeat(12)}`);
    const vad = new VoiceActivityDetector(RATE, { ...RULES, postPadSeconds: 0.08 });
    const got: [number, SpeechSegment[]][] = [];
    for (let f = 0; f * HOP < x.length; f++) {
      const out = vad.push(x.subarray(f * HOP, (f + 1) * HOP));
      if (out.length) got.push([f, out]);
    }
    expect(vad.flush()).toEqual([]);
    // Last speech frame 15; the 8th silent frame is 23.
    expect(got.map(([f]) => f)).toEqual([23]);
    const [seg] = got[0][1];
    expect(frameSpans([seg])).toEqual([[10, 16]]);
    expect(seg.samplesStart).toBe(0.1);
    expect(Array.from(seg.samples)).toEqual(Array.from(x.subarray(10 * HOP, 24 * HOP)));
  });

  it('waits for the post-padding of an utterance cut at maxUtterance, whatever the chunking', () => {
    const x = pattern(`${CAL}${'#'.repeat(45)}${'.'.repeat(12)}`);
    const opts = { ...RULES, prePadSeconds: 0.05, postPadSeconds: 0.05 };
    const whole = detect(x, opts);
    expect(frameSpans(whole)).toEqual([
      [10, 30],
      [30, 50],
      [50, 55],
    ]);
    for (const [i, s] of whole.entries()) {
      const from = [5, 25, 45][i];
      const to = [35, 55, 60][i];
      expect(s.samplesStart).toBeCloseTo(from / 100, 12);
      expect(Array.from(s.samples)).toEqual(Array.from(x.subarray(from * HOP, to * HOP)));
    }
    expect(detect(x, opts, HOP)).toEqual(whole);
    expect(detect(x, opts, 7)).toEqual(whole);
    // Frame by frame, the first cut (at frame 29) comes with frame 34, when its 5 frames of post-padding are in.
    const vad = new VoiceActivityDetector(RATE, opts);
    let first = -1;
    for (let f = 0; first < 0; f++) if (vad.push(x.subarray(f * HOP, (f + 1) * HOP)).length) first = f;
    expect(first).toBe(34);
  });

  it('clips the padding at the stream start and end', () => {
    const x = pattern(`..######..........######`);
    const segs = detect(x, { ...RULES, calibrationSeconds: 0.2, prePadSeconds: 0.05, postPadSeconds: 0.05 });
    expect(frameSpans(segs)).toEqual([
      [2, 8],
      [18, 24],
    ]);
    expect(segs[0].samplesStart).toBe(0);
    expect(Array.from(segs[0].samples)).toEqual(Array.from(x.subarray(0, 13 * HOP)));
    expect(segs[1].samplesStart).toBeCloseTo(0.13, 12);
    expect(Array.from(segs[1].samples)).toEqual(Array.from(x.subarray(13 * HOP)));
  });

  it('discarding old samples changes nothing on a long stream pushed in tiny chunks (speech in the calibration too)', () => {
    // 15 s of -60 dBFS hiss; tone at 0.2-0.5 s (inside the default 1 s calibration), 3-8 s (cut at 2 s) and 10-10.3 s.
    const x = hiss(1500, -60, 11);
    for (const [from, to] of [
      [20, 50],
      [300, 800],
      [1000, 1030],
    ]) {
      const t = tone(to - from, -25);
      for (let i = 0; i < t.length; i++) x[from * HOP + i] += t[i];
    }
    const opts = { maxUtteranceSeconds: 2 };
    const whole = detect(x, opts);
    expect(whole).toHaveLength(5);
    expect(whole[0].start).toBeCloseTo(0.2, 1);
    expect(whole[0].samplesStart).toBeCloseTo(whole[0].start - 0.1, 9);
    for (const chunk of [7, 160, 1000]) expect(detect(x, opts, chunk)).toEqual(whole);
  });

  it('speechSegments is a fresh detector over the whole recording, flushed', () => {
    const x = pattern(`${CAL}######........######.....`);
    const segs = speechSegments(x, RATE, RULES);
    expect(frameSpans(segs)).toEqual([
      [10, 16],
      [24, 30],
    ]);
    expect(segs).toEqual(detect(x, RULES));
  });

  it('counts the samples pushed', () => {
    const vad = new VoiceActivityDetector(RATE);
    vad.push(new Float32Array(100));
    vad.push(new Float32Array(37));
    expect(vad.samplesReceived).toBe(137);
  });
});

describe('VoiceActivityDetector noise floor', () => {
  const TRACK: VadOptions = { ...RULES, floorTrackingSeconds: 0.1 };
  // One hop of exponential smoothing with time constant 0.1 s.
  const alpha = 1 - Math.exp(-0.01 / 0.1);
  /** The floor after frames of energy `db` pass as clear non-speech: each step goes towards min(db, floor + margin). */
  const follow = (floor: number, db: number, frames: number, margin = 10) => {
    for (let i = 0; i < frames; i++) floor += (Math.min(db, floor + margin) - floor) * alpha;
    return floor;
  };

  it('is the median frame energy of the calibration (even count: mean of the middle two), fixed during it', () => {
    // Frame energies -50, -54, -66, -70: the median is -60. The calibration frames do not move the floor afterwards.
    const levels = [-50, -54, -66, -70];
    const x = concat(...levels.map((db, i) => hiss(1, db, i + 1)));
    const vad = new VoiceActivityDetector(RATE, { ...TRACK, calibrationSeconds: 0.04 });
    vad.push(x.subarray(0, 3 * HOP));
    expect(vad.noiseFloorDb).toBe(-120);
    // Calibrated as soon as the last calibration frame's samples are in.
    vad.push(x.subarray(3 * HOP));
    const energies = levels.map((_, i) => levelDb(x.subarray(i * HOP, (i + 1) * HOP)));
    expect(energies[1]).toBeCloseTo(-54, 5);
    expect(vad.noiseFloorDb).toBeCloseTo((energies[1] + energies[2]) / 2, 9);
    expect(vad.noiseFloorDb).toBeCloseTo(-60, 5);
  });

  it('is the middle frame energy for an odd count', () => {
    const x = concat(hiss(1, -70, 1), hiss(1, -50, 2), hiss(1, -60, 3));
    const vad = new VoiceActivityDetector(RATE, { ...TRACK, calibrationSeconds: 0.03 });
    vad.push(x);
    expect(vad.noiseFloorDb).toBeCloseTo(-60, 5);
  });

  it('follows clear non-speech with the floorTrackingSeconds time constant, up or down', () => {
    const x = concat(hiss(10, -60, 1), hiss(20, -52, 2), hiss(20, -66, 3));
    const vad = new VoiceActivityDetector(RATE, TRACK);
    vad.push(x.subarray(0, 10 * HOP));
    expect(vad.noiseFloorDb).toBeCloseTo(-60, 5);
    vad.push(x.subarray(10 * HOP, 30 * HOP));
    const up = follow(-60, -52, 20);
    expect(vad.noiseFloorDb).toBeCloseTo(up, 5);
    expect(up).toBeGreaterThan(-54);
    vad.push(x.subarray(30 * HOP));
    expect(vad.noiseFloorDb).toBeCloseTo(follow(up, -66, 20), 5);
    // Infinity keeps it where calibration put it.
    const fixed = new VoiceActivityDetector(RATE, { ...TRACK, floorTrackingSeconds: Infinity });
    fixed.push(x);
    expect(fixed.noiseFloorDb).toBeCloseTo(-60, 5);
  });

  it('moves by at most the margin at once towards loud non-speech (white noise far above the floor)', () => {
    const x = concat(hiss(10, -60, 1), hiss(10, -20, 2));
    const vad = new VoiceActivityDetector(RATE, TRACK);
    const segs = vad.push(x);
    expect(segs).toEqual([]);
    expect(vad.flush()).toEqual([]);
    // Each step goes a fraction alpha of the way to floor + 10 dB, not to -20 dBFS.
    expect(vad.noiseFloorDb).toBeCloseTo(follow(-60, -20, 10), 5);
    expect(vad.noiseFloorDb).toBeCloseTo(-60 + 10 * alpha * 10, 5);
  });

  it('stays put during speech and the pause that may still continue it, and moves again once the utterance is closed', () => {
    const x = concat(hiss(10, -60, 1), tone(6, -20), hiss(7, -52, 2), hiss(5, -52, 3));
    const vad = new VoiceActivityDetector(RATE, TRACK);
    vad.push(x.subarray(0, 16 * HOP));
    const floor = vad.noiseFloorDb;
    expect(floor).toBeCloseTo(-60, 5);
    vad.push(x.subarray(16 * HOP, 23 * HOP));
    expect(vad.noiseFloorDb).toBe(floor);
    // The 8th frame of the pause closes the utterance, and itself already counts as clear non-speech.
    const out = vad.push(x.subarray(23 * HOP));
    expect(frameSpans(out)).toEqual([[10, 16]]);
    expect(vad.noiseFloorDb).toBeCloseTo(follow(floor, -52, 5), 5);
  });

  it('calibrates at flush() on a stream shorter than the calibration, and finds the speech in it', () => {
    const x = concat(hiss(20, -70, 1), tone(15, -20));
    const vad = new VoiceActivityDetector(RATE, { frameSeconds: 0.01, hopSeconds: 0.01 });
    expect(vad.push(x)).toEqual([]);
    expect(vad.noiseFloorDb).toBe(-120);
    const segs = vad.flush();
    // 35 frames, 20 of them at -70 dBFS: the median is -70.
    expect(vad.noiseFloorDb).toBeCloseTo(-70, 5);
    expect(frameSpans(segs)).toEqual([[20, 35]]);
    // Padding (0.1 s) clipped at the stream end.
    expect(segs[0].samplesStart).toBeCloseTo(0.1, 12);
    expect(Array.from(segs[0].samples)).toEqual(Array.from(x.subarray(10 * HOP)));
  });
});

describe('VoiceActivityDetector level thresholds', () => {
  it('needs a frame to be more than marginDb above the floor', () => {
    const at = (db: number) => frameSpans(detect(concat(hiss(10, -60, 1), tone(10, db), hiss(10, -60, 2)), RULES));
    expect(at(-55)).toEqual([]);
    expect(at(-45)).toEqual([[10, 20]]);
    expect(frameSpans(detect(concat(hiss(10, -60, 1), tone(10, -55), hiss(10, -60, 2)), { ...RULES, marginDb: 4 }))).toEqual([[10, 20]]);
  });

  it('strictly above: with marginDb 0, a steady tone that is its own calibration is never speech; 1 dB more is', () => {
    const x = concat(tone(30, -30), tone(10, -29), tone(10, -30));
    expect(frameSpans(detect(x.subarray(0, 30 * HOP), { ...RULES, marginDb: 0 }))).toEqual([]);
    expect(frameSpans(detect(x, { ...RULES, marginDb: 0 }))).toEqual([[30, 40]]);
  });

  it('takes nothing under minLevelDb for speech, even far above a digital-silence floor', () => {
    const x = (db: number) => concat(silence(10), tone(10, db), silence(10));
    expect(frameSpans(detect(x(-80), RULES))).toEqual([]);
    expect(frameSpans(detect(x(-70), RULES))).toEqual([[10, 20]]);
    expect(frameSpans(detect(x(-80), { ...RULES, minLevelDb: -85 }))).toEqual([[10, 20]]);
  });
});

describe('VoiceActivityDetector spectral cue and band', () => {
  /** A -20 dBFS sine of `hz` (an exact bin of a 160-sample frame: a multiple of 100 Hz) over -50 dBFS hiss. */
  const toneInHiss = (hz: number) => {
    const a = 0.1 * Math.SQRT2;
    const h = hiss(20, -50, 5);
    return h.map((v, i) => v + a * Math.sin((2 * Math.PI * hz * i) / RATE));
  };
  const x = (hz: number) => concat(silence(10), toneInHiss(hz), silence(10));

  it('rejects white noise at speech level and accepts a tone (flatness)', () => {
    expect(frameSpans(detect(concat(silence(10), hiss(20, -20, 9), silence(10)), RULES))).toEqual([]);
    expect(frameSpans(detect(concat(silence(10), hiss(20, -20, 9), silence(10)), { ...RULES, maxFlatness: 1 }))).toEqual([[10, 30]]);
    expect(frameSpans(detect(x(1000), RULES))).toEqual([[10, 30]]);
  });

  it('measures flatness only from bandLowHz: a 1000 Hz tone under a 2000 Hz band edge leaves only hiss', () => {
    expect(frameSpans(detect(x(1000), { ...RULES, bandLowHz: 2000 }))).toEqual([]);
  });

  it('measures flatness only up to bandHighHz: a 6000 Hz tone is outside the default band, inside one up to Nyquist', () => {
    expect(frameSpans(detect(x(6000), RULES))).toEqual([]);
    expect(frameSpans(detect(x(6000), { ...RULES, bandHighHz: 8000 }))).toEqual([[10, 30]]);
    // Above the Nyquist rate the band is clipped to it.
    expect(frameSpans(detect(x(6000), { ...RULES, bandHighHz: 20000 }))).toEqual([[10, 30]]);
  });

  // 256-sample frames (16 ms, a power of two: no zero-padding, 62.5 Hz bins) and a 4000 Hz sine of amplitude 2^-7
  // (samples 0, a, 0, -a: exact in float32). Under the periodic Hann window the sine fills exactly bins 63, 64 and 65;
  // every other bin is zero up to rounding, far under the 1e-20 power floor.
  const N = 256;
  const narrow = (low: number, high: number) => {
    const a = 2 ** -7;
    const y = concat(silence(10, N), periodic([0, a, 0, -a], 20, N), silence(10, N));
    const spans = detect(y, { frameSeconds: 0.016, hopSeconds: 0.016, calibrationSeconds: 0.16, bandLowHz: low, bandHighHz: high });
    return spans.map((s) => [Math.round((s.start * RATE) / N), Math.round((s.end * RATE) / N)]);
  };

  it('a band of bins 65-66 holds one sidelobe and one empty bin: far from flat, speech', () => {
    expect(narrow(4062.5, 4125)).toEqual([[10, 30]]);
  });

  it('a band of one bin is flat by definition (geometric = arithmetic mean): never speech', () => {
    expect(narrow(4000, 4050)).toEqual([]);
  });

  it('a band of empty bins (66-67, just above the sine) is flat: not speech, though the frame is loud', () => {
    expect(narrow(4125, 4187.5)).toEqual([]);
  });
});

describe('vadSettings', () => {
  const message = (key: string, what: string, got: unknown) => `VAD option ${key} must be ${what} (got ${String(got)})`;
  const cases: [VadOptions, string, string, unknown][] = [
    [{ frameSeconds: 0 }, 'frameSeconds', 'a number of seconds > 0', 0],
    [{ frameSeconds: Infinity }, 'frameSeconds', 'a number of seconds > 0', Infinity],
    [{ hopSeconds: 0 }, 'hopSeconds', 'a number of seconds > 0 and <= frameSeconds', 0],
    [{ hopSeconds: 0.026 }, 'hopSeconds', 'a number of seconds > 0 and <= frameSeconds', 0.026],
    [{ calibrationSeconds: 0 }, 'calibrationSeconds', 'a number of seconds > 0', 0],
    [{ marginDb: -1 }, 'marginDb', 'a number of dB >= 0', -1],
    [{ marginDb: Infinity }, 'marginDb', 'a number of dB >= 0', Infinity],
    [{ minLevelDb: 0.5 }, 'minLevelDb', 'a dBFS value <= 0', 0.5],
    [{ minLevelDb: -Infinity }, 'minLevelDb', 'a dBFS value <= 0', -Infinity],
    [{ maxFlatness: 0 }, 'maxFlatness', 'in (0, 1]', 0],
    [{ maxFlatness: 1.01 }, 'maxFlatness', 'in (0, 1]', 1.01],
    [{ bandLowHz: -1 }, 'bandLowHz', 'a frequency >= 0 Hz', -1],
    [{ bandHighHz: 100 }, 'bandHighHz', 'a frequency above bandLowHz', 100],
    [{ floorTrackingSeconds: 0 }, 'floorTrackingSeconds', 'a number of seconds > 0 (Infinity: fixed floor)', 0],
    [{ hangoverSeconds: -0.01 }, 'hangoverSeconds', 'a number of seconds >= 0', -0.01],
    [{ minSpeechSeconds: -0.01 }, 'minSpeechSeconds', 'a number of seconds >= 0', -0.01],
    [{ minSilenceSeconds: 0.09 }, 'minSilenceSeconds', 'a number of seconds >= hangoverSeconds', 0.09],
    [{ minSilenceSeconds: Infinity }, 'minSilenceSeconds', 'a number of seconds >= hangoverSeconds', Infinity],
    [{ maxUtteranceSeconds: 0.09 }, 'maxUtteranceSeconds', 'a number of seconds > 0 and >= minSpeechSeconds', 0.09],
    [{ maxUtteranceSeconds: Infinity }, 'maxUtteranceSeconds', 'a number of seconds > 0 and >= minSpeechSeconds', Infinity],
    [{ prePadSeconds: -0.01 }, 'prePadSeconds', 'a number of seconds >= 0', -0.01],
    [{ postPadSeconds: -0.01 }, 'postPadSeconds', 'a number of seconds >= 0 and <= minSilenceSeconds', -0.01],
    [{ postPadSeconds: 0.31 }, 'postPadSeconds', 'a number of seconds >= 0 and <= minSilenceSeconds', 0.31],
    // Not a number at all, though it compares like one.
    [{ floorTrackingSeconds: '5' } as unknown as VadOptions, 'floorTrackingSeconds', 'a number of seconds > 0 (Infinity: fixed floor)', '5'],
  ];

  it.each(cases)('rejects %o, naming the option', (opts, key, what, got) => {
    expect(() => vadSettings(opts)).toThrow(new RangeError(message(key, what, got)));
  });

  it('accepts every bound that is inclusive', () => {
    const ok: VadOptions[] = [
      { frameSeconds: 0.02, hopSeconds: 0.02 },
      { minLevelDb: 0 },
      { maxFlatness: 1 },
      { floorTrackingSeconds: Infinity },
      { hangoverSeconds: 0.2, minSilenceSeconds: 0.2, postPadSeconds: 0.1 },
      { minSpeechSeconds: 0.5, maxUtteranceSeconds: 0.5 },
      { postPadSeconds: 0.3 },
      { bandLowHz: 0, hangoverSeconds: 0, minSpeechSeconds: 0, minSilenceSeconds: 0, prePadSeconds: 0, postPadSeconds: 0 },
    ];
    for (const opts of ok) expect(vadSettings(opts)).toMatchObject(opts);
  });

  it('leaves an option given as undefined at its default', () => {
    expect(vadSettings({ marginDb: undefined, hopSeconds: undefined })).toEqual(vadSettings());
  });
});

describe('the analysis window', () => {
  // A 1030 Hz tone falls between the 62.5 Hz bins of a 256-point transform of 160-sample frames. Windowed by Hann (zero
  // at the frame edges), its power stays near the peak and the band's flatness is tiny; a window that is large at the
  // edges (the inverted Hann) spreads it over the band. The flatness of each frame is computed here with a plain DFT,
  // independently of the detector's FFT, for both windows; 0.01 separates them.
  const n = HOP;
  const size = 256;
  const x = Float32Array.from({ length: 40 * n }, (_, i) => 0.1 * Math.SQRT2 * Math.sin((2 * Math.PI * 1030 * i) / RATE));
  const flatness = (frame: Float32Array, w: (i: number) => number): number => {
    // Bins 2…64: 100…4000 Hz, the detector's default speech band.
    let logSum = 0;
    let sum = 0;
    for (let k = 2; k <= 64; k++) {
      let re = 0;
      let im = 0;
      for (let i = 0; i < n; i++) {
        re += frame[i] * w(i) * Math.cos((2 * Math.PI * k * i) / size);
        im -= frame[i] * w(i) * Math.sin((2 * Math.PI * k * i) / size);
      }
      const p = re * re + im * im + 1e-20;
      logSum += Math.log(p);
      sum += p;
    }
    return Math.exp(logSum / 63) / (sum / 63);
  };

  it('is Hann: a tone between bins is taken for speech at a flatness limit that an edge-heavy window would fail', () => {
    const hann = (i: number) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
    const inverted = (i: number) => 0.5 + 0.5 * Math.cos((2 * Math.PI * i) / n);
    const frames = Array.from({ length: 40 }, (_, f) => x.subarray(f * n, (f + 1) * n));
    expect(Math.max(...frames.map((f) => flatness(f, hann)))).toBeLessThan(0.01);
    expect(Math.min(...frames.map((f) => flatness(f, inverted)))).toBeGreaterThan(0.01);
    const spans = frameSpans(detect(concat(silence(10), x), { ...RULES, maxUtteranceSeconds: 1, maxFlatness: 0.01 }));
    expect(spans).toEqual([[10, 50]]);
  });
});
