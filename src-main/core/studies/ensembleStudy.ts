import { dirname, join, resolve } from 'node:path';
import { ApiError } from '../../../src-shared/api/errors';
import type { StudySpec } from '../../../src-shared/config/study';
import type { EnsembleWeighting } from '../../../src-shared/ensemble';
import type { StudyCell } from '../../../src-shared/studies/expand';
import type { Store } from '../store/db';
import { listModels } from '../store/runs';
import { getStudy, insertCompletedStudy, listCells } from '../store/studies';
import { buildEnsemble } from '../training/ensemble';
import { studyReport } from './report';

export interface EnsembleStudyRequest {
  /** Finished studies over the same dataset, folds, split seed and seeds; each contributes its selected grid point. */
  studyIds: number[];
  weights: EnsembleWeighting;
  name?: string;
  onProgress?: (done: number, total: number, key: string) => void;
}

/** The parts of a study spec that decide its folds and cells: member studies must agree on all of them. */
function foldIdentity(spec: StudySpec): string {
  return JSON.stringify({
    datasetId: spec.datasetId,
    folds: spec.folds,
    valFraction: spec.valFraction,
    splitSeed: spec.splitSeed,
    seeds: spec.seeds,
  });
}

/**
 * A study of ensembles: for every fold × seed, the member studies' runs of that cell (each study's selected grid
 * point, chosen on validation) combined into one saved ensemble with buildEnsemble — equal weights, or weights fitted
 * on the cell's validation speakers — stored as a completed study of its own. It has the members' folds, so
 * `ser study compare` pairs it fold by fold with any member ("does the ensemble beat its best member?"), and no model
 * is trained again.
 */
export async function ensembleStudies(store: Store, req: EnsembleStudyRequest): Promise<{ studyId: number; cells: number }> {
  const ids = [...new Set(req.studyIds)];
  if (ids.length < 2) throw new ApiError('An ensemble study needs at least two different member studies.', 'invalid');
  const studies = ids.map((id) => {
    const s = getStudy(store.db, id);
    if (!s) throw new ApiError(`No study ${id}`, 'not_found');
    if (s.status !== 'completed') throw new ApiError(`Study ${id} is ${s.status}; only completed studies can be combined.`, 'invalid');
    return s;
  });
  const identity = foldIdentity(studies[0].spec);
  for (const s of studies.slice(1)) {
    if (foldIdentity(s.spec) !== identity) {
      throw new ApiError(
        `Study ${s.id} has other folds than study ${studies[0].id} (dataset, folds, validation fraction, split seed and seeds must all match).`,
        'invalid',
      );
    }
  }
  // Each member study contributes its grid point chosen on validation, as its own figures do.
  const selected = studies.map((s) => {
    const point = studyReport(store.db, s.id).selected?.point;
    if (point === undefined) throw new ApiError(`Study ${s.id} has no selected grid point (no cell has a validation score).`, 'invalid');
    return new Map(
      listCells(store.db, s.id)
        .filter((c) => c.point === point)
        .map((c) => [`${c.fold}/${c.seed}`, c]),
    );
  });
  const modelOfRun = new Map(listModels(store.db).flatMap((m) => (m.runId === null ? [] : [[m.runId, m.id] as const])));
  const spec = studies[0].spec;
  const keys = [...selected[0].keys()];
  const root = store.path === ':memory:' ? resolve('models') : join(dirname(store.path), 'models');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const cells: (StudyCell & { runId: number })[] = [];
  for (const [i, key] of keys.entries()) {
    const members = selected.map((m, j) => {
      const cell = m.get(key);
      if (!cell || cell.status !== 'completed' || cell.runId === null)
        throw new ApiError(`Study ${studies[j].id} has no completed cell for fold/seed ${key}.`, 'invalid');
      const model = modelOfRun.get(cell.runId);
      if (model === undefined) throw new ApiError(`Run ${cell.runId} (study ${studies[j].id}, ${key}) has no saved model.`, 'invalid');
      return model;
    });
    const [fold, seed] = key.split('/').map(Number);
    const built = await buildEnsemble(store, {
      models: members,
      weights: req.weights,
      out: join(root, `ensemble-study-${stamp}`, `f${fold}-s${seed}`),
      name: `${req.name ?? `ensemble of studies ${ids.join(' + ')}`} f${fold}/s${seed}`,
    });
    if (built.runId === null) throw new ApiError(`The members of ${key} do not share a stored split; no ensemble run was stored.`, 'invalid');
    cells.push({ key: `f${fold}/s${seed}/p0`, fold, seed, point: 0, config: { ensembleOf: ids, weights: req.weights }, runId: built.runId });
    req.onProgress?.(i + 1, keys.length, key);
  }
  const ensembleSpec: StudySpec = {
    ...spec,
    name: req.name ?? `ensemble of studies ${ids.join(' + ')} (${req.weights} weights)`,
    base: { ensembleOf: ids, weights: req.weights },
    grid: {},
  };
  const studyId = insertCompletedStudy(store.db, { spec: ensembleSpec, points: [{}], folds: studies[0].folds, cells });
  return { studyId, cells: cells.length };
}
