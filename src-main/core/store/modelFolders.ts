import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Model folders are written whole or not at all: every file goes into a hidden staging folder beside the target
 * (`.<name>.saving-<pid>`), which is flushed to disk and renamed onto the target in one step. A process killed mid-save
 * leaves only the staging folder, which nothing registers or lists and the next open of the store removes.
 */
const STAGING = /^\.(.+)\.(saving|replaced)-(\d+)$/;

/** The models/ folder beside a database file (./models for an in-memory one). */
export function modelsRoot(storePath: string): string {
  return storePath === ':memory:' || storePath === '' ? resolve('models') : join(dirname(storePath), 'models');
}

/** The staging folder this process writes `dir` into before committing it. */
export function stagingDirFor(dir: string): string {
  return join(dirname(dir), `.${basename(dir)}.saving-${process.pid}`);
}

/** Creates an empty staging folder for `dir` (a leftover of this pid's earlier attempt is cleared first). */
export function createStagingDir(dir: string): string {
  const staging = stagingDirFor(dir);
  mkdirSync(dirname(dir), { recursive: true });
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  return staging;
}

/** fsync of a file or folder; folders cannot be opened for it on Windows, where NTFS journals renames itself. */
function fsyncPath(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if (process.platform === 'win32') return;
    throw err;
  }
  try {
    fsyncSync(fd);
  } catch (err) {
    // Some file systems refuse fsync on a folder (EINVAL); their renames are as durable as they get.
    if (!['EINVAL', 'EISDIR', 'EPERM', 'EBADF'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    closeSync(fd);
  }
}

/** Flushes every file and folder under `dir` (files first, then the folders that name them). */
function fsyncTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) fsyncTree(path);
    else if (entry.isFile()) fsyncPath(path);
  }
  fsyncPath(dir);
}

/**
 * Makes a finished staging folder the model folder `dir`: its data is flushed, then it is renamed onto `dir` (an empty
 * reserved `dir` is replaced; a non-empty one, a model saved there before, is swapped out and removed), then the
 * parent folder is flushed so the rename itself survives a power cut.
 */
export function commitStagingDir(staging: string, dir: string): void {
  fsyncTree(staging);
  try {
    renameSync(staging, dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM' && code !== 'EISDIR') throw err;
    if (existsSync(dir) && statSync(dir).isDirectory() && readdirSync(dir).length === 0) {
      rmSync(dir, { recursive: true }); // Windows cannot rename onto an existing folder, even an empty one
      renameSync(staging, dir);
    } else {
      const old = join(dirname(dir), `.${basename(dir)}.replaced-${process.pid}`);
      rmSync(old, { recursive: true, force: true });
      renameSync(dir, old);
      renameSync(staging, dir);
      rmSync(old, { recursive: true, force: true });
    }
  }
  fsyncPath(dirname(dir));
}

/**
 * Removes what killed saves left in `root`: staging folders of processes that are gone. A model folder that was
 * swapped out (`.<name>.replaced-<pid>`) goes back to its name when the new one never arrived, so a registered model
 * keeps its files. Folders of live processes (a save in progress elsewhere) are left alone. `only` limits it to the
 * leftovers of one model folder name. Returns the paths removed or restored.
 */
export function removeAbandonedSaves(root: string, isAlive: (pid: number) => boolean, only?: string): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const handled: string[] = [];
  for (const name of names) {
    const m = STAGING.exec(name);
    if (!m || (only !== undefined && m[1] !== only)) continue;
    const pid = Number(m[3]);
    if (pid === process.pid || isAlive(pid)) continue;
    const path = join(root, name);
    const target = join(root, m[1]);
    try {
      if (m[2] === 'replaced' && !existsSync(target)) renameSync(path, target);
      else rmSync(path, { recursive: true, force: true });
      handled.push(path);
    } catch {
      // Not ours to remove (permissions, another host's folder on a share): it stays hidden and unregistered.
    }
  }
  return handled;
}

/** Error codes that mean the disk, not the model, is the problem. */
const DISK_ERRORS: Record<string, string> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EIO: 'disk I/O error',
  EROFS: 'read-only file system',
};

/**
 * The error a failed model save reports: which folder, what the disk said, what to do. `what` names the thing saved
 * ('the model', 'the ensemble'). Errors that are not the file system's pass through unchanged.
 */
export function modelSaveError(dir: string, err: unknown, what = 'the model'): Error {
  const code = (err as NodeJS.ErrnoException | null)?.code ?? '';
  const message = err instanceof Error ? err.message : String(err);
  const disk = DISK_ERRORS[code];
  if (disk)
    return new Error(
      `${disk} while saving ${what} to ${dir}: ${message}. Nothing was kept there; free space (or choose another output folder) and run it again.`,
    );
  if (code) return new Error(`could not save ${what} to ${dir}: ${message}`);
  return err instanceof Error ? err : new Error(message);
}
