// Speaker profiles (enrolment) on real RAVDESS audio: a model trained on actor 01 with speaker normalisation and
// speaker-adaptive batch norm, enrolled to actor 02 from 10 of their files, through `ser enrol` / `ser predict
// --profile` and the core.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../src-main/core/datasets/import';
import { loadAudio } from '../../src-main/core/audio/load';
import {
  deleteSpeakerProfile,
  enrolFiles,
  enrolTake,
  profileByName,
  profileSpeaker,
  renameSpeakerProfile,
} from '../../src-main/core/profiles/speakerProfiles';
import { classifyRecording } from '../../src-main/core/recorder/classifier';
import { openStore, type Store } from '../../src-main/core/store/db';
import { dispatch } from '../../src-main/core/api/dispatch';
import { createHandlers } from '../../src-main/core/api/handlers';
import { JobQueue } from '../../src-main/core/jobs';
import { listModels } from '../../src-main/core/store/runs';
import { float32ToBase64 } from '../../src-shared/audio/pcmBase64';
import { speechSegments } from '../../src-shared/live/vad';
import { fitModelSpeakerStats } from '../../src-main/core/training/speakerProfile';
import { classifyFile, loadModel, predictPaths, type LoadedModel } from '../../src-main/core/training/predict';
import { startRun } from '../../src-main/core/training/run';
import { ser } from '../helpers/cli';
import { RAVDESS_16K } from '../helpers/shared';

let dir: string;
let dbPath: string;
let store: Store;
let cnn: LoadedModel;
let svm: LoadedModel;
const actor02 = readdirSync(join(RAVDESS_16K, 'Actor_02'))
  .filter((f) => f.endsWith('.wav'))
  .sort()
  .map((f) => join(RAVDESS_16K, 'Actor_02', f));
// Enrolment: 10 files spread over the actor's emotions; later takes come from the rest.
const enrolled = actor02.filter((_, i) => i % 6 === 0);
const later = actor02.filter((_, i) => i % 6 === 3).slice(0, 3);

type Predicted = { file: string; label: string; probabilities: Record<string, number> };

