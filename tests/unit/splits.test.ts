import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ravdess } from '../../src-main/core/datasets/corpora/ravdess';
import { resolveLabel } from '../../src-shared/labels';
import { DEFAULT_SPLIT, makeSplit, type SplitAssignment, type SplitFile } from '../../src-main/core/datasets/splits';
import { getSplit, listSplits, saveSplit } from '../../src-main/core/store/splits';
import { openStore } from '../../src-main/core/store/db';
import { upsertDataset } from '../../src-main/core/store/datasets';
import { RAVDESS_16K } from '../helpers/shared';

/** The real RAVDESS files as split input (ids 1..960 in path order). */
const files: SplitFile[] = readdirSync(RAVDESS_16K)
  .filter((d) => d.startsWith('Actor_'))
  .sort()
  .flatMap((d) =>
    readdirSync(join(RAVDESS_16K, d))
      .sort()
      .map((f) => `${d}/${f}`),
  )
  .map((rel, i) => {
    const p = ravdess.parse(rel)!;
    return { id: i + 1, label: resolveLabel('ravdess', p.emotion), speaker: p.speaker, gender: p.gender };
  });
const byId = new Map(files.map((f) => [f.id, f]));

function speakersOf(ids: number[]): Set<string> {
  return new Set(ids.map((id) => byId.get(id)!.speaker!));
}

function expectPartition(a: SplitAssignment, n = files.length): void {
  const all = [...a.train, ...a.val, ...a.test];
  expect(new Set(all).size).toBe(all.length);
  expect(all.length).toBe(n);
  for (const part of [a.train, a.val, a.test]) expect(part).toEqual([...part].sort((x, y) => x - y));
}

type Gender = 'male' | 'female' | null;

/**
 * A synthetic corpus: `perSpeaker` files for each speaker (labels a, b, c in turn), ids from 1 in the given order
 * (pairs keep it; a record puts names like '1' and '10' first).
 */
function corpus(speakers: Record<string, Gender> | [string, Gender][], perSpeaker = 3): SplitFile[] {
  return (Array.isArray(speakers) ? speakers : Object.entries(speakers)).flatMap(([speaker, gender], si) =>
    Array.from({ length: perSpeaker }, (_, k) => ({ id: si * perSpeaker + k + 1, label: 'abc'[k % 3], speaker, gender })),
  );
}

/** Speakers of each part of a split of `input`, each list sorted. */
function speakerParts(input: SplitFile[], a: SplitAssignment): { train: string[]; val: string[]; test: string[] } {
  const of = new Map(input.map((f) => [f.id, f.speaker!]));
  const names = (ids: number[]) => [...new Set(ids.map((id) => of.get(id)!))].sort();
  return { train: names(a.train), val: names(a.val), test: names(a.test) };
}

function expectNoSpeakerOverlap(a: SplitAssignment): void {
  const [tr, va, te] = [speakersOf(a.train), speakersOf(a.val), speakersOf(a.test)];
  for (const s of te) {
    expect(tr.has(s), `test speaker ${s} in train`).toBe(false);
    expect(va.has(s), `test speaker ${s} in val`).toBe(false);
  }
  for (const s of va) expect(tr.has(s), `val speaker ${s} in train`).toBe(false);
}

