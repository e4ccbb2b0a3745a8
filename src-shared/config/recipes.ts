import { z } from 'zod';
import bilstm from '../../resources/recipes/bilstm.json';
import cnnGru from '../../resources/recipes/cnn-gru.json';
import cnnLstm from '../../resources/recipes/cnn-lstm.json';
import ensembleCompareCnn from '../../resources/recipes/ensemble-compare-cnn.json';
import forest from '../../resources/recipes/forest.json';
import hybrid from '../../resources/recipes/hybrid.json';
import linearSvm from '../../resources/recipes/linear-svm.json';
import logreg from '../../resources/recipes/logreg.json';
import resnet from '../../resources/recipes/resnet.json';
import simplecnn from '../../resources/recipes/simplecnn.json';
import svm from '../../resources/recipes/svm.json';
import transformer from '../../resources/recipes/transformer.json';
import { ModelPresetNameSchema, type ModelPresetName } from './models';

/** A cross-validated figure: a study's test UAR over folds × seeds (seeds averaged within a fold first). */
const RecipeFigureSchema = z.strictObject({
  /** Mean test UAR over folds, 0–1. */
  uar: z.number().min(0).max(1),
  /** 95 % t-interval of the mean over folds. */
  ci: z.tuple([z.number(), z.number()]),
  accuracy: z.number().min(0).max(1),
  folds: z.number().int().min(2),
  seeds: z.array(z.number().int()).min(1),
  /** Corpus and speakers, e.g. "RAVDESS actors 01–16, 8 classes". */
  data: z.string(),
  /** The command that reproduces it. */
  command: z.string(),
  /** When and where it was measured (date, machine, load). */
  measured: z.string(),
});
export type RecipeFigure = z.infer<typeof RecipeFigureSchema>;

/**
 * A named whole-run recipe: a partial run config (everything but the dataset, split and seed) with the adaptation that
 * suits it and its measured figures. `default` marks the recipe `ser train --model X` starts from; adaptation is never
 * part of `config`, because it changes what prediction assumes (the test speakers' unlabelled audio), so it stays an
 * explicit choice (`--speaker-norm`, `--speaker-bn`, `adapted: true`).
 */
export const RecipeSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  label: z.string().min(1),
  model: ModelPresetNameSchema,
  default: z.boolean(),
  description: z.string().min(1),
  config: z.record(z.string(), z.unknown()),
  adaptation: z.strictObject({ speakerNormalization: z.literal(true).optional(), speakerAdaptiveBatchNorm: z.literal(true).optional() }),
  /** Studies of the recipe without and with its adaptation; null until measured. */
  figures: z.strictObject({ plain: RecipeFigureSchema.nullable(), adapted: RecipeFigureSchema.nullable() }),
});
export type Recipe = z.infer<typeof RecipeSchema>;

/** Keys a recipe may not set: the run's data, split and seed are the experiment's, adaptation is chosen apart. */
const NOT_IN_RECIPES = [
  'datasetId',
  'extraDatasets',
  'labelMap',
  'split',
  'seed',
  'outDir',
  'name',
  'speakerNormalization',
  'speakerAdaptiveBatchNorm',
];

