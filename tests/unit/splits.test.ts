import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ravdess } from '../../src-main/core/datasets/corpora/ravdess';
import { resolveLabel } from '../../src-shared/labels';
import { makeSplit, type SplitAssignment, type SplitFile } from '../../src-main/core/datasets/splits';
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

  it('holds out exactly one speaker, optionally with validation speakers', () => {
    const a = makeSplit(files, { kind: 'loso', speaker: '05', valFraction: 0.125, seed: 2 });
    expect([...speakersOf(a.test)]).toEqual(['05']);
    expect(a.test.length).toBe(60);
    expect(speakersOf(a.val).size).toBe(2);
    expectNoSpeakerOverlap(a);
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
