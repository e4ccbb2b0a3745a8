// `node --import ./tests/helpers/fakeElectron.hooks.mjs out/main/index.js`: the built main bundle's
// `import ... from "electron"` loads fakeElectron.mjs instead (the electron package's own index only says where the
// binary is, and there is none here). Module hooks run on a thread of their own, which loads this file again.
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) register(import.meta.url);

const FAKE = new URL('./fakeElectron.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron') return { url: FAKE, shortCircuit: true };
  return nextResolve(specifier, context);
}
