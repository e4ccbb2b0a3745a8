// Test-only disk behaviour for a process tree, loaded with NODE_OPTIONS="--import <this file>" (child processes and
// forked workers inherit it), so the product code has no seam of its own:
//   SER_TEST_DISK_FULL_UNDER=<folder>  writes to files under <folder> fail with ENOSPC, as on a full disk;
//   SER_TEST_SLOW_UNDER=<folder>       each write, rename and open of a path under <folder> first waits
//   SER_TEST_SLOW_MS=<ms>              this long (a slow disk: a kill can land between the steps of a save),
//                                      and the first one prints "disk-faults: slow <path>" on stderr.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { resolve, sep } from 'node:path';

const under = (root) => {
  if (!root) return null;
  const base = resolve(root) + sep;
  return (path) => typeof path === 'string' && (resolve(path) + sep).startsWith(base);
};
const full = under(process.env.SER_TEST_DISK_FULL_UNDER);
const slow = under(process.env.SER_TEST_SLOW_UNDER);
const slowMs = Number(process.env.SER_TEST_SLOW_MS ?? 0);
const sleeper = new Int32Array(new SharedArrayBuffer(4));
let announced = false;

function pause(path) {
  if (!slow?.(path) || !(slowMs > 0)) return;
  if (!announced) {
    announced = true;
    process.stderr.write(`disk-faults: slow ${path}\n`);
  }
  Atomics.wait(sleeper, 0, 0, slowMs);
}

function enospc(syscall, path) {
  const err = new Error(`ENOSPC: no space left on device, ${syscall} '${path}'`);
  Object.assign(err, { code: 'ENOSPC', errno: -28, syscall, path });
  return err;
}

const fdPaths = new Map();
const { writeFileSync, writeSync, renameSync, openSync, closeSync } = fs;

fs.writeFileSync = function (path, ...rest) {
  pause(path);
  if (full?.(path)) {
    // A full disk takes what fits: leave a partial file, as a real ENOSPC does.
    writeFileSync(path, '');
    throw enospc('write', path);
  }
  return writeFileSync.call(this, path, ...rest);
};
fs.renameSync = function (from, to) {
  pause(from);
  return renameSync.call(this, from, to);
};
fs.openSync = function (path, ...rest) {
  pause(path);
  const fd = openSync.call(this, path, ...rest);
  if (full?.(path)) fdPaths.set(fd, path);
  return fd;
};
fs.closeSync = function (fd) {
  fdPaths.delete(fd);
  return closeSync.call(this, fd);
};
fs.writeSync = function (fd, ...rest) {
  if (fdPaths.has(fd)) throw enospc('write', fdPaths.get(fd));
  return writeSync.call(this, fd, ...rest);
};
syncBuiltinESMExports();