describe('speaker-independent split', () => {
  it('holds out a fraction of whole speakers, balanced by gender, with no overlap', () => {
    const a = makeSplit(files, { kind: 'speaker', testFraction: 0.2, valFraction: 0.1, seed: 7 });
    expectPartition(a);
    expectNoSpeakerOverlap(a);
    expect(speakersOf(a.test).size).toBe(3);
    expect(speakersOf(a.val).size).toBe(2);
    expect(speakersOf(a.train).size).toBe(11);
    expect(a.test.length).toBe(3 * 60);
    const genders = new Set([...speakersOf(a.test)].map((s) => (Number(s) % 2 ? 'male' : 'female')));
    expect(genders.size).toBe(2);
  });

  it('is deterministic per seed and varies across seeds', () => {
    const spec = { kind: 'speaker' as const, testFraction: 0.25, seed: 1 };
    expect(makeSplit(files, spec)).toEqual(makeSplit(files, spec));
    expect(makeSplit([...files].reverse(), spec)).toEqual(makeSplit(files, spec));
    const tests = new Set([1, 2, 3, 4, 5, 6].map((seed) => [...speakersOf(makeSplit(files, { ...spec, seed }).test)].sort().join(',')));
    expect(tests.size).toBeGreaterThan(1);
  });

  it('uses named test and validation speakers exactly', () => {
    const a = makeSplit(files, { kind: 'speaker', testSpeakers: ['01', '02'], valSpeakers: ['03'], seed: 0 });
    expect([...speakersOf(a.test)].sort()).toEqual(['01', '02']);
    expect([...speakersOf(a.val)]).toEqual(['03']);
    expectPartition(a);
  });

  it('explains bad requests', () => {
    expect(() => makeSplit(files, { kind: 'speaker', testSpeakers: ['99'], seed: 0 })).toThrow(/test speakers 99 not in this dataset/);
    expect(() => makeSplit(files, { kind: 'speaker', testSpeakers: ['01'], valSpeakers: ['01'], seed: 0 })).toThrow(/both test and validation/);
    expect(() => makeSplit(files, { kind: 'speaker', testFraction: 0.7, valFraction: 0.4, seed: 0 })).toThrow(/no speakers left for training/);
    const noSpeakers = files.map((f) => ({ ...f, speaker: null }));
    expect(() => makeSplit(noSpeakers, { kind: 'speaker', seed: 0 })).toThrow(/needs the speaker of every file.*kind: 'random'/);
  });

  it('leaves out files with errors or dropped labels', () => {
    const withBad = files.map((f) => (f.id % 10 === 0 ? { ...f, error: 'truncated' } : f.id % 10 === 1 ? { ...f, label: null } : f));
    const a = makeSplit(withBad, { kind: 'speaker', seed: 3 });
    expectPartition(a, files.length - 192);
    expect([...a.train, ...a.test].some((id) => id % 10 === 0 || id % 10 === 1)).toBe(false);
    expect(speakersOf(a.test).size).toBe(3); // testFraction defaults to 0.2: 3 of 16 actors
  });

  it('gives, for the default spec (seed 42), actors 06, 15, 16 for test and 03, 12 for validation', () => {
    expect(DEFAULT_SPLIT).toEqual({ kind: 'speaker', testFraction: 0.2, valFraction: 0.1, seed: 42 });
    const a = makeSplit(files, DEFAULT_SPLIT);
    expect(speakerParts(files, a)).toEqual({
      train: ['01', '02', '04', '05', '07', '08', '09', '10', '11', '13', '14'],
      val: ['03', '12'],
      test: ['06', '15', '16'],
    });
    // testFraction left out means 0.2.
    expect(makeSplit(files, { kind: 'speaker', valFraction: 0.1, seed: 42 })).toEqual(a);
    // Empty name lists (the form's 'named' mode before any speaker is picked) draw by fraction.
    expect(makeSplit(files, { kind: 'speaker', testSpeakers: [], valSpeakers: [], testFraction: 0.2, valFraction: 0.1, seed: 42 })).toEqual(a);
  });

  it('with the default spec, every one of 100 seeds tests 3 actors of both genders and validates on 2 others', () => {
    // Validation speakers drawn among all speakers (not excluding test) would give 1 in 28 of these seeds;
    // an unbalanced draw would give a one-gender test set in 18.
    for (let seed = 0; seed < 100; seed++) {
      const p = speakerParts(files, makeSplit(files, { ...DEFAULT_SPLIT, seed }));
      expect(p.test.length, `seed ${seed}`).toBe(3);
      expect(p.val.length, `seed ${seed}`).toBe(2);
      expect(p.train.length, `seed ${seed}`).toBe(11);
      expect(new Set(p.test.map((s) => Number(s) % 2)).size, `seed ${seed}: test genders`).toBe(2);
      expect(new Set(p.val.map((s) => Number(s) % 2)).size, `seed ${seed}: validation genders`).toBe(2);
    }
  });

  it('holds out every actor of a gender about equally often across seeds', () => {
    const count = new Map<string, number>();
    const seeds = 1600;
    for (let seed = 0; seed < seeds; seed++) {
      for (const s of speakerParts(files, makeSplit(files, { kind: 'speaker', testFraction: 0.2, seed })).test) count.set(s, (count.get(s) ?? 0) + 1);
    }
    // 3 of 16 per seed, dealt alternately from the women and the men (women first, by name): 2 of 8 women and 1 of
    // 8 men every time, so each actress 400 times and each actor 200 (standard deviations 17 and 13).
    expect(count.size).toBe(16);
    for (const [s, n] of count) expect(Math.abs(n - (Number(s) % 2 ? 200 : 400)), `actor ${s} held out ${n} times`).toBeLessThan(70);
  });

  it('follows the seed exactly (traced by hand) and sorts speaker names naturally before shuffling', () => {
    // mulberry32(3) draws 0.720, 0.039, …: women [f1, f2] stay (j = ⌊0.720·2⌋ = 1), men in natural order
    // [m9, m10] swap (j = ⌊0.039·2⌋ = 0); alternating: f1, m10, f2, m9; test takes round(0.5·4) = 2.
    // Validation (seed 4) orders the rest, women first: f2, m9; it takes max(1, round(0.25·4)) = 1.
    const input = corpus({ m10: 'male', f2: 'female', m9: 'male', f1: 'female' });
    const a = makeSplit(input, { kind: 'speaker', testFraction: 0.5, valFraction: 0.25, seed: 3 });
    expect(speakerParts(input, a)).toEqual({ train: ['m9'], val: ['f2'], test: ['f1', 'm10'] });
    expect(a).toEqual({ train: [7, 8, 9], val: [4, 5, 6], test: [1, 2, 3, 10, 11, 12] });
    expect(makeSplit([...input].reverse(), { kind: 'speaker', testFraction: 0.5, valFraction: 0.25, seed: 3 })).toEqual(a);
  });

  it('does not depend on input order, even for names that sort as equal or a speaker whose files disagree on gender', () => {
    // '1' and '01' are equal in natural order; they go by code unit ('01' first). mulberry32(3) first draws 0.720, so
    // [01, 1] stays and 01 is tested; mulberry32(1) first draws 0.627, also keeping it, and mulberry32(0) 0.266, swapping.
    const tie = corpus(
      [
        ['1', 'male'],
        ['01', 'male'],
      ],
      2,
    );
    for (const [seed, tested] of [
      [3, '01'],
      [1, '01'],
      [0, '1'],
    ] as const) {
      const spec = { kind: 'speaker' as const, testFraction: 0.5, seed };
      expect(speakerParts(tie, makeSplit(tie, spec)).test, `seed ${seed}`).toEqual([tested]);
      expect(makeSplit([...tie].reverse(), spec), `seed ${seed}`).toEqual(makeSplit(tie, spec));
      // The same with 01's files first: the order of speakers rests on their names alone.
      const swapped = corpus(
        [
          ['01', 'male'],
          ['1', 'male'],
        ],
        2,
      );
      expect(speakerParts(swapped, makeSplit(swapped, spec)).test, `seed ${seed}`).toEqual([tested]);
    }
    // Speaker x's files say male and unknown; its gender is that of its last file by id, whatever the input order.
    const mixed = [...corpus({ x: 'male', y: 'female', z: null, w: 'male', v: 'female' }, 2), { id: 11, label: 'a', speaker: 'x', gender: null }];
    for (let seed = 0; seed < 20; seed++) {
      const spec = { kind: 'speaker' as const, testFraction: 0.4, valFraction: 0.2, seed };
      expect(makeSplit([...mixed].reverse(), spec), `seed ${seed}`).toEqual(makeSplit(mixed, spec));
      expect(makeSplit([mixed[10], ...mixed.slice(0, 10)], spec), `seed ${seed}`).toEqual(makeSplit(mixed, spec));
    }
  });

  it('splits single-gender corpora (SAVEE: four men; TESS: two women)', () => {
    const savee = corpus({ DC: 'male', JE: 'male', JK: 'male', KL: 'male' }, 6);
    const s = speakerParts(savee, makeSplit(savee, { ...DEFAULT_SPLIT, seed: 1 }));
    expect([s.test.length, s.val.length, s.train.length]).toEqual([1, 1, 2]);
    expect(new Set([...s.test, ...s.val, ...s.train]).size).toBe(4);
    const tess = corpus({ OAF: 'female', YAF: 'female' }, 6);
    for (let seed = 0; seed < 10; seed++) {
      const t = speakerParts(tess, makeSplit(tess, { kind: 'speaker', testFraction: 0.5, seed }));
      expect(t.test.length).toBe(1);
      expect(t.val).toEqual([]);
      expect([...t.test, ...t.train].sort()).toEqual(['OAF', 'YAF']);
    }
  });

  it('treats speakers of unknown gender as a group of their own', () => {
    // Four men, four women, four unknown (as CREMA-D and folder imports give): 3 test speakers, one from each group.
    const speakers: Record<string, Gender> = {};
    for (let i = 1; i <= 12; i++) speakers[`s${i}`] = i <= 4 ? 'male' : i <= 8 ? 'female' : null;
    const input = corpus(speakers, 2);
    const group = (s: string) => Math.ceil(Number(s.slice(1)) / 4);
    for (let seed = 0; seed < 20; seed++) {
      const p = speakerParts(input, makeSplit(input, { kind: 'speaker', testFraction: 0.25, valFraction: 0.25, seed }));
      expect(new Set(p.test.map(group)).size, `seed ${seed}`).toBe(3);
      expect(new Set(p.val.map(group)).size, `seed ${seed}`).toBe(3);
    }
    // The exact draw for one seed (groups shuffled in the order female, male, unknown).
    expect(speakerParts(input, makeSplit(input, { kind: 'speaker', testFraction: 0.25, valFraction: 0.25, seed: 5 }))).toEqual({
      train: ['s1', 's10', 's11', 's2', 's5', 's7'],
      val: ['s12', 's3', 's8'],
      test: ['s4', 's6', 's9'],
    });
  });

  it('accepts 2-speaker datasets', () => {
    const two = corpus({ OAF: 'female', YAF: 'female' });
    for (let seed = 0; seed < 10; seed++) {
      const p = speakerParts(two, makeSplit(two, { kind: 'speaker', seed }));
      expect([p.test.length, p.val.length, p.train.length]).toEqual([1, 0, 1]);
      expect([...p.test, ...p.train].sort()).toEqual(['OAF', 'YAF']);
    }
    expect(speakerParts(two, makeSplit(two, { kind: 'speaker', testSpeakers: ['YAF'], seed: 0 }))).toEqual({
      train: ['OAF'],
      val: [],
      test: ['YAF'],
    });
    // …but no validation speaker on top: nobody would be left to train on.
    expect(() => makeSplit(two, { kind: 'speaker', testSpeakers: ['YAF'], valSpeakers: ['OAF'], seed: 0 })).toThrow(
      'no speakers left for training: 1 test + 1 validation of 2',
    );
    expect(() => makeSplit(two, { kind: 'speaker', valFraction: 0.1, seed: 0 })).toThrow('no speakers left for training: 1 test + 1 validation of 2');
  });

  it('counts a speaker named twice once', () => {
    const three = corpus({ a: 'male', b: 'female', c: 'male' });
    const p = speakerParts(three, makeSplit(three, { kind: 'speaker', testSpeakers: ['a', 'a'], valSpeakers: ['b', 'b'], seed: 0 }));
    expect(p).toEqual({ train: ['c'], val: ['b'], test: ['a'] });
  });

  it('never draws a named validation speaker for test (the draw passes over it)', () => {
    for (let seed = 0; seed < 50; seed++) {
      const spec = { kind: 'speaker' as const, testFraction: 0.2, seed };
      const named = speakerParts(files, makeSplit(files, { ...spec, valSpeakers: ['03'] }));
      expect(named.val, `seed ${seed}`).toEqual(['03']);
      expect(named.test, `seed ${seed}`).toHaveLength(3);
      expect(named.test, `seed ${seed}`).not.toContain('03');
      // Where the seed's draw avoided actor 03 anyway, it is the same draw.
      const plain = speakerParts(files, makeSplit(files, spec));
      if (!plain.test.includes('03')) expect(named.test, `seed ${seed}`).toEqual(plain.test);
    }
  });

  it('names the problem in its errors', () => {
    // Files of speaker 10 first: the list of speakers is in natural order all the same.
    const three = corpus([
      ['10', 'male'],
      ['2', 'female'],
      ['1', 'male'],
    ]);
    expect(() => makeSplit(three, { kind: 'speaker', testSpeakers: ['7', '8'], seed: 0 })).toThrow(
      'test speakers 7, 8 not in this dataset; speakers are 1, 2, 10',
    );
    expect(() => makeSplit(three, { kind: 'speaker', testSpeakers: ['1'], valSpeakers: ['9'], seed: 0 })).toThrow(
      'validation speakers 9 not in this dataset; speakers are 1, 2, 10',
    );
    expect(() => makeSplit(three, { kind: 'speaker', testSpeakers: ['1', '2'], valSpeakers: ['2', '1'], seed: 0 })).toThrow(
      'speakers 2, 1 are named for both test and validation',
    );
    expect(() => makeSplit(three, { kind: 'loso', speaker: '3', seed: 0 })).toThrow('speaker 3 not in this dataset; speakers are 1, 2, 10');
    const one = corpus({ solo: 'female' });
    expect(() => makeSplit(one, { kind: 'speaker', seed: 0 })).toThrow('a speaker-independent split needs at least 2 speakers, this dataset has 1');
    expect(() => makeSplit(one, { kind: 'kfold-speaker', k: 2, fold: 0, seed: 0 })).toThrow(
      'a kfold-speaker split needs at least 2 speakers, this dataset has 1',
    );
    const partly = three.map((f) => (f.id <= 4 ? { ...f, speaker: null } : f));
    expect(() => makeSplit(partly, { kind: 'loso', speaker: '10', seed: 0 })).toThrow(
      "a loso split needs the speaker of every file, but 4 of 9 files have none (folder-per-label imports carry no speaker); use a stratified random split instead ({ kind: 'random' })",
    );
    const unusable = three.map((f, i) => (i % 2 ? { ...f, error: 'unreadable' } : { ...f, label: null }));
    expect(() => makeSplit(unusable, DEFAULT_SPLIT)).toThrow('no usable files to split (every file has an error or no label)');
    expect(() => makeSplit(three, { kind: 'speaker', testFraction: 1, seed: 0 })).toThrow('testFraction must be in [0, 1), got 1');
    expect(() => makeSplit(three, { kind: 'speaker', testFraction: -0.1, seed: 0 })).toThrow('testFraction must be in [0, 1), got -0.1');
    expect(() => makeSplit(three, { kind: 'speaker', testFraction: NaN, seed: 0 })).toThrow('testFraction must be in [0, 1), got NaN');
    expect(() => makeSplit(three, { kind: 'loso', speaker: '1', valFraction: 1, seed: 0 })).toThrow('valFraction must be in [0, 1), got 1');
    expect(() => makeSplit(three, { kind: 'loso', speaker: '1', valFraction: -1, seed: 0 })).toThrow('valFraction must be in [0, 1), got -1');
  });
});

