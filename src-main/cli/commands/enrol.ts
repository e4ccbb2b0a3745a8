import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { EnrolResult } from '../../../src-shared/api/contract';
import { enrolFiles, MIN_PROFILE_UTTERANCES, profileSpeaker } from '../../core/profiles/speakerProfiles';
import { audioFilesIn, backendOption, runAction, withCommonOptions, type CliBackend, type CommonOptions } from '../io';

interface EnrolOptions extends CommonOptions {
  profile: string;
  model?: string;
  backend?: CliBackend;
}

interface EnrolOutput extends EnrolResult {
  /** With --model: what the profile adapts in that model (its statistics are computed and cached now). */
  model?: { dir: string; adapted: string[] };
}

function describe(r: EnrolOutput): string {
  const p = r.profile;
  const lines = [
    `${r.created ? 'created' : 'extended'} speaker profile "${p.name}": ${r.added.length} utterance${r.added.length === 1 ? '' : 's'} added, ${p.utterances} in all (${p.seconds.toFixed(1)} s)`,
    ...r.errors.map((e) => `skipped ${e.source}: ${e.error}`),
  ];
  if (p.utterances < MIN_PROFILE_UTTERANCES) lines.push(`note: the profile is used once it holds ${MIN_PROFILE_UTTERANCES} utterances`);
  if (r.model)
    lines.push(
      r.model.adapted.length
        ? `${r.model.dir}: adapts ${r.model.adapted.join(' and ')}`
        : `${r.model.dir}: the model does not adapt to speakers; the profile changes nothing there`,
    );
  return lines.join('\n');
}

/** `ser enrol`: create or extend a speaker profile from a person's own utterances (no labels). */
export function register(program: Command): void {
  const cmd = program
    .command('enrol')
    .description(
      `create or extend a speaker profile from ${MIN_PROFILE_UTTERANCES}+ unlabelled utterances of one person; ser predict/record --profile then adapt models to that speaker`,
    )
    .argument('<paths...>', 'audio files and/or folders (searched recursively) of the speaker')
    .requiredOption('--profile <name>', 'profile name (created if new)')
    .option('--model <dir>', "also compute and cache this saved model's (or ensemble's) statistics of the speaker now")
    .addOption(backendOption('compute backend for --model').default('auto'));
  withCommonOptions(cmd).action(async (paths: string[], opts: EnrolOptions) => {
    await runAction(
      opts,
      async (ctx): Promise<EnrolOutput> => {
        const files = audioFilesIn(paths);
        const store = ctx.openStore();
        const result: EnrolOutput = await enrolFiles(store, opts.profile, files);
        if (opts.model && result.profile.utterances >= MIN_PROFILE_UTTERANCES) {
          const { activateBackend } = await import('../../core/training/pipeline');
          const { adaptationOf, isEnsemble, loadPredictor } = await import('../../core/training/predict');
          await activateBackend(opts.backend ?? 'auto');
          const dir = resolve(opts.model);
          const model = await loadPredictor(dir);
          const speaker = profileSpeaker(store, result.profile.id);
          for (const m of isEnsemble(model) ? model.members : [model]) await speaker(m);
          const a = adaptationOf(model);
          result.model = {
            dir,
            adapted: [a.speakerNormalization ? 'speaker normalisation' : '', a.speakerAdaptiveBatchNorm ? 'batch-norm statistics' : ''].filter(
              Boolean,
            ),
          };
        } else if (opts.model) ctx.log(`note: --model skipped: the profile holds fewer than ${MIN_PROFILE_UTTERANCES} utterances`);
        return result;
      },
      describe,
    );
  });
}
