// A stand-in for the `electron` module, for tests/integration/electronShell.test.ts: the built main bundle
// (out/main/index.js) runs in a child Node.js process whose `electron` import resolves here (fakeElectron.hooks.mjs).
// Every call the main process makes into Electron is reported to the test over the child's IPC channel
// ({type: 'call', api, ...}); the test drives what the real Electron would (an IPC invoke from the page, a response's
// headers, a permission request, window.open, a navigation) with {type: 'drive', ...} messages and gets the answer
// back as {type: 'driven', id, value}. Nothing here opens a window or starts a process.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const electronPackage = JSON.parse(
  readFileSync(join(dirname(createRequire(import.meta.url).resolve('electron/package.json')), 'package.json'), 'utf8'),
);
// What the code under test sees inside Electron: which build of better-sqlite3 to load, the fix it suggests.
Object.defineProperty(process.versions, 'electron', { value: electronPackage.version, enumerable: true });

/** Reports one call to the test; `then` runs once the message is on its way (before app.exit ends the process). */
function report(api, data = {}, then) {
  if (process.send) process.send({ type: 'call', api, ...data }, then);
  else then?.();
}

// What the main process registered, for the test to drive.
const ipcHandlers = new Map();
let headersListener = null;
let permissionHandler = null;
const windows = [];

export const app = {
  whenReady: () => Promise.resolve(),
  getPath: (name) => join(process.env.FAKE_ELECTRON_USER_DATA ?? tmpdir(), name),
  on(event, listener) {
    report('app.on', { event });
    appEvents.on(event, listener);
    return app;
  },
  quit: () => report('app.quit'),
  exit(code = 0) {
    report('app.exit', { code }, () => process.exit(code));
  },
};
const appEvents = new EventEmitter();

export const dialog = {
  showErrorBox: (title, content) => report('dialog.showErrorBox', { title, content }),
};

export const ipcMain = {
  handle(channel, handler) {
    ipcHandlers.set(channel, handler);
    report('ipcMain.handle', { channel });
  },
  on: (channel) => report('ipcMain.on', { channel }),
  removeHandler: (channel) => ipcHandlers.delete(channel),
};

export const session = {
  defaultSession: {
    webRequest: {
      onHeadersReceived(listener) {
        headersListener = listener;
        report('webRequest.onHeadersReceived');
      },
    },
    setPermissionRequestHandler(handler) {
      permissionHandler = handler;
      report('session.setPermissionRequestHandler');
    },
  },
};

export const shell = {
  openExternal(url) {
    report('shell.openExternal', { url });
    return Promise.resolve();
  },
};

class FakeWebContents extends EventEmitter {
  windowOpenHandler = null;
  send(channel, payload) {
    report('webContents.send', { channel, payload });
  }
  setWindowOpenHandler(handler) {
    this.windowOpenHandler = handler;
    report('webContents.setWindowOpenHandler');
  }
}

export class BrowserWindow {
  constructor(options) {
    this.webContents = new FakeWebContents();
    windows.push(this);
    report('new BrowserWindow', { options });
  }
  loadFile(path) {
    report('BrowserWindow.loadFile', { path });
    return Promise.resolve();
  }
}

class FakeUtilityProcess extends EventEmitter {
  // A real one has no pid until it has spawned; this one never spawns and never answers.
  pid = undefined;
  postMessage(message) {
    report('utilityProcess.postMessage', { message });
  }
  kill() {
    report('utilityProcess.kill');
    setImmediate(() => this.emit('exit', null));
    return true;
  }
}

export const utilityProcess = {
  fork(modulePath, args, options = {}) {
    // The environment is the whole of process.env: only what the shell adds to it is reported.
    report('utilityProcess.fork', { modulePath, args, serviceName: options.serviceName, dbEnv: options.env?.SER_DB });
    return new FakeUtilityProcess();
  },
};

export const contextBridge = {};
export const ipcRenderer = {};
export default { app, BrowserWindow, contextBridge, dialog, ipcMain, ipcRenderer, session, shell, utilityProcess };

/** What the test can make Electron do; each returns a JSON value. */
const drivers = {
  /** The page calls ipcRenderer.invoke(channel, payload) from a frame at `url`. */
  async invoke({ channel, payload, url }) {
    const handler = ipcHandlers.get(channel);
    if (!handler) throw new Error(`no ipcMain.handle('${channel}')`);
    const event = { senderFrame: url === null ? null : { url }, sender: windows[0]?.webContents };
    return await handler(event, payload);
  },
  /** A response arrives with `responseHeaders`: what the listener hands back to Electron. */
  headers({ responseHeaders }) {
    if (!headersListener) throw new Error('no webRequest.onHeadersReceived listener');
    return new Promise((resolve) => headersListener({ url: 'file:///index.html', responseHeaders }, resolve));
  },
  /** The page asks for `permission`: granted or not. */
  permission({ permission }) {
    if (!permissionHandler) throw new Error('no permission request handler');
    return new Promise((resolve) => permissionHandler(windows[0]?.webContents, permission, resolve, {}));
  },
  /** The page calls window.open(url): the handler's answer. */
  windowOpen({ url }) {
    const handler = windows[0]?.webContents.windowOpenHandler;
    if (!handler) throw new Error('no window open handler');
    return handler({ url, frameName: '', features: '', disposition: 'new-window', referrer: { url: '', policy: 'default' } });
  },
  /** The page navigates to `url`: whether the main process prevented it. */
  navigate({ url }) {
    const contents = windows[0]?.webContents;
    if (!contents) throw new Error('no window');
    let prevented = false;
    contents.emit('will-navigate', { url, preventDefault: () => (prevented = true) }, url);
    return { prevented };
  },
};

process.on('message', (message) => {
  if (message?.type !== 'drive') return;
  Promise.resolve()
    .then(() => drivers[message.action](message))
    .then(
      (value) => process.send({ type: 'driven', id: message.id, value: value ?? null }),
      (error) => process.send({ type: 'driven', id: message.id, error: error instanceof Error ? error.message : String(error) }),
    );
});
