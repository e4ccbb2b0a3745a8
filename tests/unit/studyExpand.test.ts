import { describe, expect, it } from 'vitest';
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

  it('rejects folds the dataset cannot give, naming the problem', () => {
    expect(() => expandStudy(spec({ folds: { kind: 'kfold', k: 9 }, base: { model: 'svm' } }), speakers)).toThrow(
      /9 folds need at least 9 speakers; the dataset has 8/,
    );
    expect(() => expandStudy(spec({ folds: { kind: 'loso' }, base: { model: 'svm' } }), ['a', 'b'])).toThrow(/at least 3 speakers/);
    const groups = (g: string[][]) => spec({ folds: { kind: 'groups', groups: g }, base: { model: 'svm' } });
    expect(() => expandStudy(groups([['01'], ['99']]), speakers)).toThrow(/fold 2 names speaker "99"/);
    expect(() => expandStudy(groups([['01', '02'], ['02']]), speakers)).toThrow(/speaker "02" is in folds 1 and 2/);
    expect(() => expandStudy(groups([['01', '02', '03', '04', '05', '06', '07'], ['08']]), speakers)).toThrow(/leaving none to train/);
  });

  it('an invalid grid value fails before anything runs, naming its cell and point', () => {
    expect(() => expandStudy(spec({ base: { model: 'svm' }, grid: { epochs: [5, 0] } }), speakers)).toThrow(
      /cell f0\/s42\/p1 \(grid point \{"epochs":0\}\): epochs: /,
    );
    expect(() => expandStudy(spec({ base: { model: 'svm', features: 'functionals' }, grid: { 'features.nMels': [40] } }), speakers)).toThrow(
      /grid axis features.nMels: the base config's features is "functionals", not an object/,
    );
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
    const base = { optimizer: { kind: 'adam' } };
    expect(setPath(base, 'optimizer.learningRate', 0.1)).toEqual({ optimizer: { kind: 'adam', learningRate: 0.1 } });
    expect(base).toEqual({ optimizer: { kind: 'adam' } });
  });
});
