// `ser train` and recipes through the CLI: listing, refusing a recipe for another model, unknown names.
import { describe, expect, it } from 'vitest';
import { ENSEMBLE_RECIPES, RECIPES } from '../../src-shared/config/recipes';
import { ser } from '../helpers/cli';

describe('ser train recipes', () => {
  it('--list-recipes --json lists every recipe with its adaptation and figures', () => {
    const r = ser(['train', '--list-recipes', '--json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { name: string; model: string; default: boolean; adaptation: object; figures: object }[];
    expect(list.map((x) => x.name)).toEqual([...RECIPES, ...ENSEMBLE_RECIPES].map((x) => x.name));
    expect(list.find((x) => x.name === 'ensemble-compare-cnn')).toMatchObject({ model: 'ensemble', members: ['linear-svm', 'simplecnn'] });
    expect(list.find((x) => x.name === 'simplecnn')).toMatchObject({
      model: 'simplecnn',
      default: true,
      adaptation: { speakerAdaptiveBatchNorm: true },
    });
    const human = ser(['train', '--list-recipes']);
    expect(human.stdout).toMatch(/^linear-svm\s+linear-svm\s+Linear SVM on ComParE/m);
    expect(human.stdout).toMatch(/plain: (not measured yet|\d+\.\d % UAR)/);
  });

  it('refuses an unknown recipe and a recipe for another model, before touching any data', () => {
    const unknown = ser(['train', '--dataset', '1', '--recipe', 'best', '--db', '/nonexistent/x.sqlite']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/--recipe: Unknown recipe "best"; recipes: resnet, simplecnn/);
    const other = ser(['train', '--dataset', '1', '--recipe', 'svm', '--model', 'resnet', '--db', '/nonexistent/x.sqlite']);
    expect(other.stderr).toMatch(/--recipe svm trains svm, not resnet; leave --model out/);
  });

  it('--speed-perturbation reaches the run config, which refuses it for networks and refuses speed 1', () => {
    const net = ser(['train', '--dataset', '1', '--model', 'simplecnn', '--speed-perturbation', '0.9', '--db', '/nonexistent/x.sqlite']);
    expect(net.code).toBe(1);
    expect(net.stderr).toMatch(/speedPerturbation: simplecnn is a network: perturb on the fly/);
    const one = ser(['train', '--dataset', '1', '--model', 'logreg', '--speed-perturbation', '0.9,1', '--db', '/nonexistent/x.sqlite']);
    expect(one.stderr).toMatch(/speedPerturbation\.1: speed 1 is the recording itself/);
  });
});
