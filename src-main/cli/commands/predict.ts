import type { Command } from 'commander';
import { resolve } from 'node:path';
import { csvField } from '../../../src-shared/csv';
import { activateBackend } from '../../core/training/pipeline';
import { adaptationOf, loadPredictor, predictPaths, type PathPrediction } from '../../core/training/predict';
import { MIN_ADAPTATION_FILES } from '../../core/training/speakerAdaptation';
import { profileByName, profileSpeaker } from '../../core/profiles/speakerProfiles';
import { audioFilesIn, CliError, runAction, withCommonOptions, type CommonOptions } from '../io';

interface PredictOptions extends CommonOptions {
  model: string;
  csv?: boolean;
  oneSpeaker?: boolean;
  profile?: string;
  backend?: 'auto' | 'native' | 'wasm' | 'cpu';
}

interface PredictOutput {
  model: string;
  labels: string[];
  predictions: PathPrediction[];
}

function toCsv(r: PredictOutput): string {
  const rows = [['file', 'label', ...r.labels.map((l) => `p_${l}`), 'error'].join(',')];
  for (const p of r.predictions) {
    if ('error' in p) rows.push([csvField(p.file), '', ...r.labels.map(() => ''), csvField(p.error)].join(','));
    else rows.push([csvField(p.file), p.label, ...r.labels.map((l) => p.probabilities[l].toFixed(6)), ''].join(','));
  }
  return rows.join('\n');
}

function describe(r: PredictOutput): string {
  return r.predictions
    .map((p) => {
      if ('error' in p) return `${p.file}: error: ${p.error}`;
      const top = Object.entries(p.probabilities)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([l, v]) => `${l} ${(v * 100).toFixed(1)}%`)
        .join(', ');
      return `${p.file}: ${p.label}  (${top})`;
    })
    .join('\n');
}

/** `ser predict`: classifies audio files with a saved model. */
export function register(program: Command): void {
  const cmd = program
    .command('predict')
    .description('classify audio files or folders with a saved model: label and class probabilities per file')
    .argument('<paths...>', 'audio files and/or folders (searched recursively)')
    .requiredOption('--model <dir>', 'saved model or ensemble directory (from ser train or ser ensemble)')
    .option('--csv', 'print CSV: file, label, one probability column per class, error')
    .option(
      '--one-speaker',
      "the files are all one speaker: speaker normalisation / speaker-adaptive batch norm use that speaker's statistics from all of them",
    )
    .option('--profile <name>', "the files are this enrolled speaker's (ser enrol): each is adapted with the profile's statistics")
    .option('--backend <name>', 'compute backend: auto, native, wasm or cpu', 'auto');
  withCommonOptions(cmd).action(async (paths: string[], opts: PredictOptions) => {
    await runAction(
      opts,
      async (ctx): Promise<PredictOutput> => {
        const files = audioFilesIn(paths);
        if (opts.profile && opts.oneSpeaker)
          throw new CliError('--profile and --one-speaker exclude each other: the profile already holds the speaker');
        await activateBackend(opts.backend ?? 'auto');
        const dir = resolve(opts.model);
        const model = await loadPredictor(dir);
        const adaptation = adaptationOf(model);
        const speaker = opts.profile ? profileSpeaker(ctx.openStore(), profileByName(ctx.openStore(), opts.profile!).id) : undefined;
        if (speaker && !adaptation.speakerNormalization && !adaptation.speakerAdaptiveBatchNorm)
          ctx.log(`note: this model does not adapt to speakers; the profile "${opts.profile}" changes nothing`);
        const alone = 'less accurate than `ser evaluate` on a dataset grouped by speaker, or --one-speaker for files of a single speaker';
        const adapted = opts.oneSpeaker || speaker;
        if (adaptation.speakerNormalization && !adapted) {
          ctx.log(`note: this model was trained with speaker normalisation; each file here is normalised on its own, which is ${alone}`);
        }
        if (adaptation.speakerAdaptiveBatchNorm && !adapted) {
          ctx.log(
            `note: this model was trained with speaker-adaptive batch norm; files here are predicted with the training statistics, which is ${alone}`,
          );
        }
        if (adaptation.speakerAdaptiveBatchNorm && opts.oneSpeaker && files.length < MIN_ADAPTATION_FILES) {
          ctx.log(
            `note: batch-norm statistics need ${MIN_ADAPTATION_FILES} or more files of the speaker; with ${files.length} file${files.length === 1 ? '' : 's'} the training statistics are used`,
          );
        }
        const predictions = await predictPaths(model, files, { onProgress: ctx.progress('predict'), oneSpeaker: opts.oneSpeaker, speaker });
        return { model: dir, labels: model.labels, predictions };
      },
      (r) => (opts.csv ? toCsv(r) : describe(r)),
    );
  });
}
