import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, extname, join, resolve } from 'node:path';
import { encodeWav } from '../../../src-shared/audio/wav';
import { errorMessage } from '../../../src-shared/api/errors';
import type { EnrolResult } from '../../../src-shared/api/contract';
import { loadAudio } from '../audio/load';
import type { Store } from '../store/db';
import {
  addProfileUtterance,
  createProfile,
  deleteProfile,
  getProfile,
  getProfileByName,
  getProfileStats,
  listProfileUtterances,
  putProfileStats,
  renameProfile,
  type ProfileRow,
} from '../store/profiles';
import type { LoadedModel, SpeakerStatsSource } from '../training/predict';
import { MIN_ADAPTATION_FILES } from '../training/speakerAdaptation';
import { fitModelSpeakerStats, type ModelSpeakerStats, type Utterance } from '../training/speakerProfile';
import { speechSegments, type VadOptions } from '../../../src-shared/live/vad';

/** Cache key suffix of statistics taken from segmented utterances (see profileSpeaker). */
const SEGMENTED_KEY = '#segmented';

// Speaker profiles (enrolment): a person's own unlabelled utterances, kept as audio under the DB's folder, from which
// each model's speaker statistics are computed on first use and cached. Takes and live windows classified with a
// profile are adapted to that person as a speaker's test files are in evaluation.

/** Utterances a profile needs before it is used: as many as batch-norm adaptation needs per speaker in evaluation. */
export const MIN_PROFILE_UTTERANCES = MIN_ADAPTATION_FILES;
/** Shorter than this is a click or a breath, not an utterance. */
const MIN_UTTERANCE_SECONDS = 0.3;
/** Longer than this is a session, not an utterance: cut it first. */
const MAX_UTTERANCE_SECONDS = 60;

const NAME_RE = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$/u;

export function checkProfileName(name: string): string {
  const n = name.trim();
  if (!NAME_RE.test(n)) throw new Error(`profile name "${name}": 1–64 letters, digits, spaces, '.', '-' or '_', starting with a letter or digit`);
  return n;
}

function profilesRoot(store: Store): string {
  return store.path === ':memory:' ? resolve('profiles') : join(dirname(store.path), 'profiles');
}

export function profileByName(store: Store, name: string): ProfileRow {
  const p = getProfileByName(store.db, name.trim());
  if (!p) throw new Error(`no speaker profile named "${name}" (create one with ser enrol --profile "${name}" <files>)`);
  return p;
}

export function profileById(store: Store, id: number): ProfileRow {
  const p = getProfile(store.db, id);
  if (!p) throw new Error(`speaker profile ${id} does not exist`);
  return p;
}

/** The profile of that name (created if new) and its audio folder (created if missing). */
function openOrCreate(store: Store, name: string): { id: number; created: boolean; dir: string } {
  const n = checkProfileName(name);
  const existing = getProfileByName(store.db, n);
  const id = existing ? existing.id : createProfile(store.db, n);
  const dir = join(profilesRoot(store), String(id));
  mkdirSync(dir, { recursive: true });
  return { id, created: !existing, dir };
}

function checkSeconds(seconds: number): void {
  if (seconds < MIN_UTTERANCE_SECONDS) throw new Error(`${seconds.toFixed(2)} s is too short for an utterance (at least ${MIN_UTTERANCE_SECONDS} s)`);
  if (seconds > MAX_UTTERANCE_SECONDS)
    throw new Error(`${seconds.toFixed(1)} s is too long for one utterance (at most ${MAX_UTTERANCE_SECONDS} s; cut it into utterances first)`);
}

/** Adds audio files to a profile (created if new): each is decoded to check it, then copied; a bad file is reported, the rest are added. */
export async function enrolFiles(store: Store, name: string, paths: string[], signal?: AbortSignal): Promise<EnrolResult> {
  const { id, created, dir } = openOrCreate(store, name);
  const added: EnrolResult['added'] = [];
  const errors: EnrolResult['errors'] = [];
  for (const source of paths) {
    signal?.throwIfAborted();
    try {
      const audio = await loadAudio(source);
      const seconds = audio.samples.length / audio.sampleRate;
      checkSeconds(seconds);
      // The original bytes: statistics then come from exactly what `ser predict` would decode from the file.
      const path = join(dir, `${randomUUID()}${extname(source).toLowerCase() || '.wav'}`);
      copyFileSync(source, path);
      addProfileUtterance(store.db, id, { path, source: resolve(source), seconds });
      added.push({ source, seconds });
    } catch (err) {
      errors.push({ source, error: errorMessage(err) });
    }
  }
  return { profile: getProfile(store.db, id)!, created, added, errors, minUtterances: MIN_PROFILE_UTTERANCES };
}

