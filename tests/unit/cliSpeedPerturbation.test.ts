// --speed-perturbation as `ser train` and `ser study run` apply it to a run config (the run schema judges the numbers).
import { describe, expect, it } from 'vitest';
import { applySpeedPerturbation } from '../../src-main/cli/io';
import { getRecipe, recipeRunConfig } from '../../src-shared/config/recipes';

describe('--speed-perturbation', () => {
  it("replaces a recipe's copies, clears them with none, and leaves them alone when not given", () => {
    const recipe = () => recipeRunConfig(getRecipe('logreg'), {});
    expect(recipe().speedPerturbation).toEqual([0.9, 1.1]);
    const kept = recipe();
    applySpeedPerturbation(kept, undefined);
    expect(kept.speedPerturbation).toEqual([0.9, 1.1]);
    const replaced = recipe();
    applySpeedPerturbation(replaced, ' 0.8, 1.2 ,');
    expect(replaced.speedPerturbation).toEqual([0.8, 1.2]);
    const cleared = recipe();
    applySpeedPerturbation(cleared, 'none');
    expect('speedPerturbation' in cleared).toBe(false);
  });

  it('passes what is not a number on as NaN, for the run schema to refuse with the field named', () => {
    const config: Record<string, unknown> = {};
    applySpeedPerturbation(config, '0.9,fast');
    expect(config.speedPerturbation).toEqual([0.9, NaN]);
  });
});
