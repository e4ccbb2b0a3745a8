import { readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { projectRoot } from '../projectRoot';
import type { AppInfo, DirEntry } from '../../../src-shared/api/contract';
import { type Handlers } from './dispatch';
import { ApiError } from '../../../src-shared/api/errors';
import type { Store } from '../store/db';
import { getSetting, setSetting } from '../store/settings';
import type { JobQueue } from '../jobs';
import { datasetHandlers } from './datasetHandlers';
import { runHandlers } from './runHandlers';
import { studyHandlers } from './studyHandlers';
import { recorderHandlers } from './recorderHandlers';
import { profileHandlers } from './profileHandlers';
import { capabilities } from './capabilities';

export interface HandlerContext {
  store: Store;
  jobs: JobQueue;
  mode: AppInfo['mode'];
  /** Aborted when the workbench shuts down: open recording streams stop. */
  shutdown?: AbortSignal;
  /**
   * Fires 'gone' when no renderer is attached any more (the last browser tab closed, the window reloaded or crashed):
   * recording streams it opened and can no longer stop are stopped.
   */
  clients?: EventTarget;
}

const ROOT = projectRoot();

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Every API method, wired to the core. Params arrive already validated by dispatch(). */
export function createHandlers(ctx: HandlerContext): Handlers {
  const { db } = ctx.store;
  const shared = resolve(ROOT, '..', 'shared', 'data');
  return {
    'app.info': async () => ({
      version: version(),
      mode: ctx.mode,
      dbPath: ctx.store.path,
      home: homedir(),
      sharedData: safeIsDir(shared) ? shared : null,
      capabilities: await capabilities(),
    }),
    'fs.list': ({ path }) => {
      const dir = resolve(path ?? homedir());
      let names: string[];
      try {
        if (!statSync(dir).isDirectory()) throw new ApiError(`${dir} is not a folder.`, 'invalid');
        names = readdirSync(dir);
      } catch (err) {
        if (err instanceof ApiError) throw err;
        throw new ApiError(`Cannot read folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'not_found');
      }
      const entries: DirEntry[] = [];
      for (const name of names.sort((a, b) => a.localeCompare(b))) {
        if (name.startsWith('.')) continue;
        const full = join(dir, name);
        try {
          entries.push({ name, path: full, kind: statSync(full).isDirectory() ? 'dir' : 'file' });
        } catch {
          // Broken links and unreadable entries are simply not listed.
        }
      }
      const parent = dirname(dir);
      return { path: dir, parent: parent === dir ? null : parent, entries };
    },
    'settings.get': ({ key }) => {
      return { value: getSetting(db, key) };
    },
    'settings.set': ({ key, value }) => {
      setSetting(db, key, value);
      return { ok: true as const };
    },
    'jobs.cancel': ({ jobId }) => ({ cancelled: ctx.jobs.cancel(jobId) }),
    ...datasetHandlers(ctx),
    ...runHandlers(ctx),
    ...studyHandlers(ctx),
    ...recorderHandlers(ctx),
    ...profileHandlers(ctx),
  };
}

function safeIsDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
