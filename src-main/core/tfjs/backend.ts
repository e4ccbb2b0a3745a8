import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
// Registers the fused BatchNormalization layer under the stock class name, so models loaded from disk use it.
import './batchNormLayer';
import './cpuGreeting';
import { installGradientOverrides } from './gradientOverrides';
import { NATIVE_BACKEND, registerNativeBackend } from './nativeKernels';
import { registerWasmGradientKernels } from './wasmGradients';
import { BACKEND_NAMES, type BackendName } from '../../../src-shared/config/backends';

/**
 * The one TensorFlow.js namespace every module shares. Import it from here (or '@tensorflow/tfjs', which resolves to
 * the same instance in Node); a backend registered on a second copy of tfjs-core would be invisible to the models.
 */
export { tf };

export interface SelectedBackend {
  name: BackendName;
  /** What runs underneath, and why faster options were skipped (for the UI and the run record). */
  detail: string;
}

type Attempt = { ok: true; detail: string } | { ok: false; reason: string };

/** Loads an optional package that is not a dependency (a literal specifier would make bundlers and tsc require it). */
async function importOptional(specifier: string): Promise<void> {
  await import(/* @vite-ignore */ specifier);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}

/** tfjs-node(-gpu) registers the 'tensorflow' backend on the tfjs-core it was installed with. */
async function tryTfjsNode(pkg: '@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu'): Promise<Attempt> {
  try {
    await importOptional(pkg);
  } catch (error) {
    const missing = /Cannot find (module|package)|ERR_MODULE_NOT_FOUND/.test(message(error));
    return { ok: false, reason: missing ? `${pkg} is not installed` : `${pkg} failed to load: ${message(error)}` };
  }
  if (!tf.findBackendFactory('tensorflow')) {
    return {
      ok: false,
      reason: `${pkg} loaded but registered its backend on another copy of @tensorflow/tfjs-core (install the version matching @tensorflow/tfjs ${tf.version_core})`,
    };
  }
  if (!(await tf.setBackend('tensorflow'))) return { ok: false, reason: `${pkg}: the tensorflow backend failed to initialise` };
  return { ok: true, detail: `${pkg} (libtensorflow${pkg.endsWith('gpu') ? ', CUDA' : ''})` };
}

async function tryNative(): Promise<Attempt> {
  const status = registerNativeBackend();
  if (!status.ok) return { ok: false, reason: status.reason };
  if (!(await tf.setBackend(NATIVE_BACKEND))) return { ok: false, reason: 'the native backend failed to initialise' };
  return { ok: true, detail: status.detail };
}

let wasmLoaded: Promise<void> | undefined;

async function tryWasm(): Promise<Attempt> {
  try {
    wasmLoaded ??= (async () => {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // In Node the .wasm binaries are read from the package's dist folder, not fetched.
      const dist = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')), '/');
      if (existsSync(join(dist, 'tfjs-backend-wasm.wasm'))) wasm.setWasmPaths(dist);
    })();
    await wasmLoaded;
  } catch (error) {
    wasmLoaded = undefined;
    return { ok: false, reason: `@tensorflow/tfjs-backend-wasm failed to load: ${message(error)}` };
  }
  const composed = registerWasmGradientKernels();
  installGradientOverrides();
  if (!(await tf.setBackend('wasm'))) return { ok: false, reason: 'the wasm backend failed to initialise (missing .wasm files?)' };
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const extra = composed.length > 0 ? `; composed gradient kernels: ${composed.join(', ')}` : '';
  return { ok: true, detail: `wasm (XNNPACK${simd ? ', SIMD' : ''}${extra})` };
}

async function tryCpu(): Promise<Attempt> {
  installGradientOverrides();
  if (!(await tf.setBackend('cpu'))) return { ok: false, reason: 'the cpu backend failed to initialise' };
  return { ok: true, detail: 'cpu (pure JavaScript: very slow for convolutions)' };
}

const ATTEMPTS: Record<BackendName, () => Promise<Attempt>> = {
  'tfjs-node-gpu': () => tryTfjsNode('@tensorflow/tfjs-node-gpu'),
  'tfjs-node': () => tryTfjsNode('@tensorflow/tfjs-node'),
  native: tryNative,
  wasm: tryWasm,
  cpu: tryCpu,
};

let current: SelectedBackend | undefined;

/**
 * Switches TensorFlow.js to a backend. 'auto' takes the first that works in BACKEND_NAMES order and says in
 * `detail` why faster ones were skipped; a named backend that is unavailable throws an error saying why.
 */
export async function selectBackend(preference: BackendName | 'auto' = 'auto'): Promise<SelectedBackend> {
  if (preference !== 'auto') {
    if (!BACKEND_NAMES.includes(preference)) {
      throw new Error(`unknown backend "${String(preference)}"; choose one of auto, ${BACKEND_NAMES.join(', ')}`);
    }
    const attempt = await ATTEMPTS[preference]();
    if (!attempt.ok) throw new Error(`backend "${preference}" is unavailable: ${attempt.reason}`);
    current = { name: preference, detail: attempt.detail };
    return current;
  }
  const skipped: string[] = [];
  for (const name of BACKEND_NAMES) {
    const attempt = await ATTEMPTS[name]();
    if (attempt.ok) {
      current = { name, detail: skipped.length > 0 ? `${attempt.detail}; skipped: ${skipped.join('; ')}` : attempt.detail };
      return current;
    }
    skipped.push(`${name}: ${attempt.reason}`);
  }
  throw new Error(`no TensorFlow.js backend could start: ${skipped.join('; ')}`);
}

/** The backend chosen by the last selectBackend() call, if any. */
export function currentBackend(): SelectedBackend | undefined {
  return current;
}
