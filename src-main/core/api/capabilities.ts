import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { portAudioBuilt } from '../recorder/portaudio';
import { projectRoot } from '../projectRoot';
import type { AppInfo } from '../../../src-shared/api/contract';

const require = createRequire(import.meta.url);
const ROOT = projectRoot();

function resolvable(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** What optional native pieces this install has; cheap checks, nothing is loaded. */
export async function capabilities(): Promise<AppInfo['capabilities']> {
  return {
    nativeKernels: existsSync(join(ROOT, 'native', 'build', 'Release')),
    wasm: resolvable('@tensorflow/tfjs-backend-wasm'),
    tfjsNode: resolvable('@tensorflow/tfjs-node') || resolvable('@tensorflow/tfjs-node-gpu'),
    portaudio: portAudioBuilt(),
  };
}
