import { app, BrowserWindow, dialog, ipcMain, session, shell, utilityProcess } from 'electron';
import { join } from 'node:path';
import type { ApiEvent, IpcReply } from '../../src-shared/api/contract';
import { dispatch } from '../core/api/dispatch';
import { createHandlers } from '../core/api/handlers';
import { JobQueue } from '../core/jobs';
import { setWorkerLauncher, type WorkerHandle } from '../core/processes';
import { NativeModuleError } from '../core/nativeModuleLoad';
import { openStore, type Store } from '../core/store/db';
import { contentSecurityPolicy } from '../server/csp';

// Heavy work runs in utility processes built next to this file (see electron.vite.config.ts).
setWorkerLauncher((name, env): WorkerHandle => {
  const child = utilityProcess.fork(join(__dirname, `${name}.js`), [], { env: { ...process.env, ...env }, serviceName: name });
  return {
    pid: child.pid,
    send: (m) => child.postMessage(m),
    onMessage: (l) => void child.on('message', l),
    onExit: (l) => void child.once('exit', (code) => l(code, null)),
    kill: () => void child.kill(),
  };
});

async function main(): Promise<void> {
  await app.whenReady();
  let store: Store;
  try {
    store = openStore(process.env.SER_DB ?? join(app.getPath('userData'), 'workbench.sqlite'));
  } catch (err) {
    if (!(err instanceof NativeModuleError)) throw err;
    // better-sqlite3 built for Node's ABI, not Electron's, is the usual cause: say which module and the fix.
    process.stderr.write(`error: ${err.message}\n`);
    dialog.showErrorBox('Ser Workbench cannot start', err.message);
    app.exit(1);
    return;
  }
  let win: BrowserWindow | null = null;
  const send = (event: ApiEvent) => win?.webContents.send('ser:event', event);
  const jobs = new JobQueue(send);
  const shutdown = new AbortController();
  const clients = new EventTarget();
  const handlers = createHandlers({ store, jobs, mode: 'electron', shutdown: shutdown.signal, clients });

  session.defaultSession.webRequest.onHeadersReceived((details, cb) =>
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy()] } }),
  );
  // No remote content, no new windows, no permission the recorder does not need.
  session.defaultSession.setPermissionRequestHandler((_wc, permission, cb) => cb(permission === 'media'));

  let nextId = 1;
  ipcMain.handle('ser:api', async (event, raw: unknown): Promise<IpcReply> => {
    // Only the workbench page (loaded from file://) may call; a frame that is gone (senderFrame null) is refused too.
    if (!event.senderFrame?.url.startsWith('file://')) return { error: { code: 'invalid', message: 'Refused: not the workbench page.' } };
    const msg = (raw ?? {}) as { method?: unknown; params?: unknown };
    const reply = await dispatch(handlers, nextId++, typeof msg.method === 'string' ? msg.method : '', msg.params);
    return 'error' in reply ? { error: reply.error } : { result: (reply as { result: unknown }).result };
  });

  win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Ser Workbench',
    webPreferences: {
      preload: join(__dirname, '..', 'preload', 'index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  // A reload or a crashed renderer leaves its recording streams with nobody to stop them.
  const gone = () => clients.dispatchEvent(new Event('gone'));
  win.webContents.on('did-start-loading', gone);
  win.webContents.on('render-process-gone', gone);
  await win.loadFile(join(__dirname, '..', 'renderer', 'index.html'));

  app.on('window-all-closed', () => {
    shutdown.abort();
    jobs.cancelAll();
    store.close();
    app.quit();
  });
}

void main();
