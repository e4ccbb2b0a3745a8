/** Hash routing: `#/<view>[/<param>]`, e.g. `#/results/12`. */
import { defineStore } from 'pinia';
import { ref } from 'vue';

export const VIEWS = ['datasets', 'experiments', 'training', 'results', 'compare', 'studies', 'recorder', 'predict'] as const;
export type ViewName = (typeof VIEWS)[number];

export const VIEW_TITLES: Record<ViewName, string> = {
  datasets: 'Datasets',
  experiments: 'Experiments',
  training: 'Training',
  results: 'Results',
  compare: 'Compare',
  studies: 'Studies',
  recorder: 'Recorder',
  predict: 'Predict',
};

function parse(hash: string): { view: ViewName; param: string | null } {
  const [, view, param] = hash.replace(/^#/, '').split('/');
  const known = (VIEWS as readonly string[]).includes(view ?? '') ? (view as ViewName) : 'datasets';
  return { view: known, param: param ? decodeURIComponent(param) : null };
}

export const useNav = defineStore('nav', () => {
  const initial = parse(window.location.hash);
  const view = ref<ViewName>(initial.view);
  const param = ref<string | null>(initial.param);

  window.addEventListener('hashchange', () => {
    const r = parse(window.location.hash);
    view.value = r.view;
    param.value = r.param;
  });

  function go(next: ViewName, nextParam?: string | number | null): void {
    const hash = `#/${next}${nextParam !== undefined && nextParam !== null ? `/${encodeURIComponent(String(nextParam))}` : ''}`;
    if (window.location.hash !== hash) window.location.hash = hash;
    view.value = next;
    param.value = nextParam !== undefined && nextParam !== null ? String(nextParam) : null;
  }

  /** The route parameter as a positive integer id, or null. */
  function paramId(): number | null {
    const n = Number(param.value);
    return Number.isInteger(n) && n > 0 ? n : null;
  }

  return { view, param, go, paramId };
});
