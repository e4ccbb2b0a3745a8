import { Option, type Command } from 'commander';
import { ENSEMBLE_WEIGHTINGS, type EnsembleResult, type EnsembleWeighting } from '../../../src-shared/ensemble';
import { errorMessage } from '../../../src-shared/api/errors';
import { buildEnsemble } from '../../core/training/ensemble';
import { activateBackend } from '../../core/training/pipeline';
import { CliError, listArg, runAction, withCommonOptions, type CommonOptions } from '../io';

interface EnsembleOptions extends CommonOptions {
  models: string;
  weights: EnsembleWeighting;
  out?: string;
  name?: string;
  backend?: 'auto' | 'native' | 'wasm' | 'cpu';
}

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

function describe(r: EnsembleResult): string {
  const lines = [`ensemble saved in ${r.dir} (${r.weighting} weights; labels ${r.labels.join(', ')})`];
  r.members.forEach((m, i) => lines.push(`  ${r.weights[i].toFixed(3)}  ${m}`));
  if (r.val)
    lines.push(
      `  validation: accuracy ${pct(r.val.accuracy)}  UAR ${pct(r.val.uar)}${r.weighting === 'val' ? ' (weights fitted here: optimistic)' : ''}`,
    );
  if (r.test) lines.push(`  test: accuracy ${pct(r.test.accuracy)}  UAR ${pct(r.test.uar)}  macro-F1 ${pct(r.test.macroF1)}  (n = ${r.test.n})`);
  if (r.runId !== null) lines.push(`  stored as run ${r.runId} (Results, Compare)`);
  else lines.push('  the members share no stored split, so no run was stored: evaluate it with ser evaluate --model');
  if (r.adaptation.speakerNormalization || r.adaptation.speakerAdaptiveBatchNorm)
    lines.push(
      `  uses speaker adaptation (${[r.adaptation.speakerNormalization && 'speaker normalisation', r.adaptation.speakerAdaptiveBatchNorm && 'adaptive batch norm'].filter(Boolean).join(', ')}): report its figures apart from unadapted ones`,
    );
  return lines.join('\n');
}

/** `ser ensemble`: combines saved models with the same labels into one saved ensemble model. */
export function register(program: Command): void {
  const cmd = program
    .command('ensemble')
    .description('combine saved models with the same labels into an ensemble (weighted mean of probabilities) that works wherever a model does')
    .requiredOption('--models <dirs>', 'comma-separated saved model folders (at least two), e.g. models/run-3,models/run-4')
    .addOption(
      new Option('--weights <how>', 'equal weights, or weights fitted on the members’ common validation split (minimum log-loss)')
        .choices([...ENSEMBLE_WEIGHTINGS])
        .default('equal'),
    )
    .option('--out <dir>', 'folder for the ensemble (default: models/ensemble-<time> beside the database)')
    .option('--name <name>', 'ensemble name')
    .option('--backend <name>', 'compute backend: auto, native, wasm or cpu', 'auto');
  withCommonOptions(cmd).action(async (opts: EnsembleOptions) => {
    await runAction(
      opts,
      async (ctx): Promise<EnsembleResult> => {
        const models = listArg(opts.models);
        if (models.length < 2) throw new CliError(`--models needs at least two model folders, got ${models.length}`);
        const store = ctx.openStore();
        await activateBackend(opts.backend ?? 'auto');
        try {
          return await buildEnsemble(store, { models, weights: opts.weights, out: opts.out, name: opts.name });
        } catch (err) {
          throw new CliError(errorMessage(err));
        }
      },
      describe,
    );
  });
}
