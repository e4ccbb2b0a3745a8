import { CancelledError } from '../../../src-shared/api/errors';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { resample } from '../../../src-shared/audio/resample';
import { encodeWav } from '../../../src-shared/audio/wav';
import { openCapture, record } from '../../core/recorder/capture';
import { saveRecording } from '../../core/recorder/collect';
import { rememberDevice, rememberedDevice, type DeviceChoice } from '../../core/recorder/devices';
import { LIVE_HOP_SECONDS, liveClassify, type LiveSummary } from '../../../src-shared/live/liveWindow';
import { liveSegmentClassify, type LiveSegmentSummary } from '../../../src-shared/live/liveSegments';
import { VAD_DEFAULTS, type VadOptions } from '../../../src-shared/live/vad';
import { CliError, runAction, withCommonOptions, type ActionContext, type CommonOptions } from '../io';
import { describeStopSignal, onStopSignals } from '../../core/stopSignals';
import type { Predictor, SpeakerStatsSource } from '../../core/training/predict';

interface RecordCliOptions extends CommonOptions {
  seconds: string;
  profile?: string;
  device?: string;
  out?: string;
  rate?: string;
  model?: string;
  live?: boolean;
  segments?: boolean;
  vadMargin?: string;
  minSilence?: string;
  hop?: string;
  window?: string;
  dataset?: string;
  label?: string;
  speaker?: string;
}

interface TakeResult {
  /** Seconds recorded. */
  seconds: number;
  device: string;
  /** Hz of what was written / classified. */
  sampleRate: number;
  label?: string;
  probabilities?: Record<string, number>;
  out?: string;
  saved?: { file: string; datasetId: number };
  truncated?: boolean;
  reason?: string;
}

interface LiveResult {
  device: string;
  windows: { start: number; end: number; label: string; smoothedLabel: string; probabilities: Record<string, number> }[];
  summary: LiveSummary;
  truncated?: boolean;
  reason?: string;
}

/** The last --json line of `--live --segments`; each line before it is one utterance. */
interface SegmentsResult {
  summary: LiveSegmentSummary & { device: string; truncated?: boolean; reason?: string };
}

function positive(name: string, text: string | undefined, max = Infinity): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!(v > 0) || v > max) throw new CliError(`--${name} must be a number > 0${max < Infinity ? ` and <= ${max}` : ''} (got "${text}")`);
  return v;
}

function rateOption(text: string | undefined): number | undefined {
  const v = positive('rate', text, 192_000);
  if (v !== undefined && !Number.isInteger(v)) throw new CliError(`--rate must be a whole number of Hz (got "${text}")`);
  return v;
}

function bars(probabilities: Record<string, number>): string {
  return Object.entries(probabilities)
    .sort((a, b) => b[1] - a[1])
    .map(([label, p]) => `  ${label.padEnd(10)} ${p.toFixed(3)} ${'#'.repeat(Math.round(p * 40))}`)
    .join('\n');
}

function describeTake(r: TakeResult): string {
  const lines: string[] = [];
  if (r.label && r.probabilities) lines.push(`${r.label}`, bars(r.probabilities));
  if (r.out) lines.push(`wrote ${r.out} (${r.seconds.toFixed(2)} s, ${r.sampleRate} Hz, from "${r.device}")`);
  if (r.saved) lines.push(`saved ${r.saved.file} into dataset ${r.saved.datasetId}`);
  if (r.truncated) lines.push(`warning: ${r.reason}`);
  return lines.join('\n');
}

function describeLive(r: LiveResult): string {
  const s = r.summary;
  const lines = [
    `${s.windows} windows over ${s.audioSeconds.toFixed(1)} s from "${r.device}" (${s.skipped} skipped as late)`,
    `classify latency mean ${s.meanLatencyMs.toFixed(1)} ms, max ${s.maxLatencyMs.toFixed(1)} ms; real-time factor ${s.realTimeFactor.toFixed(3)}`,
  ];
  if (r.truncated) lines.push(`warning: ${r.reason}`);
  return lines.join('\n');
}

function describeSegments(r: SegmentsResult): string {
  const s = r.summary;
  const lines = [
    `${s.utterances} utterances, ${s.speechSeconds.toFixed(1)} s of speech in ${s.audioSeconds.toFixed(1)} s from "${s.device}"`,
    `classify latency mean ${s.meanLatencyMs.toFixed(1)} ms, max ${s.maxLatencyMs.toFixed(1)} ms; decision delay mean ${s.meanDecisionDelayMs.toFixed(0)} ms, max ${s.maxDecisionDelayMs.toFixed(0)} ms`,
  ];
  if (s.truncated) lines.push(`warning: ${s.reason}`);
  return lines.join('\n');
}