/** Every shipped recipe (resources/recipes/*.json), validated once when this module loads. */
export const RECIPES: readonly Recipe[] = [resnet, simplecnn, cnnGru, cnnLstm, bilstm, transformer, hybrid, svm, forest, logreg, linearSvm].map(
  (raw) => {
    const r = RecipeSchema.safeParse(raw);
    const name = (raw as { name?: unknown }).name;
    if (!r.success)
      throw new Error(`resources/recipes/${String(name)}.json: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const banned = Object.keys(r.data.config).filter((k) => NOT_IN_RECIPES.includes(k));
    if (banned.length) throw new Error(`resources/recipes/${r.data.name}.json: config sets ${banned.join(', ')}, which the experiment chooses`);
    return r.data;
  },
);

/**
 * A recipe for an ensemble: member recipes trained on the same split (same seed and speakers), their probabilities
 * combined with equal weights or weights fitted on the validation speakers. With `adapted`, every member uses its own
 * recipe's adaptation.
 */
export const EnsembleRecipeSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  label: z.string().min(1),
  kind: z.literal('ensemble'),
  description: z.string().min(1),
  members: z.array(z.string()).min(2).max(8),
  weighting: z.enum(['equal', 'val']),
  figures: z.strictObject({ plain: RecipeFigureSchema.nullable(), adapted: RecipeFigureSchema.nullable() }),
});
export type EnsembleRecipe = z.infer<typeof EnsembleRecipeSchema>;

/** Every shipped ensemble recipe; members must name shipped model recipes. */
export const ENSEMBLE_RECIPES: readonly EnsembleRecipe[] = [ensembleCompareCnn].map((raw) => {
  const r = EnsembleRecipeSchema.safeParse(raw);
  const name = (raw as { name?: unknown }).name;
  if (!r.success)
    throw new Error(`resources/recipes/${String(name)}.json: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const unknown = r.data.members.filter((m) => !RECIPES.some((x) => x.name === m));
  if (unknown.length) throw new Error(`resources/recipes/${r.data.name}.json: members ${unknown.join(', ')} are not recipes`);
  if (RECIPES.some((x) => x.name === r.data.name)) throw new Error(`resources/recipes/${r.data.name}.json: a model recipe has the same name`);
  return r.data;
});

/** A model recipe or an ensemble recipe by name; unknown names list every known one. */
export function findRecipe(name: string): Recipe | EnsembleRecipe {
  const r = RECIPES.find((x) => x.name === name) ?? ENSEMBLE_RECIPES.find((x) => x.name === name);
  if (!r) throw new Error(`Unknown recipe "${name}"; recipes: ${[...RECIPES, ...ENSEMBLE_RECIPES].map((x) => x.name).join(', ')}`);
  return r;
}

export const isEnsembleRecipe = (r: Recipe | EnsembleRecipe): r is EnsembleRecipe => 'kind' in r && r.kind === 'ensemble';

/** The recipe called `name`; unknown names list the known ones. */
export function getRecipe(name: string): Recipe {
  const r = RECIPES.find((x) => x.name === name);
  if (!r) throw new Error(`Unknown recipe "${name}"; recipes: ${RECIPES.map((x) => x.name).join(', ')}`);
  return r;
}

/** The recipe a model preset starts from (the one marked default for it), or null when it has none. */
export function defaultRecipeFor(preset: ModelPresetName | string): Recipe | null {
  return RECIPES.find((r) => r.model === preset && r.default) ?? null;
}

/**
 * A run config input from a recipe: its config with `over` on top (the dataset, split, seed and any changes), plus
 * the recipe's adaptation when `adapted` is set. (A deep copy through JSON: the shared layer has no structuredClone type.)
 */
export function recipeRunConfig(recipe: Recipe, over: Record<string, unknown>, opts: { adapted?: boolean } = {}): Record<string, unknown> {
  return { ...(JSON.parse(JSON.stringify(recipe.config)) as Record<string, unknown>), ...(opts.adapted ? recipe.adaptation : {}), ...over };
}

/** One line per figure, e.g. "plain 45.0 % UAR [40.4, 49.6] (4 folds × 3 seeds)". */
export function describeRecipeFigures(r: Recipe | EnsembleRecipe): string {
  const one = (what: string, f: RecipeFigure | null) =>
    f
      ? `${what}: ${(f.uar * 100).toFixed(1)} % UAR [${(f.ci[0] * 100).toFixed(1)}, ${(f.ci[1] * 100).toFixed(1)}] (${f.folds} folds × ${f.seeds.length} seed${f.seeds.length === 1 ? '' : 's'}, ${f.data})`
      : `${what}: not measured yet`;
  const adaptation = isEnsembleRecipe(r) ? "each member's adaptation" : Object.keys(r.adaptation).join(' + ') || 'none';
  return `${one('plain', r.figures.plain)}; ${one(`with ${adaptation}`, r.figures.adapted)}`;
}

export type { ModelPresetName };