describe('stratified random split', () => {
  it('takes the same share of every class', () => {
    const a = makeSplit(files, { kind: 'random', testFraction: 0.2, valFraction: 0.1, seed: 5 });
    expectPartition(a);
    const count = (ids: number[], label: string) => ids.filter((id) => byId.get(id)!.label === label).length;
    for (const [label, n] of [
      ['neutral', 64],
      ['calm', 128],
      ['angry', 128],
    ] as const) {
      expect(count(a.test, label), label).toBe(Math.round(n * 0.2));
      expect(count(a.val, label), label).toBe(Math.round(n * 0.1));
    }
    expect(makeSplit(files, { kind: 'random', testFraction: 0.2, valFraction: 0.1, seed: 5 })).toEqual(a);
    expect(makeSplit(files, { kind: 'random', testFraction: 0.2, valFraction: 0.1, seed: 6 }).test).not.toEqual(a.test);
  });

  it('works without speakers (folder-per-label datasets)', () => {
    const a = makeSplit(
      files.map((f) => ({ ...f, speaker: null })),
      { kind: 'random', testFraction: 0.25, valFraction: 0, seed: 1 },
    );
    expect(a.test.length).toBe(240);
    expect(a.val).toEqual([]);
  });

  it('follows the seed exactly (traced by hand)', () => {
    // mulberry32(3) draws 0.720, 0.039, 0.456, 0.075. Class a [1, 2, 3]: i = 2, j = ⌊0.720·3⌋ = 2 (stays); i = 1,
    // j = ⌊0.039·2⌋ = 0 (swap) → [2, 1, 3]. Class b [4, 5, 6]: j = ⌊0.456·3⌋ = 1 → [4, 6, 5]; j = ⌊0.075·2⌋ = 0 →
    // [6, 4, 5]. Each class gives round(0.34·3) = 1 file to test, then 1 to validation.
    const input: SplitFile[] = [4, 1, 6, 3, 5, 2].map((id) => ({ id, label: id <= 3 ? 'a' : 'b', speaker: null, gender: null }));
    const a = makeSplit(input, { kind: 'random', testFraction: 0.34, valFraction: 0.34, seed: 3 });
    expect(a).toEqual({ train: [3, 5], val: [1, 4], test: [2, 6] });
    expect(makeSplit([...input].reverse(), { kind: 'random', testFraction: 0.34, valFraction: 0.34, seed: 3 })).toEqual(a);
    // Classes take their draws in label order, not in the order of their files: class a [4, 5, 6] first → [5, 4, 6],
    // then class b [1, 2, 3] → [1, 3, 2] → [3, 1, 2].
    const relabelled = input.map((f) => ({ ...f, label: f.id <= 3 ? 'b' : 'a' }));
    expect(makeSplit(relabelled, { kind: 'random', testFraction: 0.34, valFraction: 0.34, seed: 3 })).toEqual({
      train: [2, 6],
      val: [1, 4],
      test: [3, 5],
    });
  });

  it('shuffles without bias: each order of three files about equally often', () => {
    const input: SplitFile[] = [1, 2, 3].map((id) => ({ id, label: 'x', speaker: null, gender: null }));
    const count = new Map<string, number>();
    for (let seed = 0; seed < 6000; seed++) {
      const a = makeSplit(input, { kind: 'random', testFraction: 0.34, valFraction: 0.34, seed });
      const key = [...a.test, ...a.val, ...a.train].join('');
      count.set(key, (count.get(key) ?? 0) + 1);
    }
    expect([...count.keys()].sort()).toEqual(['123', '132', '213', '231', '312', '321']);
    // 1000 each expected, standard deviation 29.
    for (const [order, n] of count) expect(Math.abs(n - 1000), `order ${order} drawn ${n} times`).toBeLessThan(150);
  });

  it('leaves every class at least one training file, however the fractions round', () => {
    // Classes of 1 and 2 files: round(0.6·1) = 1 test file would empty training of class a; round(0.3·2) twice, class b.
    const input: SplitFile[] = [
      { id: 1, label: 'a', speaker: null, gender: null },
      { id: 2, label: 'b', speaker: null, gender: null },
      { id: 3, label: 'b', speaker: null, gender: null },
    ];
    for (let seed = 0; seed < 10; seed++) {
      const a = makeSplit(input, { kind: 'random', testFraction: 0.6, valFraction: 0.3, seed });
      expectPartition(a, 3);
      expect(a.train).toContain(1);
      expect(a.train.filter((id) => id > 1)).toHaveLength(1);
      expect(a.test).toHaveLength(1);
      const b = makeSplit(input, { kind: 'random', testFraction: 0.3, valFraction: 0.3, seed });
      expect([b.train.length, b.val.length, b.test.length]).toEqual([2, 0, 1]);
    }
  });

  it('rejects fractions that leave nothing for training', () => {
    expect(() => makeSplit(files, { kind: 'random', testFraction: 0.5, valFraction: 0.5, seed: 0 })).toThrow(
      'testFraction + valFraction must leave files for training',
    );
    expect(() => makeSplit(files, { kind: 'random', testFraction: 0.9, valFraction: 0.2, seed: 0 })).toThrow(
      'testFraction + valFraction must leave files for training',
    );
    expect(() => makeSplit(files, { kind: 'random', testFraction: 1.2, valFraction: 0, seed: 0 })).toThrow('testFraction must be in [0, 1), got 1.2');
    expect(() => makeSplit(files, { kind: 'random', testFraction: 0.2, valFraction: -0.3, seed: 0 })).toThrow(
      'valFraction must be in [0, 1), got -0.3',
    );
    const a = makeSplit(files, { kind: 'random', testFraction: 0.6, valFraction: 0.35, seed: 0 });
    expect(a.train.length).toBe(46); // 64 → 38 + 22 + 4, 128 → 77 + 45 + 6
  });
});