/** --vad-margin and --min-silence as detector options (the detector checks them again, in its own terms). */
function vadOptions(opts: RecordCliOptions): VadOptions {
  const vad: VadOptions = {};
  if (opts.vadMargin !== undefined) {
    const v = Number(opts.vadMargin);
    if (!(v >= 0 && v <= 60)) throw new CliError(`--vad-margin must be a number of dB from 0 to 60 (got "${opts.vadMargin}")`);
    vad.marginDb = v;
  }
  if (opts.minSilence !== undefined) {
    const v = Number(opts.minSilence);
    const least = Math.max(VAD_DEFAULTS.hangoverSeconds, VAD_DEFAULTS.postPadSeconds);
    if (!(v >= least && v <= 10)) throw new CliError(`--min-silence must be a number of seconds from ${least} to 10 (got "${opts.minSilence}")`);
    vad.minSilenceSeconds = v;
  }
  return vad;
}

/** Ctrl-C (or SIGTERM, SIGHUP) stops the recording and keeps what was captured, instead of killing the process; exit 0. */
function stopOnInterrupt(): { signal: AbortSignal; release(): void } {
  const ac = new AbortController();
  const release = onStopSignals((s) => ac.abort(new CancelledError(`interrupted (${describeStopSignal(s)})`)), {
    endsWork: true,
  });
  return { signal: ac.signal, release };
}

/** --profile as the predictions' speaker: checked before anyone speaks (it exists and holds enough utterances). */
async function profileOption(
  ctx: ActionContext,
  opts: RecordCliOptions,
  model: Predictor,
  segmented?: { vad: VadOptions },
): Promise<SpeakerStatsSource | undefined> {
  if (!opts.profile) return undefined;
  const { profileByName, profileSpeaker } = await import('../../core/profiles/speakerProfiles');
  const { adaptationOf } = await import('../../core/training/predict');
  const store = ctx.openStore();
  const speaker = profileSpeaker(store, profileByName(store, opts.profile).id, segmented ? { segmented: true, vad: segmented.vad } : {});
  const a = adaptationOf(model);
  if (!a.speakerNormalization && !a.speakerAdaptiveBatchNorm)
    ctx.log(`note: this model does not adapt to speakers; the profile "${opts.profile}" changes nothing`);
  return speaker;
}

/** The model side (tfjs) loads only when a command classifies: plain recording stays quick to start. */
function classifierModule() {
  return import('../../core/recorder/classifier');
}

function deviceChoice(ctx: ActionContext, device: string | undefined): DeviceChoice {
  if (device !== undefined) return { device: /^\d+$/.test(device) ? Number(device) : device };
  const remembered = rememberedDevice(ctx.openStore().db);
  return remembered ? { preferred: remembered } : {};
}

async function runLive(ctx: ActionContext, opts: RecordCliOptions, seconds: number): Promise<LiveResult> {
  if (opts.vadMargin !== undefined || opts.minSilence !== undefined) throw new CliError('--vad-margin and --min-silence go with --segments');
  if (!opts.model) throw new CliError('--live needs --model <dir>');
  if (opts.out || opts.dataset) throw new CliError('--live classifies as it listens; it does not combine with --out or --dataset');
  const hop = positive('hop', opts.hop ?? String(LIVE_HOP_SECONDS), 60)!;
  const { loadRecorderModel, modelClassifier } = await classifierModule();
  const windowSeconds = positive('window', opts.window, 60);
  const model = await loadRecorderModel(opts.model);
  const classifier = modelClassifier(model, { windowSeconds, speaker: await profileOption(ctx, opts, model) });
  const interrupt = stopOnInterrupt();
  try {
    const stream = await openCapture({ ...deviceChoice(ctx, opts.device), maxSeconds: seconds, signal: interrupt.signal });
    ctx.log(
      `listening on "${stream.info.deviceName}" at ${stream.info.sampleRate} Hz; window ${classifier.inputSeconds} s, hop ${hop} s (${model.backend.name})`,
    );
    const windows: LiveResult['windows'] = [];
    const summary = await liveClassify({
      classifier,
      source: { sampleRate: stream.info.sampleRate, chunks: stream.chunks },
      hop,
      signal: interrupt.signal,
      onWindow: (w) => {
        windows.push({ start: w.start, end: w.end, label: w.label, smoothedLabel: w.smoothedLabel, probabilities: w.probabilities });
        ctx.log(
          `${w.end.toFixed(1).padStart(6)} s  ${w.smoothedLabel.padEnd(10)} (window: ${w.label}, ${w.rmsDb.toFixed(0)} dBFS, ${w.latencyMs.toFixed(0)} ms)`,
        );
      },
    });
    stream.stop();
    const end = await stream.ended;
    if (opts.device !== undefined) rememberDevice(ctx.openStore().db, stream.info.deviceName);
    const lost = end.reason === 'lost';
    return { device: stream.info.deviceName, windows, summary, ...(lost ? { truncated: true, reason: end.detail } : {}) };
  } finally {
    interrupt.release();
  }
}

