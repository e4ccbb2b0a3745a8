import type { ApiEvent } from '../../../src-shared/api/contract';
import { type Handlers } from './dispatch';
import { ApiError, errorMessage } from '../../../src-shared/api/errors';
import type { HandlerContext } from './handlers';
import { loadedModel } from './modelCache';
import { findAudioFiles } from '../datasets/scan';
import { compareRuns } from '../evaluation/compare';
import { runsToCsv, runToJson } from '../evaluation/export';
import { listModelPresets } from '../models/presets';
import { deleteRun, getModel, listModels, updateRunMeta } from '../store/runs';
import { exportOnnx } from '../export/onnxExport';
import { modelCardFor } from '../export/modelCard';
import { getRunDetail, listRunSummaries, loadRunsForComparison } from '../store/runQueries';
import { predictPaths } from '../training/predict';
import { startRun, type RunEvent, type RunHandle } from '../training/run';
import { buildEnsemble } from '../training/ensemble';
import { activateBackend } from '../training/pipeline';

type RunMethods =
  | 'models.presets'
  | 'models.list'
  | 'models.ensemble'
  | 'models.export'
  | 'models.card'
  | 'runs.start'
  | 'runs.list'
  | 'runs.get'
  | 'runs.cancel'
  | 'runs.delete'
  | 'runs.update'
  | 'runs.rerun'
  | 'runs.compare'
  | 'runs.export'
  | 'predict.start';

/** Run events as the renderer sees them (persisting them is startRun's job). */
export function runEventToApi(e: RunEvent, jobId: string): ApiEvent | null {
  switch (e.type) {
    case 'status':
      return {
        type: 'run.status',
        runId: e.runId,
        status: e.status,
        ...('backend' in e ? { backend: e.backend } : {}),
        ...('error' in e && e.error ? { error: e.error } : {}),
      };
    case 'epoch':
      return { type: 'run.epoch', runId: e.runId, point: e.point, etaSeconds: e.etaSeconds };
    case 'batch':
      return { type: 'run.batch', runId: e.runId, point: e.point, etaSeconds: e.etaSeconds };
    case 'log':
      return { type: 'run.log', runId: e.runId, message: e.message };
    case 'progress':
      return { type: 'job.progress', jobId, kind: 'train', done: e.done, total: e.total, detail: `${e.stage}${e.detail ? `: ${e.detail}` : ''}` };
    default:
      return null;
  }
}

