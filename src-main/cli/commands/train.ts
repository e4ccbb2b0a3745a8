import { Option, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { importDataset } from '../../core/datasets/import';
import { listModelPresets } from '../../core/models/presets';
import { MODEL_PRESET_NAMES } from '../../../src-shared/config/models';
import { parseLabelMapArg } from '../../../src-shared/labels';
import {
  defaultRecipeFor,
  describeRecipeFigures,
  ENSEMBLE_RECIPES,
  findRecipe,
  isEnsembleRecipe,
  RECIPES,
  recipeRunConfig,
  type EnsembleRecipe,
  type Recipe,
} from '../../../src-shared/config/recipes';
import { trainEnsembleRecipe } from '../../core/training/ensembleRecipe';
import type { EvaluationReport } from '../../../src-shared/metrics';
import { startRun, type RunEvent, type RunResult } from '../../core/training/run';
import {
  applySpeedPerturbation,
  backendOption,
  CliError,
  listArg,
  runAction,
  speedPerturbationOption,
  withCommonOptions,
  type CommonOptions,
} from '../io';
import { onStopSignals } from '../../core/stopSignals';

interface TrainOptions extends CommonOptions {
  data?: string;
  dataset?: string;
  model?: string;
  config?: string;
  epochs?: string;
  batchSize?: string;
  lr?: string;
  seed?: string;
  testSpeakers?: string;
  valSpeakers?: string;
  backend?: string;
  out?: string;
  name?: string;
  inProcess?: boolean;
  listModels?: boolean;
  speakerNorm?: boolean;
  speakerBn?: boolean;
  speedPerturbation?: string;
  extraDatasets?: string;
  labels?: string;
  labelMap?: string;
  testCorpus?: string;
  recipe?: string;
  listRecipes?: boolean;
}

const int = (v: string | undefined, flag: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new CliError(`${flag} must be a whole number, got "${v}"`);
  return n;
};

const list = (v: string | undefined) => (v === undefined ? undefined : listArg(v));

/**
 * The run config: a recipe (--recipe, or with neither --recipe nor --config the model's default recipe, so
 * `ser train --model X` trains X the best known way rather than on schema defaults), then --config, then the flags.
 * The core validates the result.
 */
function buildConfig(opts: TrainOptions, datasetId: number, log: (m: string) => void = () => {}, bare = false): Record<string, unknown> {
  let base: Record<string, unknown> = {};
  if (opts.config) {
    try {
      base = JSON.parse(readFileSync(opts.config, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new CliError(`--config ${opts.config}: ${(err as Error).message}`);
    }
    if (!base || typeof base !== 'object' || Array.isArray(base)) throw new CliError(`--config ${opts.config}: expected a JSON object`);
  }
  let recipe: Recipe | null = null;
  if (bare) {
    // An ensemble recipe's members bring their own recipes: only the experiment's choices are built here.
  } else if (opts.recipe) {
    recipe = findRecipeOrFail(opts.recipe) as Recipe;
    if (opts.model && opts.model !== recipe.model)
      throw new CliError(`--recipe ${recipe.name} trains ${recipe.model}, not ${opts.model}; leave --model out`);
  } else if (!opts.config) {
    recipe = defaultRecipeFor(opts.model ?? 'resnet');
  }
  if (recipe) {
    base = recipeRunConfig(recipe, base);
    base.model ??= recipe.model;
    log(`recipe ${recipe.name}: ${recipe.label} (${describeRecipeFigures(recipe)})`);
  }
  const config: Record<string, unknown> = { ...base, datasetId };
  // The recipe's or --config's model keeps its parameters when --model names the same preset.
  const named = typeof config.model === 'string' ? config.model : (config.model as { preset?: unknown } | undefined)?.preset;
  if (opts.model && named !== opts.model) config.model = opts.model;
  else if (!bare) config.model ??= 'resnet';
  const seed = int(opts.seed, '--seed');
  if (seed !== undefined) config.seed = seed;
  const epochs = int(opts.epochs, '--epochs');
  if (epochs !== undefined) config.epochs = epochs;
  const batchSize = int(opts.batchSize, '--batch-size');
  if (batchSize !== undefined) config.batchSize = batchSize;
  if (opts.lr !== undefined) {
    const lr = Number(opts.lr);
    if (!(lr > 0)) throw new CliError(`--lr must be a positive number, got "${opts.lr}"`);
    config.optimizer = { ...((config.optimizer as object | undefined) ?? {}), learningRate: lr };
  }
  if (opts.backend) config.backend = opts.backend;
  if (opts.speakerNorm) config.speakerNormalization = true;
  if (opts.speakerBn) config.speakerAdaptiveBatchNorm = true;
  applySpeedPerturbation(config, opts.speedPerturbation);
  if (opts.out) config.outDir = resolve(opts.out);
  if (opts.name) config.name = opts.name;
  if (opts.extraDatasets !== undefined) {
    const ids = listArg(opts.extraDatasets).map((v) => int(v, '--extra-datasets')!);
    // Label maps given for a dataset in --config are kept.
    const given = (config.extraDatasets as { datasetId: number }[] | undefined) ?? [];
    config.extraDatasets = ids.map((id) => given.find((d) => d.datasetId === id) ?? { datasetId: id });
  }
  if (opts.labels !== undefined) config.labels = listArg(opts.labels);
  if (opts.labelMap !== undefined) {
    try {
      config.labelMap = parseLabelMapArg(opts.labelMap);
    } catch (err) {
      throw new CliError(`--label-map: ${(err as Error).message}`);
    }
  }
  if (opts.testCorpus !== undefined) {
    if (opts.testSpeakers || opts.valSpeakers)
      throw new CliError('--test-corpus tests on a whole corpus; it cannot be combined with --test-speakers/--val-speakers');
    config.split = {
      kind: 'leave-corpus-out',
      testDatasetId: int(opts.testCorpus, '--test-corpus'),
      valFraction: 0.15,
      seed: (config.seed as number | undefined) ?? 42,
    };
  }
  const test = list(opts.testSpeakers);
  const val = list(opts.valSpeakers);
  if (test || val) {
    const effectiveSeed = (config.seed as number | undefined) ?? 42;
    config.split = {
      kind: 'speaker',
      ...(test ? { testSpeakers: test } : { testFraction: 0.2 }),
      ...(val ? { valSpeakers: val } : { valFraction: 0.1 }),
      seed: effectiveSeed,
    };
  }
  return config;
}

/** A recipe by name, or a CLI error listing the known ones. */
function findRecipeOrFail(name: string): Recipe | EnsembleRecipe {
  try {
    return findRecipe(name);
  } catch (err) {
    throw new CliError(`--recipe: ${(err as Error).message}`);
  }
}

/** What `ser train --json` prints. */
interface TrainOutput {
  runId: number;
  status: RunResult['status'];
  metrics: Omit<EvaluationReport, 'confusionNormalized'> | null;
  backend: string | null;
  seconds: number;
  epochs: number;
  bestEpoch: number;
  modelDir: string | null;
  modelId: number | null;
}

function summary(r: TrainOutput): string {
  const lines = [`run ${r.runId}: ${r.status} on ${r.backend ?? '?'} in ${r.seconds.toFixed(1)} s, ${r.epochs} epochs (best ${r.bestEpoch})`];
  if (r.metrics) {
    const m = r.metrics;
    lines.push(
      `  accuracy ${(m.accuracy * 100).toFixed(1)} %  UAR ${(m.uar * 100).toFixed(1)} %  macro-F1 ${(m.macroF1 * 100).toFixed(1)} %  (n = ${m.n})`,
    );
    for (const l of m.labels) {
      const c = m.perClass[l];
      lines.push(`  ${l.padEnd(10)} P ${c.precision.toFixed(2)}  R ${c.recall.toFixed(2)}  F1 ${c.f1.toFixed(2)}  n ${c.support}`);
    }
  }
  if (r.modelDir) lines.push(`  model: ${r.modelDir}`);
  return lines.join('\n');
}

/** `ser train`: trains a model preset on a dataset in a worker process, storing the run. */
export function register(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a model preset on a dataset in a worker process (speaker-independent split by default); --list-models shows the presets')
    .option('--data <folder>', 'import this corpus folder first, then train on it')
    .option('--dataset <id>', 'train on an imported dataset')
    .addOption(new Option('--model <preset>', 'model preset (default: resnet, or the one in --config)').choices([...MODEL_PRESET_NAMES]))
    .option('--recipe <name>', "start from a named recipe (resources/recipes; --list-recipes); default: the model's own recipe")
    .option('--config <run.json>', 'run config (RunConfigSchema) on top of --recipe; the flags below override it')
    .option('--epochs <n>', 'maximum epochs')
    .option('--batch-size <n>', 'batch size')
    .option('--lr <rate>', 'initial learning rate')
    .option('--seed <n>', 'seed for split, weights, shuffling and augmentation')
    .option('--test-speakers <list>', 'speakers held out for test, e.g. 13,14,15,16')
    .option('--val-speakers <list>', 'speakers held out for validation (default: 10 % of speakers, chosen by seed)')
    .addOption(backendOption('compute backend'))
    .option('--speaker-norm', "standardise each speaker's features with their own statistics (test speakers included, no labels)")
    .option('--speaker-bn', "re-estimate batch-norm statistics on each validation/test speaker's own files (AdaBN; no labels)")
    .addOption(speedPerturbationOption())
    .option('--extra-datasets <ids>', 'multi-corpus run: also train (and test) on these datasets, e.g. 2,3; speakers split within each corpus')
    .option('--labels <list>', 'train on these labels only, e.g. neutral,happy,sad,angry')
    .option('--label-map <map>', "rename the first dataset's labels for this run, e.g. calm=neutral,surprised= (empty drops)")
    .option('--test-corpus <id>', 'leave-corpus-out: test on every file of this dataset, train (and validate on 15 % of speakers) on the others')
    .option('--out <dir>', 'save the trained model here (default: models/run-<id> beside the database)')
    .option('--name <name>', 'run name')
    .option('--in-process', 'train in this process instead of a worker (debugging)')
    .option('--list-models', 'list the model presets with their parameter counts and exit')
    .option('--list-recipes', 'list the recipes with their measured figures and exit');
  withCommonOptions(cmd).action(async (opts: TrainOptions) => {
    await runAction(
      opts,
      async (ctx) => {
        if (opts.listModels) return listModelPresets();
        if (opts.listRecipes)
          return [
            ...RECIPES.map((r) => ({
              name: r.name,
              model: r.model as string,
              default: r.default,
              label: r.label,
              adaptation: r.adaptation,
              figures: r.figures,
            })),
            ...ENSEMBLE_RECIPES.map((r) => ({
              name: r.name,
              model: 'ensemble',
              default: false,
              label: r.label,
              members: r.members,
              figures: r.figures,
            })),
          ];
        if (!opts.data === !opts.dataset) throw new CliError('give either --data <folder> or --dataset <id>');
        const store = ctx.openStore();
        let datasetId = int(opts.dataset, '--dataset');
        if (opts.data) {
          const imported = await importDataset(store, { folder: opts.data, onProgress: ctx.progress('import') });
          ctx.log(`dataset ${imported.datasetId} "${imported.name}": ${imported.files} files, ${imported.speakers} speakers`);
          datasetId = imported.datasetId;
        }
        const named = opts.recipe ? findRecipeOrFail(opts.recipe) : null;
        if (named && isEnsembleRecipe(named)) {
          if (opts.model) throw new CliError(`--recipe ${named.name} is an ensemble of ${named.members.join(', ')}; leave --model out`);
          const over = buildConfig(opts, datasetId!, ctx.log, true);
          const adapted = Boolean(over.speakerNormalization || over.speakerAdaptiveBatchNorm);
          delete over.speakerNormalization;
          delete over.speakerAdaptiveBatchNorm;
          ctx.log(
            `recipe ${named.name}: ${named.members.join(' + ')} on one split, ${named.weighting} weights${adapted ? ", each member with its recipe's adaptation" : ''}`,
          );
          const r = await trainEnsembleRecipe(store, named, over, {
            adapted,
            inProcess: opts.inProcess,
            out: opts.out ? resolve(opts.out) : undefined,
            name: opts.name,
            onEvent: (i, e) => {
              if (e.type === 'log') ctx.log(`[${named.members[i]}] ${e.message}`);
            },
          });
          const failed = r.members.find((m) => m.status !== 'completed');
          if (failed)
            throw new CliError(`member run ${failed.runId} ${failed.status}${failed.error ? `: ${failed.error}` : ''}; no ensemble was built`);
          return {
            recipe: named.name,
            members: r.members.map((m) => ({ runId: m.runId, uar: m.metrics?.uar ?? null, modelDir: m.modelDir })),
            ensemble: r.ensemble!,
          };
        }
        const config = buildConfig(opts, datasetId!, ctx.log);
        const stage = new Map<string, ReturnType<typeof ctx.progress>>();
        const bar = (label: string) => {
          if (!stage.has(label)) stage.set(label, ctx.progress(label));
          return stage.get(label)!;
        };
        let lastEpochLine = '';
        const onEvent = (e: RunEvent) => {
          switch (e.type) {
            case 'status':
              if (e.status === 'running') ctx.log(`run ${e.runId}: training on ${e.backend}`);
              break;
            case 'progress':
              bar(e.stage)(e.done, e.total, e.stage === 'train' ? `${e.detail ?? ''}${lastEpochLine}` : e.detail?.split('/').pop());
              break;
            case 'log':
              ctx.log(e.message);
              break;
            case 'epoch': {
              const m = e.point.metrics;
              lastEpochLine = ` | ep ${e.point.epoch}: val_acc ${m.val_accuracy?.toFixed(3) ?? '-'} val_uar ${m.val_uar?.toFixed(3) ?? '-'}`;
              if (!process.stderr.isTTY)
                ctx.log(
                  `epoch ${e.point.epoch}: ${Object.entries(m)
                    .map(([k, v]) => `${k} ${Number(v).toPrecision(4)}`)
                    .join(' ')}`,
                );
              break;
            }
            default:
              break;
          }
        };
        const handle = startRun(store, config, { onEvent, inProcess: opts.inProcess });
        const release = onStopSignals(() => {
          ctx.log(`cancelling run ${handle.runId} after the current batch...`);
          handle.cancel();
        });
        const result = await handle.done.finally(release);
        if (result.status === 'failed') throw new CliError(`run ${result.runId} failed: ${result.error}`);
        const m = result.metrics;
        const out: TrainOutput = {
          runId: result.runId,
          status: result.status,
          metrics: m
            ? { labels: m.labels, accuracy: m.accuracy, uar: m.uar, macroF1: m.macroF1, perClass: m.perClass, confusion: m.confusion, n: m.n }
            : null,
          backend: result.backend,
          seconds: Math.round(result.seconds * 10) / 10,
          epochs: result.epochs,
          bestEpoch: result.bestEpoch,
          modelDir: result.modelDir,
          modelId: result.modelId,
        };
        return out;
      },
      (r) =>
        Array.isArray(r)
          ? r
              .map((p) =>
                'figures' in p
                  ? `${p.name.padEnd(14)} ${p.model.padEnd(12)} ${p.label}\n${' '.repeat(15)}${describeRecipeFigures(findRecipe(p.name))}`
                  : `${p.name.padEnd(12)} ${p.params ? `${p.params.toLocaleString('en')} params`.padEnd(16) : 'classical'.padEnd(16)} ${p.description}`,
              )
              .join('\n')
          : 'ensemble' in r
            ? `ensemble ${r.ensemble.dir}: weights ${r.ensemble.weights.map((w) => w.toFixed(2)).join(' / ')} (${r.ensemble.weighting}); test UAR ${r.ensemble.test ? `${(r.ensemble.test.uar * 100).toFixed(1)} %` : '-'}; members ${r.members.map((m) => `run ${m.runId} UAR ${m.uar === null ? '-' : `${(m.uar * 100).toFixed(1)} %`}`).join(', ')}`
            : summary(r),
    );
  });
}
