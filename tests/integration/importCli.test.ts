import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ser as run } from '../helpers/cli';
import { makeTempDir, removeDir } from '../helpers/fixtures';
import { RAVDESS_16K } from '../helpers/shared';

let tmp: string;
beforeAll(() => {
  tmp = makeTempDir('ser-cli-import-');
});
afterAll(() => removeDir(tmp));

const ser = (...args: string[]) => run(args);

describe('ser import / ser datasets', () => {
  it('imports RAVDESS and prints one JSON object', () => {
    const db = join(tmp, 'w.sqlite');
    const r = ser('import', RAVDESS_16K, '--db', db, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { datasetId: number; files: number; classes: Record<string, number>; speakers: number; errors: unknown[] };
    expect(out).toMatchObject({ datasetId: 1, corpus: 'ravdess', files: 960, speakers: 16, errors: [] });
    expect(Object.keys(out.classes)).toHaveLength(8);
    expect(r.stderr).toContain('960/960');

    const list = ser('datasets', '--db', db, '--json');
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject([{ id: 1, name: 'ravdess-16k', fileCount: 960, errorCount: 0, speakers: 16 }]);

    const mapped = ser('import', RAVDESS_16K, '--db', db, '--map', 'calm=neutral,surprised=', '--name', 'speech');
    expect(mapped.code, mapped.stderr).toBe(0);
    expect(mapped.stdout).toMatch(/dataset 1 "speech" \(ravdess\): 960 files, 6 classes, 16 speakers, 0 errors/);
    expect(mapped.stdout).toContain('neutral 192');
  });

  it('fails with a readable message and exit code 1 on a missing folder or bad option', () => {
    const db = join(tmp, 'w2.sqlite');
    const missing = ser('import', join(tmp, 'nowhere'), '--db', db, '--json');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error: folder not found: .*nowhere/);
    expect(JSON.parse(missing.stdout)).toEqual({ error: expect.stringMatching(/folder not found/) });
    const badCorpus = ser('import', RAVDESS_16K, '--db', db, '--corpus', 'iemocap');
    expect(badCorpus.code).not.toBe(0);
    expect(badCorpus.stderr).toMatch(/iemocap.*is invalid|Allowed choices/);
    const badMap = ser('import', RAVDESS_16K, '--db', db, '--map', 'calm');
    expect(badMap.code).toBe(1);
    expect(badMap.stderr).toMatch(/not of the form from=to/);
  });
});
