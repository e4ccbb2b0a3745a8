import type { Command } from 'commander';
import { resolve } from 'node:path';
import { importDataset } from '../../core/datasets/import';
import { parseLabelMapArg } from '../../../src-shared/labels';
import type { EvaluationReport } from '../../../src-shared/metrics';
import { runExists } from '../../core/store/runQueries';
import { recordEvaluation } from '../../core/store/runs';
import { evaluateOnDataset } from '../../core/training/evaluate';
import { activateBackend } from '../../core/training/pipeline';
import { loadPredictor } from '../../core/training/predict';
import { CliError, runAction, withCommonOptions, type CommonOptions } from '../io';

interface EvaluateOptions extends CommonOptions {
  model: string;
  data?: string;
  dataset?: string;
  map?: string;
  backend?: 'auto' | 'native' | 'wasm' | 'cpu';
}

interface EvaluateOutput extends Omit<EvaluationReport, 'n'> {
  n: number;
  datasetId: number;
  model: string;
  skipped: Record<string, number>;
  errors: { file: string; reason: string }[];
  evaluationId: number;
}

function describe(r: EvaluateOutput): string {
  const lines = [
    `${r.model} on dataset ${r.datasetId}: accuracy ${(r.accuracy * 100).toFixed(1)} %  UAR ${(r.uar * 100).toFixed(1)} %  macro-F1 ${(r.macroF1 * 100).toFixed(1)} %  (n = ${r.n})`,
  ];
  for (const l of r.labels) {
    const c = r.perClass[l];
    lines.push(`  ${l.padEnd(10)} P ${c.precision.toFixed(2)}  R ${c.recall.toFixed(2)}  F1 ${c.f1.toFixed(2)}  n ${c.support}`);
  }
  lines.push(`  confusion (rows true, columns predicted: ${r.labels.join(' ')}):`);
  for (const [i, row] of r.confusion.entries()) lines.push(`  ${r.labels[i].padEnd(10)} ${row.map((v) => String(v).padStart(4)).join('')}`);
  const skipped = Object.entries(r.skipped);
  if (skipped.length) lines.push(`  skipped (label unknown to the model): ${skipped.map(([l, n]) => `${l} ×${n}`).join(', ')}`);
  if (r.errors.length) lines.push(`  ${r.errors.length} files without features, e.g. ${r.errors[0].file}: ${r.errors[0].reason}`);
  return lines.join('\n');
}

/** `ser evaluate`: scores a saved model on a dataset (e.g. another corpus, labels mapped). */
export function register(program: Command): void {
  const cmd = program
    .command('evaluate')
    .description('evaluate a saved model on a whole dataset: accuracy, UAR, macro-F1, per-class metrics, confusion matrix')
    .requiredOption(
      '--model <dir|file>',
      'saved model or ensemble directory (ser train, ser ensemble), or a model trained elsewhere with a preprocessing.json beside it: a model.onnx (ser export-model writes both) or a tfjs layers model.json',
    )
    .option('--data <folder>', 'import this corpus folder first, then evaluate on it')
    .option('--dataset <id>', 'evaluate on an imported dataset')
    .option('--map <from=to,...>', "map the dataset's labels onto the model's, e.g. calm=neutral; an empty target drops a label")
    .option('--backend <name>', 'compute backend: auto, native, wasm or cpu', 'auto');
  withCommonOptions(cmd).action(async (opts: EvaluateOptions) => {
    await runAction(
      opts,
      async (ctx): Promise<EvaluateOutput> => {
        if (!opts.data === !opts.dataset) throw new CliError('give either --data <folder> or --dataset <id>');
        const store = ctx.openStore();
        let datasetId = opts.dataset !== undefined ? Number(opts.dataset) : NaN;
        if (opts.data) datasetId = (await importDataset(store, { folder: opts.data, onProgress: ctx.progress('import') })).datasetId;
        if (!Number.isInteger(datasetId)) throw new CliError(`--dataset must be a dataset id, got "${opts.dataset}"`);
        const labelMap = opts.map !== undefined ? parseLabelMapArg(opts.map) : undefined;
        await activateBackend(opts.backend ?? 'auto');
        const dir = resolve(opts.model);
        const model = await loadPredictor(dir);
        const bars = new Map<string, ReturnType<typeof ctx.progress>>();
        const r = await evaluateOnDataset(store, model, datasetId, {
          labelMap,
          onProgress: (stage, done, total) => {
            if (!bars.has(stage)) bars.set(stage, ctx.progress(stage));
            bars.get(stage)!(done, total);
          },
        });
        const ownRun = model.meta.runId !== null && runExists(store.db, model.meta.runId);
        const evaluationId = recordEvaluation(store.db, {
          runId: ownRun ? model.meta.runId : null,
          datasetId,
          split: `dataset:${datasetId}`,
          report: r.report,
          predictions: r.predictions,
        });
        return { ...r.report, datasetId, model: dir, skipped: r.skipped, errors: r.errors, evaluationId };
      },
      describe,
    );
  });
}
