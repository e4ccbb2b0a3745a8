import { mkdirSync, readdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { ImportResult } from '../../src-shared/api/contract';
import { emodb } from '../../src-main/core/datasets/corpora/emodb';
import { importDataset } from '../../src-main/core/datasets/import';
import { relabelDataset } from '../../src-main/core/datasets/relabel';
import { saveRecording } from '../../src-main/core/recorder/collect';
import { openStore, type Store } from '../../src-main/core/store/db';
import { getDataset, getDatasetByRoot, listFiles } from '../../src-main/core/store/datasets';
import { CLI_ARGS, type CliResult } from '../helpers/cli';
import { makeTempDir, removeDir } from '../helpers/fixtures';
import { DATA_DIR, RAVDESS_16K } from '../helpers/shared';

// Corpora laid out the ways people ship them, built from real recordings (symlinks into ../shared), so
// every imported file decodes and the labels, speakers and genders can be checked against the truth
// that RAVDESS's and EMO-DB's own names carry.

const EMODB = join(DATA_DIR, 'emodb-2s');
let tmp: string;
let store: Store;
let db: string;
/** The two `ser import` runs, started together in beforeAll: the CLI's start-up is most of their time. */
let patternCli: CliResult;
let metadataCli: CliResult;
let perEmotionRoot: string;
let renamed: { root: string; csv: string; names: string[]; lines: string[]; db: string };

beforeAll(async () => {
  tmp = makeTempDir('ser-import-any-');
  db = join(tmp, 'w.sqlite');
  store = openStore(db);
  perEmotionRoot = buildPerEmotion(join(tmp, 'per-emotion'));
  renamed = { ...buildRenamedEmodb(join(tmp, 'emodb-renamed')), db: join(tmp, 'cli-metadata.sqlite') };
  [patternCli, metadataCli] = await Promise.all([
    serAsync(['import', perEmotionRoot, '--pattern', '{speaker}_{gender}_{_}', '--db', db, '--json']),
    serAsync(['import', renamed.root, '--metadata', renamed.csv, '--db', renamed.db]),
  ]);
});
afterAll(() => {
  store.close();
  removeDir(tmp);
});

function serAsync(args: string[]): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...CLI_ARGS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** Folder per emotion with numbered and synonym names and one unknown name; files <speaker>_<m|F>_<n>.wav. */
function buildPerEmotion(root: string): string {
  // RAVDESS actors: odd numbers are men, even numbers women.
  const put = (folder: string, actor: number, code: string, count: number) =>
    ravdess(actor, code)
      .slice(0, count)
      .forEach((f, i) => link(f, join(root, folder, `a${String(actor).padStart(2, '0')}_${actor % 2 ? 'm' : 'F'}_${code}${i}.wav`)));
  put('01Neutral', 1, '01', 2);
  put('01Neutral', 2, '01', 2);
  put('Anger', 1, '05', 3);
  put('Anger', 2, '05', 1);
  put('happiness', 2, '03', 2);
  put('3_sad', 3, '04', 2);
  put('weird', 4, '02', 2);
  return root;
}

/** 40 EMO-DB recordings renamed clipNNN.wav, with a CSV giving German labels, speakers and m/w genders (the last file has no row, one row no file). */
function buildRenamedEmodb(root: string): { root: string; csv: string; names: string[]; lines: string[] } {
  const german: Record<string, string> = { W: 'Ärger', L: 'Langeweile', E: 'Ekel', A: 'Angst', F: 'Freude', T: 'Trauer', N: 'Neutral' };
  const names = readdirSync(EMODB).sort().slice(0, 40);
  const lines = ['File;Emotion;Speaker;Sex'];
  names.forEach((name, i) => {
    const clip = `clip${String(i).padStart(3, '0')}.wav`;
    link(join(EMODB, name), join(root, 'audio', clip));
    const p = emodb.parse(name)!;
    if (i < names.length - 1) lines.push(`audio/${clip};${german[p.emotion]};${p.speaker};${p.gender === 'male' ? 'm' : 'w'}`);
  });
  lines.push('audio/clip999.wav;Freude;03;m');
  const csv = join(root, '..', 'emodb-meta.csv');
  writeFileSync(csv, lines.join('\n') + '\n');
  return { root, csv, names, lines };
}

/** The RAVDESS-16k files of an actor (1-16) with an emotion code ('01'..'08'), in name order. */
function ravdess(actor: number, emotion: string): string[] {
  const dir = join(RAVDESS_16K, `Actor_${String(actor).padStart(2, '0')}`);
  return readdirSync(dir)
    .filter((f) => f.split('-')[2] === emotion)
    .sort()
    .map((f) => join(dir, f));
}

function link(target: string, path: string): string {
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path);
  return path;
}

