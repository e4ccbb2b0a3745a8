import FFT from 'fft.js';
import { SILENCE_DB } from '../audio/levels';

// Streaming voice-activity detection for live mode: cut a microphone stream into utterances so each
// is classified once, and silence or breathing between them is not classified at all.
//
// Per frame: log energy against a noise floor measured on the first second (the ambient level before
// anyone speaks), and spectral flatness in the speech band, which tells voiced speech (harmonics:
// a peaky spectrum) from breath, hiss and fans (flat spectra) of the same level. Frames then go
// through three duration rules: runs (hangover bridges short dips), runs long enough to be speech
// (clicks are not), and utterances (runs separated by less than the minimum silence).

export interface VadOptions {
  /** Analysis frame, s (default 0.025: the usual speech frame, short enough to follow syllables). */
  frameSeconds?: number;
  /** Frame step, s (default 0.01: 10 ms boundary resolution). */
  hopSeconds?: number;
  /** Seconds at the stream start that measure the noise floor (default 1); speech there is still found, once calibrated. */
  calibrationSeconds?: number;
  /**
   * dB above the noise floor (the median frame energy of the calibration) for a frame to be speech (default 10):
   * stationary noise frames spread by a few dB at most, while speech sits 20-50 dB above a quiet room.
   */
  marginDb?: number;
  /**
   * dBFS below which nothing is speech whatever the floor (default -75): a calibration on digital silence (a muted
   * input, a stream that starts with zeros) would otherwise make any later hiss or hum count.
   */
  minLevelDb?: number;
  /**
   * Spectral flatness (geometric / arithmetic mean of the power spectrum in the speech band) at or above which a frame is
   * not speech (default 0.35): white noise and breath measure about 0.5-0.6, voiced speech under 0.2 even a few dB
   * above the noise. 1 turns the spectral cue off: only a band of exactly equal powers measures 1, which no
   * windowed frame of a real signal has.
   */
  maxFlatness?: number;
  /** Speech band for the flatness, Hz (default 100-4000: voice harmonics and formants; clipped to the Nyquist rate). */
  bandLowHz?: number;
  bandHighHz?: number;
  /**
   * Time constant, s, with which the floor follows non-speech frames after calibration (default 10): slow enough that
   * a breath barely moves it, fast enough to follow a fan or a room that gets louder. Infinity keeps it fixed.
   */
  floorTrackingSeconds?: number;
  /** Non-speech gaps up to this long (s) stay inside a run of speech (default 0.1: stop closures, weak consonants). */
  hangoverSeconds?: number;
  /** Runs shorter than this (s) are ignored (default 0.1: clicks, taps and lip noise; a stressed syllable is longer). */
  minSpeechSeconds?: number;
  /**
   * A pause at least this long (s) ends an utterance; shorter ones stay inside it (default 0.3: the pauses between words
   * and phrases of one sentence are shorter). It is also how long the detector waits after the last speech frame before
   * it closes an utterance. At least hangoverSeconds.
   */
  minSilenceSeconds?: number;
  /** An utterance is cut at this length, s (default 10), so a decision comes even during a monologue. */
  maxUtteranceSeconds?: number;
  /** Audio kept before the detected start / after the detected end in the samples handed on, s (default 0.1 each). */
  prePadSeconds?: number;
  /** At most minSilenceSeconds, so padding never delays a segment. */
  postPadSeconds?: number;
}

/** Every VadOptions field, filled in. */
export type VadSettings = Required<VadOptions>;

export const VAD_DEFAULTS: VadSettings = {
  frameSeconds: 0.025,
  hopSeconds: 0.01,
  calibrationSeconds: 1,
  marginDb: 10,
  minLevelDb: -75,
  maxFlatness: 0.35,
  bandLowHz: 100,
  bandHighHz: 4000,
  floorTrackingSeconds: 10,
  hangoverSeconds: 0.1,
  minSpeechSeconds: 0.1,
  minSilenceSeconds: 0.3,
  maxUtteranceSeconds: 10,
  prePadSeconds: 0.1,
  postPadSeconds: 0.1,
};

/** One utterance. */
export interface SpeechSegment {
  /** Seconds from the stream start: the detected speech boundaries (without padding). */
  start: number;
  end: number;
  /** The utterance's audio with the padding (clipped at the stream start and end). */
  samples: Float32Array;
  /** Seconds from the stream start of samples[0]. */
  samplesStart: number;
}