function cli(args: string[]) {
  const r = ser([...args, '--db', dbPath, '--json'], { env: { SER_CACHE_DIR: join(dir, 'cache') }, timeout: 180_000 });
  if (r.code !== 0) throw new Error(`ser ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown;
}

function maxGap(a: Predicted[], b: Predicted[]): number {
  expect(a.map((p) => p.file)).toEqual(b.map((p) => p.file));
  let gap = 0;
  a.forEach((p, i) => {
    for (const [l, v] of Object.entries(p.probabilities)) gap = Math.max(gap, Math.abs(v - b[i].probabilities[l]));
  });
  return gap;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ser-profiles-'));
  const data = join(dir, 'ravdess');
  mkdirSync(data);
  symlinkSync(join(RAVDESS_16K, 'Actor_01'), join(data, 'Actor_01'));
  symlinkSync(join(RAVDESS_16K, 'Actor_02'), join(data, 'Actor_02'));
  process.env.SER_CACHE_DIR = join(dir, 'cache');
  dbPath = join(dir, 'workbench.sqlite');
  store = openStore(dbPath);
  const datasetId = (await importDataset(store, { folder: data })).datasetId;
  const split = { kind: 'speaker', testSpeakers: ['02'], seed: 1 };
  const trained = await startRun(
    store,
    {
      datasetId,
      model: { preset: 'simplecnn', params: { filters: [4, 8, 8, 8], denseUnits: 16 } },
      split,
      epochs: 2,
      batchSize: 20,
      seed: 7,
      speakerNormalization: true,
      speakerAdaptiveBatchNorm: true,
      outDir: join(dir, 'cnn'),
    },
    { inProcess: true },
  ).done;
  expect(trained.error).toBeNull();
  cnn = await loadModel(trained.modelDir!);
  const linear = await startRun(store, { datasetId, model: 'svm', split, speakerNormalization: true, outDir: join(dir, 'svm') }, { inProcess: true })
    .done;
  expect(linear.error).toBeNull();
  svm = await loadModel(linear.modelDir!);
}, 300_000);

afterAll(() => {
  store?.close();
  delete process.env.SER_CACHE_DIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('speaker profiles', () => {
  it('ser enrol stores the audio; ser predict --profile on the enrolled files equals ser predict --one-speaker on them', () => {
    const broken = join(dir, 'broken.wav');
    writeFileSync(broken, 'RIFF not audio');
    const enrol = cli(['enrol', '--profile', 'Actor Two', ...enrolled, broken, '--model', cnn.dir!]) as {
      created: boolean;
      profile: { name: string; utterances: number };
      added: unknown[];
      errors: { source: string; error: string }[];
      model: { adapted: string[] };
    };
    expect(enrol.created).toBe(true);
    expect(enrol.profile).toMatchObject({ name: 'Actor Two', utterances: enrolled.length });
    expect(enrol.errors).toEqual([{ source: broken, error: expect.stringMatching(/.+/) }]);
    expect(enrol.model.adapted).toEqual(['speaker normalisation', 'batch-norm statistics']);
    // The audio is the profile's own copy, beside the DB.
    const profileDir = join(dirname(dbPath), 'profiles', '1');
    expect(readdirSync(profileDir)).toHaveLength(enrolled.length);

    const withProfile = (cli(['predict', '--model', cnn.dir!, '--profile', 'actor two', ...enrolled]) as { predictions: Predicted[] }).predictions;
    const asOne = (cli(['predict', '--model', cnn.dir!, '--one-speaker', ...enrolled]) as { predictions: Predicted[] }).predictions;
    expect(maxGap(withProfile, asOne)).toBeLessThan(1e-5);
    expect(withProfile.map((p) => p.label)).toEqual(asOne.map((p) => p.label));
    // Without adaptation each file is on its own: the profile changes the answers.
    const alone = (cli(['predict', '--model', cnn.dir!, ...enrolled]) as { predictions: Predicted[] }).predictions;
    expect(maxGap(withProfile, alone)).toBeGreaterThan(1e-3);
    const both = ser(['predict', '--model', cnn.dir!, '--profile', 'Actor Two', '--one-speaker', enrolled[0], '--db', dbPath]);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/--profile and --one-speaker exclude each other/);
  }, 300_000);

  it('the core gives the same for a speaker-normalised SVM, and later takes of the speaker are adapted alone', async () => {
    const profile = profileByName(store, 'Actor Two');
    const speaker = profileSpeaker(store, profile.id);
    const withProfile = (await predictPaths(svm, enrolled, { speaker })) as Predicted[];
    const asOne = (await predictPaths(svm, enrolled, { oneSpeaker: true })) as Predicted[];
    expect(maxGap(withProfile, asOne)).toBeLessThan(1e-6);
    // The statistics were cached per model folder: a fresh source reads them back and answers the same.
    const cached = store.db.prepare('SELECT model_path FROM profile_stats WHERE profile_id = ? ORDER BY model_path').all(profile.id) as {
      model_path: string;
    }[];
    expect(cached.map((r) => r.model_path).sort()).toEqual([cnn.dir!, svm.dir!].sort());
    const again = (await predictPaths(svm, enrolled, { speaker: profileSpeaker(store, profile.id) })) as Predicted[];
    expect(maxGap(again, withProfile)).toBe(0);
    // For live utterances the statistics come from the profile's audio cut by the same segmenter, cached apart.
    const segmented = await profileSpeaker(store, profile.id, { segmented: true })(svm);
    const cut = (await Promise.all(enrolled.map((f) => loadAudio(f, { sampleRate: 16000 })))).flatMap((a) =>
      speechSegments(a.samples, a.sampleRate).map((x) => ({ samples: x.samples, sampleRate: a.sampleRate })),
    );
    expect(cut.length).toBeGreaterThanOrEqual(enrolled.length);
    expect(segmented).toEqual(await fitModelSpeakerStats(svm, cut));
    expect(segmented.features!.mean).not.toEqual((await speaker(svm)).features!.mean);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM profile_stats WHERE model_path = ?').get(`${svm.dir}#segmented`)).toEqual({ n: 1 });
    // A later take (not enrolled), as the recorder classifies it: adapted with the profile, unlike a lone take.
    const take = await loadAudio(later[0]);
    const adapted = await classifyRecording(cnn, take.samples, take.sampleRate, speaker);
    const lone = await classifyRecording(cnn, take.samples, take.sampleRate);
    const file = await classifyFile(cnn, later[0], speaker);
    expect(adapted).toEqual(file);
    expect(Math.max(...cnn.labels.map((l) => Math.abs(adapted.probabilities[l] - lone.probabilities[l])))).toBeGreaterThan(1e-3);
    // Interleaved predictions of the shared model never see each other's statistics.
    const [x, y] = await Promise.all([
      classifyRecording(cnn, take.samples, take.sampleRate, speaker),
      classifyRecording(cnn, take.samples, take.sampleRate),
    ]);
    expect(x).toEqual(adapted);
    expect(y).toEqual(lone);
  }, 120_000);

  it('through the API: profiles.enrol / list / rename / delete, and recorder.classify with a profileId', async () => {
    const handlers = createHandlers({ store, jobs: new JobQueue(() => {}), mode: 'browser' });
    let id = 0;
    const call = async (method: string, params: unknown) =>
      (await dispatch(handlers, ++id, method, params)) as { result?: any; error?: { code: string; message: string } }; // eslint-disable-line @typescript-eslint/no-explicit-any
    const listed = (await call('profiles.list', {})).result as { id: number; name: string; utterances: number }[];
    const two = listed.find((p) => p.name === 'Actor Two')!;
    expect(two.utterances).toBe(enrolled.length);
    const take = await loadAudio(later[0]);
    const samples = float32ToBase64(take.samples);
    const modelId = listModels(store.db).find((m) => m.path === cnn.dir)!.id;
    const viaApi = (await call('recorder.classify', { modelId, profileId: two.id, sampleRate: take.sampleRate, samples })).result;
    expect(viaApi).toEqual(await classifyRecording(cnn, take.samples, take.sampleRate, profileSpeaker(store, two.id)));
    const plain = (await call('recorder.classify', { modelId, sampleRate: take.sampleRate, samples })).result;
    expect(plain).toEqual(await classifyRecording(cnn, take.samples, take.sampleRate));

    const enrol = await call('profiles.enrol', { name: 'Api Person', paths: later });
    expect(enrol.result).toMatchObject({
      created: true,
      added: [{}, {}, {}],
      errors: [],
      minUtterances: 8,
      profile: { name: 'Api Person', utterances: 3 },
    });
    const apiPerson = enrol.result.profile.id as number;
    expect((await call('recorder.classify', { modelId, profileId: apiPerson, sampleRate: take.sampleRate, samples })).error).toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/"Api Person" holds 3 utterances; it needs at least 8/),
    });
    expect((await call('recorder.classify', { modelId, profileId: 999, sampleRate: take.sampleRate, samples })).error?.code).toBe('not_found');
    const short = await call('profiles.enrol', { name: 'Api Person', sampleRate: 16000, samples: float32ToBase64(new Float32Array(800)) });
    expect(short.error).toMatchObject({ code: 'invalid', message: expect.stringMatching(/too short for an utterance/) });
    expect((await call('profiles.enrol', { name: '', paths: later })).error?.code).toBe('invalid');
    expect((await call('profiles.enrol', { name: 'x', paths: later, samples })).error?.code).toBe('invalid');
    expect((await call('profiles.rename', { id: apiPerson, name: 'Actor two' })).error?.message).toMatch(/already exists/);
    expect((await call('profiles.rename', { id: apiPerson, name: 'Renamed' })).result).toMatchObject({ name: 'Renamed', utterances: 3 });
    expect((await call('profiles.delete', { id: apiPerson })).result).toEqual({ deleted: true });
    expect((await call('profiles.delete', { id: apiPerson })).result).toEqual({ deleted: false });
  }, 120_000);

  it('a profile is used from 8 utterances on; extending it recomputes the statistics; rename and delete', async () => {
    const few = await enrolFiles(store, 'Newcomer', later);
    expect(few).toMatchObject({ created: true, added: [{}, {}, {}], errors: [] });
    expect(() => profileSpeaker(store, few.profile.id)).toThrow(/"Newcomer" holds 3 utterances; it needs at least 8/);
    expect(() => enrolTake(store, 'Newcomer', new Float32Array(1600), 16000)).toThrow(/0.10 s is too short/);
    await expect(enrolFiles(store, 'bad/name', later)).rejects.toThrow(/profile name "bad\/name"/);

    const two = profileByName(store, 'Actor Two');
    const before = await profileSpeaker(store, two.id)(svm);
    const take = await loadAudio(later[1], { sampleRate: 16000 });
    expect(enrolTake(store, 'actor two', take.samples, take.sampleRate)).toMatchObject({
      created: false,
      profile: { utterances: enrolled.length + 1 },
    });
    const after = await profileSpeaker(store, two.id)(svm);
    expect(after.features!.mean).not.toEqual(before.features!.mean);

    expect(() => renameSpeakerProfile(store, few.profile.id, 'ACTOR TWO')).toThrow(/already exists/);
    expect(renameSpeakerProfile(store, few.profile.id, 'Third').name).toBe('Third');
    const listed = cli(['profiles', 'list']) as { name: string; utterances: number }[];
    expect(listed.map((p) => [p.name, p.utterances])).toEqual([
      ['Actor Two', enrolled.length + 1],
      ['Third', 3],
    ]);
    const folder = join(dirname(dbPath), 'profiles', String(two.id));
    expect(existsSync(folder)).toBe(true);
    expect(deleteSpeakerProfile(store, two.id)).toBe(true);
    expect(existsSync(folder)).toBe(false);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM profile_stats').get()).toEqual({ n: 0 });
    const missing = ser(['predict', '--model', svm.dir!, '--profile', 'Actor Two', later[0], '--db', dbPath]);
    expect(missing.stderr).toMatch(/no speaker profile named "Actor Two"/);
  }, 120_000);
});