const byPath = <T extends { relPath: string }>(rows: T[]): T[] => [...rows].sort((a, b) => a.relPath.localeCompare(b.relPath));

describe('a folder per emotion, speakers and genders from a file-name pattern', () => {
  let root: string;
  beforeAll(() => {
    root = perEmotionRoot;
  });

  it('ser import --pattern: folder names through the synonyms, the unknown one reported with its files and not made a label', () => {
    const r = patternCli;
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as ImportResult;
    expect(out).toMatchObject({ corpus: 'folders', files: 14, speakers: 3, errors: [], unusedRows: [] });
    expect(out.classes).toEqual({ neutral: 4, angry: 4, happy: 2, sad: 2 });
    expect(out.unknownLabels).toEqual([{ label: 'weird', files: [join(root, 'weird/a04_F_020.wav'), join(root, 'weird/a04_F_021.wav')] }]);
    expect(out.reading).toMatch(/^folder per label: .* \+ pattern \{speaker\}_\{gender\}_\{_\}$/);

    const rows = byPath(listFiles(store.db, out.datasetId, { includeErrors: true }));
    expect(rows.map((f) => [f.relPath.split('/')[0], f.label, f.speaker, f.gender])).toEqual([
      ['01Neutral', 'neutral', 'a01', 'male'],
      ['01Neutral', 'neutral', 'a01', 'male'],
      ['01Neutral', 'neutral', 'a02', 'female'],
      ['01Neutral', 'neutral', 'a02', 'female'],
      ['3_sad', 'sad', 'a03', 'male'],
      ['3_sad', 'sad', 'a03', 'male'],
      ['Anger', 'angry', 'a01', 'male'],
      ['Anger', 'angry', 'a01', 'male'],
      ['Anger', 'angry', 'a01', 'male'],
      ['Anger', 'angry', 'a02', 'female'],
      ['happiness', 'happy', 'a02', 'female'],
      ['happiness', 'happy', 'a02', 'female'],
      ['weird', null, 'a04', 'female'],
      ['weird', null, 'a04', 'female'],
    ]);
    expect(new Set(rows.map((f) => f.sampleRate))).toEqual(new Set([16000]));
    expect(getDataset(store.db, out.datasetId)!.naming).toEqual({ pattern: '{speaker}_{gender}_{_}' });
  });

  it('a re-import reads the names the same way without the options; --map gives the unknown folder a label', async () => {
    const again = await importDataset(store, { folder: root });
    expect(again).toMatchObject({ corpus: 'folders', speakers: 3, classes: { neutral: 4, angry: 4, happy: 2, sad: 2 } });
    const mapped = await importDataset(store, { folder: root, labelMap: { weird: 'calm' } });
    expect(mapped.classes).toEqual({ neutral: 4, angry: 4, happy: 2, sad: 2, calm: 2 });
    expect(mapped.unknownLabels).toEqual([]);
    expect(mapped.speakers).toBe(4);
    // An empty pattern stops using the stored one: no speakers any more.
    const plain = await importDataset(store, { folder: root, pattern: '' });
    expect(plain.speakers).toBe(0);
    expect(getDataset(store.db, plain.datasetId)!.naming).toBeNull();
  });

  it('names that do not fit the pattern are errors with the reason; a malformed pattern writes nothing', async () => {
    const r = await importDataset(store, { folder: root, pattern: '{speaker}_{gender}_{_}_{statement}' });
    expect(r.errors).toHaveLength(14);
    expect(r.errors[0].reason).toBe(
      'name does not match the pattern {speaker}_{gender}_{_}_{statement}: ends after {_} (part 3) "010"; the pattern expects "_" and 1 more field(s)',
    );
    const before = listFiles(store.db, r.datasetId, { includeErrors: true }).map((f) => f.error);
    await expect(importDataset(store, { folder: root, pattern: '{speaker}{gender}' })).rejects.toThrow(/has no separator between the fields/);
    expect(listFiles(store.db, r.datasetId, { includeErrors: true }).map((f) => f.error)).toEqual(before);
  });
});