/** Experiments: model presets, runs (start, follow, cancel, compare, export) and batch prediction. */
export function runHandlers(ctx: HandlerContext): Pick<Handlers, RunMethods> {
  const { db } = ctx.store;
  const active = new Map<number, RunHandle>();

  const launch = (config: unknown) => {
    let jobId = '';
    const pending: RunEvent[] = [];
    const forward = (e: RunEvent) => {
      const api = jobId ? runEventToApi(e, jobId) : null;
      if (api) ctx.jobs.emit(api);
      else if (!jobId) pending.push(e);
    };
    let handle: RunHandle;
    try {
      handle = startRun(ctx.store, config, { onEvent: forward });
    } catch (err) {
      throw new ApiError(errorMessage(err), 'invalid');
    }
    active.set(handle.runId, handle);
    jobId = ctx.jobs.start(
      'train',
      async (job) => {
        job.signal.addEventListener('abort', () => handle.cancel(), { once: true });
        const result = await handle.done;
        if (result.status === 'failed') throw new Error(result.error ?? 'training failed');
        return result;
      },
      () => active.delete(handle.runId),
    );
    for (const e of pending.splice(0)) forward(e);
    return { runId: handle.runId, jobId };
  };

  const requireModel = (id: number) => {
    const model = getModel(db, id);
    if (!model) throw new ApiError(`Saved model ${id} does not exist.`, 'not_found');
    return model;
  };

  const requireRun = (id: number) => {
    const run = getRunDetail(db, id, { batches: true });
    if (!run) throw new ApiError(`Run ${id} does not exist (it may have been deleted).`, 'not_found');
    return run;
  };

  return {
    'models.presets': () => listModelPresets(),
    'models.list': () => listModels(db),
    'models.ensemble': async (params) => {
      await activateBackend('auto');
      try {
        return await buildEnsemble(ctx.store, params);
      } catch (err) {
        throw new ApiError(errorMessage(err), 'invalid');
      }
    },
    'models.export': async ({ modelId, outDir }) => {
      const model = requireModel(modelId);
      await activateBackend('auto');
      try {
        return await exportOnnx(model.path, outDir, { store: ctx.store });
      } catch (err) {
        throw new ApiError(errorMessage(err), 'invalid');
      }
    },
    'models.card': async ({ modelId }) => ({ markdown: (await modelCardFor(requireModel(modelId).path, ctx.store)).markdown }),
    'runs.start': ({ config }) => launch(config),
    'runs.list': () => listRunSummaries(db),
    'runs.get': ({ id }) => requireRun(id),
    'runs.cancel': ({ id }) => {
      const handle = active.get(id);
      if (!handle) return { cancelled: false };
      handle.cancel();
      return { cancelled: true };
    },
    'runs.delete': ({ id }) => {
      requireRun(id);
      if (active.has(id)) throw new ApiError(`Run ${id} is still running: cancel it first.`, 'invalid');
      return { deleted: deleteRun(db, id) };
    },
    'runs.update': ({ id, tags, note }) => {
      const updated = updateRunMeta(db, id, { tags, note });
      if (!updated) throw new ApiError(`Run ${id} does not exist.`, 'not_found');
      return updated;
    },
    'runs.rerun': ({ id }) => {
      const { config, ensemble } = requireRun(id);
      if (ensemble)
        throw new ApiError(
          `Run ${id} is an ensemble of runs ${ensemble.members.map((m) => m.runId).join(', ')}, built rather than trained: build it again instead.`,
          'invalid',
        );
      if (!config) throw new ApiError(`Run ${id}'s stored config is damaged, so it cannot be re-run.`, 'failed');
      return launch(config);
    },
    'runs.compare': ({ ids }) => {
      const runs = loadRunsForComparison(db, ids);
      const missing = ids.filter((i) => !runs.some((r) => r.id === i));
      if (missing.length) throw new ApiError(`Run(s) ${missing.join(', ')} do not exist (deleted?).`, 'not_found');
      return compareRuns(runs);
    },
    'runs.export': ({ ids, format }) => {
      const runs = ids.map(requireRun);
      const stamp = ids.length === 1 ? `run-${ids[0]}` : `runs-${ids.join('-')}`;
      return format === 'json'
        ? {
            filename: `${stamp}.json`,
            mime: 'application/json',
            content: JSON.stringify(ids.length === 1 ? runToJson(runs[0]) : runs.map(runToJson), null, 2),
          }
        : { filename: `${stamp}.csv`, mime: 'text/csv', content: runsToCsv(runs) };
    },
    'predict.start': async ({ modelId, paths, oneSpeaker }) => {
      const model = await loadedModel(ctx, modelId);
      let files: string[];
      try {
        files = findAudioFiles(paths);
      } catch (err) {
        throw new ApiError((err as Error).message, 'not_found');
      }
      if (!files.length) throw new ApiError(`No audio files under ${paths.join(', ')}.`, 'invalid');
      return {
        jobId: ctx.jobs.start('predict', (job) =>
          predictPaths(model, files, {
            oneSpeaker,
            signal: job.signal,
            onProgress: (d, t, f) => job.progress(d, t, f),
            onResult: (r) =>
              job.emit({
                type: 'predict.result',
                jobId: job.jobId,
                prediction: 'error' in r ? r : { file: r.file, label: '', predicted: r.label, probabilities: r.probabilities },
              }),
          }),
        ),
      };
    },
  };
}
