import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { diagnoseNativeLoad, installFolder, NativeModuleError } from '../nativeModuleLoad';

/** The command that builds better-sqlite3 for Electron beside Node's build (run from the project folder). */
const ELECTRON_REBUILD = 'node bin/rebuild-electron.mjs';

/**
 * better-sqlite3 built for Electron's ABI by bin/rebuild-electron.mjs (at install, when the Electron binary is
 * there). npm's build in node_modules/better-sqlite3 is for Node.js, and neither runtime can load the other's.
 */
export function electronBindingPath(projectDir = installFolder('better-sqlite3')): string | undefined {
  return projectDir
    ? join(projectDir, 'node_modules', '.electron-abi', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')
    : undefined;
}

/**
 * SER_SQLITE_BINDING names another build of better_sqlite3.node (tests point it at one that cannot load); inside
 * Electron (the main process and its utility processes), the Electron build when there is one.
 */
function nativeBinding(): string | undefined {
  const override = process.env.SER_SQLITE_BINDING;
  if (override) return resolve(override);
  if (!process.versions.electron) return undefined;
  const electronBuild = electronBindingPath();
  return electronBuild && existsSync(electronBuild) ? electronBuild : undefined;
}

let loadFailure: NativeModuleError | null | undefined;

/**
 * better-sqlite3 loads its native part on the first `new Database()`, and a failure there would otherwise surface
 * as "Could not locate the bindings file" and a dozen paths. An in-memory probe tells a load failure apart from a
 * database that cannot be opened.
 */
function assertLoadable(): void {
  if (loadFailure === undefined) {
    try {
      new Database(':memory:', { nativeBinding: nativeBinding() }).close();
      loadFailure = null;
    } catch (err) {
      // Inside Electron the fix is the second, Electron build: rebuilding node_modules' copy in place for Electron
      // would break the CLI, browser mode and the tests.
      const rebuild = process.versions.electron ? ELECTRON_REBUILD : undefined;
      const diagnosis = diagnoseNativeLoad('better-sqlite3', err, { projectDir: installFolder('better-sqlite3'), rebuild });
      loadFailure = new NativeModuleError(diagnosis, 'cannot open the workbench store');
    }
  }
  if (loadFailure) throw loadFailure;
}

/** Opens a SQLite database; throws NativeModuleError (one line: which module, why, the fix) when better-sqlite3 cannot load. */
export function openDatabase(path: string, options: Database.Options = {}): Database.Database {
  assertLoadable();
  return new Database(path, { ...options, nativeBinding: nativeBinding() });
}
