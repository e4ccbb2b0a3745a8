// Named recipes: every shipped one is a valid run, each model preset has one default, adaptation stays apart, and the
// Experiments form and `ser train --model X` start from them.
import { describe, expect, it } from 'vitest';
import { defaultRecipeFor, describeRecipeFigures, getRecipe, RECIPES, recipeRunConfig, RecipeSchema } from '../../src-shared/config/recipes';
import { MODEL_PRESET_NAMES } from '../../src-shared/config/models';
import { parseRunConfig } from '../../src-shared/config/run';
import { defaultDraft, draftFromRecipe, toRunConfig } from '../../src-renderer/stores/experiment';

describe('recipes', () => {
  it('every recipe is a valid run config, with and without its adaptation', () => {
    for (const r of RECIPES) {
      const plain = parseRunConfig(recipeRunConfig(r, { datasetId: 1 }));
      expect(plain.model.preset).toBe(r.model);
      expect(plain.speakerNormalization).toBe(false);
      expect(plain.speakerAdaptiveBatchNorm).toBe(false);
      const adapted = parseRunConfig(recipeRunConfig(r, { datasetId: 1 }, { adapted: true }));
      expect(adapted.speakerNormalization).toBe(Boolean(r.adaptation.speakerNormalization));
      expect(adapted.speakerAdaptiveBatchNorm).toBe(Boolean(r.adaptation.speakerAdaptiveBatchNorm));
      expect(Object.keys(r.adaptation).length).toBeGreaterThan(0);
    }
  });

  it('each model preset has exactly one default recipe, and names are unique', () => {
    for (const preset of MODEL_PRESET_NAMES) {
      expect(
        RECIPES.filter((r) => r.model === preset && r.default).map((r) => r.name),
        preset,
      ).toHaveLength(1);
      expect(defaultRecipeFor(preset)!.model).toBe(preset);
    }
    expect(new Set(RECIPES.map((r) => r.name)).size).toBe(RECIPES.length);
  });

  it('the neural recipes are the bench recipe, not the schema defaults', () => {
    const c = parseRunConfig(recipeRunConfig(getRecipe('resnet'), { datasetId: 1 }));
    expect(c.optimizer.kind).toBe('adamw');
    expect(c.schedule).toMatchObject({ kind: 'cosine', warmupEpochs: 2 });
    expect(c.epochs).toBe(60);
    expect(c.earlyStopping).toBeNull();
    expect(c.augmentation.specAugment).not.toBeNull();
    expect(c.features.length).toEqual({ mode: 'fixed', seconds: 4 });
  });

  it('what the experiment owns wins over the recipe, and the recipe is not mutated', () => {
    const r = getRecipe('simplecnn');
    const before = JSON.stringify(r.config);
    const c = recipeRunConfig(r, { datasetId: 4, epochs: 3, seed: 9 });
    expect(c).toMatchObject({ datasetId: 4, epochs: 3, seed: 9, model: 'simplecnn' });
    (c.optimizer as { learningRate: number }).learningRate = 1;
    expect(JSON.stringify(r.config)).toBe(before);
  });

  it('refuses unknown names (listing the known ones), and recipes that set what the experiment chooses', () => {
    expect(() => getRecipe('best')).toThrow(/Unknown recipe "best"; recipes: resnet, simplecnn/);
    expect(RecipeSchema.safeParse({ ...getRecipe('svm'), adaptation: { speakerNormalization: false } }).success).toBe(false);
  });

  it('describes measured and unmeasured figures', () => {
    const r = getRecipe('svm');
    const measured = {
      ...r,
      figures: {
        plain: {
          uar: 0.45,
          ci: [0.404, 0.496] as [number, number],
          accuracy: 0.469,
          folds: 4,
          seeds: [1, 2, 3],
          data: 'RAVDESS 01–16',
          command: 'x',
          measured: 'y',
        },
        adapted: null,
      },
    };
    expect(describeRecipeFigures(measured)).toBe(
      'plain: 45.0 % UAR [40.4, 49.6] (4 folds × 3 seeds, RAVDESS 01–16); with speakerNormalization: not measured yet',
    );
  });

  it('the Experiments form starts from the ResNet recipe and keeps the experiment when another recipe is picked', () => {
    const d = defaultDraft();
    expect(d.recipe).toBe('resnet');
    expect(d.config.optimizer.kind).toBe('adamw');
    d.config.datasetId = 3;
    d.config.seed = 5;
    d.config.split = { kind: 'kfold-speaker', k: 4, fold: 1, seed: 5 };
    d.config.speakerAdaptiveBatchNorm = true;
    const next = draftFromRecipe('svm', d);
    if (typeof next === 'string') throw new Error(next);
    expect(next.recipe).toBe('svm');
    const c = parseRunConfig(toRunConfig(next));
    expect(c).toMatchObject({ datasetId: 3, seed: 5, model: { preset: 'svm' }, split: { kind: 'kfold-speaker', fold: 1 } });
    expect(c.features.kind).toBe('functionals');
  });
});
