// The Electron shell, checked as far as a machine without the Electron binary allows: the BUILT main bundle
// (out/main/index.js, electron-vite's output) runs in a child Node.js process whose `electron` import is a stand-in
// (tests/helpers/fakeElectron.mjs, mapped by the module hook in fakeElectron.hooks.mjs). The stand-in reports every
// call the main process makes into Electron, and lets the test play Electron's part: an invoke from the page, a
// response's headers, a permission request, window.open, a navigation. What it cannot show: that Electron itself
// honours these settings, renders the page, or loads the better-sqlite3 build made for its ABI.
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestSchemas, type ApiEvent, type IpcReply } from '../../src-shared/api/contract';
import { FEATURE_PRESETS } from '../../src-shared/config/features';
import { electronBindingPath } from '../../src-main/core/store/sqlite';
import { contentSecurityPolicy } from '../../src-main/server/csp';
import { makeTempDir, removeDir } from '../helpers/fixtures';
import { RAVDESS_16K, REPO_ROOT } from '../helpers/shared';

const require = createRequire(import.meta.url);
const OUT = join(REPO_ROOT, 'out');
const MAIN = join(OUT, 'main', 'index.js');
const OUTPUTS = [
  MAIN,
  join(OUT, 'main', 'featureWorker.js'),
  join(OUT, 'main', 'trainWorker.js'),
  join(OUT, 'preload', 'index.js'),
  join(OUT, 'renderer', 'index.html'),
];
/** What the main, worker and preload bundles are built from (the renderer only has to exist). */
const SOURCES = ['src-main', 'src-shared', 'src-preload', 'electron.vite.config.ts', 'package.json'].map((p) => join(REPO_ROOT, p));
const HOOKS = join(REPO_ROOT, 'tests', 'helpers', 'fakeElectron.hooks.mjs');