/** `--live --segments`: one decision per utterance; with --json each goes to stdout as one line as soon as it is made. */
async function runSegments(ctx: ActionContext, opts: RecordCliOptions, seconds: number): Promise<SegmentsResult> {
  if (!opts.model) throw new CliError('--live needs --model <dir>');
  if (opts.out || opts.dataset) throw new CliError('--live classifies as it listens; it does not combine with --out or --dataset');
  const vad = vadOptions(opts);
  const { loadRecorderModel, modelClassifier } = await classifierModule();
  const model = await loadRecorderModel(opts.model);
  // Utterances cut by the segmenter are adapted with the profile's audio cut the same way.
  const classifier = modelClassifier(model, { speaker: await profileOption(ctx, opts, model, { vad }) });
  const interrupt = stopOnInterrupt();
  try {
    const stream = await openCapture({ ...deviceChoice(ctx, opts.device), maxSeconds: seconds, signal: interrupt.signal });
    ctx.log(`listening on "${stream.info.deviceName}" at ${stream.info.sampleRate} Hz; one decision per utterance (${model.backend.name})`);
    const summary = await liveSegmentClassify({
      classifier,
      source: { sampleRate: stream.info.sampleRate, chunks: stream.chunks },
      vad,
      signal: interrupt.signal,
      onSegment: (u) => {
        if (ctx.json) {
          const { start, end, label, probabilities, rmsDb, latencyMs, decisionDelayMs } = u;
          process.stdout.write(`${JSON.stringify({ index: u.index, start, end, label, probabilities, rmsDb, latencyMs, decisionDelayMs })}\n`);
        }
        ctx.log(
          `${u.start.toFixed(2).padStart(7)}-${u.end.toFixed(2)} s  ${u.label.padEnd(10)} (${u.rmsDb.toFixed(0)} dBFS, ${u.latencyMs.toFixed(0)} ms)`,
        );
      },
    });
    stream.stop();
    const end = await stream.ended;
    if (opts.device !== undefined) rememberDevice(ctx.openStore().db, stream.info.deviceName);
    const lost = end.reason === 'lost';
    return { summary: { device: stream.info.deviceName, ...summary, ...(lost ? { truncated: true, reason: end.detail } : {}) } };
  } finally {
    interrupt.release();
  }
}

