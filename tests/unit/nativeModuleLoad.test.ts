import { describe, expect, it } from 'vitest';
import { diagnoseNativeLoad, NativeModuleError } from '../../src-main/core/nativeModuleLoad';

// The loader messages below are verbatim: Node 24.22.3 loading a better-sqlite3 built by Node 20.20.2, the
// `bindings` package when the build folder is absent, and dlopen on a file that is not a shared object.
const ABI_MESSAGE =
  "The module '/work/main/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 137. Please try re-compiling or re-installing\nthe module (for instance, using `npm rebuild` or `npm install`).";
const BINDINGS_MESSAGE =
  'Could not locate the bindings file. Tried:\n → /work/main/node_modules/better-sqlite3/build/better_sqlite3.node\n → /work/main/node_modules/better-sqlite3/build/Debug/better_sqlite3.node';
const error = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});
const node24 = { node: '24.22.3', modules: '137' };

describe('diagnoseNativeLoad', () => {
  it('names an ABI mismatch with both module versions and the runtime', () => {
    const d = diagnoseNativeLoad('better-sqlite3', error(ABI_MESSAGE, 'ERR_DLOPEN_FAILED'), { projectDir: '/work/main', runtime: node24 });
    expect(d).toEqual({
      module: 'better-sqlite3',
      cause: 'abi-mismatch',
      why: 'was built for another runtime (NODE_MODULE_VERSION 115; Node.js v24.22.3 needs 137)',
      fix: 'cd /work/main && npm rebuild better-sqlite3',
    });
  });

  it('tells a module that was never built from one that is broken', () => {
    expect(diagnoseNativeLoad('better-sqlite3', error(BINDINGS_MESSAGE), { runtime: node24 }).cause).toBe('not-built');
    const missingFile = error("Cannot find module '/tmp/x/better_sqlite3.node'\nRequire stack:\n- a.js", 'MODULE_NOT_FOUND');
    expect(diagnoseNativeLoad('better-sqlite3', missingFile, { runtime: node24 }).cause).toBe('not-built');
    // A missing JavaScript dependency is not a missing build.
    const missingJs = error("Cannot find module 'bindings'", 'MODULE_NOT_FOUND');
    expect(diagnoseNativeLoad('better-sqlite3', missingJs, { runtime: node24 }).cause).toBe('unloadable');
    const broken = diagnoseNativeLoad('better-sqlite3', error('/tmp/t/bad.node: file too short', 'ERR_DLOPEN_FAILED'), { runtime: node24 });
    expect(broken).toMatchObject({ cause: 'unloadable', why: 'failed to load (/tmp/t/bad.node: file too short)', fix: 'npm rebuild better-sqlite3' });
  });

  it("names Electron as the runtime, takes the caller's rebuild command, and quotes a folder with spaces", () => {
    const d = diagnoseNativeLoad('better-sqlite3', error(ABI_MESSAGE.replace('137', '145')), {
      projectDir: "/home/ana/SER work/it's",
      runtime: { node: '24.11.1', modules: '145', electron: '41.7.1' },
      rebuild: 'node bin/rebuild-electron.mjs',
    });
    expect(d.why).toBe('was built for another runtime (NODE_MODULE_VERSION 115; Electron 41.7.1 needs 145)');
    expect(d.fix).toBe("cd '/home/ana/SER work/it'\\''s' && node bin/rebuild-electron.mjs");
  });

  it('makes one line of purpose, module, reason and fix', () => {
    const d = diagnoseNativeLoad('better-sqlite3', error(BINDINGS_MESSAGE), { projectDir: '/p', runtime: node24 });
    const err = new NativeModuleError(d, 'cannot open the workbench store');
    expect(err.message).toBe(
      'cannot open the workbench store: better-sqlite3 was never built (npm skipped its install script, blocked by allowScripts or --ignore-scripts, or its build failed). Fix: cd /p && npm rebuild better-sqlite3',
    );
    expect(err.message).not.toContain('\n');
  });
});
