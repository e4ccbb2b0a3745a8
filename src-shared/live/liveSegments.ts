import { measureLevel } from '../audio/levels';
import { StreamResampler } from '../audio/streamResampler';
import type { AudioSource, WindowClassifier } from './liveWindow';
import { VoiceActivityDetector, type SpeechSegment, type VadOptions } from './vad';

// Live mode by utterance: the voice-activity detector cuts the stream at pauses and each utterance is
// classified once, whole, instead of a sliding window that also scores the silence and breathing between them.
// Utterances of any length go to the classifier as they are: a fixed-input model pads or crops them
// (features/fitLength.ts), an utterance-level one takes them whole.

/** One decision: an utterance and its label. */
export interface LiveUtterance {
  index: number;
  /** Seconds from the stream start: the detected speech, without padding. */
  start: number;
  end: number;
  label: string;
  probabilities: Record<string, number>;
  /** dBFS of the speech (between start and end). */
  rmsDb: number;
  /** Milliseconds the classifier took. */
  latencyMs: number;
  /**
   * Milliseconds from the arrival of the chunk holding the utterance's last speech sample to this decision: for a
   * real-time source, the detector's wait for the pause to confirm (minSilenceSeconds) plus one frame plus latencyMs.
   */
  decisionDelayMs: number;
  /** What was classified (the padded utterance, at sampleRate Hz), for playback. */
  samples: Float32Array;
  /** Hz of samples (the classifier's). */
  sampleRate: number;
}

export interface LiveSegmentSummary {
  utterances: number;
  /** Seconds of detected speech (sum of end - start). */
  speechSeconds: number;
  /** Seconds of audio consumed. */
  audioSeconds: number;
  /** Wall-clock seconds from start to end. */
  wallSeconds: number;
  meanLatencyMs: number;
  maxLatencyMs: number;
  meanDecisionDelayMs: number;
  maxDecisionDelayMs: number;
}

export interface LiveSegmentOptions {
  classifier: WindowClassifier;
  source: AudioSource;
  /** Detector settings (see vad.ts for the defaults). */
  vad?: VadOptions;
  signal?: AbortSignal;
  onSegment: (utterance: LiveUtterance) => void;
}

/** Classifies each utterance of a stream once it ends, until the source ends (the last one is closed then) or `signal` aborts. */
export async function liveSegmentClassify(opts: LiveSegmentOptions): Promise<LiveSegmentSummary> {
  const { classifier, source } = opts;
  // Detect at the classifier's rate, like liveClassify windows it: an utterance is then a slice of the whole stream resampled.
  const rate = classifier.sampleRate;
  const vad = new VoiceActivityDetector(rate, opts.vad);
  const resampler = source.sampleRate === rate ? null : new StreamResampler(source.sampleRate, rate);
  // Wall time (ms) at which each recent chunk arrived, with the input sample index one past its end.
  const arrivals: { end: number; at: number }[] = [];
  // How far back an utterance's end can lie behind the newest input: the detector's waits, a frame, and slack for the resampler.
  const s = vad.settings;
  const reach = Math.ceil((s.minSilenceSeconds + s.hangoverSeconds + s.minSpeechSeconds + s.frameSeconds + 1) * source.sampleRate);

  const startedAt = performance.now();
  let index = 0;
  let speechSeconds = 0;
  let latencySum = 0;
  let maxLatencyMs = 0;
  let delaySum = 0;
  let maxDecisionDelayMs = 0;

  const decide = async (segments: SpeechSegment[]): Promise<void> => {
    for (const seg of segments) {
      if (opts.signal?.aborted) return;
      const t = performance.now();
      const result = await classifier.classify(seg.samples, rate);
      const now = performance.now();
      const latencyMs = now - t;
      // The chunk holding the last speech sample (input index ceil(end * rate) - 1).
      const last = Math.max(0, Math.ceil(seg.end * source.sampleRate) - 1);
      const arrival = arrivals.find((a) => a.end > last) ?? arrivals[arrivals.length - 1];
      const decisionDelayMs = arrival ? now - arrival.at : latencyMs;
      const from = Math.max(0, Math.round((seg.start - seg.samplesStart) * rate));
      const to = Math.min(seg.samples.length, Math.round((seg.end - seg.samplesStart) * rate));
      speechSeconds += seg.end - seg.start;
      latencySum += latencyMs;
      maxLatencyMs = Math.max(maxLatencyMs, latencyMs);
      delaySum += decisionDelayMs;
      maxDecisionDelayMs = Math.max(maxDecisionDelayMs, decisionDelayMs);
      opts.onSegment({
        index: index++,
        start: seg.start,
        end: seg.end,
        label: result.label,
        probabilities: result.probabilities,
        rmsDb: measureLevel(seg.samples, from, to).rmsDb,
        latencyMs,
        decisionDelayMs,
        samples: seg.samples,
        sampleRate: rate,
      });
    }
  };

  let inputSamples = 0;
  for await (const chunk of source.chunks) {
    if (opts.signal?.aborted) break;
    inputSamples += chunk.length;
    arrivals.push({ end: inputSamples, at: performance.now() });
    while (arrivals.length > 1 && arrivals[0].end < inputSamples - reach) arrivals.shift();
    await decide(vad.push(resampler ? resampler.push(chunk) : chunk));
  }
  if (!opts.signal?.aborted) {
    if (resampler) await decide(vad.push(resampler.flush()));
    await decide(vad.flush());
  }
  return {
    utterances: index,
    speechSeconds,
    audioSeconds: inputSamples / source.sampleRate,
    wallSeconds: (performance.now() - startedAt) / 1000,
    meanLatencyMs: index ? latencySum / index : 0,
    maxLatencyMs,
    meanDecisionDelayMs: index ? delaySum / index : 0,
    maxDecisionDelayMs,
  };
}