/** The options filled with defaults and checked; a RangeError names the first bad one. */
export function vadSettings(opts: VadOptions = {}): VadSettings {
  const s: VadSettings = { ...VAD_DEFAULTS };
  for (const [key, value] of Object.entries(opts) as [keyof VadOptions, number | undefined][]) {
    if (!(key in VAD_DEFAULTS)) throw new RangeError(`VAD option ${key} is unknown`);
    if (value !== undefined) s[key] = value;
  }
  const check = (key: keyof VadOptions, ok: (v: number) => boolean, what: string) => {
    if (typeof s[key] !== 'number' || !ok(s[key])) throw new RangeError(`VAD option ${key} must be ${what} (got ${s[key]})`);
  };
  const positive = (v: number) => v > 0 && Number.isFinite(v);
  const nonNegative = (v: number) => v >= 0 && Number.isFinite(v);
  check('frameSeconds', positive, 'a number of seconds > 0');
  check('hopSeconds', (v) => positive(v) && v <= s.frameSeconds, 'a number of seconds > 0 and <= frameSeconds');
  check('calibrationSeconds', positive, 'a number of seconds > 0');
  check('marginDb', nonNegative, 'a number of dB >= 0');
  check('minLevelDb', (v) => Number.isFinite(v) && v <= 0, 'a dBFS value <= 0');
  check('maxFlatness', (v) => v > 0 && v <= 1, 'in (0, 1]');
  check('bandLowHz', nonNegative, 'a frequency >= 0 Hz');
  check('bandHighHz', (v) => positive(v) && v > s.bandLowHz, 'a frequency above bandLowHz');
  check('floorTrackingSeconds', (v) => v > 0, 'a number of seconds > 0 (Infinity: fixed floor)');
  check('hangoverSeconds', nonNegative, 'a number of seconds >= 0');
  check('minSpeechSeconds', nonNegative, 'a number of seconds >= 0');
  check('minSilenceSeconds', (v) => nonNegative(v) && v >= s.hangoverSeconds, 'a number of seconds >= hangoverSeconds');
  check('maxUtteranceSeconds', (v) => positive(v) && v >= s.minSpeechSeconds, 'a number of seconds > 0 and >= minSpeechSeconds');
  check('prePadSeconds', nonNegative, 'a number of seconds >= 0');
  check('postPadSeconds', (v) => nonNegative(v) && v <= s.minSilenceSeconds, 'a number of seconds >= 0 and <= minSilenceSeconds');
  return s;
}

/** Median of a non-empty list. */
function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

interface FrameCue {
  energyDb: number;
  flatness: number;
}

/** Frame energy and speech-band flatness. */
class FrameAnalyser {
  private readonly fft: FFT;
  private readonly window: Float64Array;
  private readonly input: number[];
  private readonly spectrum: number[];
  private readonly lo: number;
  private readonly hi: number;

  constructor(frameLength: number, sampleRate: number, lowHz: number, highHz: number) {
    let size = 4;
    while (size < frameLength) size *= 2;
    this.fft = new FFT(size);
    // Hann, so the flatness of a tone is not raised by leakage from the frame edges.
    this.window = Float64Array.from({ length: frameLength }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / frameLength));
    this.input = Array.from({ length: size }, () => 0);
    this.spectrum = this.fft.createComplexArray() as number[];
    const binHz = sampleRate / size;
    this.lo = Math.max(1, Math.ceil(lowHz / binHz));
    this.hi = Math.max(this.lo, Math.min(size / 2, Math.floor(highHz / binHz)));
  }

  analyse(x: Float32Array, offset: number): FrameCue {
    const n = this.window.length;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const v = x[offset + i];
      sumSq += v * v;
      this.input[i] = v * this.window[i];
    }
    const energyDb = sumSq > 0 ? Math.max(SILENCE_DB, 10 * Math.log10(sumSq / n)) : SILENCE_DB;
    this.fft.realTransform(this.spectrum, this.input);
    // A power floor far below 16-bit quantisation: digital silence reads as flat (1), not as NaN.
    const eps = 1e-20;
    let logSum = 0;
    let sum = 0;
    for (let k = this.lo; k <= this.hi; k++) {
      const p = this.spectrum[2 * k] * this.spectrum[2 * k] + this.spectrum[2 * k + 1] * this.spectrum[2 * k + 1] + eps;
      logSum += Math.log(p);
      sum += p;
    }
    const bins = this.hi - this.lo + 1;
    return { energyDb, flatness: Math.exp(logSum / bins) / (sum / bins) };
  }
}

