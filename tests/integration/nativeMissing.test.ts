import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ser as run } from '../helpers/cli';
import { makeTempDir, removeDir } from '../helpers/fixtures';
import { RAVDESS_16K, REPO_ROOT } from '../helpers/shared';

// SER_SQLITE_BINDING points better-sqlite3 at a native part that cannot load, as after an install whose
// scripts npm blocked (no build) or a file that is not a shared object. Every entry point must say so in
// one line, with the fix, and exit non-zero without touching the database.

let tmp: string;
beforeAll(() => {
  tmp = makeTempDir('ser-native-missing-');
  writeFileSync(join(tmp, 'broken.node'), 'not a shared object\n');
});
afterAll(() => removeDir(tmp));

function ser(binding: string, ...args: string[]) {
  return run(args, { timeout: 60_000, env: { SER_SQLITE_BINDING: binding, SER_DEBUG: '' } });
}

const NOT_BUILT = new RegExp(
  `^error: cannot open the workbench store: better-sqlite3 was never built \\(npm skipped its install script, blocked by allowScripts or --ignore-scripts, or its build failed\\)\\. Fix: cd ${REPO_ROOT.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} && npm rebuild better-sqlite3\n$`,
);

describe('the store cannot load its native part', () => {
  it.each([['datasets'], ['runs'], ['import', RAVDESS_16K], ['train', '--dataset', '1', '--model', 'svm']])(
    'ser %s: one line naming the module, the cause and the fix; exit 1',
    (...args) => {
      const db = join(tmp, `${args[0]}.sqlite`);
      const r = ser(join(tmp, 'never-built', 'better_sqlite3.node'), ...args, '--db', db);
      expect(r.stderr).toMatch(NOT_BUILT);
      expect(r.code).toBe(1);
      expect(r.stdout.trim()).toBe('');
      expect(existsSync(db)).toBe(false);
    },
  );

  it('--json: the same message as one JSON object on stdout', () => {
    const r = ser(join(tmp, 'never-built', 'better_sqlite3.node'), 'datasets', '--db', join(tmp, 'j.sqlite'), '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { error: string };
    expect(`error: ${out.error}\n`).toMatch(NOT_BUILT);
  });

  it('npm start (browser mode): the same line before anything is built or served, exit 1', () => {
    const r = ser(join(tmp, 'never-built', 'better_sqlite3.node'), 'start', '--browser', '--no-open', '--port', '0', '--db', join(tmp, 's.sqlite'));
    expect(r.stderr).toMatch(NOT_BUILT);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('browser mode) at');
  });

  it('a native part that is not a shared object: "failed to load" with the loader reason, one line', () => {
    const broken = join(tmp, 'broken.node');
    const r = ser(broken, 'datasets', '--db', join(tmp, 'b.sqlite'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: cannot open the workbench store: better-sqlite3 failed to load (${broken}: file too short). Fix: cd ${REPO_ROOT} && npm rebuild better-sqlite3\n`,
    );
  });
});