describe('a flat folder with labels in the names', () => {
  it('takes label and speaker from the pattern (corpus "custom"); unknown words reported, unmatched names errors', async () => {
    const root = join(tmp, 'flat-words');
    const words: [number, string, string][] = [
      [7, '03', 'Happy'],
      [7, '06', 'fear'],
      [8, '07', 'Disgusted'],
      [8, '08', 'Surprise'],
      [8, '02', 'xyz'],
    ];
    for (const [actor, code, word] of words) link(ravdess(actor, code)[0], join(root, `${String(actor).padStart(2, '0')}_${word}_1.wav`));
    link(ravdess(9, '01')[0], join(root, 'session-notes.wav'));
    const r = await importDataset(store, { folder: root, pattern: '{speaker}_{label}_{_}' });
    expect(r).toMatchObject({ corpus: 'custom', files: 6, speakers: 2 });
    expect(r.classes).toEqual({ happy: 1, fearful: 1, disgust: 1, surprised: 1 });
    expect(r.unknownLabels).toEqual([{ label: 'xyz', files: [join(root, '08_xyz_1.wav')] }]);
    // Relabelling a custom dataset goes through the same synonyms, so an unknown word can be given a label later.
    expect(relabelDataset(store, r.datasetId, { xyz: 'calm', fearful: 'afraid' })).toEqual({
      happy: 1,
      afraid: 1,
      disgust: 1,
      surprised: 1,
      calm: 1,
    });
    expect(r.errors).toEqual([
      {
        file: join(root, 'session-notes.wav'),
        reason:
          'name does not match the pattern {speaker}_{label}_{_}: ends after {speaker} "session-notes"; the pattern expects "_" and 2 more field(s)',
      },
    ]);
  });

  it('RAVDESS codes from a pattern need a label map, and then agree with the RAVDESS convention file for file', async () => {
    const root = join(tmp, 'flat-codes');
    for (const actor of [5, 6])
      for (const f of readdirSync(join(RAVDESS_16K, `Actor_0${actor}`))) link(join(RAVDESS_16K, `Actor_0${actor}`, f), join(root, f));
    const pattern = '{_}-{_}-{label}-{_}-{_}-{_}-{speaker}';
    const unmapped = await importDataset(store, { folder: root, pattern });
    expect(unmapped.classes).toEqual({});
    expect(unmapped.unknownLabels.map((u) => [u.label, u.files.length])).toEqual(
      ['01', '02', '03', '04', '05', '06', '07', '08'].map((c) => [c, c === '01' ? 8 : 16]),
    );
    const codes = { '01': 'neutral', '02': 'calm', '03': 'happy', '04': 'sad', '05': 'angry', '06': 'fearful', '07': 'disgust', '08': 'surprised' };
    const mapped = await importDataset(store, { folder: root, pattern, labelMap: codes });
    // Or name the corpus whose codes they are: its shipped map reads them.
    const asCodes = await importDataset(store, { folder: root, pattern, corpus: 'ravdess', labelMap: {} });
    expect(asCodes).toMatchObject({ corpus: 'ravdess', classes: mapped.classes, speakers: 2, unknownLabels: [] });
    expect(asCodes.reading).toMatch(/^label codes and fields of RAVDESS: /);
    const byConvention = await importDataset(store, { folder: join(tmp, 'flat-codes') + '/', pattern: '', corpus: 'ravdess', labelMap: {} });
    expect(mapped.speakers).toBe(2);
    expect(mapped.classes).toEqual(byConvention.classes);
    expect(Object.values(mapped.classes).reduce((a, b) => a + b)).toBe(120);
  });
});

