import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import type { StudyComparison } from '../../../src-shared/studies/aggregate';
import { STUDY_METRICS, parseGridValues, type StudySpecInput } from '../../../src-shared/config/study';
import { cancelStudy, getStudy, listStudies, retryStudy, type StudyRow } from '../../core/store/studies';
import { compareStudyReports, studyReport, type StudyReport } from '../../core/studies/report';
import { createStudy, runStudy, type StudyEvent } from '../../core/studies/runner';
import { ensembleStudies } from '../../core/studies/ensembleStudy';
import { activateBackend } from '../../core/training/pipeline';
import { probeRedis } from '../../core/studies/redis';
import type { Store } from '../../core/store/db';
import { getRecipe, recipeRunConfig, type Recipe } from '../../../src-shared/config/recipes';
import {
  applySpeedPerturbation,
  backendOption,
  CliError,
  speedPerturbationOption,
  runAction,
  withCommonOptions,
  type ActionContext,
  type CliBackend,
  type CommonOptions,
} from '../io';
import { onStopSignals } from '../../core/stopSignals';
import { formatTable } from './runs';

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '-' : (100 * x).toFixed(1));

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${flag} must be a positive whole number, got "${v}"`);
  return n;
}

function readJson(file: string, flag: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(`${flag} ${file}: ${(err as Error).message}`);
  }
}

/** "optimizer.learningRate=1e-3,3e-4" → ["optimizer.learningRate", [0.001, 0.0003]]; values are JSON where they parse, else text. */
export function parseGridAxis(text: string): [string, unknown[]] {
  const eq = text.indexOf('=');
  if (eq < 1 || eq === text.length - 1) throw new CliError(`--grid takes path=value1,value2,…; got "${text}"`);
  return [text.slice(0, eq), parseGridValues(text.slice(eq + 1))];
}

function describeStudy(r: StudyReport): string {
  const c = r.counts;
  const lines = [
    `study ${r.studyId}${r.name ? ` "${r.name}"` : ''}: ${r.status} · ${c.completed} completed, ${c.running} running, ${c.queued} queued, ${c.failed} failed, ${c.cancelled} cancelled`,
  ];
  const a = r.aggregate;
  if (a.points.length > 1) {
    lines.push('grid points (selected on mean validation UAR):');
    for (const p of a.points) {
      lines.push(
        `  ${p.point === a.selected?.point ? '*' : ' '} ${JSON.stringify(p.values)}  val UAR ${pct(p.valUar)} %  (${p.completed}/${p.cells} cells)`,
      );
    }
  }
  if (a.metrics) {
    lines.push(`test, ${a.complete ? '' : 'provisional, '}mean over ${a.metrics.uar.n} folds (seeds averaged per fold) with 95 % t-interval:`);
    for (const m of STUDY_METRICS) {
      const s = a.metrics[m];
      const ci = s.ci95 ? `[${pct(s.ci95[0])}, ${pct(s.ci95[1])}]` : '(one fold: no interval)';
      lines.push(`  ${m.padEnd(9)} ${pct(s.mean)} % ± ${s.std === null ? '-' : pct(s.std)}  95 % CI ${ci}  per fold ${s.perFold.map(pct).join(' ')}`);
    }
  }
  lines.push(
    formatTable(
      ['cell', 'status', 'run', 'val UAR%', 'acc%', 'UAR%', 'F1%'],
      r.cells.map((x) => [
        x.key,
        x.status + (x.error ? ` (${x.error.slice(0, 60)})` : ''),
        x.runId === null ? '-' : String(x.runId),
        pct(x.valUar),
        pct(x.test?.accuracy),
        pct(x.test?.uar),
        pct(x.test?.macroF1),
      ]),
    ),
  );
  return lines.join('\n');
}

function describeList(studies: StudyRow[]): string {
  if (!studies.length) return 'no studies yet; define one with: ser study run --dataset <id> --folds 4';
  return formatTable(
    ['id', 'status', 'name', 'dataset', 'folds', 'seeds', 'points', 'done/cells', 'created (UTC)'],
    studies.map((s) => {
      const total = Object.values(s.counts).reduce((x, y) => x + y, 0);
      return [
        String(s.id),
        s.status,
        s.name ?? '-',
        String(s.datasetId ?? '-'),
        String(s.folds),
        String(s.spec.seeds.length),
        String(s.points.length),
        `${s.counts.completed}/${total}`,
        s.createdAt.slice(0, 16).replace('T', ' '),
      ];
    }),
  );
}

function describeComparison(c: StudyComparison & { a: number; b: number }): string {
  const lines = [`study ${c.a} − study ${c.b}, paired over ${c.folds} folds:`];
  for (const m of STUDY_METRICS) {
    const x = c[m];
    const ci = x.ci95 ? `[${pct(x.ci95[0])}, ${pct(x.ci95[1])}]` : '-';
    const p = (v: number | null) => (v === null ? '-' : v.toPrecision(3));
    lines.push(`  ${m.padEnd(9)} ${pct(x.meanDifference)} points, 95 % CI ${ci}, paired t p = ${p(x.tPValue)}, Wilcoxon p = ${p(x.wilcoxonPValue)}`);
  }
  return lines.join('\n');
}

/** Drains a study's queue in this process, with a progress line per cell; Ctrl-C puts running cells back in the queue. */
async function drain(
  store: Store,
  studyId: number,
  ctx: ActionContext,
  opts: { concurrency?: number; inProcess?: boolean; redis?: string },
): Promise<StudyReport> {
  const total = getStudy(store.db, studyId)!;
  const cells = Object.values(total.counts).reduce((a, b) => a + b, 0);
  const bar = ctx.progress(`study ${studyId}`);
  const controller = new AbortController();
  const release = onStopSignals(() => {
    ctx.log(`stopping study ${studyId}: running cells go back to the queue (resume with: ser study resume ${studyId})`);
    controller.abort();
  });
  const onEvent = (e: StudyEvent) => {
    if (e.type === 'cell' && e.status !== 'running') {
      const now = getStudy(store.db, studyId)!.counts;
      bar(now.completed + now.failed + now.cancelled, cells, `${e.cell} ${e.status}${e.error ? `: ${e.error}` : ''}`);
    }
  };
  try {
    await runStudy(store, studyId, {
      concurrency: opts.concurrency,
      inProcess: opts.inProcess,
      redis: opts.redis,
      signal: controller.signal,
      onEvent,
    });
  } finally {
    release();
  }
  return studyReport(store.db, studyId);
}

interface RunOptions extends CommonOptions {
  dataset?: string;
  config?: string;
  spec?: string;
  model?: string;
  epochs?: string;
  folds?: string;
  loso?: boolean;
  groups?: string;
  seeds?: string;
  grid: string[];
  valFraction?: string;
  splitSeed?: string;
  name?: string;
  concurrency?: string;
  inProcess?: boolean;
  redis?: string;
  recipe?: string;
  adapted?: boolean;
  speedPerturbation?: string;
}

/** The study spec from --spec and the flags (the core validates it). */
function buildSpec(opts: RunOptions): StudySpecInput {
  const spec = (opts.spec ? readJson(opts.spec, '--spec') : {}) as Record<string, unknown>;
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) throw new CliError(`--spec ${opts.spec}: expected a JSON object`);
  if (opts.dataset !== undefined) spec.datasetId = positiveInt(opts.dataset, '--dataset');
  if (spec.datasetId === undefined) throw new CliError('give --dataset <id> (or datasetId in --spec)');
  let base = { ...((spec.base as Record<string, unknown> | undefined) ?? {}) };
  if (opts.recipe) {
    let recipe: Recipe;
    try {
      recipe = getRecipe(opts.recipe);
    } catch (err) {
      throw new CliError(`--recipe: ${(err as Error).message}`);
    }
    if (opts.model && opts.model !== recipe.model)
      throw new CliError(`--recipe ${recipe.name} trains ${recipe.model}, not ${opts.model}; leave --model out`);
    base = recipeRunConfig(recipe, base, { adapted: opts.adapted });
    base.model ??= recipe.model;
  } else if (opts.adapted) {
    throw new CliError(
      "--adapted applies a recipe's speaker adaptation; give --recipe NAME (or set speakerNormalization / speakerAdaptiveBatchNorm in --config)",
    );
  }
  if (opts.config) {
    const file = readJson(opts.config, '--config');
    if (!file || typeof file !== 'object' || Array.isArray(file)) throw new CliError(`--config ${opts.config}: expected a JSON object`);
    Object.assign(base, file);
  }
  if (opts.model) base.model = opts.model;
  if (opts.epochs) base.epochs = positiveInt(opts.epochs, '--epochs');
  applySpeedPerturbation(base, opts.speedPerturbation);
  for (const k of ['datasetId', 'split', 'seed']) delete base[k];
  spec.base = base;
  const foldFlags = [opts.folds !== undefined, Boolean(opts.loso), opts.groups !== undefined].filter(Boolean).length;
  if (foldFlags > 1) throw new CliError('give one of --folds K, --loso or --groups FILE');
  if (opts.folds !== undefined) spec.folds = { kind: 'kfold', k: positiveInt(opts.folds, '--folds') };
  if (opts.loso) spec.folds = { kind: 'loso' };
  if (opts.groups !== undefined) spec.folds = { kind: 'groups', groups: readJson(opts.groups, '--groups') };
  if (!spec.folds) throw new CliError('give the folds: --folds K, --loso or --groups FILE (a JSON list of speaker lists)');
  if (opts.seeds) spec.seeds = opts.seeds.split(',').map((s) => Number(s.trim()));
  if (opts.grid.length) spec.grid = { ...((spec.grid as object | undefined) ?? {}), ...Object.fromEntries(opts.grid.map(parseGridAxis)) };
  if (opts.valFraction) spec.valFraction = Number(opts.valFraction);
  if (opts.splitSeed) spec.splitSeed = Number(opts.splitSeed);
  if (opts.name) spec.name = opts.name;
  return spec as StudySpecInput;
}

/** `ser study run|resume|list|show|compare|cancel|retry`: cross-validated, multi-seed and grid studies. */
export function register(program: Command): void {
  const study = program.command('study').description('cross-validated, multi-seed and grid experiments: mean ± 95 % CI over speaker folds');

  const run = study
    .command('run')
    .description('define a study (base config × folds × seeds × grid), train every cell, print the aggregate')
    .option('--dataset <id>', 'dataset to study')
    .option('--spec <study.json>', 'a whole study spec (StudySpecSchema); the flags below override it')
    .option('--config <run.json>', 'base run config for every cell (RunConfigSchema without datasetId, split, seed)')
    .option('--recipe <name>', 'base config from a named recipe (ser train --list-recipes); --config and the flags go on top')
    .option('--adapted', "with --recipe: the recipe's speaker adaptation on (speaker normalisation and/or adaptive batch norm)")
    .option('--model <preset>', 'model preset of the base config')
    .option('--epochs <n>', 'maximum epochs of the base config')
    .addOption(speedPerturbationOption())
    .option('--folds <k>', 'k folds of speakers (gender-balanced)')
    .option('--loso', 'leave one speaker out: one fold per speaker')
    .option('--groups <folds.json>', 'explicit folds: a JSON list of test-speaker lists, e.g. [["01","02"],["03","04"]]')
    .option('--seeds <list>', 'training seeds, e.g. 1,2,3 (folds stay the same for every seed)')
    .option('--grid <path=v1,v2>', 'a grid axis, e.g. optimizer.learningRate=1e-3,3e-4 (repeatable)', (v: string, all: string[]) => [...all, v], [])
    .option('--val-fraction <f>', "share of each fold's training speakers held out for validation (default 0.15)")
    .option('--split-seed <n>', 'seed that draws the folds and validation speakers (default 42)')
    .option('--name <name>', 'study name')
    .option('--concurrency <n>', 'cells trained at once (default: the studyConcurrency setting, 1 on two cores)')
    .option('--in-process', 'train cells in this process instead of worker processes (debugging)')
    .option('--redis <url>', 'enqueue the cells on this Redis for `ser worker` processes (e.g. redis://127.0.0.1:6379)');
  withCommonOptions(run).action(async (opts: RunOptions) => {
    await runAction(
      opts,
      async (ctx) => {
        const store = ctx.openStore();
        const spec = buildSpec(opts);
        // Redis unreachable: say so before the study is stored, so nothing is left queued.
        if (opts.redis) await probeRedis(opts.redis);
        const { studyId, cells } = createStudy(store, spec);
        ctx.log(`study ${studyId}: ${cells} cells`);
        return drain(store, studyId, ctx, {
          concurrency: opts.concurrency ? positiveInt(opts.concurrency, '--concurrency') : undefined,
          inProcess: opts.inProcess,
          redis: opts.redis,
        });
      },
      describeStudy,
    );
  });

  const idArg = (v: string) => positiveInt(v, 'study id');
  const withStudy = (
    name: string,
    description: string,
    body: (store: Store, id: number, ctx: ActionContext, opts: RunOptions) => Promise<unknown>,
  ) => {
    const cmd = study.command(`${name} <id>`).description(description);
    if (name === 'resume' || name === 'retry') {
      cmd
        .option('--concurrency <n>', 'cells trained at once')
        .option('--in-process', 'train cells in this process (debugging)')
        .option('--redis <url>', 'enqueue the cells on this Redis for `ser worker` processes');
    }
    withCommonOptions(cmd).action(async (id: string, opts: RunOptions) => {
      await runAction(
        opts,
        async (ctx) => {
          const store = ctx.openStore();
          const studyId = idArg(id);
          if (!getStudy(store.db, studyId)) throw new CliError(`no study ${studyId} (ser study list shows them)`);
          return body(store, studyId, ctx, opts);
        },
        (r) => (r && typeof r === 'object' && 'cells' in r ? describeStudy(r as StudyReport) : JSON.stringify(r, null, 2)),
      );
    });
  };
  const concurrencyOf = (opts: RunOptions) => (opts.concurrency ? positiveInt(opts.concurrency, '--concurrency') : undefined);
  withStudy('show', "a study's cells and aggregate (mean ± 95 % CI over folds, per fold, per seed)", async (store, id) => studyReport(store.db, id));
  withStudy('resume', 'train the queued cells of a study (after a crash, Ctrl-C or restart)', async (store, id, ctx, opts) =>
    drain(store, id, ctx, { concurrency: concurrencyOf(opts), inProcess: opts.inProcess, redis: opts.redis }),
  );
  withStudy('retry', 'queue the failed and cancelled cells of a study again and train them', async (store, id, ctx, opts) => {
    ctx.log(`study ${id}: ${retryStudy(store.db, id)} cells queued again`);
    return drain(store, id, ctx, { concurrency: concurrencyOf(opts), inProcess: opts.inProcess, redis: opts.redis });
  });
  withStudy('cancel', 'cancel a study: queued cells are dropped, running ones stopped by the process training them', async (store, id) => {
    const { running } = cancelStudy(store.db, id);
    return { studyId: id, status: 'cancelled', running };
  });

  const list = study.command('list').description('every study with status and progress');
  withCommonOptions(list).action(async (opts: CommonOptions) => {
    await runAction(opts, async (ctx) => listStudies(ctx.openStore().db), describeList);
  });

  const ensemble = study
    .command('ensemble <ids...>')
    .description("a study of ensembles: each fold × seed's runs of the given studies (their selected points) combined, nothing retrained")
    .option('--weights <how>', "equal, or val: weights fitted on each cell's validation speakers (never test)", 'val')
    .option('--name <name>', 'study name')
    .addOption(backendOption('compute backend for the members').default('auto'));
  withCommonOptions(ensemble).action(async (ids: string[], opts: CommonOptions & { weights: string; name?: string; backend: CliBackend }) => {
    await runAction(
      opts,
      async (ctx) => {
        if (opts.weights !== 'equal' && opts.weights !== 'val') throw new CliError(`--weights must be equal or val, got "${opts.weights}"`);
        const store = ctx.openStore();
        // Each cell runs every member on its test files: without this, tfjs falls back to its pure-JS cpu backend.
        const backend = await activateBackend(opts.backend);
        ctx.log(`backend: ${backend.name} (${backend.detail})`);
        const progress = ctx.progress('ensembles');
        const { studyId } = await ensembleStudies(store, {
          studyIds: ids.map(idArg),
          weights: opts.weights,
          name: opts.name,
          onProgress: (done, total, key) => progress(done, total, key),
        });
        return studyReport(store.db, studyId);
      },
      describeStudy,
    );
  });

  const compare = study
    .command('compare <a> <b>')
    .description("paired comparison of two studies' selected points over the same folds (t-test, Wilcoxon)");
  withCommonOptions(compare).action(async (a: string, b: string, opts: CommonOptions) => {
    await runAction(opts, async (ctx) => compareStudyReports(ctx.openStore().db, idArg(a), idArg(b)), describeComparison);
  });
}
