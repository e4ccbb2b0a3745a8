import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { decodeWavMono, encodeWav, parseWav } from '../../src-shared/audio/wav';
import { ser } from '../helpers/cli';
import { openWorkbench, fakeMicrophone } from '../helpers/e2e';
import { RAVDESS_16K } from '../helpers/shared';

// Speaker profiles and live mode by utterance, as a user clicks them: enrol one speaker (Actor 03, whom the model
// never heard) from the fake microphone and from files, then let live mode cut the microphone into utterances and
// classify each with that profile, and export the session.

const RATE = 16_000;
const ACTOR = join(RAVDESS_16K, 'Actor_03');
/** Three sentences of Actor 03 (angry, happy, sad) that the microphone speaks. */
const SPOKEN = ['03-01-05-02-01-01-03.wav', '03-01-03-02-01-01-03.wav', '03-01-04-02-02-01-03.wav'];
/** Two more of the same actor, enrolled as files. */
const ENROL_FILES = ['03-01-01-01-01-01-03.wav', '03-01-02-01-01-02-03.wav'];
const PROFILE = 'e2e-actor03';

/** Quiet room noise (about -60 dBFS, seeded): what the detector calibrates on. */
function roomNoise(seconds: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: Math.round(seconds * RATE) }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s / 2 ** 31 - 0.5) * 0.002;
  });
}

/** The microphone's file: 1.5 s of near-silence, then the three sentences with 1 s pauses (Chromium loops it). */
function micWav(): string {
  const parts: Float32Array[] = [roomNoise(1.5, 1)];
  SPOKEN.forEach((name, i) => {
    const bytes = new Uint8Array(readFileSync(join(ACTOR, name)));
    const info = parseWav(bytes, name);
    expect(info.sampleRate).toBe(RATE);
    parts.push(decodeWavMono(bytes, info), roomNoise(1, i + 2));
  });
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const path = join(mkdtempSync(join(tmpdir(), 'ser-e2e-mic-')), 'actor03-three-utterances.wav');
  writeFileSync(path, encodeWav(all, RATE));
  return path;
}