interface Span {
  /** Frame indices of the first and last speech frame. */
  first: number;
  last: number;
}

interface Run extends Span {
  /** At least minSpeech long. */
  speech: boolean;
}

/**
 * Streaming voice-activity detector: push() mono chunks of any size, get the utterances they close;
 * flush() at the end of the stream. The same samples give the same segments however they are chunked.
 */
export class VoiceActivityDetector {
  readonly settings: VadSettings;
  private readonly frameLength: number;
  private readonly hop: number;
  private readonly analyser: FrameAnalyser;
  // In frames:
  private readonly hangover: number;
  private readonly minSpeech: number;
  private readonly minSilence: number;
  private readonly maxUtterance: number;
  private readonly calibrationFrames: number;
  private readonly trackAlpha: number;

  /** Samples kept from absolute index bufferStart (what later frames and padding may still need). */
  private buffer = new Float32Array(0);
  private bufferStart = 0;
  private bufferLength = 0;
  private received = 0;
  private nextFrame = 0;
  private calibration: FrameCue[] | null = [];
  private floorDb = SILENCE_DB;
  private run: Run | null = null;
  private utterance: Span | null = null;
  /** Closed utterances waiting for their post-padding audio. */
  private closed: Span[] = [];

  constructor(
    readonly sampleRate: number,
    opts: VadOptions = {},
  ) {
    if (!(Number.isInteger(sampleRate) && sampleRate > 0))
      throw new RangeError(`VAD sampleRate must be a positive integer in Hz (got ${sampleRate})`);
    const s = (this.settings = vadSettings(opts));
    this.frameLength = Math.max(1, Math.round(s.frameSeconds * sampleRate));
    this.hop = Math.max(1, Math.round(s.hopSeconds * sampleRate));
    const hopSeconds = this.hop / sampleRate;
    const frames = (seconds: number) => Math.round(seconds / hopSeconds);
    this.hangover = frames(s.hangoverSeconds);
    this.minSpeech = Math.max(1, frames(s.minSpeechSeconds));
    this.minSilence = Math.max(1, frames(s.minSilenceSeconds));
    this.maxUtterance = Math.max(this.minSpeech, frames(s.maxUtteranceSeconds));
    this.calibrationFrames = Math.max(1, frames(s.calibrationSeconds));
    this.trackAlpha = 1 - Math.exp(-hopSeconds / s.floorTrackingSeconds);
    this.analyser = new FrameAnalyser(this.frameLength, sampleRate, s.bandLowHz, Math.min(s.bandHighHz, sampleRate / 2));
  }

  /** Current noise floor, dBFS (SILENCE_DB until calibrated). */
  get noiseFloorDb(): number {
    return this.floorDb;
  }

  /** Samples pushed so far. */
  get samplesReceived(): number {
    return this.received;
  }

  /** Appends a chunk; returns the utterances it closed, oldest first. */
  push(chunk: Float32Array): SpeechSegment[] {
    this.append(chunk);
    const out: SpeechSegment[] = [];
    while (this.nextFrame * this.hop + this.frameLength <= this.received) {
      const f = this.nextFrame++;
      const cue = this.analyser.analyse(this.buffer, f * this.hop - this.bufferStart);
      if (this.calibration) {
        this.calibration.push(cue);
        if (this.calibration.length === this.calibrationFrames) this.calibrate();
      } else this.step(f, cue, true);
    }
    this.emitReady(out, false);
    this.discard();
    return out;
  }

  /** Ends the stream: closes the utterance in progress (if long enough) and returns what was still pending. */
  flush(): SpeechSegment[] {
    if (this.calibration?.length) this.calibrate();
    if (this.utterance) this.closed.push(this.utterance);
    this.utterance = null;
    this.run = null;
    const out: SpeechSegment[] = [];
    this.emitReady(out, true);
    return out;
  }

  /** The floor from the calibration frames, then those frames through the detector (speech in the first second counts). */
  private calibrate(): void {
    const cues = this.calibration!;
    this.calibration = null;
    this.floorDb = median(cues.map((c) => c.energyDb));
    cues.forEach((cue, f) => this.step(f, cue, false));
  }

  private isSpeech(cue: FrameCue): boolean {
    const threshold = Math.max(this.floorDb + this.settings.marginDb, this.settings.minLevelDb);
    return cue.energyDb > threshold && cue.flatness < this.settings.maxFlatness;
  }

