import { ApiError } from '../api/errors';
import { RunConfigSchema } from '../config/run';
import type { SplitSpec } from '../config/split';
import type { StudySpec } from '../config/study';

/** One grid point: config path → value, in the grid's axis order. */
export type GridPoint = Record<string, unknown>;

/** One cell of a study: an ordinary run config plus where it sits in the study. */
export interface StudyCell {
  /** Stable within the study: `f<fold>/s<seed>/p<point>`. */
  key: string;
  fold: number;
  seed: number;
  /** Index into gridPoints(spec). */
  point: number;
  config: Record<string, unknown>;
}

/** Every combination of the grid's values (the cartesian product), the first axis varying slowest. */
export function gridPoints(grid: StudySpec['grid']): GridPoint[] {
  let points: GridPoint[] = [{}];
  for (const [path, values] of Object.entries(grid)) points = points.flatMap((p) => values.map((v) => ({ ...p, [path]: v })));
  return points;
}

/** `base` with `value` at the dotted `path`, copying only the objects on the way. */
export function setPath(base: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split('.');
  if (!rest.length) return { ...base, [head]: value };
  const inner = base[head] ?? {}; // null and undefined both become a new object
  if (typeof inner !== 'object' || Array.isArray(inner)) {
    throw new ApiError(
      `grid axis ${path}: the base config's ${head} is ${JSON.stringify(inner)}, not an object to set ${rest.join('.')} in`,
      'invalid',
    );
  }
  return { ...base, [head]: setPath(inner as Record<string, unknown>, rest.join('.'), value) };
}

/** The split of fold `fold`: the same for every seed and grid point. */
export function foldSplit(spec: StudySpec, fold: number, speakers: readonly string[]): SplitSpec {
  const common = { valFraction: spec.valFraction, seed: spec.splitSeed };
  switch (spec.folds.kind) {
    case 'kfold':
      return { kind: 'kfold-speaker', k: spec.folds.k, fold, ...common };
    case 'loso':
      return { kind: 'loso', speaker: speakers[fold], ...common };
    case 'groups':
      return { kind: 'speaker', testSpeakers: spec.folds.groups[fold], ...common };
  }
}

/** How many folds the study has on a dataset with these (usable) speakers. */
export function foldCount(spec: StudySpec, speakers: readonly string[]): number {
  return spec.folds.kind === 'kfold' ? spec.folds.k : spec.folds.kind === 'loso' ? speakers.length : spec.folds.groups.length;
}

/**
 * Checks the folds against the dataset's speakers: every fold needs test, validation and training speakers, k folds
 * need k speakers, explicit groups must be disjoint and name known speakers.
 */
export function checkFolds(spec: StudySpec, speakers: readonly string[]): void {
  const n = speakers.length;
  const fail = (message: string) => {
    throw new ApiError(message, 'invalid', [`folds: ${message}`]);
  };
  if (n < 3) fail(`a study needs at least 3 speakers (test, validation and training in every fold); the dataset has ${n}`);
  // LOSO needs nothing beyond n ≥ 3.
  switch (spec.folds.kind) {
    case 'kfold': {
      const k = spec.folds.k;
      if (k > n) fail(`${k} folds need at least ${k} speakers; the dataset has ${n}`);
      // The largest fold tests ⌈n/k⌉ speakers; validation and training need one each of the rest.
      if (Math.ceil(n / k) > n - 2) fail(`${k} folds of ${n} speakers test ${Math.ceil(n / k)} at once, leaving too few to train and validate on`);
      break;
    }
    case 'groups': {
      const known = new Set(speakers);
      const seen = new Map<string, number>();
      spec.folds.groups.forEach((group, i) => {
        for (const s of group) {
          if (!known.has(s)) fail(`fold ${i + 1} names speaker "${s}", who is not in the dataset (speakers: ${[...known].join(', ')})`);
          if (seen.has(s)) fail(`speaker "${s}" is in folds ${seen.get(s)! + 1} and ${i + 1}; folds must not share speakers`);
          seen.set(s, i);
        }
        if (group.length >= n - 1) fail(`fold ${i + 1} tests ${group.length} of ${n} speakers, leaving none to train and validate on`);
      });
    }
  }
}

/**
 * The study's cells, fold-major, each config validated (an invalid grid value fails here, naming its cell, before
 * anything is stored). `speakers` are the dataset's usable speakers in natural order (LOSO folds follow it).
 */
export function expandStudy(spec: StudySpec, speakers: readonly string[]): StudyCell[] {
  checkFolds(spec, speakers);
  const points = gridPoints(spec.grid);
  const cells: StudyCell[] = [];
  for (let fold = 0; fold < foldCount(spec, speakers); fold++) {
    for (const seed of spec.seeds) {
      points.forEach((point, p) => {
        let config: Record<string, unknown> = { ...spec.base };
        for (const [path, value] of Object.entries(point)) config = setPath(config, path, value);
        config = { ...config, datasetId: spec.datasetId, seed, split: foldSplit(spec, fold, speakers) };
        const key = `f${fold}/s${seed}/p${p}`;
        const parsed = RunConfigSchema.safeParse(config);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const where = Object.keys(point).length ? ` (grid point ${JSON.stringify(point)})` : '';
          const at = issue.path.join('.') || 'config';
          throw new ApiError(`cell ${key}${where}: ${at}: ${issue.message}`, 'invalid', [`${at}: ${issue.message}`]);
        }
        cells.push({ key, fold, seed, point: p, config });
      });
    }
  }
  return cells;
}
