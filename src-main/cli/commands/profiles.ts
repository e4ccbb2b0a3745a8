import type { Command } from 'commander';
import { deleteSpeakerProfile, profileByName, renameSpeakerProfile } from '../../core/profiles/speakerProfiles';
import { listProfiles, type ProfileRow } from '../../core/store/profiles';
import { runAction, withCommonOptions, type CommonOptions } from '../io';

const line = (p: ProfileRow) => `${p.name}  (${p.utterances} utterance${p.utterances === 1 ? '' : 's'}, ${p.seconds.toFixed(1)} s)`;

/** `ser profiles list|rename|delete`: the speaker profiles made by `ser enrol` and the Recorder. */
export function register(program: Command): void {
  const profiles = program.command('profiles').description('list, rename or delete speaker profiles (see ser enrol)');
  withCommonOptions(profiles.command('list').description('list speaker profiles')).action(async (opts: CommonOptions) => {
    await runAction(
      opts,
      async (ctx) => listProfiles(ctx.openStore().db),
      (rows) => (rows.length ? rows.map(line).join('\n') : 'no speaker profiles (create one with ser enrol)'),
    );
  });
  withCommonOptions(profiles.command('rename').description('rename a speaker profile').argument('<name>').argument('<newName>')).action(
    async (name: string, newName: string, opts: CommonOptions) => {
      await runAction(
        opts,
        async (ctx) => renameSpeakerProfile(ctx.openStore(), profileByName(ctx.openStore(), name).id, newName),
        (p) => `renamed to ${line(p)}`,
      );
    },
  );
  withCommonOptions(profiles.command('delete').description('delete a speaker profile and its audio').argument('<name>')).action(
    async (name: string, opts: CommonOptions) => {
      await runAction(
        opts,
        async (ctx) => ({ deleted: deleteSpeakerProfile(ctx.openStore(), profileByName(ctx.openStore(), name).id), name }),
        (r) => `deleted speaker profile "${r.name}"`,
      );
    },
  );
}