describe('k-fold by speaker and leave-one-speaker-out', () => {
  it('k folds partition the speakers, each fold speaker-independent', () => {
    const seen: string[] = [];
    for (let fold = 0; fold < 4; fold++) {
      const a = makeSplit(files, { kind: 'kfold-speaker', k: 4, fold, seed: 9 });
      expectPartition(a);
      expectNoSpeakerOverlap(a);
      expect(speakersOf(a.test).size).toBe(4);
      seen.push(...speakersOf(a.test));
    }
    expect(new Set(seen).size).toBe(16);
    expect(seen.length).toBe(16);
    expect(() => makeSplit(files, { kind: 'kfold-speaker', k: 4, fold: 4, seed: 9 })).toThrow(/fold must be in 0..3/);
    expect(() => makeSplit(files, { kind: 'kfold-speaker', k: 17, fold: 0, seed: 9 })).toThrow(/at least 17 speakers/);
  });

  it('deals the folds of a seed exactly', () => {
    const folds = [0, 1, 2, 3].map((fold) => speakerParts(files, makeSplit(files, { kind: 'kfold-speaker', k: 4, fold, valFraction: 0.1, seed: 9 })));
    expect(folds.map((p) => p.test)).toEqual([
      ['09', '10', '11', '16'],
      ['02', '03', '07', '14'],
      ['01', '08', '12', '13'],
      ['04', '05', '06', '15'],
    ]);
    expect(folds.map((p) => p.val)).toEqual([
      ['04', '15'],
      ['06', '15'],
      ['04', '15'],
      ['08', '13'],
    ]);
  });

  it('gives every fold its share of each gender', () => {
    // Dealt from the alternating order, even k put all the actresses in some folds and all the actors in the others.
    for (const k of [2, 3, 4, 5]) {
      for (let seed = 0; seed < 10; seed++) {
        for (let fold = 0; fold < k; fold++) {
          const test = speakerParts(files, makeSplit(files, { kind: 'kfold-speaker', k, fold, seed })).test;
          const men = test.filter((s) => Number(s) % 2).length;
          const women = test.length - men;
          // 8 of each gender over k folds: ⌊8/k⌋ or ⌈8/k⌉ of each in every fold.
          for (const n of [men, women]) expect([Math.floor(8 / k), Math.ceil(8 / k)], `k ${k} seed ${seed} fold ${fold}`).toContain(n);
        }
      }
    }
  });

  it('tests every speaker exactly once when the genders are unequal', () => {
    // Five men, two women, one unknown: k = 3 folds of 3, 3 and 2 speakers.
    const input = corpus({ m1: 'male', m2: 'male', m3: 'male', m4: 'male', m5: 'male', f1: 'female', f2: 'female', u1: null }, 2);
    for (let seed = 0; seed < 20; seed++) {
      const tested = [0, 1, 2].map((fold) => speakerParts(input, makeSplit(input, { kind: 'kfold-speaker', k: 3, fold, seed })).test);
      expect(tested.map((t) => t.length).sort()).toEqual([2, 3, 3]);
      expect(tested.flat().sort()).toEqual(['f1', 'f2', 'm1', 'm2', 'm3', 'm4', 'm5', 'u1']);
    }
  });

  it('accepts k = 2 and k = the number of speakers (leave-one-speaker-out)', () => {
    const two = corpus({ a: 'male', b: 'female' });
    const [p0, p1] = [0, 1].map((fold) => speakerParts(two, makeSplit(two, { kind: 'kfold-speaker', k: 2, fold, seed: 1 })));
    expect([p0.test, p1.test].flat().sort()).toEqual(['a', 'b']);
    expect(p0.train).toEqual(p1.test);
    const tested = Array.from(
      { length: 16 },
      (_, fold) => speakerParts(files, makeSplit(files, { kind: 'kfold-speaker', k: 16, fold, seed: 4 })).test,
    );
    for (const t of tested) expect(t).toHaveLength(1);
    expect(tested.flat().sort()).toEqual([...new Set(files.map((f) => f.speaker!))].sort());
    const loso = speakerParts(two, makeSplit(two, { kind: 'loso', speaker: 'b', seed: 1 }));
    expect(loso).toEqual({ train: ['a'], val: [], test: ['b'] });
  });

  it('rejects k and fold out of range', () => {
    const spec = { kind: 'kfold-speaker' as const, seed: 0 };
    expect(() => makeSplit(files, { ...spec, k: 1, fold: 0 })).toThrow('k must be an integer >= 2, got 1');
    expect(() => makeSplit(files, { ...spec, k: 2.5, fold: 0 })).toThrow('k must be an integer >= 2, got 2.5');
    expect(() => makeSplit(files, { ...spec, k: 3, fold: -1 })).toThrow('fold must be in 0..2, got -1');
    expect(() => makeSplit(files, { ...spec, k: 3, fold: 0.5 })).toThrow('fold must be in 0..2, got 0.5');
    expect(() => makeSplit(files, { ...spec, k: 3, fold: 3 })).toThrow('fold must be in 0..2, got 3');
    expect(() => makeSplit(files, { ...spec, k: 17, fold: 0 })).toThrow('17-fold by speaker needs at least 17 speakers, this dataset has 16');
    expect(() => makeSplit(files, { ...spec, k: 4, fold: 0, valFraction: 0.8 })).toThrow(
      'no speakers left for training: 4 test + 12 validation of 16',
    );
  });

  it('holds out exactly one speaker, optionally with validation speakers', () => {
    const a = makeSplit(files, { kind: 'loso', speaker: '05', valFraction: 0.125, seed: 2 });
    expect([...speakersOf(a.test)]).toEqual(['05']);
    expect(a.test.length).toBe(60);
    expect(speakersOf(a.val).size).toBe(2);
    expectNoSpeakerOverlap(a);
    expect(speakerParts(files, a).val).toEqual(['03', '10']);
    expect(makeSplit(files, { kind: 'loso', speaker: '05', valFraction: 0, seed: 2 }).val).toEqual([]);
    expect(() => makeSplit(files, { kind: 'loso', speaker: '42', seed: 2 })).toThrow(/speaker 42 not in this dataset/);
  });
});

describe('stored splits', () => {
  it('round-trip through the splits table with their spec', () => {
    const store = openStore(':memory:');
    try {
      const ds = upsertDataset(store.db, { name: 'r', root: '/x', corpus: 'ravdess', labelMap: {} });
      const spec = { kind: 'speaker' as const, testSpeakers: ['01'], seed: 0 };
      const a = makeSplit(files, spec);
      const id = saveSplit(store.db, ds, 'actor 1 held out', spec, a);
      expect(getSplit(store.db, id)).toMatchObject({ name: 'actor 1 held out', kind: 'speaker', spec, assignment: a });
      expect(listSplits(store.db, ds).map((s) => s.id)).toEqual([id]);
    } finally {
      store.close();
    }
  });
});
