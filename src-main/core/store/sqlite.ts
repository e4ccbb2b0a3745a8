import Database from 'better-sqlite3';
import { resolve } from 'node:path';
import { diagnoseNativeLoad, installFolder, NativeModuleError } from '../nativeModuleLoad';

/** SER_SQLITE_BINDING names another build of better_sqlite3.node (tests point it at one that cannot load). */
function nativeBinding(): string | undefined {
  const override = process.env.SER_SQLITE_BINDING;
  return override ? resolve(override) : undefined;
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
      const diagnosis = diagnoseNativeLoad('better-sqlite3', err, { projectDir: installFolder('better-sqlite3') });
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