/** Adds one recorded take (mono samples) to a profile (created if new), stored as a 16-bit WAV. */
export function enrolTake(store: Store, name: string, samples: Float32Array, sampleRate: number): EnrolResult {
  const seconds = samples.length / sampleRate;
  checkSeconds(seconds);
  const { id, created, dir } = openOrCreate(store, name);
  const path = join(dir, `${randomUUID()}.wav`);
  writeFileSync(path, encodeWav(samples, sampleRate));
  addProfileUtterance(store.db, id, { path, source: 'recorder', seconds });
  return { profile: getProfile(store.db, id)!, created, added: [{ source: 'recorder', seconds }], errors: [], minUtterances: MIN_PROFILE_UTTERANCES };
}

export function renameSpeakerProfile(store: Store, id: number, name: string): ProfileRow {
  profileById(store, id);
  const n = checkProfileName(name);
  const other = getProfileByName(store.db, n);
  if (other && other.id !== id) throw new Error(`a speaker profile named "${other.name}" already exists`);
  renameProfile(store.db, id, n);
  return getProfile(store.db, id)!;
}

/** Deletes a profile, its cached statistics and its audio folder. */
export function deleteSpeakerProfile(store: Store, id: number): boolean {
  const deleted = deleteProfile(store.db, id);
  if (deleted) rmSync(join(profilesRoot(store), String(id)), { recursive: true, force: true });
  return deleted;
}

/**
 * A recording as live mode's segmenter would hand its utterances to a classifier; a take too short for the segmenter
 * to calibrate on (it measures the first second's noise), or with nothing it takes for speech, stays whole.
 */
export function asLiveUtterances(a: Utterance, vad?: VadOptions): Utterance[] {
  const cut = speechSegments(a.samples, a.sampleRate, vad);
  return cut.length ? cut.map((s) => ({ samples: s.samples, sampleRate: a.sampleRate })) : [a];
}

/**
 * The profile as the speaker of predictions (training/predict.ts SpeakerStatsSource): each model's statistics come
 * from the cache when they were computed from the profile's current utterances, else from its audio (then cached).
 * `segmented`: the predictions are of utterances cut by live mode's segmenter, so the statistics are taken from the
 * profile's audio cut the same way. Speech cut from its pauses has other features than the whole recording (above
 * all utterance-level functionals); statistics and inputs must be of the same kind.
 */
export function profileSpeaker(store: Store, profileId: number, opts: { segmented?: boolean; vad?: VadOptions } = {}): SpeakerStatsSource {
  const profile = profileById(store, profileId);
  if (profile.utterances < MIN_PROFILE_UTTERANCES)
    throw new Error(
      `speaker profile "${profile.name}" holds ${profile.utterances} utterance${profile.utterances === 1 ? '' : 's'}; it needs at least ${MIN_PROFILE_UTTERANCES}`,
    );
  const utterances = listProfileUtterances(store.db, profileId);
  const ids = utterances.map((u) => u.id);
  const memo = new Map<LoadedModel, Promise<ModelSpeakerStats>>();
  const compute = async (model: LoadedModel): Promise<ModelSpeakerStats> => {
    const form = opts.segmented ? `${SEGMENTED_KEY}${opts.vad && Object.keys(opts.vad).length ? JSON.stringify(opts.vad) : ''}` : '';
    const key = model.dir ? `${resolve(model.dir)}${form}` : null;
    const cached = key ? getProfileStats(store.db, profileId, key, ids) : null;
    if (cached) return JSON.parse(cached) as ModelSpeakerStats;
    const audio: Utterance[] = [];
    for (const u of utterances) {
      let a: Utterance;
      try {
        a = await loadAudio(u.path, { sampleRate: model.sampleRate });
      } catch (err) {
        throw new Error(`speaker profile "${profile.name}": utterance ${u.path} (from ${u.source}) cannot be read: ${errorMessage(err)}`);
      }
      audio.push(...(opts.segmented ? asLiveUtterances(a, opts.vad) : [a]));
    }
    const stats = await fitModelSpeakerStats(model, audio);
    if (key) putProfileStats(store.db, profileId, key, ids, JSON.stringify(stats));
    return stats;
  };
  return (model) => {
    let p = memo.get(model);
    if (!p) {
      p = compute(model);
      memo.set(model, p);
    }
    return p;
  };
}
