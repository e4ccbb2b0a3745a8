import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMetadata, rowsByFile } from '../../src-main/core/datasets/metadata';
import { nameFiles } from '../../src-main/core/datasets/naming';
import { makeTempDir, removeDir } from '../helpers/fixtures';

// nameFiles reads only the names (and the CSV), so these trees need no audio on disk.
const tmp = makeTempDir('ser-naming-');
afterAll(() => removeDir(tmp));
let n = 0;
function csv(text: string): string {
  const file = join(tmp, `meta${++n}.csv`);
  writeFileSync(file, text);
  return file;
}

describe('readMetadata', () => {
  it('finds columns by their usual header names, case-insensitively, in comma, semicolon or tab CSVs with a BOM and quotes', () => {
    const comma = readMetadata(csv('\uFEFFFile Name,Emotion,Speaker_ID,SEX,notes\n"a, b.wav",Anger,7,M,"x"\nc.wav,,8,f,\n'));
    expect(comma.keyedBy).toBe('path');
    expect(comma.columns).toEqual({ path: 'File Name', label: 'Emotion', speaker: 'Speaker_ID', gender: 'SEX' });
    expect(comma.rows).toEqual([
      { line: 2, values: { path: 'a, b.wav', label: 'Anger', speaker: '7', gender: 'M' } },
      { line: 3, values: { path: 'c.wav', speaker: '8', gender: 'f' } },
    ]);
    const semi = readMetadata(csv('path;label\n\nx.wav;sad\n'));
    expect(semi.rows).toEqual([{ line: 3, values: { path: 'x.wav', label: 'sad' } }]);
    const tab = readMetadata(csv('ActorID\tAge\tSex\tRace\n1001\t51\tMale\tCaucasian\n'));
    expect(tab).toMatchObject({ keyedBy: 'speaker', columns: { speaker: 'ActorID', gender: 'Sex' } });
  });

  it('refuses a CSV it cannot key or use, listing the columns it found', () => {
    expect(() => readMetadata(join(tmp, 'nope.csv'))).toThrow(/metadata file not found: .*nope\.csv/);
    expect(() => readMetadata(csv('name,emotion,age\na,happy,3\n'))).toThrow(
      /needs a path column \(path\/file\/filename\).*or a speaker column \(speaker\/speaker_id\/speakerid\).*columns found: "name", "emotion", "age"/,
    );
    expect(() => readMetadata(csv('actor,emotion\n1,happy\n'))).toThrow(/label column but no path column.*columns found: "actor", "emotion"/);
    expect(() => readMetadata(csv('path,age\na.wav,3\n'))).toThrow(/no column to take from it.*columns found: "path", "age"/);
    expect(() => readMetadata(csv('path,label\n'))).toThrow(/has no data rows/);
    expect(() => readMetadata(csv('path,label\n"a.wav,happy\n'))).toThrow(/is not valid CSV: .*quote/i);
  });
});

describe('rowsByFile', () => {
  it('pairs rows by relative or absolute path, with or without extension, or a unique bare name; reports the rest', () => {
    const root = '/corpus';
    const files = ['happy/a.wav', 'sad/a.wav', 'sad/b.wav', 'c.flac', 'd.wav'];
    const table = readMetadata(
      csv(
        [
          'path,label',
          'happy/a.wav,happy', // 2: relative
          '/corpus/sad/a.wav,sad', // 3: absolute
          'c,neutral', // 4: no extension
          'b.wav,sad', // 5: bare name, unique
          'a.wav,sad', // 6: bare name, two files have it
          'missing.wav,sad', // 7
          '/elsewhere/d.wav,sad', // 8
          'sad\\b.wav,sad', // 9: Windows separators, second row for sad/b.wav
        ].join('\n'),
      ),
    );
    const { rows, unused } = rowsByFile(table, root, files);
    expect(rows.map((r) => r?.line ?? null)).toEqual([2, 3, 5, 4, null]);
    expect(unused).toEqual([
      { line: 6, reason: 'a.wav: several files in the folder have this name; give the path relative to the folder' },
      { line: 7, reason: 'missing.wav: no such audio file in the folder' },
      { line: 8, reason: '/elsewhere/d.wav is outside the corpus folder /corpus' },
      { line: 9, reason: 'sad\\b.wav: sad/b.wav is already described by line 5' },
    ]);
  });
});

