import { CancelledError } from '../../../src-shared/api/errors';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { defaultCacheDir } from '../../core/features/cache';
import { FEATURE_PRESETS, resolveFeatureConfig, type FeatureConfig } from '../../../src-shared/config/features';
import { featureConfigHash } from '../../core/features/configHash';
import { extractDatasetFeatures } from '../../core/features/dataset';
import { CliError, runAction, withCommonOptions, type CommonOptions } from '../io';
import { describeStopSignal, onStopSignals } from '../../core/stopSignals';
import { numberArg } from './features';

interface ExtractOptions extends CommonOptions {
  dataset: number;
  config: string;
  workers?: number;
  cacheDir?: string;
}

interface ExtractSummary {
  datasetId: number;
  configHash: string;
  cacheDir: string;
  files: number;
  cached: number;
  errors: { file: string; reason: string }[];
  seconds: number;
  filesPerSecond: number;
  shape: [number, number] | null;
}

const MAX_ERRORS_SHOWN = 20;

/** --config: a preset name, inline JSON ('{"kind":"mfcc",...}'), or a path to a JSON file. */
export function featureConfigArg(arg: string): FeatureConfig {
  const text = arg.trim();
  if (FEATURE_PRESETS[text]) return FEATURE_PRESETS[text];
  let json: unknown;
  if (text.startsWith('{')) {
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new CliError(`--config: inline JSON does not parse (${(err as Error).message})`);
    }
  } else {
    let body: string;
    try {
      body = readFileSync(text, 'utf8');
    } catch {
      throw new CliError(`--config: "${arg}" is neither a preset (${Object.keys(FEATURE_PRESETS).join(', ')}) nor a readable JSON file`);
    }
    try {
      json = JSON.parse(body);
    } catch (err) {
      throw new CliError(`--config: ${text} is not valid JSON (${(err as Error).message})`);
    }
  }
  try {
    return resolveFeatureConfig(json);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

function describe(r: ExtractSummary): string {
  const lines = [
    `dataset ${r.datasetId}: ${r.files} files (${r.cached} from cache) in ${r.seconds.toFixed(1)} s, ${r.filesPerSecond.toFixed(0)} files/s, ${r.errors.length} errors`,
    `  shape ${r.shape ? r.shape.join(' x ') : '-'}, cache ${r.cacheDir} (config ${r.configHash})`,
  ];
  for (const e of r.errors.slice(0, MAX_ERRORS_SHOWN)) lines.push(`  error: ${e.file}: ${e.reason}`);
  if (r.errors.length > MAX_ERRORS_SHOWN) lines.push(`  ... and ${r.errors.length - MAX_ERRORS_SHOWN} more (--json lists all)`);
  return lines.join('\n');
}

/** `ser extract --dataset ID --config ...`: features for a whole dataset, in worker processes, cached on disk. */
export function register(program: Command): void {
  const cmd = program
    .command('extract')
    .description('extract features for every file of a dataset in worker processes (one per core), cached on disk')
    .requiredOption('--dataset <id>', 'dataset id (see ser datasets)', numberArg)
    .requiredOption(
      '--config <preset|json|file>',
      `feature config: a preset (${Object.keys(FEATURE_PRESETS).join(', ')}), inline JSON or a JSON file`,
    )
    .option('--workers <n>', 'worker processes (default: one per core; 0 = in this process)', numberArg)
    .option('--cache-dir <dir>', 'cache folder (default: $SER_CACHE_DIR or feature-cache beside the DB)');
  withCommonOptions(cmd).action(async (opts: ExtractOptions) => {
    await runAction(
      opts,
      async (ctx): Promise<ExtractSummary> => {
        const config = featureConfigArg(opts.config);
        const store = ctx.openStore();
        const cacheDir = opts.cacheDir ?? defaultCacheDir(store.path);
        const controller = new AbortController();
        const release = onStopSignals((s) => controller.abort(new CancelledError(`interrupted (${describeStopSignal(s)})`)));
        try {
          const r = await extractDatasetFeatures({
            store,
            datasetId: opts.dataset,
            config,
            workers: opts.workers,
            cacheDir,
            signal: controller.signal,
            onProgress: ctx.progress('extract'),
          });
          const files = r.items.length + r.errors.length;
          return {
            datasetId: opts.dataset,
            configHash: featureConfigHash(config),
            cacheDir,
            files,
            cached: r.cached,
            errors: r.errors,
            seconds: Number(r.seconds.toFixed(3)),
            filesPerSecond: r.seconds > 0 ? Number((files / r.seconds).toFixed(1)) : 0,
            shape: r.items[0]?.shape ?? null,
          };
        } finally {
          release();
        }
      },
      describe,
    );
  });
}
