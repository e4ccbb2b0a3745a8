import { Option, type Command } from 'commander';
import { resolve } from 'node:path';
import { errorMessage } from '../../../src-shared/api/errors';
import type { OnnxExportResult } from '../../../src-shared/api/contract';
import { exportOnnx } from '../../core/export/onnxExport';
import { activateBackend } from '../../core/training/pipeline';
import { backendOption, CliError, runAction, withCommonOptions, type CliBackend, type CommonOptions } from '../io';

interface ExportModelOptions extends CommonOptions {
  model: string;
  format: 'onnx';
  out: string;
  backend?: CliBackend;
}

function describe(r: OnnxExportResult): string {
  return [
    `ONNX model (opset ${r.opset}) written to ${r.file}`,
    `  inputs: ${r.inputs.map((i) => `${i.name} [${i.dims.join(', ')}]`).join(', ')}`,
    `  output: ${r.outputs[0].name} [${r.outputs[0].dims.join(', ')}], labels ${r.labels.join(', ')}`,
    `  onnxruntime vs the workbench: max |difference| ${r.maxAbsDiff.toExponential(2)} on seeded inputs`,
    `  standalone predictor: node ${r.predictor} file.wav --json (needs only onnxruntime-node)`,
    `  model card: ${r.modelCard}`,
  ].join('\n');
}

/** `ser export-model --model DIR --format onnx --out OUTDIR`: a saved model as a checked ONNX graph plus its preprocessing. */
export function register(program: Command): void {
  const cmd = program
    .command('export-model')
    .description('export a saved model to ONNX (checked against the workbench in onnxruntime before anything is written)')
    .requiredOption('--model <dir>', 'saved model folder (see: ser runs, models/run-<id>)')
    .addOption(new Option('--format <format>', 'export format').choices(['onnx']).default('onnx'))
    .requiredOption('--out <dir>', 'output folder: model.onnx, preprocessing.json, predict.mjs, MODEL_CARD.md and model_card.json')
    .addOption(backendOption('compute backend for the check').default('auto'));
  withCommonOptions(cmd).action(async (opts: ExportModelOptions) => {
    await runAction(
      opts,
      async (ctx): Promise<OnnxExportResult> => {
        await activateBackend(opts.backend ?? 'auto');
        try {
          // the run that trained the model, where this database has it, fills the model card's data and figures
          return await exportOnnx(resolve(opts.model), resolve(opts.out), { store: ctx.openStore() });
        } catch (err) {
          throw new CliError(errorMessage(err));
        }
      },
      describe,
    );
  });
}