describe('nameFiles', () => {
  it('reads the label from the folder and speaker/gender from a pattern over it', () => {
    const r = nameFiles('/c', ['01Neutral/s01_m_1.wav', 'Anger/s02_f_1.wav', 'weird/s03_x_1.wav', 'Anger/bad.wav'], {
      corpus: 'folders',
      pattern: '{speaker}_{gender}_{_}',
    });
    expect(r).toMatchObject({ corpus: 'folders', labelSource: 'folders', unusedRows: [] });
    expect(r.files.map((f) => [f.originalLabel, f.speaker, f.gender])).toEqual([
      ['01Neutral', 's01', 'male'],
      ['Anger', 's02', 'female'],
      ['weird', 's03', null],
      ['Anger', null, null],
    ]);
    expect(r.files.map((f) => f.problem)).toEqual([
      null,
      null,
      'gender "x" in the name is neither male (m, male, man) nor female (f, female, w, woman)',
      'name does not match the pattern {speaker}_{gender}_{_}: ends after {speaker} "bad"; the pattern expects "_" and 2 more field(s)',
    ]);
  });

  it('takes labels from the pattern for a flat folder, needing no convention (corpus "custom")', () => {
    const r = nameFiles('/c', ['07_Happy_a.wav', '08_xyz_b.wav'], { pattern: '{speaker}_{label}_{_}' });
    expect(r).toMatchObject({ corpus: 'custom', labelSource: 'pattern', description: 'pattern {speaker}_{label}_{_}' });
    expect(r.files.map((f) => [f.originalLabel, f.speaker, f.problem])).toEqual([
      ['Happy', '07', null],
      ['xyz', '08', null],
    ]);
  });

  it("with a named corpus, pattern labels are that corpus's codes and its convention fills the other fields", () => {
    const r = nameFiles('/c', ['s7_05.wav', 'Actor_03/03-01-04-01-01-01-03.wav'], { corpus: 'ravdess', pattern: '{speaker}_{label}' });
    expect(r).toMatchObject({ corpus: 'ravdess', labelSource: 'pattern' });
    expect(r.description).toMatch(/^label codes and fields of RAVDESS: .* \+ pattern \{speaker\}_\{label\}$/);
    expect(r.files.map((f) => [f.originalLabel, f.speaker, f.gender, f.problem !== null])).toEqual([
      ['05', 's7', null, false],
      ['04', '03', 'male', true], // the convention read it, the pattern did not: an error all the same
    ]);
  });

  it('joins a per-speaker table (CREMA-D demographics) onto a convention, reporting speakers on either side that have no partner', () => {
    const demographics = csv(
      '"ActorID","Age","Sex","Race","Ethnicity"\n1001,51,Male,Caucasian,Not Hispanic\n1002,21,Female,Caucasian,Not Hispanic\n1099,30,Male,Asian,Not Hispanic\n',
    );
    const r = nameFiles('/c', ['1001_DFA_ANG_XX.wav', '1002_IEO_HAP_HI.wav', '1003_TIE_SAD_LO.wav'], { metadata: demographics });
    expect(r).toMatchObject({ corpus: 'cremad', labelSource: 'convention' });
    expect(r.files.map((f) => [f.originalLabel, f.speaker, f.gender, f.problem])).toEqual([
      ['ANG', '1001', 'male', null],
      ['HAP', '1002', 'female', null],
      ['SAD', '1003', null, expect.stringMatching(/^speaker 1003 has no row in meta\d+\.csv$/)],
    ]);
    expect(r.unusedRows).toEqual([{ line: 4, reason: 'no file of speaker 1099 in the folder' }]);
    expect(r.description).toMatch(/^CREMA-D: .* \+ meta\d+\.csv \(one row per speaker\)$/);
  });

  it('takes labels, speakers and genders from a per-file table; files without a row are problems', () => {
    const meta = csv('path,label,speaker,gender\nx1.wav,anger,s1,m\nx2.wav,,s2,f\n');
    const r = nameFiles('/c', ['x1.wav', 'x2.wav', 'x3.wav'], { metadata: meta });
    expect(r).toMatchObject({ corpus: 'custom', labelSource: 'metadata' });
    expect(r.files.map((f) => [f.originalLabel, f.speaker, f.gender])).toEqual([
      ['anger', 's1', 'male'],
      [null, 's2', 'female'],
      [null, null, null],
    ]);
    expect(r.files[1].problem).toMatch(/its row in meta\d+\.csv has no label/);
    expect(r.files[2].problem).toMatch(/no row in meta\d+\.csv/);
  });

  it('refuses two label sources, and a pattern without {label} where nothing else gives labels', () => {
    const meta = csv('path,label\nx.wav,happy\n');
    expect(() => nameFiles('/c', ['x.wav'], { pattern: '{label}_{_}', metadata: meta })).toThrow(
      /both the pattern's \{label\} and the "label" column of meta\d+\.csv give labels; keep one/,
    );
    expect(() => nameFiles('/c', ['s1_a.wav', 's2_b.wav'], { pattern: '{speaker}_{_}' })).toThrow(
      /no labels: the pattern has no \{label\}, and the folder follows no known convention/,
    );
    expect(() => nameFiles('/c', ['x.wav'], { pattern: '{speaker' })).toThrow(/pattern "\{speaker": .* never closed/);
  });
});
