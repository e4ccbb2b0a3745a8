#!/usr/bin/env node
// Builds better-sqlite3 a second time, for Electron's ABI, when the Electron binary is installed (postinstall, after
// native/build.mjs; run it by hand after installing or upgrading Electron). One line says what it did or why not.
//
// npm builds node_modules/better-sqlite3 for the Node.js that ran the install, and it is not an N-API module, so
// Electron's main process and utility processes cannot load that build. Rebuilding it in place (what
// `electron-rebuild` does by default) would break it for Node.js: the CLI, browser mode and the tests. So this builds a
// copy in node_modules/.electron-abi/ with @electron/rebuild, and src-main/core/store/sqlite.ts passes that file to
// better-sqlite3's `nativeBinding` option when it runs inside Electron. One install, both runtimes.
//
// Not rebuilt, on purpose:
// - naudiodon (and segfault-handler, which it loads): the recorder's capture process runs it under the system Node.js,
//   never inside Electron (src-main/core/recorder/captureProcess.ts), so npm's Node build is the one it needs.
// - the kernels of native/: N-API (node-addon-api), ABI-stable, they load in Electron as built.
//
// Electron's headers are downloaded from SER_ELECTRON_HEADERS_URL (default https://www.electronjs.org/headers) unless
// ~/.electron-gyp has them; better-sqlite3's prebuilt Electron binary, when prebuild-install can reach GitHub, saves
// the compile. Without the internet both fail: one line says so and the install goes on (exit 0 under npm's
// postinstall, 1 when run by hand), and the Electron window says at start which module failed to load and this fix.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The folder @electron/rebuild builds in: a package.json naming better-sqlite3 and a copy of it under node_modules/. */
const STAGING = join(ROOT, 'node_modules', '.electron-abi');
/** What the Electron app loads; the same path as electronBindingPath() in src-main/core/store/sqlite.ts. */
const BUILT = join(STAGING, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
const LOG = join(STAGING, 'rebuild.log');
const underNpm = process.env.npm_lifecycle_event === 'postinstall';
const require = createRequire(join(ROOT, 'package.json'));

function done(message, ok = true) {
  console.log(`electron rebuild: ${message}`);
  process.exit(ok || underNpm ? 0 : 1);
}

/** The Electron binary, as launch.ts finds it: node_modules/electron/path.txt naming a file under dist/. */
function electronInstall() {
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { skip: 'skipped, the electron package is not installed (browser mode only)' };
  }
  const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
  const pathTxt = join(pkgDir, 'path.txt');
  const binary = existsSync(pathTxt) ? join(pkgDir, 'dist', readFileSync(pathTxt, 'utf8').trim()) : null;
  if (!binary || !existsSync(binary)) {
    return {
      skip: `skipped, the Electron ${version} binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD or no internet at install); better-sqlite3 stays built for Node.js only`,
    };
  }
  return { version };
}

/** The most telling line of a failed rebuild: a download or compiler error, else the last line. */
function tellingLine(text, headerURL) {
  // node-gyp replaces a failed header download's ENOTFOUND with three lines about proxies.
  if (/related to network connectivity|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|fetch failed/.test(text)) {
    return `Electron's headers could not be downloaded from ${headerURL} (no network?)`;
  }
  const lines = text
    .split('\n')
    .map((l) => l.replace(/^gyp ERR! (stack )?/, '').trim())
    .filter(Boolean);
  const pick =
    lines.find((l) => /\b40[34]\b/.test(l)) ??
    lines.find((l) => /(fatal )?error:|cannot find -l|undefined reference/.test(l)) ??
    lines.find((l) => /^Error\b|Error:/.test(l)) ??
    lines.at(-1);
  return pick ?? 'no output';
}

