import { type Handlers } from './dispatch';
import { ApiError, errorMessage } from '../../../src-shared/api/errors';
import type { HandlerContext } from './handlers';
import { deleteSpeakerProfile, enrolFiles, enrolTake, renameSpeakerProfile } from '../profiles/speakerProfiles';
import { listProfiles } from '../store/profiles';
import { decodeSamples } from './recorderHandlers';

type ProfileMethods = 'profiles.list' | 'profiles.enrol' | 'profiles.rename' | 'profiles.delete';

/** A user error from core/profiles (bad name, too short a take, unknown id) as an API error with its message. */
async function invalid<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(errorMessage(err), /does not exist/.test(errorMessage(err)) ? 'not_found' : 'invalid');
  }
}

/** Speaker profiles (enrolment): the Recorder's "who is speaking", used by recorder.classify's profileId. */
export function profileHandlers(ctx: HandlerContext): Pick<Handlers, ProfileMethods> {
  return {
    'profiles.list': () => listProfiles(ctx.store.db),
    'profiles.enrol': (p) =>
      invalid(() => ('paths' in p ? enrolFiles(ctx.store, p.name, p.paths) : enrolTake(ctx.store, p.name, decodeSamples(p.samples), p.sampleRate))),
    'profiles.rename': ({ id, name }) => invalid(() => renameSpeakerProfile(ctx.store, id, name)),
    'profiles.delete': ({ id }) => ({ deleted: deleteSpeakerProfile(ctx.store, id) }),
  };
}