test.use(fakeMicrophone(micWav()));

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/recorder-live-${name}.png`, fullPage: true });

/** A speaker-normalised SVM on Actors 01 and 02, trained by the CLI into the server's own database (about 20 s). */
function trainSpeakerNormSvm(db: string): { runId: number; labels: string[] } {
  const corpus = mkdtempSync(join(tmpdir(), 'ser-e2e-corpus-'));
  for (const actor of ['Actor_01', 'Actor_02']) symlinkSync(join(RAVDESS_16K, actor), join(corpus, actor));
  // Two speakers: one to train on, one to test; no validation speaker is left, and an SVM needs none.
  const r = ser(
    ['train', '--data', corpus, '--model', 'svm', '--speaker-norm', '--test-speakers', '02', '--val-speakers', '', '--db', db, '--json'],
    { env: { SER_CACHE_DIR: join(dirname(db), 'feature-cache'), SER_MODELS_DIR: join(dirname(db), 'models') } },
  );
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as { runId: number; status: string; metrics: { labels: string[] } };
  expect(out.status).toBe('completed');
  return { runId: out.runId, labels: out.metrics.labels };
}

test('speaker profile from the microphone and files → live mode per utterance with it → export', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openWorkbench(page);
  const db = await page.getByTestId('app-db').getAttribute('title');
  expect(db).toBeTruthy();
  const { runId, labels } = trainSpeakerNormSvm(db!);

  // 1. The Recorder with the new model; the panel says it adapts to speakers.
  await page.getByTestId('nav-recorder').click();
  await page.getByTestId('rec-source').selectOption('browser');
  const modelOption = page.getByTestId('rec-model').locator('option', { hasText: `run ${runId} ` });
  await page.getByTestId('rec-model').selectOption((await modelOption.getAttribute('value'))!);
  await expect(page.getByTestId('profile-model-adapts')).toContainText('speaker normalisation');

  // 2. A new profile, enrolled with six 1.5 s takes from the microphone…
  await page.getByTestId('profile-new-name').fill(PROFILE);
  await page.getByTestId('profile-create').click();
  await expect(page.getByTestId('profile-progress')).toContainText(`“${PROFILE}” is created with its first take`);
  await page.getByTestId('rec-seconds').fill('1.5');
  for (let take = 1; take <= 6; take++) {
    await page.getByTestId('rec-start').click();
    await expect(page.getByTestId('rec-recording')).toBeHidden();
    await expect(page.getByTestId('rec-recorded')).toContainText(/1\.50 s at \d+ Hz/);
    await page.getByTestId('profile-add-take').click();
    await expect(page.getByTestId('profile-count')).toHaveText(`${take} / 8`);
  }
  await expect(page.getByTestId('profile-needs')).toContainText('needs 8 before it is used');
  // Not usable yet, so the take on screen went without it, and a speaker-normalised model cannot classify one take alone.
  await expect(page.getByTestId('rec-classify-error')).toContainText('speaker profile');

  // …and two files of the same actor, picked on the core's machine.
  await page.getByTestId('profile-add-files').click();
  // The picker opens its last folder first; typing before that listing arrives would be overwritten by it.
  await expect(page.getByTestId('picker-path')).not.toHaveValue('');
  await page.getByTestId('picker-path').fill(ACTOR);
  await page.getByTestId('picker-path').press('Enter');
  for (const name of ENROL_FILES) await page.getByTestId(`picker-entry-${name}`).locator('input[type=checkbox]').check();
  await expect(page.getByTestId('picker-use-folder')).toHaveCount(0);
  await page.getByTestId('picker-add-selected').click();
  await expect(page.getByTestId('profile-count')).toHaveText('8 / 8');
  await expect(page.getByTestId('profile-ready')).toBeVisible();
  await expect(page.getByTestId('profile-result')).toContainText('Added 2 utterances');
  // Now usable, so the take on screen is classified again, with it.
  await expect(page.getByTestId('rec-classification-profile')).toContainText(`speaker profile “${PROFILE}”`);

  // 3. Choose it explicitly (none, then the profile), as a user coming back would.
  await page.getByTestId('profile-select').selectOption({ label: 'none — training statistics' });
  await page.getByTestId('profile-select').selectOption({ label: `${PROFILE} (8 / 8)` });
  await expect(page.getByTestId('rec-classification-profile')).toContainText(`speaker profile “${PROFILE}”`);
  await shot(page, '1-profile');

  // 4. Live mode per utterance. Releasing the input makes the next capture start the microphone's file from its
  //    beginning, so the detector calibrates on the near-silence.
  await page.getByTestId('rec-release').click();
  await page.getByTestId('live-mode-utterance').check();
  await page.getByTestId('live-start').click();
  await expect(page.getByTestId('live-segments-status')).toContainText(/calibrating on the room noise|listening/);
  await expect(page.getByTestId('live-profile')).toHaveText(`speaker profile “${PROFILE}”`);
  // Generous: two sentences of real time (about 10 s) plus a classification each on a shared 2-core machine.
  const rows = page.getByTestId('live-utterance');
  await expect.poll(() => rows.count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
  await page.getByTestId('live-stop').click();
  await expect(page.getByTestId('live-start')).toBeEnabled({ timeout: 30_000 });
  await shot(page, '2-live-utterances');

  const n = await rows.count();
  const shown: { start: number; end: number; label: string }[] = [];
  for (let i = 0; i < n; i++) {
    const row = rows.nth(i);
    const start = Number(await row.getAttribute('data-start'));
    const end = Number(await row.getAttribute('data-end'));
    const label = (await row.getAttribute('data-label')) ?? '';
    expect(start).toBeLessThan(end);
    expect(labels).toContain(label);
    await expect(row.getByTestId('live-utterance-profile')).toHaveText(PROFILE);
    shown.push({ start, end, label });
  }

  // 5. Export JSON: the same utterances, with the profile and the model.
  const download = page.waitForEvent('download');
  await page.getByTestId('live-export-json').click();
  const file = await (await download).path();
  const body = JSON.parse(readFileSync(file, 'utf8')) as {
    model: { labels: string[] };
    profile: { name: string } | null;
    utterances: { index: number; start: number; end: number; label: string; probabilities: Record<string, number>; latencyMs: number }[];
  };
  expect(body.profile?.name).toBe(PROFILE);
  expect(body.model.labels).toEqual(labels);
  expect(body.utterances.length).toBe(n);
  // The table lists the newest first.
  expect(body.utterances.map(({ start, end, label }) => ({ start, end, label })).reverse()).toEqual(shown);
  for (const u of body.utterances) expect(Object.keys(u.probabilities).sort()).toEqual([...labels].sort());

  // 6. CSV has the documented columns.
  const csvDownload = page.waitForEvent('download');
  await page.getByTestId('live-export-csv').click();
  const csv = readFileSync(await (await csvDownload).path(), 'utf8')
    .trim()
    .split(/\r?\n/);
  expect(csv[0]).toBe(['index', 'start', 'end', 'label', ...labels.map((l) => `p_${l}`), 'latencyMs'].join(','));
  expect(csv).toHaveLength(n + 1);

  await page.getByTestId('live-clear').click();
  await expect(rows).toHaveCount(0);

  // 7. Rename, then delete the profile: the choice falls back to none.
  await page.getByTestId('profile-rename').click();
  await page.getByTestId('profile-rename-input').fill(`${PROFILE}-renamed`);
  await page.getByTestId('profile-rename-save').click();
  await expect(page.getByTestId('profile-select').locator('option:checked')).toHaveText(`${PROFILE}-renamed (8 / 8)`);
  await page.getByTestId('profile-delete').click();
  await page.getByTestId('profile-delete-yes').click();
  await expect(page.getByTestId('profile-select').locator('option:checked')).toHaveText('none — training statistics');
  expect(errors, errors.join('\n')).toEqual([]);
});
