import { describe, expect, it } from 'vitest';
import type { ApiError } from '../../src-shared/api/errors';
import { StudySpecSchema, type StudySpecInput } from '../../src-shared/config/study';
import { expandStudy, foldCount, gridPoints, setPath } from '../../src-shared/studies/expand';

const speakers = ['01', '02', '03', '04', '05', '06', '07', '08'];
const spec = (input: Partial<StudySpecInput>) => StudySpecSchema.parse({ datasetId: 3, folds: { kind: 'kfold', k: 4 }, ...input });

describe('study expansion', () => {
  it('folds × seeds × grid points, fold-major, each an ordinary run config', () => {
    const cells = expandStudy(
      spec({ base: { model: 'simplecnn', epochs: 2 }, seeds: [1, 2], grid: { 'optimizer.learningRate': [1e-3, 3e-4] }, splitSeed: 7 }),
      speakers,
    );
    expect(cells).toHaveLength(4 * 2 * 2);
    expect(cells.slice(0, 4).map((c) => c.key)).toEqual(['f0/s1/p0', 'f0/s1/p1', 'f0/s2/p0', 'f0/s2/p1']);
    expect(cells[1].config).toEqual({
      model: 'simplecnn',
      epochs: 2,
      optimizer: { learningRate: 3e-4 },
      datasetId: 3,
      seed: 1,
      split: { kind: 'kfold-speaker', k: 4, fold: 0, valFraction: 0.15, seed: 7 },
    });
    // the folds do not move with the seed or the grid point: only the run seed does
    expect(new Set(cells.filter((c) => c.fold === 2).map((c) => JSON.stringify(c.config.split))).size).toBe(1);
    expect(cells.at(-1)).toMatchObject({ key: 'f3/s2/p1', fold: 3, seed: 2, point: 1 });
  });

  it('LOSO: one fold per speaker, in the order given', () => {
    const s = spec({ folds: { kind: 'loso' }, base: { model: 'svm' } });
    expect(foldCount(s, speakers)).toBe(8);
    const cells = expandStudy(s, speakers);
    expect(cells.map((c) => (c.config.split as { speaker: string }).speaker)).toEqual(speakers);
  });

  it('explicit speaker groups become named test speakers', () => {
    const cells = expandStudy(
      spec({
        folds: {
          kind: 'groups',
          groups: [
            ['01', '02'],
            ['03', '04'],
          ],
        },
        base: { model: 'svm' },
      }),
      speakers,
    );
    expect(cells.map((c) => c.config.split)).toEqual([
      { kind: 'speaker', testSpeakers: ['01', '02'], valFraction: 0.15, seed: 42 },
      { kind: 'speaker', testSpeakers: ['03', '04'], valFraction: 0.15, seed: 42 },
    ]);
  });

  /** The ApiError expandStudy throws, or null. */
  const refusal = (run: () => unknown) => {
    try {
      run();
      return null;
    } catch (err) {
      return err as ApiError;
    }
  };

  it('rejects folds the dataset cannot give, naming the problem', () => {
    const tooMany = refusal(() => expandStudy(spec({ folds: { kind: 'kfold', k: 9 }, base: { model: 'svm' } }), speakers))!;
    expect(tooMany.message).toBe('9 folds need at least 9 speakers; the dataset has 8');
    expect(tooMany.code).toBe('invalid');
    expect(tooMany.issues).toEqual(['folds: 9 folds need at least 9 speakers; the dataset has 8']);
    for (const folds of [{ kind: 'loso' as const }, { kind: 'kfold' as const, k: 2 }]) {
      expect(refusal(() => expandStudy(spec({ folds, base: { model: 'svm' } }), ['a', 'b']))!.message).toBe(
        'a study needs at least 3 speakers (test, validation and training in every fold); the dataset has 2',
      );
    }
    expect(refusal(() => expandStudy(spec({ folds: { kind: 'kfold', k: 2 }, base: { model: 'svm' } }), ['a', 'b', 'c']))!.message).toBe(
      '2 folds of 3 speakers test 2 at once, leaving too few to train and validate on',
    );
    const groups = (g: string[][]) => spec({ folds: { kind: 'groups', groups: g }, base: { model: 'svm' } });
    expect(refusal(() => expandStudy(groups([['01'], ['99']]), speakers))!.message).toBe(
      'fold 2 names speaker "99", who is not in the dataset (speakers: 01, 02, 03, 04, 05, 06, 07, 08)',
    );
    expect(() => expandStudy(groups([['01', '02'], ['02']]), speakers)).toThrow(/speaker "02" is in folds 1 and 2/);
    expect(refusal(() => expandStudy(groups([['01', '02', '03', '04', '05', '06', '07'], ['08']]), speakers))!.message).toBe(
      'fold 1 tests 7 of 8 speakers, leaving none to train and validate on',
    );
  });

  it('accepts the limits: k = number of speakers, LOSO and 3-fold on 3 speakers, a group leaving two speakers', () => {
    expect(expandStudy(spec({ folds: { kind: 'kfold', k: 8 }, base: { model: 'svm' } }), speakers)).toHaveLength(8);
    expect(expandStudy(spec({ folds: { kind: 'loso' }, base: { model: 'svm' } }), ['a', 'b', 'c'])).toHaveLength(3);
    expect(expandStudy(spec({ folds: { kind: 'kfold', k: 3 }, base: { model: 'svm' } }), ['a', 'b', 'c'])).toHaveLength(3);
    const groups = [['01', '02', '03', '04', '05', '06'], ['07']];
    expect(expandStudy(spec({ folds: { kind: 'groups', groups }, base: { model: 'svm' } }), speakers)).toHaveLength(2);
  });

  it('an invalid grid value fails before anything runs, naming its cell and point', () => {
    const badPoint = refusal(() => expandStudy(spec({ base: { model: 'svm' }, grid: { epochs: [5, 0] } }), speakers))!;
    expect(badPoint.message).toMatch(/^cell f0\/s42\/p1 \(grid point \{"epochs":0\}\): epochs: \S/);
    expect(badPoint.issues).toEqual([badPoint.message.replace('cell f0/s42/p1 (grid point {"epochs":0}): ', '')]);
    // no grid: no point in the message; an issue at the config's root is named "config"
    const badBase = refusal(() => expandStudy(spec({ base: { model: 'svm', colour: 'red' } }), speakers))!;
    expect(badBase.message).toMatch(/^cell f0\/s42\/p0: config: Unrecognized key.*colour/);
    expect(badBase.issues[0]).toMatch(/^config: Unrecognized key/);
    const notObject = refusal(() =>
      expandStudy(spec({ base: { model: 'svm', features: 'functionals' }, grid: { 'features.nMels': [40] } }), speakers),
    )!;
    expect(notObject.message).toBe(`grid axis features.nMels: the base config's features is "functionals", not an object to set nMels in`);
    expect(notObject.code).toBe('invalid');
    expect(badPoint.code).toBe('invalid');
    expect(refusal(() => setPath({ a: 'x' }, 'a.b.c', 1))!.message).toBe(`grid axis a.b.c: the base config's a is "x", not an object to set b.c in`);
    const nested = refusal(() => expandStudy(spec({ base: { model: 'svm' }, grid: { 'optimizer.learningRate': [2] } }), speakers))!;
    expect(nested.message).toMatch(/^cell f0\/s42\/p0 \(grid point \{"optimizer.learningRate":2\}\): optimizer\.learningRate: /);
    expect(refusal(() => setPath({ a: [1] }, 'a.b', 1))!.message).toBe(`grid axis a.b: the base config's a is [1], not an object to set b in`);
  });

  it('the spec: reserved and malformed grid paths, repeated seeds', () => {
    expect(StudySpecSchema.safeParse({ datasetId: 1, folds: { kind: 'loso' }, grid: { seed: [1, 2] } }).success).toBe(false);
    expect(StudySpecSchema.safeParse({ datasetId: 1, folds: { kind: 'loso' }, grid: { 'split.seed': [1, 2] } }).success).toBe(false);
    expect(StudySpecSchema.safeParse({ datasetId: 1, folds: { kind: 'loso' }, grid: { 'a..b': [1] } }).success).toBe(false);
    expect(StudySpecSchema.safeParse({ datasetId: 1, folds: { kind: 'loso' }, seeds: [1, 1] }).success).toBe(false);
    expect(StudySpecSchema.safeParse({ datasetId: 1, folds: { kind: 'kfold', k: 1 } }).success).toBe(false);
    expect(StudySpecSchema.parse({ datasetId: 1, folds: { kind: 'loso' } })).toMatchObject({
      seeds: [42],
      splitSeed: 42,
      valFraction: 0.15,
      grid: {},
    });
  });

  it('grid points are the cartesian product, first axis slowest; setPath copies', () => {
    expect(gridPoints({ model: ['a', 'b'], 'optimizer.learningRate': [1, 2] })).toEqual([
      { model: 'a', 'optimizer.learningRate': 1 },
      { model: 'a', 'optimizer.learningRate': 2 },
      { model: 'b', 'optimizer.learningRate': 1 },
      { model: 'b', 'optimizer.learningRate': 2 },
    ]);
    expect(gridPoints({})).toEqual([{}]);
    expect(setPath({ a: { x: 1 } }, 'a.b.c', 2)).toEqual({ a: { x: 1, b: { c: 2 } } });
    expect(setPath({ a: null }, 'a.b', 2)).toEqual({ a: { b: 2 } });
    const base = { optimizer: { kind: 'adam' } };
    expect(setPath(base, 'optimizer.learningRate', 0.1)).toEqual({ optimizer: { kind: 'adam', learningRate: 0.1 } });
    expect(base).toEqual({ optimizer: { kind: 'adam' } });
  });
});