/** A fresh copy of better-sqlite3's sources (not its Node build) in the staging folder, unless that version is there. */
function stage(sourceDir, version) {
  const target = join(STAGING, 'node_modules', 'better-sqlite3');
  let staged = null;
  try {
    staged = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8')).version;
  } catch {
    // nothing staged yet
  }
  if (staged !== version) {
    rmSync(target, { recursive: true, force: true });
    cpSync(sourceDir, target, {
      recursive: true,
      filter: (src) => relative(sourceDir, src) !== 'build' && !relative(sourceDir, src).startsWith('node_modules'),
    });
  }
  writeFileSync(
    join(STAGING, 'package.json'),
    `${JSON.stringify({ name: 'ser-electron-abi', private: true, dependencies: { 'better-sqlite3': version } }, null, 2)}\n`,
  );
}

async function main() {
  if (process.env.SER_SKIP_ELECTRON_REBUILD === '1') done('skipped (SER_SKIP_ELECTRON_REBUILD=1)');
  const electron = electronInstall();
  if (electron.skip) done(electron.skip);
  let sqliteDir;
  try {
    sqliteDir = dirname(require.resolve('better-sqlite3/package.json'));
  } catch {
    done('skipped, better-sqlite3 is not installed', false);
  }
  const sqliteVersion = JSON.parse(readFileSync(join(sqliteDir, 'package.json'), 'utf8')).version;
  let rebuild;
  try {
    ({ rebuild } = await import('@electron/rebuild'));
  } catch (error) {
    done(
      `skipped, @electron/rebuild cannot load (${error instanceof Error ? error.message.split('\n')[0] : String(error)}; it is a devDependency: npm install without --omit=dev)`,
      false,
    );
  }

  mkdirSync(STAGING, { recursive: true });
  stage(sqliteDir, sqliteVersion);
  // npm hands its config to lifecycle scripts as npm_config_* variables, and node-gyp reads them: nodedir (set on
  // machines without internet, pointing at Node's headers) would build against Node.js, not Electron, without a word.
  for (const key of ['nodedir', 'target', 'runtime', 'disturl', 'dist_url', 'arch', 'build_from_source']) {
    delete process.env[`npm_config_${key}`];
    delete process.env[`npm_config_${key.toUpperCase()}`];
  }
  // @electron/rebuild prints the whole node-gyp output through console.error when a build fails: into the log instead.
  const output = [];
  const capture = (...args) => output.push(args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(' '));
  const saved = { error: console.error, warn: console.warn, log: console.log };
  Object.assign(console, { error: capture, warn: capture, log: capture });
  const headerURL = process.env.SER_ELECTRON_HEADERS_URL || 'https://www.electronjs.org/headers';
  const started = Date.now();
  let failure = null;
  let upToDate = false;
  try {
    const run = rebuild({
      buildPath: STAGING,
      projectRootPath: STAGING,
      electronVersion: electron.version,
      onlyModules: ['better-sqlite3'],
      // An Electron upgrade changes the ABI that build/Release/.forge-meta records, and so rebuilds; no second copy in bin/.
      disablePreGypCopy: true,
      headerURL,
    });
    run.lifecycle.on('module-skip', () => (upToDate = true));
    await run;
  } catch (error) {
    failure = error;
    output.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
  } finally {
    Object.assign(console, saved);
  }
  writeFileSync(LOG, `${output.join('\n')}\n`);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (!failure && upToDate && existsSync(BUILT))
    done(`better-sqlite3 ${sqliteVersion} is already built for Electron ${electron.version}: ${relative(ROOT, BUILT)}`);
  if (!failure && existsSync(BUILT)) {
    done(
      `better-sqlite3 ${sqliteVersion} built for Electron ${electron.version} in ${seconds} s: ${relative(ROOT, BUILT)} (the Electron app loads it; Node.js keeps node_modules/better-sqlite3)`,
    );
  }
  done(
    `could not build better-sqlite3 for Electron ${electron.version} (${failure ? tellingLine(output.join('\n'), headerURL) : `no ${relative(ROOT, BUILT)}`}); ` +
      `the CLI and browser mode are unaffected, the Electron window will not open its store. Needs Electron's headers ` +
      `(internet, or SER_ELECTRON_HEADERS_URL) and a C++ toolchain; retry: node bin/rebuild-electron.mjs. Log: ${relative(ROOT, LOG)}`,
    false,
  );
}

main().catch((error) => done(`failed unexpectedly (${error instanceof Error ? error.message : String(error)})`, false));
