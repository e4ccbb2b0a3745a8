import { existsSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiEvent } from '../src-shared/api/contract';
import { createHandlers } from './core/api/handlers';
import { defaultDbPath, openStore } from './core/store/db';
import { JobQueue } from './core/jobs';
import { onStopSignals } from './core/stopSignals';
import { startBrowserServer } from './server/browserServer';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
export const RENDERER_DIR = join(ROOT, 'out', 'renderer');

/** Path of the Electron binary when the optional `electron` package and its download are present. */
export function findElectronBinary(): string | null {
  try {
    const pkgDir = dirname(require.resolve('electron/package.json'));
    const pathTxt = join(pkgDir, 'path.txt');
    if (!existsSync(pathTxt)) return null;
    const bin = join(pkgDir, 'dist', readFileSync(pathTxt, 'utf8').trim());
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

/** Builds the renderer with Vite when out/renderer is missing (first start after install). */
export async function ensureRendererBuilt(log: (m: string) => void = (m) => process.stderr.write(`${m}\n`)): Promise<void> {
  if (existsSync(join(RENDERER_DIR, 'index.html'))) return;
  log('Building the renderer (first start)…');
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'vite.renderer.config.ts'), logLevel: 'warn' });
}

export interface StartOptions {
  db?: string;
  port?: number;
  forceBrowser?: boolean;
  open?: boolean;
}

/** `npm start`: the Electron window when its binary exists, else browser mode on 127.0.0.1. */
export async function startWorkbench(opts: StartOptions): Promise<void> {
  const electron = opts.forceBrowser ? null : findElectronBinary();
  const dbPath = opts.db ?? defaultDbPath();
  if (electron) {
    if (!existsSync(join(ROOT, 'out', 'main', 'index.js'))) {
      process.stderr.write('Building the Electron app (first start)…\n');
      const { build } = await import('electron-vite');
      await build({ configFile: join(ROOT, 'electron.vite.config.ts') });
    }
    const child = spawn(electron, [join(ROOT, 'out', 'main', 'index.js')], { stdio: 'inherit', env: { ...process.env, SER_DB: dbPath } });
    // `kill <pid>` of `ser start` closes the app too, instead of leaving the window behind.
    const release = onStopSignals((s) => child.kill(s));
    await new Promise<void>((resolve) => child.on('exit', () => resolve()));
    release();
    return;
  }

  // The store first: a missing native part is one line of error, before anything else is said or built.
  const store = openStore(dbPath);
  process.stderr.write(
    `${opts.forceBrowser ? 'Browser mode requested' : 'Electron is not available here (its binary is not installed)'}: serving the workbench in browser mode instead.\n`,
  );
  await ensureRendererBuilt();
  if (store.interruptedRunIds.length)
    process.stderr.write(`Runs ${store.interruptedRunIds.join(', ')} were left running by a crash: marked interrupted.\n`);
  let broadcast: (e: ApiEvent) => void = () => {};
  const jobs = new JobQueue((e) => broadcast(e));
  const shutdown = new AbortController();
  const clients = new EventTarget();
  const handlers = createHandlers({ store, jobs, mode: 'browser', shutdown: shutdown.signal, clients });
  const port = opts.port ?? (process.env.SER_PORT ? Number(process.env.SER_PORT) : 5317);
  // SER_TOKEN lets a test harness know the token in advance; normally it is random per session.
  const server = await startBrowserServer({
    handlers,
    rendererDir: RENDERER_DIR,
    port,
    token: process.env.SER_TOKEN || undefined,
    onLastClientGone: () => clients.dispatchEvent(new Event('gone')),
  });
  broadcast = server.broadcast;
  process.stdout.write(`Ser Workbench (browser mode) at ${server.url}\n`);
  if (opts.open !== false && process.env.DISPLAY) {
    // Best effort: a desktop session has xdg-open; headless machines just use the printed address.
    spawn('xdg-open', [server.url], { stdio: 'ignore', detached: true })
      .on('error', () => {})
      .unref();
  }
  const stop = async () => {
    shutdown.abort();
    jobs.cancelAll();
    await server.close();
    store.close();
    process.exit(0);
  };
  onStopSignals(() => void stop());
  await new Promise<void>(() => {});
}
