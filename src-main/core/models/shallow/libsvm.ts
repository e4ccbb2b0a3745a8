import { createRequire } from 'node:module';

/** The parts of libsvm-js's SVM class this project uses (the package ships no types). */
export interface LibsvmModel {
  train(samples: number[][], labels: number[]): void;
  predictOneProbability(sample: number[]): { prediction: number; estimates: { label: number; probability: number }[] };
  getLabels(): number[];
  serializeModel(): string;
  free(): void;
}
export interface LibsvmClass {
  new (options: Record<string, unknown>): LibsvmModel;
  load(serialized: string): LibsvmModel;
  SVM_TYPES: { C_SVC: string };
  KERNEL_TYPES: { LINEAR: string; RBF: string };
}

interface EmscriptenModule {
  load(): Promise<void>;
}

const require = createRequire(import.meta.url);

/**
 * A fresh libsvm (wasm) instance with its own memory and C `rand()` state.
 *
 * libsvm's probability calibration shuffles with `rand()`, which the wasm build never reseeds:
 * a shared instance would give a different model for the second fit of the same data. One instance
 * per model keeps fits reproducible, and its memory is reclaimed with the model (emscripten heaps are
 * never freed otherwise).
 */
export async function newLibsvm(): Promise<LibsvmClass> {
  const modulePath = require.resolve('libsvm-js/out/wasm/libsvm.js');
  delete require.cache[modulePath];
  // This emscripten build tries fetch() on a filesystem path under Node, fails, prints a warning and
  // falls back to reading the file; hiding fetch while it initialises takes the file path directly.
  const g = globalThis as { fetch?: unknown };
  const savedFetch = g.fetch;
  // It also installs process.on('unhandledRejection', () => process.exit(1)), which would silently
  // kill the whole app (and leak one listener per instance); remove whatever it added.
  const listenersBefore = new Set(process.listeners('unhandledRejection'));
  let mod: EmscriptenModule;
  try {
    g.fetch = undefined;
    mod = require(modulePath) as EmscriptenModule;
  } finally {
    g.fetch = savedFetch;
    for (const l of process.listeners('unhandledRejection')) if (!listenersBefore.has(l)) process.removeListener('unhandledRejection', l);
  }
  await mod.load();
  const bind = require('libsvm-js/src/loadSVM.js') as (m: EmscriptenModule) => LibsvmClass;
  return bind(mod);
}
