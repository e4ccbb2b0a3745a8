// Splits of multi-corpus runs: drawn within each corpus, a whole corpus as the test set, errors naming the corpus.
import { describe, expect, it } from 'vitest';
import { makeRunSplit, type CorpusSplitFile } from '../../src-main/core/datasets/corpusSplit';
import { makeSplit } from '../../src-main/core/datasets/splits';

/** `speakers` speakers (alternating genders) × `per` files each, labels cycling through three classes. */
function corpus(datasetId: number, speakers: number, per: number, firstId: number): CorpusSplitFile[] {
  const out: CorpusSplitFile[] = [];
  for (let s = 0; s < speakers; s++) {
    for (let i = 0; i < per; i++) {
      out.push({
        id: firstId + s * per + i,
        datasetId,
        label: ['angry', 'happy', 'sad'][i % 3],
        speaker: `${datasetId}:${String(s + 1).padStart(2, '0')}`,
        gender: s % 2 ? 'female' : 'male',
      });
    }
  }
  return out;
}

const a = corpus(1, 16, 6, 1);
const b = corpus(2, 10, 6, 1000);
const both = [...a, ...b];
const speakersOf = (ids: number[]) => new Set(both.filter((f) => ids.includes(f.id)).map((f) => f.speaker));
const corporaOf = (ids: number[]) => new Set(both.filter((f) => ids.includes(f.id)).map((f) => f.datasetId));

describe('makeRunSplit', () => {
  it('one corpus: exactly makeSplit', () => {
    const spec = { kind: 'speaker', testFraction: 0.25, valFraction: 0.15, seed: 3 } as const;
    expect(makeRunSplit(a, spec)).toEqual(makeSplit(a, spec));
  });

  it('k-fold on two corpora: each corpus dealt into its own folds, so every fold tests and trains on both', () => {
    const tested = new Set<number>();
    for (let fold = 0; fold < 4; fold++) {
      const spec = { kind: 'kfold-speaker', k: 4, fold, valFraction: 0.15, seed: 5 } as const;
      const s = makeRunSplit(both, spec);
      expect(corporaOf(s.test)).toEqual(new Set([1, 2]));
      expect(corporaOf(s.train)).toEqual(new Set([1, 2]));
      // Per corpus, the same parts makeSplit gives that corpus alone.
      const onlyA = makeSplit(a, spec);
      const onlyB = makeSplit(b, spec);
      expect(s.test).toEqual([...onlyA.test, ...onlyB.test].sort((x, y) => x - y));
      expect(s.val).toEqual([...onlyA.val, ...onlyB.val].sort((x, y) => x - y));
      const [tr, va, te] = [speakersOf(s.train), speakersOf(s.val), speakersOf(s.test)];
      for (const sp of te) expect(tr.has(sp) || va.has(sp)).toBe(false);
      for (const id of s.test) tested.add(id);
    }
    expect(tested.size).toBe(both.length);
  });

  it('leave-corpus-out: the test set is every file of one corpus, validation speakers come from the others', () => {
    const s = makeRunSplit(both, { kind: 'leave-corpus-out', testDatasetId: 2, valFraction: 0.2, seed: 9 });
    expect(s.test).toEqual(b.map((f) => f.id));
    expect(corporaOf(s.train)).toEqual(new Set([1]));
    expect(corporaOf(s.val)).toEqual(new Set([1]));
    expect(speakersOf(s.val).size).toBe(3); // round(0.2 × 16)
    for (const sp of speakersOf(s.val)) expect(speakersOf(s.train).has(sp)).toBe(false);
    expect(s.train.length + s.val.length).toBe(a.length);
    // Without a validation fraction the other corpora train whole.
    const noVal = makeRunSplit(both, { kind: 'leave-corpus-out', testDatasetId: 1, seed: 9 });
    expect(noVal).toEqual({ train: b.map((f) => f.id), val: [], test: a.map((f) => f.id) });
  });

  it('leave-corpus-out ignores files without a label or with an error, as every split does', () => {
    const damaged = [...both, { id: 5000, datasetId: 2, label: null, speaker: '2:01', gender: 'male' as const }];
    expect(makeRunSplit(damaged, { kind: 'leave-corpus-out', testDatasetId: 2, seed: 1 }).test).not.toContain(5000);
  });

  it('named (corpus-qualified) speakers are drawn over both corpora at once', () => {
    const s = makeRunSplit(both, { kind: 'speaker', testSpeakers: ['1:03', '2:04'], valSpeakers: ['2:01'], seed: 1 });
    expect(speakersOf(s.test)).toEqual(new Set(['1:03', '2:04']));
    expect(speakersOf(s.val)).toEqual(new Set(['2:01']));
    expect(makeRunSplit(both, { kind: 'loso', speaker: '2:07', seed: 1 }).test).toEqual(b.filter((f) => f.speaker === '2:07').map((f) => f.id));
  });

  it('errors name the corpus that cannot be split, and a test corpus with no usable files', () => {
    const tiny = corpus(3, 2, 3, 3000);
    expect(() => makeRunSplit([...a, ...tiny], { kind: 'kfold-speaker', k: 4, fold: 0, seed: 1 })).toThrow(
      /dataset 3: 4-fold by speaker needs at least 4 speakers/,
    );
    expect(() => makeRunSplit(both, { kind: 'leave-corpus-out', testDatasetId: 7, seed: 1 })).toThrow(/dataset 7 has no usable files/);
    expect(() => makeSplit(a, { kind: 'leave-corpus-out', testDatasetId: 1, seed: 1 })).toThrow(/needs several datasets/);
  });

  it('a fraction-of-speakers split is drawn within each corpus; named test speakers alone still span both corpora', () => {
    const spec = { kind: 'speaker', testFraction: 0.25, valFraction: 0.1, seed: 4 } as const;
    const s = makeRunSplit(both, spec);
    const [onlyA, onlyB] = [makeSplit(a, spec), makeSplit(b, spec)];
    expect(s.test).toEqual([...onlyA.test, ...onlyB.test].sort((x, y) => x - y));
    expect(s.val).toEqual([...onlyA.val, ...onlyB.val].sort((x, y) => x - y));
    const named = makeRunSplit(both, { kind: 'speaker', testSpeakers: ['1:02', '2:05'], valFraction: 0.1, seed: 4 });
    expect(speakersOf(named.test)).toEqual(new Set(['1:02', '2:05']));
  });

  it('parts come out in id order whatever the corpora and their ids, and errors name the first corpus by id', () => {
    // The corpus with the lower dataset id has the higher file ids.
    const late = corpus(1, 8, 3, 5000);
    const early = corpus(2, 8, 3, 1);
    const s = makeRunSplit([...early, ...late], { kind: 'kfold-speaker', k: 2, fold: 1, seed: 2 });
    for (const part of [s.train, s.val, s.test]) expect(part).toEqual([...part].sort((x, y) => x - y));
    expect(s.test.some((id) => id < 5000) && s.test.some((id) => id >= 5000)).toBe(true);
    const lo = corpus(7, 2, 3, 1);
    const hi = corpus(3, 2, 3, 100);
    expect(() => makeRunSplit([...lo, ...hi], { kind: 'kfold-speaker', k: 3, fold: 0, seed: 1 })).toThrow(/^dataset 3: /);
  });

  it('one corpus: errors are those of makeSplit, without a corpus prefix', () => {
    expect(() => makeRunSplit(corpus(1, 2, 3, 1), { kind: 'kfold-speaker', k: 3, fold: 0, seed: 1 })).toThrow(
      /^3-fold by speaker needs at least 3 speakers/,
    );
  });
});
