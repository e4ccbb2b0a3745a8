import { ApiError } from '../../../src-shared/api/errors';
import { aggregateStudy, compareStudies, type StudyComparison } from '../../../src-shared/studies/aggregate';
import type { StudyReport } from '../../../src-shared/api/contract';
import type { Db } from '../store/db';
import { cellOutcomes, getStudy, listCells } from '../store/studies';

export function studyReport(db: Db, studyId: number): StudyReport {
  const study = getStudy(db, studyId);
  if (!study) throw new ApiError(`No study ${studyId}`, 'not_found');
  const outcomes = cellOutcomes(db, studyId);
  const aggregate = aggregateStudy(outcomes, study.points, study.folds, study.spec.seeds);
  const rows = listCells(db, studyId);
  return {
    studyId,
    name: study.name,
    datasetId: study.datasetId,
    status: study.status,
    counts: study.counts,
    spec: study.spec,
    selected: aggregate.selected,
    aggregate,
    cells: outcomes.map((o, i) => ({
      key: o.key,
      fold: o.fold,
      seed: o.seed,
      point: o.point,
      status: o.status,
      runId: o.runId,
      attempts: rows[i].attempts,
      error: rows[i].error,
      valUar: o.valUar,
      test: o.test ? { accuracy: o.test.accuracy, uar: o.test.uar, macroF1: o.test.macroF1, n: o.test.n } : null,
    })),
  };
}

/** Paired comparison of two studies' selected points over their (identical) folds. */
export function compareStudyReports(db: Db, a: number, b: number): StudyComparison & { a: number; b: number } {
  const sides = [a, b].map((id) => {
    const study = getStudy(db, id);
    if (!study) throw new ApiError(`No study ${id}`, 'not_found');
    const outcomes = cellOutcomes(db, id);
    const aggregate = aggregateStudy(outcomes, study.points, study.folds, study.spec.seeds);
    // A fold's test files, from any completed cell of the selected point (every seed tests the same files).
    const files = Array.from({ length: study.folds }, (_, f) => {
      const cell = outcomes.find((c) => c.fold === f && c.point === aggregate.selected?.point && c.test);
      return cell ? cell.predictions.map((p) => p.fileId ?? -1) : null;
    });
    return { aggregate, files };
  });
  try {
    return { a, b, ...compareStudies(sides[0].aggregate, sides[1].aggregate, { a: sides[0].files, b: sides[1].files }) };
  } catch (err) {
    throw new ApiError(`Cannot compare studies ${a} and ${b}: ${(err as Error).message}`, 'invalid');
  }
}

export type { StudyReport };