async function runTake(ctx: ActionContext, opts: RecordCliOptions, seconds: number): Promise<TakeResult> {
  if (opts.segments || opts.vadMargin !== undefined || opts.minSilence !== undefined)
    throw new CliError('--segments, --vad-margin and --min-silence go with --live');
  if (!opts.out && !opts.model && !opts.dataset) throw new CliError('nothing to do: give --out <file.wav>, --model <dir> and/or --dataset <folder>');
  if (opts.dataset && (!opts.label || !opts.speaker)) throw new CliError('--dataset needs --label <label> and --speaker <name>');
  const rate = rateOption(opts.rate);
  // Load the model first: a bad model directory should fail before anyone speaks.
  const classifier = opts.model ? await classifierModule() : undefined;
  const model = opts.model && classifier ? await classifier.loadRecorderModel(opts.model) : undefined;
  if (opts.profile && !model) throw new CliError('--profile adapts a model to the speaker: give --model <dir> too');
  const speaker = model ? await profileOption(ctx, opts, model) : undefined;
  const interrupt = stopOnInterrupt();
  const progress = ctx.progress('recording');
  const tenths = Math.round(seconds * 10);
  let shown = -1;
  let rec;
  try {
    rec = await record({
      ...deviceChoice(ctx, opts.device),
      seconds,
      signal: interrupt.signal,
      onLevel: (l) => {
        // Levels come every 50 ms; the bar moves in tenths of a second.
        const done = Math.min(tenths, Math.floor(l.seconds * 10));
        if (done !== shown) progress((shown = done), tenths, `${l.rmsDb.toFixed(0)} dBFS${l.clipped ? ' CLIPPING' : ''}`);
      },
    });
  } finally {
    interrupt.release();
  }
  if (opts.device !== undefined) rememberDevice(ctx.openStore().db, rec.deviceName);
  const outRate = rate ?? rec.sampleRate;
  const samples = outRate === rec.sampleRate ? rec.samples : resample(rec.samples, rec.sampleRate, outRate);
  const result: TakeResult = { seconds: rec.samples.length / rec.sampleRate, device: rec.deviceName, sampleRate: outRate };
  if (opts.out) {
    result.out = resolve(opts.out);
    await writeFile(result.out, encodeWav(samples, outRate)).catch((err: NodeJS.ErrnoException) => {
      throw new CliError(`cannot write ${result.out}: ${err.code ?? err.message}`);
    });
  }
  if (opts.dataset) {
    const saved = await saveRecording({
      store: ctx.openStore(),
      datasetFolder: opts.dataset,
      label: opts.label!,
      speaker: opts.speaker!,
      samples,
      sampleRate: outRate,
    });
    result.saved = { file: saved.file, datasetId: saved.datasetId };
  }
  if (model && classifier) {
    const c = await classifier.classifyRecording(model, rec.samples, rec.sampleRate, speaker);
    result.label = c.label;
    result.probabilities = c.probabilities;
  }
  if (rec.truncated) Object.assign(result, { truncated: true, reason: rec.reason });
  return result;
}

/** `ser record`: record from a microphone, then write a WAV, classify it, save it into a dataset, or classify live. */
export function register(program: Command): void {
  const cmd = program
    .command('record')
    .description(
      'record from an audio input: --out writes a WAV, --model classifies, --dataset collects a labelled take, --live classifies on a sliding window',
    )
    .requiredOption('--seconds <s>', 'seconds to record (Ctrl-C stops early and keeps what was captured)')
    .option('--device <name|id>', 'input device (see `ser devices`); remembered for next time; default: the last used, else the system default')
    .option('--out <file.wav>', 'write the recording as 16-bit WAV')
    .option('--rate <hz>', 'sample rate of the written WAV (default: the device rate)')
    .option('--model <dir>', 'saved model or ensemble directory to classify with')
    .option('--profile <name>', "with --model: adapt to this enrolled speaker (ser enrol) instead of each take's own statistics")
    .option('--live', 'with --model: classify every --hop seconds on a window of the model input length')
    .option(
      '--segments',
      'with --live: one decision per utterance (speech found by a voice-activity detector calibrated on the first second, which should be quiet) instead of per window; with --json, stdout is JSON Lines: one {index, start, end, label, probabilities, rmsDb, latencyMs, decisionDelayMs} per utterance as it is decided, then one {"summary": ...}',
    )
    .option('--vad-margin <dB>', `with --segments: dB above the calibrated noise floor that counts as speech (default ${VAD_DEFAULTS.marginDb})`)
    .option(
      '--min-silence <s>',
      `with --segments: a pause this long ends an utterance; shorter ones stay inside it (default ${VAD_DEFAULTS.minSilenceSeconds})`,
    )
    .option('--hop <s>', 'seconds between live decisions', String(LIVE_HOP_SECONDS))
    .option('--window <s>', "live window length (default: the model's input length; 3 s for utterance-level models)")
    .option('--dataset <folder>', 'collect: save the take into <folder>/<label>/<speaker>_<time>.wav and re-import the dataset')
    .option('--label <label>', 'label of the take (with --dataset)')
    .option('--speaker <name>', 'speaker of the take (with --dataset)');
  withCommonOptions(cmd).action(async (opts: RecordCliOptions) => {
    if (opts.live && opts.segments) {
      await runAction(opts, async (ctx) => runSegments(ctx, opts, positive('seconds', opts.seconds, 3600)!), describeSegments);
    } else if (opts.live) {
      await runAction(opts, async (ctx) => runLive(ctx, opts, positive('seconds', opts.seconds, 3600)!), describeLive);
    } else {
      await runAction(opts, async (ctx) => runTake(ctx, opts, positive('seconds', opts.seconds, 600)!), describeTake);
    }
  });
}
