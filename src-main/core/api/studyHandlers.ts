import type { ApiEvent } from '../../../src-shared/api/contract';
import { ApiError, errorMessage } from '../../../src-shared/api/errors';
import type { Handlers } from './dispatch';
import type { HandlerContext } from './handlers';
import { cancelStudy, getStudy, listStudies, retryStudy } from '../store/studies';
import { compareStudyReports, studyReport } from '../studies/report';
import { createStudy, runStudy, STUDY_REDIS_SETTING, type StudyEvent } from '../studies/runner';
import { getSetting } from '../store/settings';
import { runEventToApi } from './runHandlers';

type StudyMethods = 'studies.create' | 'studies.list' | 'studies.get' | 'studies.cancel' | 'studies.retry' | 'studies.compare';

/**
 * Studies: the embedded queue in the store, drained by a 'study' job per study. A study left queued or running by a
 * previous session (crash, kill, quit mid-study) is resumed as soon as the handlers exist; quitting cancels the jobs,
 * which puts running cells back in the queue for the next start.
 */
export function studyHandlers(ctx: HandlerContext): Pick<Handlers, StudyMethods> {
  const { db } = ctx.store;
  /** Study id → the job draining it. */
  const draining = new Map<number, string>();

  const drain = (studyId: number): string => {
    const existing = draining.get(studyId);
    if (existing) return existing;
    const jobId = ctx.jobs.start(
      'study',
      (job) => {
        const onEvent = (e: StudyEvent) => {
          let api: ApiEvent | null;
          if (e.type === 'cell')
            api = { type: 'study.cell', studyId, cell: e.cell, status: e.status, runId: e.runId, ...(e.error ? { error: e.error } : {}) };
          else if (e.type === 'study') api = { type: 'study.status', studyId, status: e.status };
          else api = runEventToApi(e.event, job.jobId);
          if (api) job.emit(api);
          if (e.type === 'cell' && e.status !== 'running') {
            const c = getStudy(db, studyId)!.counts;
            job.progress(c.completed + c.failed + c.cancelled, c.completed + c.failed + c.cancelled + c.queued + c.running, `${e.cell} ${e.status}`);
          }
        };
        // A Redis URL in the settings sends the cells to `ser worker` processes; otherwise they train here.
        const redis = getSetting(db, STUDY_REDIS_SETTING) || undefined;
        return runStudy(ctx.store, studyId, { signal: job.signal, onEvent, redis });
      },
      () => draining.delete(studyId),
    );
    draining.set(studyId, jobId);
    return jobId;
  };

  for (const s of listStudies(db)) if (s.status === 'queued' || s.status === 'running') drain(s.id);

  const requireStudy = (id: number) => {
    if (!getStudy(db, id)) throw new ApiError(`Study ${id} does not exist.`, 'not_found');
  };

  return {
    'studies.create': ({ spec }) => {
      let created: { studyId: number; cells: number };
      try {
        created = createStudy(ctx.store, spec);
      } catch (err) {
        throw err instanceof ApiError ? err : new ApiError(errorMessage(err), 'invalid');
      }
      return { ...created, jobId: drain(created.studyId) };
    },
    'studies.list': () => listStudies(db),
    'studies.get': ({ id }) => studyReport(db, id),
    'studies.cancel': ({ id }) => {
      requireStudy(id);
      return cancelStudy(db, id);
    },
    'studies.retry': ({ id }) => {
      requireStudy(id);
      const queued = retryStudy(db, id);
      const waiting = getStudy(db, id)!.counts;
      // Nothing to train: no job (one would only open the store after the caller has moved on).
      return { queued, jobId: queued || waiting.queued || waiting.running ? drain(id) : (draining.get(id) ?? null) };
    },
    'studies.compare': ({ a, b }) => compareStudyReports(db, a, b),
  };
}