describe('a metadata CSV', () => {
  it('ser import --metadata: labels (German words), speakers and genders per file for renamed EMO-DB recordings; rows and files without a partner reported', () => {
    const { root, csv, names, lines } = renamed;
    const r = metadataCli;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\(custom\): 40 files, \d classes, \d+ speakers, 1 errors/);
    expect(r.stdout).toContain(`error: ${join(root, 'audio/clip039.wav')}: no row in emodb-meta.csv`);
    expect(r.stdout).toContain(`metadata line ${lines.length} unused: audio/clip999.wav: no such audio file in the folder`);
    expect(r.stdout).toContain('names read by: emodb-meta.csv (one row per file)');

    const cliStore = openStore(renamed.db);
    onTestFinished(() => cliStore.close());
    const ds = getDatasetByRoot(cliStore.db, realpathSync(root))!;
    expect(ds.naming).toEqual({ metadata: csv });
    const rows = byPath(listFiles(cliStore.db, ds.id));
    expect(rows).toHaveLength(39);
    const truth: Record<string, string> = { W: 'angry', L: 'boredom', E: 'disgust', A: 'fearful', F: 'happy', T: 'sad', N: 'neutral' };
    rows.forEach((f, i) => {
      const p = emodb.parse(names[i])!;
      expect([f.relPath, f.label, f.speaker, f.gender], names[i]).toEqual([
        `audio/clip${String(i).padStart(3, '0')}.wav`,
        truth[p.emotion],
        p.speaker,
        p.gender,
      ]);
    });
  });

  it('one row per speaker (CREMA-D VideoDemographics.csv) adds genders to a convention', async () => {
    const root = join(tmp, 'crema-like');
    const emotions: [string, string][] = [
      ['ANG', '05'],
      ['HAP', '03'],
      ['SAD', '04'],
    ];
    // Real RAVDESS recordings under CREMA-D names: actor 1001 is RAVDESS actor 1 (a man), 1002 actor 2 (a woman), 1003 actor 3.
    for (const actor of [1, 2, 3])
      for (const [code, ravCode] of emotions) link(ravdess(actor, ravCode)[0], join(root, `100${actor}_DFA_${code}_XX.wav`));
    const csv = join(tmp, 'VideoDemographics.csv');
    writeFileSync(
      csv,
      '"ActorID","Age","Sex","Race","Ethnicity"\n1001,51,Male,Caucasian,Not Hispanic\n1002,21,Female,Caucasian,Not Hispanic\n1091,29,Female,Asian,Not Hispanic\n',
    );
    const r = await importDataset(store, { folder: root, metadata: csv });
    expect(r).toMatchObject({ corpus: 'cremad', classes: { angry: 2, happy: 2, sad: 2 }, speakers: 2 });
    expect(r.errors.map((e) => [e.file.slice(root.length + 1), e.reason])).toEqual(
      ['1003_DFA_ANG_XX.wav', '1003_DFA_HAP_XX.wav', '1003_DFA_SAD_XX.wav'].map((f) => [f, 'speaker 1003 has no row in VideoDemographics.csv']),
    );
    expect(r.unusedRows).toEqual([{ line: 4, reason: 'no file of speaker 1091 in the folder' }]);
    const genders = Object.fromEntries(listFiles(store.db, r.datasetId).map((f) => [f.speaker, f.gender]));
    expect(genders).toEqual({ '1001': 'male', '1002': 'female' });
  });

  it('refuses a CSV without the columns it needs, naming the columns it found', async () => {
    const csv = join(tmp, 'bad.csv');
    writeFileSync(csv, 'name,emotion\nx.wav,happy\n');
    await expect(importDataset(store, { folder: join(tmp, 'crema-like'), metadata: csv })).rejects.toThrow(/columns found: "name", "emotion"/);
  });
});

describe('auto-detected corpora import as before', () => {
  it('EMO-DB (535 files, 10 speakers): boredom still dropped by its own map, nothing unknown', async () => {
    const r = await importDataset(store, { folder: EMODB });
    expect(r).toMatchObject({ corpus: 'emodb', files: 535, speakers: 10, errors: [], unknownLabels: [], unusedRows: [] });
    expect(r.classes).toEqual({ angry: 127, disgust: 46, fearful: 69, happy: 71, neutral: 79, sad: 62 });
    expect(r.reading).toMatch(/^EMO-DB: /);
    expect(getDataset(store.db, r.datasetId)!.naming).toBeNull();
  });
});

describe("the recorder's collect mode", () => {
  it('keeps a label the user typed that is no emotion word (mapped to itself), while unknown folders stay unknown', async () => {
    const folder = join(tmp, 'collected');
    const samples = new Float32Array(1600).map((_, i) => Math.sin(i / 5) * 0.3);
    await saveRecording({ store, datasetFolder: folder, label: 'happy', speaker: 'ann', samples, sampleRate: 16000 });
    const r = await saveRecording({ store, datasetFolder: folder, label: 'cough', speaker: 'ann', samples, sampleRate: 16000 });
    expect(r.dataset.classes).toEqual({ happy: 1, cough: 1 });
    expect(getDataset(store.db, r.datasetId)!.labelMap).toEqual({ cough: 'cough' });
    link(join(RAVDESS_16K, 'Actor_01', readdirSync(join(RAVDESS_16K, 'Actor_01'))[0]), join(folder, 'stray', 'x.wav'));
    const again = await importDataset(store, { folder });
    expect(again.classes).toEqual({ happy: 1, cough: 1 });
    expect(again.unknownLabels.map((u) => u.label)).toEqual(['stray']);
  });
});
