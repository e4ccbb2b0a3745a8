import { getRecipe, recipeRunConfig, type EnsembleRecipe } from '../../../src-shared/config/recipes';
import { defaultSplit } from '../../../src-shared/config/run';
import type { EnsembleResult } from '../../../src-shared/ensemble';
import type { Store } from '../store/db';
import { buildEnsemble } from './ensemble';
import { startRun, type RunEvent, type RunResult } from './run';

export interface EnsembleRecipeRun {
  members: RunResult[];
  /** null when a member did not complete (the members' runs say why). */
  ensemble: EnsembleResult | null;
}

/**
 * Trains an ensemble recipe: every member recipe on the same data, split and seed (one after another, each an ordinary
 * run in the history), then the saved ensemble of their models with the recipe's weighting. `over` is what the
 * experiment chooses (dataset, split, seed, labels …); the split is pinned before the first member so all share it.
 */
export async function trainEnsembleRecipe(
  store: Store,
  recipe: EnsembleRecipe,
  over: Record<string, unknown>,
  opts: {
    adapted?: boolean;
    inProcess?: boolean;
    out?: string;
    name?: string;
    onEvent?: (member: number, e: RunEvent) => void;
    signal?: AbortSignal;
  } = {},
): Promise<EnsembleRecipeRun> {
  const seed = typeof over.seed === 'number' ? over.seed : 42;
  const shared = { ...over, seed, split: over.split ?? defaultSplit(seed) };
  const members: RunResult[] = [];
  for (const [i, name] of recipe.members.entries()) {
    if (opts.signal?.aborted) break;
    const config = recipeRunConfig(getRecipe(name), { ...shared, name: `${opts.name ?? recipe.name} · ${name}` }, { adapted: opts.adapted });
    const handle = startRun(store, config, { inProcess: opts.inProcess, onEvent: (e) => opts.onEvent?.(i, e) });
    const stop = () => handle.cancel();
    opts.signal?.addEventListener('abort', stop, { once: true });
    const result = await handle.done.finally(() => opts.signal?.removeEventListener('abort', stop));
    members.push(result);
    if (result.status !== 'completed') return { members, ensemble: null };
  }
  if (members.length < recipe.members.length) return { members, ensemble: null };
  const ensemble = await buildEnsemble(store, {
    models: members.map((m) => m.modelId!),
    weights: recipe.weighting,
    out: opts.out,
    name: opts.name ?? `${recipe.name}${opts.adapted ? ' (adapted)' : ''}`,
  });
  return { members, ensemble };
}
