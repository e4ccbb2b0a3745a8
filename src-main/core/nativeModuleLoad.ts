import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { errorMessage } from '../../src-shared/api/errors';

/**
 * Why a native module (a compiled `.node` file inside an npm package) failed to load, said in one line with the
 * command that fixes it. npm 12 blocks install scripts that package.json's `allowScripts` does not cover, so a
 * module can be installed without ever being built; a Node.js or Electron upgrade leaves it built for another ABI.
 */

export type NativeLoadCause = 'not-built' | 'abi-mismatch' | 'unloadable';

export interface NativeLoadDiagnosis {
  /** npm package name, e.g. better-sqlite3 */
  module: string;
  cause: NativeLoadCause;
  /** The reason in words, after the module's name: "was never built (...)". */
  why: string;
  /** The shell command that rebuilds the module for the runtime in use. */
  fix: string;
}

/** The runtime a module must be built for: Electron's embedded Node has an ABI of its own. */
export interface RuntimeVersions {
  node: string;
  modules: string;
  electron?: string;
}

/** The first line of an error's message (loader messages run to a dozen lines of tried paths). */
function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}

/** The folder whose node_modules holds `module` (where `npm rebuild` runs), if it is installed. */
export function installFolder(module: string): string | undefined {
  try {
    return dirname(dirname(dirname(createRequire(import.meta.url).resolve(`${module}/package.json`))));
  } catch {
    return undefined;
  }
}

/** A path as one shell word. */
function shellQuote(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`;
}

/** Reads a loader error and says which of the three known failures it is. */
export function diagnoseNativeLoad(
  module: string,
  err: unknown,
  where: { projectDir?: string; runtime?: RuntimeVersions; rebuild?: string } = {},
): NativeLoadDiagnosis {
  const runtime = where.runtime ?? process.versions;
  const message = errorMessage(err);
  const code = (err as { code?: unknown } | null)?.code;
  // The caller knows a better command where npm's would be wrong (an Electron build kept beside Node's).
  const rebuild = where.rebuild ?? `npm rebuild ${module}`;
  const fix = where.projectDir ? `cd ${shellQuote(where.projectDir)} && ${rebuild}` : rebuild;
  const runtimeName = runtime.electron
    ? `Electron ${runtime.electron}`
    : `Node.js ${runtime.node.startsWith('v') ? runtime.node : `v${runtime.node}`}`;

  const abi = /NODE_MODULE_VERSION (\d+)[\s\S]*?requires\s+NODE_MODULE_VERSION (\d+)/.exec(message);
  if (abi) {
    return {
      module,
      cause: 'abi-mismatch',
      why: `was built for another runtime (NODE_MODULE_VERSION ${abi[1]}; ${runtimeName} needs ${abi[2]})`,
      fix,
    };
  }
  if (/Could not locate the bindings file/.test(message) || (code === 'MODULE_NOT_FOUND' && /\.node\b/.test(message))) {
    return {
      module,
      cause: 'not-built',
      why: 'was never built (npm skipped its install script, blocked by allowScripts or --ignore-scripts, or its build failed)',
      fix,
    };
  }
  return { module, cause: 'unloadable', why: `failed to load (${firstLine(message)})`, fix };
}

/** A native module the workbench cannot run without; the message is the whole story, in one line. */
export class NativeModuleError extends Error {
  constructor(
    readonly diagnosis: NativeLoadDiagnosis,
    purpose: string,
  ) {
    super(`${purpose}: ${diagnosis.module} ${diagnosis.why}. Fix: ${diagnosis.fix}`);
    this.name = 'NativeModuleError';
  }
}