  /** One frame through the duration rules. */
  private step(f: number, cue: FrameCue, track: boolean): void {
    const active = this.isSpeech(cue);
    let run = this.run;
    // A run ends once its hangover has passed; a run that never reached minSpeech is dropped with it.
    if (run && f - run.last - 1 > this.hangover) run = this.run = null;
    const utt = this.utterance;
    if (utt) {
      const silent = f - utt.last - (active ? 1 : 0);
      // A run that began inside the pause and may still prove to be speech keeps the utterance open.
      const pending = run !== null && !run.speech && run.first - utt.last - 1 < this.minSilence;
      if (silent >= this.minSilence && !pending) this.close();
    }
    if (active) {
      if (run) run.last = f;
      else run = this.run = { first: f, last: f, speech: false };
      if (!run.speech && run.last - run.first + 1 >= this.minSpeech) {
        run.speech = true;
        if (!this.utterance) this.utterance = { first: run.first, last: f };
      }
      if (run.speech) {
        this.utterance ??= { first: f, last: f };
        this.utterance.last = f;
        if (f - this.utterance.first + 1 >= this.maxUtterance) this.close();
      }
    } else if (track && !this.run && !this.utterance) {
      // Only clear non-speech moves the floor, and never by more than the margin at once, so a breath barely does.
      const target = Math.min(cue.energyDb, this.floorDb + this.settings.marginDb);
      this.floorDb += (target - this.floorDb) * this.trackAlpha;
    }
  }

  private close(): void {
    if (this.utterance) this.closed.push(this.utterance);
    this.utterance = null;
  }

  /** Sample index of a speech frame's start / end: each frame stands for the hop around its centre. */
  private frameStart(f: number): number {
    return f * this.hop + (this.frameLength - this.hop) / 2;
  }

  private frameEnd(f: number): number {
    return f * this.hop + (this.frameLength + this.hop) / 2;
  }

  private emitReady(out: SpeechSegment[], final: boolean): void {
    const s = this.settings;
    while (this.closed.length) {
      const span = this.closed[0];
      const start = this.frameStart(span.first);
      const end = this.frameEnd(span.last);
      const from = Math.max(0, Math.round(start - s.prePadSeconds * this.sampleRate), this.bufferStart);
      const want = Math.round(end + s.postPadSeconds * this.sampleRate);
      if (want > this.received && !final) break;
      const to = Math.min(want, this.received);
      this.closed.shift();
      out.push({
        start: start / this.sampleRate,
        end: end / this.sampleRate,
        samples: this.buffer.slice(from - this.bufferStart, to - this.bufferStart),
        samplesStart: from / this.sampleRate,
      });
    }
  }

  private append(chunk: Float32Array): void {
    const need = this.bufferLength + chunk.length;
    if (need > this.buffer.length) {
      const grown = new Float32Array(Math.max(need, 2 * this.buffer.length, 4096));
      grown.set(this.buffer.subarray(0, this.bufferLength));
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.bufferLength);
    this.bufferLength = need;
    this.received += chunk.length;
  }

  /** Drops samples that no frame, utterance or padding can still need. */
  private discard(): void {
    const pre = Math.ceil(this.settings.prePadSeconds * this.sampleRate) + 1;
    let keep = this.nextFrame * this.hop;
    // A run or pause not yet resolved may become an utterance starting at its first frame.
    const firsts = [this.run?.first, this.utterance?.first, this.closed[0]?.first].filter((f): f is number => f !== undefined);
    for (const f of firsts) keep = Math.min(keep, Math.floor(this.frameStart(f)));
    // Until calibrated, the whole calibration may turn out to be speech.
    if (this.calibration) keep = 0;
    keep = Math.max(0, keep - pre);
    const drop = keep - this.bufferStart;
    // Compact only when it frees a good part of the buffer: copying on every chunk would be quadratic.
    if (drop > 0 && drop >= this.bufferLength / 2) {
      this.buffer.copyWithin(0, drop, this.bufferLength);
      this.bufferLength -= drop;
      this.bufferStart = keep;
    }
  }
}

/** The utterances of a whole recording as live mode would cut them (a fresh detector over all of it, then flushed). */
export function speechSegments(samples: Float32Array, sampleRate: number, opts: VadOptions = {}): SpeechSegment[] {
  const vad = new VoiceActivityDetector(sampleRate, opts);
  return [...vad.push(samples), ...vad.flush()];
}
