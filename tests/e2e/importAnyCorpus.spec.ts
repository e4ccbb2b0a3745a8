import { expect, test } from '@playwright/test';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openImportWizard, openWorkbench } from '../helpers/e2e';
import { RAVDESS_16K } from '../helpers/shared';

// Importing a corpus the workbench has no convention for, as a researcher clicks it: emotion-word folders in the
// spellings corpora use (01Neutral, Anger, happiness), one folder name that is no emotion, speakers and genders in the
// file names read by a pattern typed into the wizard, a damaged file; the live preview shows what each file becomes
// before anything is stored, the unknown folder is mapped by hand, and the import stores exactly that.

const DATASET = 'e2e-any-corpus';

/** Folders of RAVDESS recordings (links) under new names: <speaker>_<gender>_<take>.wav, two speakers per folder. */
function wordFolderCorpus(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ser-e2e-any-corpus-'));
  // RAVDESS emotion codes: 01 neutral, 05 angry, 03 happy, 04 sad (the "misc" folder holds sad takes).
  const folders: [string, string][] = [
    ['01Neutral', '01'],
    ['Anger', '05'],
    ['happiness', '03'],
    ['misc', '04'],
  ];
  for (const [folder, code] of folders) {
    mkdirSync(join(dir, folder));
    for (const [actor, speaker, gender] of [
      ['Actor_01', 'spk1', 'm'],
      ['Actor_02', 'spk2', 'w'],
    ]) {
      const takes = readdirSync(join(RAVDESS_16K, actor))
        .filter((f) => f.split('-')[2] === code)
        .sort()
        .slice(0, 3);
      takes.forEach((f, i) => symlinkSync(join(RAVDESS_16K, actor, f), join(dir, folder, `${speaker}_${gender}_${i + 1}.wav`)));
    }
  }
  // A WAV that is only a few bytes (the preview reads names only; the import names its reason) and a real
  // recording whose name does not fit the pattern typed below.
  writeFileSync(join(dir, 'Anger', 'spk1_m_9.wav'), Buffer.from('RIFF\x04\x00\x00\x00WAVE'));
  const angryTake = readdirSync(join(RAVDESS_16K, 'Actor_03')).find((f) => f.split('-')[2] === '05')!;
  symlinkSync(join(RAVDESS_16K, 'Actor_03', angryTake), join(dir, 'Anger', 'take.wav'));
  return dir;
}

test('import wizard: word folders + a typed name pattern → live preview → unknown folder mapped → stored as previewed', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openWorkbench(page);
  await openImportWizard(page);

  await page.getByTestId('import-folder').fill(wordFolderCorpus());
  await page.getByTestId('import-detect').click();
  // No corpus convention fits: labels come from the folder names; the folder that is no emotion is reported.
  await expect(page.getByTestId('import-source')).toHaveValue('folders');
  await expect(page.getByTestId('import-unknown')).toContainText('misc');
  await expect(page.getByTestId('import-unknown')).toContainText('6 file(s)');
  await expect(page.getByTestId('import-summary')).toContainText('20 labelled file(s) in 3 classes');
  for (const c of ['neutral 6', 'angry 8', 'happy 6']) await expect(page.getByTestId('import-summary')).toContainText(c);
  await expect(page.getByTestId('import-summary')).toContainText('0 speaker(s)');
  await expect(page.getByTestId('import-problem-count')).toHaveCount(0);

  // A typo in the pattern shows at once, from the same parser the core uses.
  await page.getByTestId('import-pattern').fill('{speaker}_{label}_{_}');
  await expect(page.getByTestId('import-pattern-error')).toContainText('This pattern has {label}');
  // The real pattern: speaker and gender (w is German for female) appear in the preview as it is typed; the name
  // that does not fit is listed with its reason.
  await page.getByTestId('import-pattern').fill('{speaker}_{gender}_{_}');
  await expect(page.getByTestId('import-pattern-error')).toHaveCount(0);
  await expect(page.getByTestId('import-summary')).toContainText('19 labelled file(s) in 3 classes');
  await expect(page.getByTestId('import-summary')).toContainText('2 speaker(s), genders male 10, female 9');
  await expect(page.getByTestId('import-problem-count')).toContainText('1 file name(s) or CSV row(s) cannot be read');
  await expect(page.getByTestId('import-problems')).toContainText('Anger/take.wav');
  const row = page.getByTestId('preview-row-01Neutral/spk2_w_1.wav');
  await expect(row).toContainText('neutral');
  await expect(row).toContainText('spk2');
  await expect(row).toContainText('female');
  // The folder's own spelling is shown beside the unified label.
  await expect(page.getByTestId('preview-row-Anger/spk1_m_1.wav')).toContainText('angry (Anger)');

  // The unknown folder gets a label by hand; the preview follows.
  await page.getByTestId('labelmap-misc').fill('sad');
  await expect(page.getByTestId('import-summary')).toContainText('25 labelled file(s) in 4 classes');
  await expect(page.getByTestId('import-unknown')).toHaveCount(0);

  await page.getByTestId('import-name').fill(DATASET);
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-result')).toContainText(`${DATASET}`);
  // Every file is listed (26); the two that cannot be used are errors with their reasons, the other 24 are data.
  await expect(page.getByTestId('import-result')).toContainText('26 files, 4 classes, 2 speakers, 2 error(s)');
  await expect(page.getByTestId('import-result')).toContainText('spk1_m_9.wav: no fmt chunk (not a valid WAV file)');
  await expect(page.getByTestId('import-result')).toContainText('take.wav: name does not match the pattern {speaker}_{gender}_{_}');
  await page.screenshot({ path: 'test-results/import-any-corpus.png', fullPage: true });
  expect(errors).toEqual([]);
});
