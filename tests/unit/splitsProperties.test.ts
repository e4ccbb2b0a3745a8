import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeSplit, type SplitAssignment, type SplitFile } from '../../src-main/core/datasets/splits';
import { mulberry32 } from '../../src-main/core/mulberry32';
import type { SplitSpec } from '../../src-shared/config/split';

// Property tests of makeSplit over random corpora (2–12 speakers of known or unknown gender, 1–5 usable files each
// in a random mix of classes, plus files with an error or no label) and random specs of every kind.

type Gender = 'male' | 'female' | null;

interface Corpus {
  /** Every file, in a random input order with ids in a random order too. */
  files: SplitFile[];
  /** The speakers, each with at least one usable file, in natural order. */
  speakers: string[];
  genderOf: Map<string, string>;
  /** Ids of the usable files (no error, a label). */
  usable: number[];
}

function permute<T>(items: T[], seed: number): T[] {
  const random = mulberry32(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const speakerArb = fc.record({
  gender: fc.constantFrom<Gender>('male', 'female', null),
  labels: fc.array(fc.constantFrom('angry', 'calm', 'happy', 'sad'), { minLength: 1, maxLength: 5 }),
  unusable: fc.array(fc.constantFrom('error', 'no label'), { maxLength: 2 }),
});

const corpusArb: fc.Arbitrary<Corpus> = fc
  .record({ speakers: fc.array(speakerArb, { minLength: 2, maxLength: 12 }), idSeed: fc.integer(), orderSeed: fc.integer() })
  .map(({ speakers, idSeed, orderSeed }) => {
    const rows: Omit<SplitFile, 'id'>[] = speakers.flatMap((s, i) => {
      const speaker = `s${i + 1}`;
      return [
        ...s.labels.map((label) => ({ label, speaker, gender: s.gender, error: null })),
        ...s.unusable.map((u) =>
          u === 'error' ? { label: 'angry', speaker, gender: s.gender, error: 'unreadable' } : { label: null, speaker, gender: s.gender },
        ),
      ];
    });
    const ids = permute(
      rows.map((_, i) => 3 * i + 1),
      idSeed,
    );
    const files = permute(
      rows.map((r, i) => ({ ...r, id: ids[i] })),
      orderSeed,
    );
    return {
      files,
      speakers: speakers.map((_, i) => `s${i + 1}`),
      genderOf: new Map(speakers.map((s, i) => [`s${i + 1}`, s.gender ?? 'unknown'])),
      usable: files
        .filter((f) => !f.error && f.label !== null)
        .map((f) => f.id)
        .sort((a, b) => a - b),
    };
  });

const fraction = fc.double({ min: 0.01, max: 0.95, noNaN: true });
const optionalFraction = fc.option(fc.double({ min: 0, max: 0.95, noNaN: true }), { nil: undefined });

/** Speaker-independent specs of every kind for a corpus of these speakers. */
function speakerSpecArb(speakers: string[]): fc.Arbitrary<SplitSpec> {
  const n = speakers.length;
  return fc.oneof(
    // Roles per speaker: named test and validation speakers where any, otherwise drawn by fraction.
    fc
      .record({
        roles: fc.array(fc.constantFrom('train', 'val', 'test'), { minLength: n, maxLength: n }),
        testFraction: fc.option(fraction, { nil: undefined }),
        valFraction: optionalFraction,
        seed: fc.integer(),
      })
      .map(({ roles, testFraction, valFraction, seed }): SplitSpec => {
        const named = (role: string) => speakers.filter((_, i) => roles[i] === role);
        const [testSpeakers, valSpeakers] = [named('test'), named('val')];
        return {
          kind: 'speaker',
          ...(testSpeakers.length ? { testSpeakers } : {}),
          ...(valSpeakers.length ? { valSpeakers } : {}),
          ...(testFraction !== undefined ? { testFraction } : {}),
          ...(valFraction !== undefined ? { valFraction } : {}),
          seed,
        };
      }),
    fc
      .integer({ min: 2, max: n })
      .chain((k) => fc.record({ k: fc.constant(k), fold: fc.integer({ min: 0, max: k - 1 }), valFraction: optionalFraction, seed: fc.integer() }))
      .map((s): SplitSpec => ({ kind: 'kfold-speaker', ...s })),
    fc
      .record({ speaker: fc.constantFrom(...speakers), valFraction: optionalFraction, seed: fc.integer() })
      .map((s): SplitSpec => ({ kind: 'loso', ...s })),
  );
}

const countFor = (f: number | undefined, n: number) => (f ? Math.max(1, Math.round(f * n)) : 0);

/** Test and validation speaker counts the spec asks for (what is left of the speakers caps a drawn count). */
function expectedCounts(spec: SplitSpec, n: number): { test: number; val: number } {
  let test: number;
  if (spec.kind === 'speaker') {
    const namedVal = spec.valSpeakers?.length ?? 0;
    test = spec.testSpeakers?.length ?? Math.min(countFor(spec.testFraction ?? 0.2, n), n - namedVal);
    return { test, val: spec.valSpeakers?.length ?? Math.min(countFor(spec.valFraction, n), n - test) };
  }
  if (spec.kind === 'kfold-speaker') test = Math.floor((n - 1 - spec.fold) / spec.k) + 1;
  else if (spec.kind === 'loso') test = 1;
  else throw new Error('not a speaker split');
  return { test, val: Math.min(countFor(spec.valFraction, n), n - test) };
}

function expectPartition(a: SplitAssignment, usable: number[]): void {
  for (const part of [a.train, a.val, a.test]) expect(part).toEqual([...part].sort((x, y) => x - y));
  expect([...a.train, ...a.val, ...a.test].sort((x, y) => x - y)).toEqual(usable);
}

function speakerSets(c: Corpus, a: SplitAssignment): { train: Set<string>; val: Set<string>; test: Set<string> } {
  const of = new Map(c.files.map((f) => [f.id, f.speaker!]));
  const set = (ids: number[]) => new Set(ids.map((id) => of.get(id)!));
  return { train: set(a.train), val: set(a.val), test: set(a.test) };
}

/** A draw of `chosen` from `pool` is gender-balanced: a gender has fewer than another less one only once it runs out. */
function expectBalanced(c: Corpus, chosen: Set<string>, pool: string[], what: string): void {
  const count = (names: Iterable<string>) => {
    const m = new Map<string, number>();
    for (const s of names) m.set(c.genderOf.get(s)!, (m.get(c.genderOf.get(s)!) ?? 0) + 1);
    return m;
  };
  const [have, of] = [count(chosen), count(pool)];
  for (const [g, available] of of) {
    for (const h of of.keys()) {
      const [nG, nH] = [have.get(g) ?? 0, have.get(h) ?? 0];
      expect(nG, `${what}: ${nG} ${g} of ${available} beside ${nH} ${h}`).toBeGreaterThanOrEqual(Math.min(available, nH - 1));
    }
  }
}

const RUNS = { seed: 20250611, numRuns: 200 };

describe('makeSplit properties', () => {
  it('speaker splits partition the usable files, keep speakers apart, and hold out the requested balanced counts', () => {
    fc.assert(
      fc.property(
        corpusArb.chain((c) => fc.tuple(fc.constant(c), speakerSpecArb(c.speakers))),
        ([c, spec]) => {
          const n = c.speakers.length;
          const want = expectedCounts(spec, n);
          if (want.test + want.val >= n) {
            expect(() => makeSplit(c.files, spec)).toThrow(`no speakers left for training: ${want.test} test + ${want.val} validation of ${n}`);
            return;
          }
          const a = makeSplit(c.files, spec);
          expectPartition(a, c.usable);
          const s = speakerSets(c, a);
          expect(s.test.size).toBe(want.test);
          expect(s.val.size).toBe(want.val);
          expect(s.train.size).toBe(n - want.test - want.val);
          for (const x of s.test) expect(s.train.has(x) || s.val.has(x)).toBe(false);
          for (const x of s.val) expect(s.train.has(x)).toBe(false);
          if (spec.kind === 'speaker') {
            if (spec.testSpeakers) expect([...s.test].sort()).toEqual([...spec.testSpeakers].sort());
            else if (!spec.valSpeakers) expectBalanced(c, s.test, c.speakers, 'test');
            if (spec.valSpeakers) expect([...s.val].sort()).toEqual([...spec.valSpeakers].sort());
          }
          if (spec.kind === 'loso') expect([...s.test]).toEqual([spec.speaker]);
          if (!(spec.kind === 'speaker' && spec.valSpeakers)) {
            expectBalanced(
              c,
              s.val,
              c.speakers.filter((x) => !s.test.has(x)),
              'validation',
            );
          }
        },
      ),
      RUNS,
    );
  });

  it('speaker splits are the same for a seed whatever the order of the input', () => {
    fc.assert(
      fc.property(
        corpusArb.chain((c) => fc.tuple(fc.constant(c), speakerSpecArb(c.speakers), fc.integer())),
        ([c, spec, orderSeed]) => {
          let a: SplitAssignment;
          try {
            a = makeSplit(c.files, spec);
          } catch (e) {
            expect(() => makeSplit(permute(c.files, orderSeed), spec)).toThrow((e as Error).message);
            return;
          }
          expect(makeSplit(permute(c.files, orderSeed), spec)).toEqual(a);
          expect(makeSplit(c.files, spec)).toEqual(a);
        },
      ),
      RUNS,
    );
  });

  it('k folds test every speaker exactly once, each fold with its share of every gender', () => {
    fc.assert(
      fc.property(
        corpusArb.chain((c) => fc.tuple(fc.constant(c), fc.integer({ min: 2, max: c.speakers.length }), fc.integer())),
        ([c, k, seed]) => {
          const tested: string[] = [];
          for (let fold = 0; fold < k; fold++) {
            const a = makeSplit(c.files, { kind: 'kfold-speaker', k, fold, seed });
            expectPartition(a, c.usable);
            const test = speakerSets(c, a).test;
            tested.push(...test);
            for (const g of new Set(c.genderOf.values())) {
              const all = c.speakers.filter((s) => c.genderOf.get(s) === g).length;
              const here = [...test].filter((s) => c.genderOf.get(s) === g).length;
              expect([Math.floor(all / k), Math.ceil(all / k)], `fold ${fold}: ${here} of ${all} ${g}`).toContain(here);
            }
          }
          expect(tested.sort()).toEqual([...c.speakers].sort());
        },
      ),
      { ...RUNS, numRuns: 100 },
    );
  });

  it('random splits take each class’s share, keep a training file of each class, and ignore input order', () => {
    fc.assert(
      fc.property(
        corpusArb,
        fc.boolean(),
        fraction,
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        fc.integer(),
        fc.integer(),
        (c0, withoutSpeakers, testFraction, valShare, seed, orderSeed) => {
          const c = withoutSpeakers ? { ...c0, files: c0.files.map((f) => ({ ...f, speaker: null })) } : c0;
          const spec: SplitSpec = { kind: 'random', testFraction, valFraction: (1 - testFraction) * valShare, seed };
          const a = makeSplit(c.files, spec);
          expectPartition(a, c.usable);
          const labelOf = new Map(c.files.map((f) => [f.id, f.label]));
          for (const label of new Set(c.usable.map((id) => labelOf.get(id)))) {
            const n = c.usable.filter((id) => labelOf.get(id) === label).length;
            const count = (ids: number[]) => ids.filter((id) => labelOf.get(id) === label).length;
            const nTest = Math.min(Math.round(n * spec.testFraction), n - 1);
            expect(count(a.test), `${label}: test of ${n}`).toBe(nTest);
            expect(count(a.val), `${label}: validation of ${n}`).toBe(Math.min(Math.round(n * spec.valFraction), n - 1 - nTest));
            expect(count(a.train), `${label}: training of ${n}`).toBeGreaterThanOrEqual(1);
          }
          expect(makeSplit(permute(c.files, orderSeed), spec)).toEqual(a);
        },
      ),
      RUNS,
    );
  });
});
