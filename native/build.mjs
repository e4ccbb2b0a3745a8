// Builds the optional native TensorFlow.js kernels (native/build/Release/ser_kernels.node) with node-gyp.
// Runs as the package's postinstall, so it must never fail the install: every outcome prints one line and exits 0.
// Without the addon, training runs on the wasm backend. SER_SKIP_NATIVE=1 skips the build.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const logFile = join(here, 'build', 'build.log');
// Outside the checkout so that an interrupted build leaves nothing for git to see.
const lockFile = join(tmpdir(), `ser-native-build-${createHash('sha1').update(here).digest('hex').slice(0, 12)}.lock`);
const builtFile = join(here, 'build', 'Release', 'ser_kernels.node');

function report(message) {
  console.log(`native kernels: ${message}`);
  process.exit(0);
}

/** Path of a node-gyp entry script: npm's lifecycle variable, a local install, or the copy bundled with npm. */
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed locally; try npm's own copy below
  }
  const prefix = dirname(dirname(process.execPath));
  candidates.push(join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  if (process.env.npm_execpath) {
    // npm_execpath is .../npm/bin/npm-cli.js
    candidates.push(join(dirname(dirname(process.env.npm_execpath)), 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  }
  return candidates.find((c) => existsSync(c));
}

/** Node's own headers, when the install ships them, so node-gyp need not download them (no internet in CI). */
function localNodeDir() {
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

/** The most telling line of a failed build: the first compiler/linker error, else node-gyp's own complaint. */
function firstErrorLine(text) {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const compiler = lines.find((l) => /(fatal )?error:|cannot find -l|undefined reference/.test(l));
  const gyp = lines.find((l) => /^gyp ERR! (stack )?Error/.test(l) || /not found|No such file/.test(l));
  return compiler ?? gyp ?? lines.at(-1) ?? 'no output';
}

/** Waits while another install builds in the same folder (node-gyp rebuild deletes build/ under its feet). */
function takeLock() {
  const deadline = Date.now() + 600_000;
  for (;;) {
    try {
      closeSync(openSync(lockFile, 'wx'));
      return true;
    } catch (error) {
      if (error?.code !== 'EEXIST') return true; // read-only checkout and the like: build without the lock
      let age = Infinity;
      try {
        age = Date.now() - statSync(lockFile).mtimeMs;
      } catch {
        continue; // released between the two calls
      }
      if (age > 600_000) rmSync(lockFile, { force: true });
      else if (Date.now() > deadline) return false;
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
}

function main() {
  if (process.env.SER_SKIP_NATIVE === '1') report('skipped (SER_SKIP_NATIVE=1); training will use wasm');
  if (!takeLock()) report(`another build held ${lockFile} for 10 minutes; skipped`);
  process.on('exit', () => rmSync(lockFile, { force: true }));
  const gyp = findNodeGyp();
  const nodeDir = localNodeDir();
  const args = ['rebuild', '--release', ...(nodeDir ? [`--nodedir=${nodeDir}`] : [])];
  const started = Date.now();
  const run = gyp
    ? spawnSync(process.execPath, [gyp, ...args], { cwd: here, encoding: 'utf8', timeout: 600_000 })
    : spawnSync('npx', ['--yes', 'node-gyp', ...args], { cwd: here, encoding: 'utf8', timeout: 600_000 });
  const output = `${run.stdout ?? ''}\n${run.stderr ?? ''}${run.error ? `\n${run.error.message}` : ''}`;
  try {
    mkdirSync(dirname(logFile), { recursive: true });
    writeFileSync(logFile, output);
  } catch {
    // the log is a convenience; the one-line report below still says what happened
  }
  if (run.status === 0 && existsSync(builtFile)) {
    // Load it once in a child: a library missing at run time shows up now rather than as a silent wasm fallback.
    const probe = spawnSync(process.execPath, ['-e', `process.stdout.write(require(${JSON.stringify(builtFile)}).blasConfig())`], {
      encoding: 'utf8',
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    if (probe.status === 0) {
      const libs = probe.stdout
        .split(' | ')
        .map((l) => l.split(' ').slice(0, 2).join(' '))
        .join(', ');
      const hint = probe.stdout.includes('oneDNN') ? '' : ' (install libdnnl-dev and rebuild for 2-3x faster convolutions)';
      const fftw = existsSync(join(here, 'build', 'Release', 'ser_features.node'))
        ? '; spectrogram addon built with FFTW'
        : '; no spectrogram addon (apt: libfftw3-dev), features use the TypeScript path';
      report(`built ${builtFile} in ${seconds} s with ${libs}${hint}${fftw}`);
    }
    report(`built ${builtFile} but it does not load (${firstErrorLine(probe.stderr)}); training will use wasm`);
  }
  report(
    `build failed (${firstErrorLine(output)}); training will use wasm. Needs a C++ compiler, make, python3, pkg-config ` +
      `and OpenBLAS, optionally oneDNN (apt: build-essential python3 pkg-config libopenblas-dev libdnnl-dev). Log: ${logFile}`,
  );
}

try {
  main();
} catch (error) {
  report(`build skipped after an unexpected error (${error instanceof Error ? error.message : String(error)}); training will use wasm`);
}
