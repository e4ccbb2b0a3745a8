import { InvalidArgumentError, Option, type Command } from 'commander';
import { loadAudio } from '../../core/audio/load';
import { computeFeatures, type FeatureMatrix } from '../../core/features/compute';
import { samplesUsed } from '../../core/features/fitLength';
import { FEATURE_KINDS, FEATURE_PRESETS, resolveFeatureConfig, type FeatureConfig } from '../../../src-shared/config/features';
import { CliError, runAction, withCommonOptions, type CommonOptions } from '../io';
import { errorMessage } from '../../../src-shared/api/errors';

interface FeaturesOptions extends CommonOptions {
  kind?: string;
  preset?: string;
  sr?: number;
  nFft?: number;
  hop?: number;
  nMels?: number;
  fmin?: number;
  fmax?: number;
  nMfcc?: number;
  deltas?: number;
  topDb?: number;
  htk?: boolean;
  seconds?: number;
}

interface FeaturesResult {
  file: string;
  kind: FeatureConfig['kind'];
  /** [bands | dims, frames] */
  shape: [number, number];
  /** row-major */
  data: number[];
  names?: string[];
  params: FeatureConfig;
}

/** commander argParser for a number option (commander names the option in its error). */
export function numberArg(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number.');
  return n;
}

function describe(r: FeaturesResult): string {
  const lines = [`${r.file}: ${r.kind} ${r.shape[0]} x ${r.shape[1]}`];
  if (r.names) {
    r.names.forEach((n, i) => lines.push(`  ${n.padEnd(32)} ${r.data[i].toPrecision(6)}`));
  } else {
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const v of r.data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
    }
    lines.push(`  min ${min.toPrecision(6)}  max ${max.toPrecision(6)}  mean ${(sum / r.data.length).toPrecision(6)}  (--json prints the matrix)`);
  }
  return lines.join('\n');
}

/** The config the flags describe: a preset (or defaults) with each given flag on top. */
function configFromFlags(o: FeaturesOptions): FeatureConfig {
  const overrides: Record<string, unknown> = {
    kind: o.kind,
    sampleRate: o.sr,
    nFft: o.nFft,
    hop: o.hop,
    nMels: o.nMels,
    fmin: o.fmin,
    fmax: o.fmax,
    nMfcc: o.nMfcc,
    deltas: o.deltas,
    topDb: o.topDb,
    htk: o.htk,
    length: o.seconds !== undefined ? { mode: 'fixed', seconds: o.seconds } : undefined,
  };
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return resolveFeatureConfig(o.preset ? { preset: o.preset, ...given } : { length: { mode: 'variable', maxSeconds: 600 }, ...given });
}

/** `ser features <audio-file>`: one file's features as a matrix (or named vector). */
export function register(program: Command): void {
  const cmd = program
    .command('features')
    .description('compute features of one audio file (log-mel, MFCC, chroma, prosody, functionals); --json prints the matrix')
    .argument('<audio-file>', 'wav, flac, mp3, ogg, m4a ...')
    .addOption(new Option('--kind <kind>', "feature kind (default: logmel, or the preset's)").choices([...FEATURE_KINDS]))
    .addOption(new Option('--preset <name>', 'start from a preset').choices(Object.keys(FEATURE_PRESETS)))
    .option('--sr <hz>', 'sample rate to resample to (default 16000)', numberArg)
    .option('--n-fft <n>', 'FFT size, a power of two (default 1024)', numberArg)
    .option('--hop <n>', 'hop in samples (default 512)', numberArg)
    .option('--n-mels <n>', 'mel bands (default 64)', numberArg)
    .option('--fmin <hz>', 'lowest mel frequency (default 0)', numberArg)
    .option('--fmax <hz>', 'highest mel frequency (default sr/2)', numberArg)
    .option('--n-mfcc <n>', 'MFCC count (default 40)', numberArg)
    .option('--deltas <n>', '0, 1 (append deltas) or 2 (and delta-deltas)', numberArg)
    .option('--top-db <db>', 'dynamic range kept below the peak (default 80)', numberArg)
    .option('--htk', 'HTK mel scale instead of Slaney')
    .option('--seconds <s>', 'pad or trim to exactly this length (default: the whole file)', numberArg);
  withCommonOptions(cmd).action(async (file: string, opts: FeaturesOptions) => {
    await runAction(
      opts,
      async (): Promise<FeaturesResult> => {
        const config = configFromFlags(opts);
        const audio = await loadAudio(file, { sampleRate: config.sampleRate, keepSamples: samplesUsed(config) });
        let m: FeatureMatrix;
        try {
          m = computeFeatures(audio.samples, audio.sampleRate, config);
        } catch (err) {
          throw new CliError(`${file}: ${errorMessage(err)}`);
        }
        return { file, kind: config.kind, shape: m.shape, data: Array.from(m.data), ...(m.names ? { names: m.names } : {}), params: config };
      },
      describe,
    );
  });
}