function resolvable(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** `electron-vite build` (what `npm run build` runs) when an output is missing or older than its sources. */
function ensureBuilt(): void {
  const built =
    OUTPUTS.every((p) => existsSync(p)) && Math.min(...OUTPUTS.slice(0, 4).map((p) => statSync(p).mtimeMs)) >= Math.max(...SOURCES.map(newestMtime));
  if (built) return;
  const bin = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
  // Vitest's NODE_ENV=test would reach the build (Vue's dev mode in the renderer): the build gets the shell's own.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_ENV' && !k.startsWith('VITEST')));
  const r = spawnSync(process.execPath, [bin, 'build'], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`electron-vite build failed (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
}

type Call = { type: 'call'; api: string } & Record<string, unknown>;
type Driven = { type: 'driven'; id: number; value?: unknown; error?: string };

/** The built main process running against the stand-in electron module. */
class Shell {
  readonly calls: Call[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly listeners = new Set<() => void>();
  private nextId = 1;
  private readonly pending = new Map<number, (m: Driven) => void>();

  constructor(env: Record<string, string>) {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SER_') || k === 'SER_SHARED_DIR'));
    this.child = fork(MAIN, [], { execArgv: ['--import', HOOKS], env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.child.stderr?.setEncoding('utf8').on('data', (text: string) => (this.stderr += text));
    this.child.on('message', (m: Call | Driven) => {
      if (m.type === 'driven') this.pending.get(m.id)?.(m);
      else this.calls.push(m);
      for (const l of this.listeners) l();
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  callsTo(api: string): Call[] {
    return this.calls.filter((c) => c.api === api);
  }

  /** The first call matching `api` (and `test`), waiting for it. */
  waitFor(api: string, test: (c: Call) => boolean = () => true, timeoutMs = 30_000): Promise<Call> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.calls.find((c) => c.api === api && test(c));
        if (!found) return false;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`no ${api} call within ${timeoutMs} ms; calls: ${this.calls.map((c) => c.api).join(', ')}; stderr: ${this.stderr}`));
      }, timeoutMs);
      if (!check()) this.listeners.add(check);
    });
  }

  /** An API event the main process sent to the page (webContents.send('ser:event', …)). */
  async waitForEvent(test: (e: ApiEvent) => boolean): Promise<ApiEvent> {
    const call = await this.waitFor('webContents.send', (c) => c.channel === 'ser:event' && test(c.payload as ApiEvent));
    return call.payload as ApiEvent;
  }

  drive(action: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (m) => (m.error === undefined ? resolve(m.value) : reject(new Error(m.error))));
      this.child.send({ type: 'drive', action, id, ...params });
    });
  }

  /** ipcRenderer.invoke('ser:api', {method, params}) from a frame at `url` (null: a frame that is gone). */
  invoke(method: string, params?: unknown, url: string | null = 'file:///opt/ser-workbench/out/renderer/index.html'): Promise<IpcReply> {
    return this.drive('invoke', { channel: 'ser:api', payload: { method, params }, url }) as Promise<IpcReply>;
  }

  kill(): void {
    this.child.kill();
  }
}

describe.skipIf(!resolvable('electron/package.json'))('the Electron shell (built main bundle, stand-in electron module)', () => {
  let tmp: string;
  let shell: Shell;
  let db: string;

  beforeAll(async () => {
    ensureBuilt();
    tmp = makeTempDir('ser-electron-shell-');
    db = join(tmp, 'workbench.sqlite');
    // With a real Electron build of better-sqlite3 here (bin/rebuild-electron.mjs), this Node.js could not load it.
    const electronBuild = electronBindingPath();
    const nodeBuild = join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
    shell = new Shell({
      SER_DB: db,
      FAKE_ELECTRON_USER_DATA: tmp,
      ...(electronBuild && existsSync(electronBuild) ? { SER_SQLITE_BINDING: nodeBuild } : {}),
    });
    await shell.waitFor('BrowserWindow.loadFile');
  }, 240_000);
  afterAll(async () => {
    shell?.kill();
    await shell?.exited;
    if (tmp) removeDir(tmp);
  });

  it('npm run build wrote the main, worker, preload and renderer bundles, with dependencies left to node_modules', () => {
    for (const p of OUTPUTS) expect(existsSync(p), p).toBe(true);
    const mainFiles = [join(OUT, 'main'), join(OUT, 'main', 'chunks')].flatMap((d) =>
      readdirSync(d)
        .filter((f) => f.endsWith('.js'))
        .map((f) => join(d, f)),
    );
    const code = mainFiles.map((f) => readFileSync(f, 'utf8')).join('\n');
    const bare = new Set([...code.matchAll(/^import (?:[^'"]* from )?"([^".][^"]*)";$/gm)].map((m) => m[1]).filter((s) => !s.startsWith('node:')));
    for (const dep of ['electron', 'better-sqlite3', 'zod', '@tensorflow/tfjs']) expect(bare, dep).toContain(dep);
    // better-sqlite3's own JavaScript (lib/database.js) is not in the bundle: it is imported, and finds its native part itself.
    expect(code).not.toContain('function Database(filenameGiven');
    // The sandboxed preload needs nothing but electron.
    expect(readFileSync(join(OUT, 'preload', 'index.js'), 'utf8')).not.toMatch(/require\("(?!electron")/);
  });

  it('opens one window: context isolation, sandbox, no Node integration, web security, the built preload and page', () => {
    const windows = shell.callsTo('new BrowserWindow');
    expect(windows).toHaveLength(1);
    const prefs = (windows[0].options as { webPreferences: Record<string, unknown> }).webPreferences;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(prefs.preload).toBe(join(OUT, 'preload', 'index.js'));
    expect(shell.callsTo('BrowserWindow.loadFile').map((c) => c.path)).toEqual([join(OUT, 'renderer', 'index.html')]);
  });

  it('serves every contract method through the one ser:api handler, to the file:// page only', async () => {
    expect(shell.callsTo('ipcMain.handle').map((c) => c.channel)).toEqual(['ser:api']);
    const info = await shell.invoke('app.info', {});
    expect(info).toMatchObject({ result: { mode: 'electron', dbPath: db } });
    // The bundle finds the project folder from out/main/chunks as the source tree does from src-main/core.
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(info).toMatchObject({
      result: { version: pkg.version, capabilities: { nativeKernels: existsSync(join(REPO_ROOT, 'native', 'build', 'Release')) } },
    });
    expect(await shell.invoke('nope.nope', {})).toEqual({ error: { code: 'unknown_method', message: 'Unknown method "nope.nope".' } });
    // Each method is known to the dispatcher: params that cannot parse are refused as invalid, never as unknown, and
    // reach no handler.
    for (const method of Object.keys(requestSchemas)) {
      const reply = await shell.invoke(method, 'not an object');
      expect('error' in reply && reply.error.code, method).toBe('invalid');
      expect('error' in reply && reply.error.message, method).toContain(`Invalid request for ${method}`);
    }
    const refused = { error: { code: 'invalid', message: 'Refused: not the workbench page.' } };
    expect(await shell.invoke('app.info', {}, 'https://example.org/')).toEqual(refused);
    expect(await shell.invoke('app.info', {}, 'http://127.0.0.1:5317/')).toEqual(refused);
    expect(await shell.invoke('app.info', {}, null)).toEqual(refused);
  });

  it('adds the Content-Security-Policy to every response and grants the microphone, nothing else', async () => {
    expect(shell.callsTo('webRequest.onHeadersReceived')).toHaveLength(1);
    const headers = await shell.drive('headers', { responseHeaders: { 'Content-Type': ['text/html'] } });
    expect(headers).toEqual({ responseHeaders: { 'Content-Type': ['text/html'], 'Content-Security-Policy': [contentSecurityPolicy()] } });
    expect(await shell.drive('permission', { permission: 'media' })).toBe(true);
    for (const permission of ['geolocation', 'notifications', 'clipboard-read', 'midi', 'openExternal', 'fullscreen']) {
      expect(await shell.drive('permission', { permission }), permission).toBe(false);
    }
  });

  it('denies every new window (https links go to the system browser) and prevents navigation', async () => {
    expect(await shell.drive('windowOpen', { url: 'https://example.org/paper' })).toEqual({ action: 'deny' });
    expect(await shell.drive('windowOpen', { url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(await shell.drive('windowOpen', { url: 'http://example.org/' })).toEqual({ action: 'deny' });
    expect(shell.callsTo('shell.openExternal').map((c) => c.url)).toEqual(['https://example.org/paper']);
    expect(await shell.drive('navigate', { url: 'https://example.org/' })).toEqual({ prevented: true });
    expect(await shell.drive('navigate', { url: 'file:///etc/passwd' })).toEqual({ prevented: true });
  });

  it('starts feature extraction workers with utilityProcess.fork on the built worker, and kills them on cancel', async () => {
    // Four real recordings: enough for a dataset, and for the extraction to need workers (the cache is empty).
    const folder = join(tmp, 'ravdess-4', 'Actor_01');
    mkdirSync(folder, { recursive: true });
    const wavs = readdirSync(join(RAVDESS_16K, 'Actor_01'))
      .filter((f) => f.endsWith('.wav'))
      .sort()
      .slice(0, 4);
    for (const f of wavs) copyFileSync(join(RAVDESS_16K, 'Actor_01', f), join(folder, f));

    const imported = await shell.invoke('datasets.import', { folder: dirname(folder), corpus: 'ravdess' });
    if (!('result' in imported)) throw new Error(`datasets.import: ${JSON.stringify(imported)}`);
    const importJob = (imported.result as { jobId: string }).jobId;
    const importEnd = await shell.waitForEvent((e) => (e.type === 'job.done' || e.type === 'job.error') && e.jobId === importJob);
    expect(importEnd.type, JSON.stringify(importEnd)).toBe('job.done');
    const list = await shell.invoke('datasets.list', {});
    const datasetId = ('result' in list ? (list.result as { id: number }[]) : [])[0]?.id;
    expect(datasetId).toBeTypeOf('number');

    const started = await shell.invoke('features.extract', { datasetId, config: FEATURE_PRESETS['seed-logmel'] });
    if (!('result' in started)) throw new Error(`features.extract: ${JSON.stringify(started)}`);
    const jobId = (started.result as { jobId: string }).jobId;
    const fork = await shell.waitFor('utilityProcess.fork');
    expect(fork).toMatchObject({ modulePath: join(OUT, 'main', 'featureWorker.js'), args: [], serviceName: 'featureWorker' });
    // The worker is told its config before any file; this one never answers, so the job waits until cancelled.
    await shell.waitFor('utilityProcess.postMessage', (c) => (c.message as { type?: string }).type === 'init');

    expect(await shell.invoke('jobs.cancel', { jobId })).toEqual({ result: { cancelled: true } });
    const end = await shell.waitForEvent((e) => e.type === 'job.error' && e.jobId === jobId);
    expect(end).toMatchObject({ type: 'job.error', kind: 'extract', cancelled: true });
    const forks = shell.callsTo('utilityProcess.fork');
    expect(forks.every((c) => c.modulePath === join(OUT, 'main', 'featureWorker.js'))).toBe(true);
    expect(shell.callsTo('utilityProcess.kill')).toHaveLength(forks.length);
  });
});

describe.skipIf(!resolvable('electron/package.json'))('the Electron shell when the store cannot load better-sqlite3', () => {
  let tmp: string;
  beforeAll(() => {
    ensureBuilt();
    tmp = makeTempDir('ser-electron-native-');
  }, 240_000);
  afterAll(() => tmp && removeDir(tmp));

  it('says which module and the fix on stderr (one line) and in an error box, then exits with status 1', async () => {
    const db = join(tmp, 'workbench.sqlite');
    const shell = new Shell({ SER_DB: db, FAKE_ELECTRON_USER_DATA: tmp, SER_SQLITE_BINDING: join(tmp, 'never-built', 'better_sqlite3.node') });
    const code = await shell.exited;
    const message =
      'cannot open the workbench store: better-sqlite3 was never built (npm skipped its install script, blocked by allowScripts or ' +
      `--ignore-scripts, or its build failed). Fix: cd ${REPO_ROOT} && node bin/rebuild-electron.mjs`;
    expect(shell.stderr).toBe(`error: ${message}\n`);
    expect(shell.callsTo('dialog.showErrorBox')).toEqual([
      { type: 'call', api: 'dialog.showErrorBox', title: 'Ser Workbench cannot start', content: message },
    ]);
    expect(shell.callsTo('app.exit')).toEqual([{ type: 'call', api: 'app.exit', code: 1 }]);
    expect(code).toBe(1);
    expect(shell.callsTo('new BrowserWindow')).toEqual([]);
    expect(shell.callsTo('ipcMain.handle')).toEqual([]);
    expect(existsSync(db)).toBe(false);
  });
});
