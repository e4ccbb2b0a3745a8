import { existsSync } from 'node:fs';
import { ApiError } from '../../../src-shared/api/errors';
import type { HandlerContext } from './handlers';
import { activateBackend } from '../training/pipeline';
import { loadPredictor, type Predictor } from '../training/predict';
import { getModel } from '../store/runs';

// Loading a saved model costs a weights read and a graph build; live classification asks every 0.5 s.
const cache = new Map<string, Promise<Predictor>>();

/** The saved model (or ensemble) with this DB id, loaded once per path. */
export function loadedModel(ctx: HandlerContext, modelId: number): Promise<Predictor> {
  const info = getModel(ctx.store.db, modelId);
  if (!info) throw new ApiError(`Model ${modelId} does not exist (it may have been deleted with its run).`, 'not_found');
  if (!existsSync(info.path)) throw new ApiError(`Model ${modelId}'s folder ${info.path} is missing on disk.`, 'not_found');
  let p = cache.get(info.path);
  if (!p) {
    // The fastest backend available, as for training; activated once per process.
    p = activateBackend('auto').then(() => loadPredictor(info.path));
    p.catch(() => cache.delete(info.path));
    cache.set(info.path, p);
  }
  return p;
}
