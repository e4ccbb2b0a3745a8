import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openImportWizard, openWorkbench } from '../helpers/e2e';
import { RAVDESS_16K } from '../helpers/shared';

// A study as a researcher clicks it: four RAVDESS actors, an SVM set up in Experiments and run as a 2-fold study
// over a two-value grid, the cells watched in Studies, the aggregate read, a cell's run opened, the table exported.

const DATASET = 'e2e-study-4-actors';
const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/study-${name}.png`, fullPage: true });

/** Four actors (two male, two female) as their own corpus folder: links, not copies, of the shared recordings. */
function fourActorCorpus(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ser-e2e-study-corpus-'));
  for (const actor of ['Actor_01', 'Actor_02', 'Actor_03', 'Actor_04']) symlinkSync(join(RAVDESS_16K, actor), join(dir, actor));
  return dir;
}

test('experiment → run as study → live cells → aggregate with CI → cell run → Markdown table', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await openWorkbench(page);

  // 1. Import four actors under a name this test can find among other specs' datasets.
  await openImportWizard(page);
  await page.getByTestId('import-folder').fill(fourActorCorpus());
  await page.getByTestId('import-detect').click();
  await expect(page.getByTestId('import-detected')).toContainText(/ravdess/i);
  await page.getByTestId('import-name').fill(DATASET);
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-result')).toContainText('240');

  // 2. The run: an SVM on functionals; then the study around it.
  await page.getByTestId('nav-experiments').click();
  await page.getByTestId('exp-dataset').selectOption({ label: `${DATASET} (240 files)` });
  await page.getByTestId('exp-model').selectOption('svm');
  await page.getByTestId('exp-study-folds').selectOption('kfold');
  // Five folds of four speakers: the form accepts it, the core refuses it with a reason.
  await page.getByTestId('exp-study-k').fill('5');
  await page.getByTestId('exp-start-study').click();
  await expect(page.getByTestId('exp-study-error')).toContainText(/5 folds need at least 5 speakers/);
  // A seed that is not a number never leaves the form.
  await page.getByTestId('exp-study-k').fill('2');
  await expect(page.getByTestId('exp-study-error')).toHaveCount(0);
  await page.getByTestId('exp-study-seeds').fill('1, x');
  await expect(page.getByTestId('exp-study-not-ready')).toContainText('Seed "x"');
  await expect(page.getByTestId('exp-start-study')).toBeDisabled();
  await page.getByTestId('exp-study-seeds').fill('1');
  await page.getByTestId('exp-study-grid-add').click();
  await page.getByTestId('exp-study-grid-path-0').fill('model.params.C');
  await page.getByTestId('exp-study-grid-values-0').fill('1, 10');
  await page.getByTestId('exp-study-name').fill('svm-2fold');
  await expect(page.getByTestId('exp-study-cells')).toContainText('2 fold(s) × 1 seed(s) × 2 grid point(s) = 4 runs');
  await shot(page, '1-form');
  await page.getByTestId('exp-start-study').click();

  // 3. The Studies view follows the cells live until the study is done.
  await expect(page).toHaveURL(/#\/studies\/\d+$/);
  await expect(page.getByTestId('study-detail')).toContainText('svm-2fold');
  for (const key of ['f0/s1/p0', 'f0/s1/p1', 'f1/s1/p0', 'f1/s1/p1']) await expect(page.getByTestId(`study-cell-${key}`)).toBeVisible();
  await expect(page.getByTestId('study-status')).toHaveText(/running|completed/, { timeout: 2 * 60_000 });
  await expect(page.getByTestId('study-status')).toHaveText(/completed|failed/, { timeout: 10 * 60_000 });
  await shot(page, '2-done');
  await expect(page.getByTestId('study-status')).toHaveText('completed');
  for (const key of ['f0/s1/p0', 'f0/s1/p1', 'f1/s1/p0', 'f1/s1/p1']) {
    await expect(page.getByTestId(`study-cell-${key}`)).toHaveAttribute('data-status', 'completed');
    await expect(page.getByTestId(`study-cell-${key}`)).toContainText(/UAR \d+\.\d %/);
  }

  // 4. The aggregate: final, selected on validation UAR, UAR mean with its 95 % interval over the two folds.
  await expect(page.getByTestId('study-final')).toBeVisible();
  await expect(page.getByTestId('study-selected')).toContainText(/Selected grid point p[01] \{"model\.params\.C":(1|10)\}/);
  await expect(page.getByTestId('study-selected')).toContainText('validation UAR only');
  await expect(page.getByTestId('study-metric-uar-mean')).toHaveText(/^\d{1,3}\.\d$/);
  await expect(page.getByTestId('study-metric-uar-ci')).toHaveText(/^\[-?\d+\.\d, \d+\.\d\]$/);
  await expect(page.getByTestId('study-per-fold').locator('tbody tr')).toHaveCount(2);
  await expect(page.getByTestId('study-per-speaker').locator('tbody tr')).toHaveCount(4);
  await expect(page.getByTestId('study-per-class')).toContainText('angry');
  await expect(page.getByTestId('study-confusion').getByTestId('confusion-matrix')).toBeVisible();
  await shot(page, '3-aggregate');

  // 5. The Markdown results table: three metric rows in %, the counts in the footnote.
  const uarMean = (await page.getByTestId('study-metric-uar-mean').textContent())!.trim();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('study-export-markdown').click()]);
  expect(download.suggestedFilename()).toMatch(/^study-\d+-results\.md$/);
  const markdown = readFileSync((await download.path())!, 'utf8');
  expect(markdown).toContain('| Metric | Mean ± std [95 % CI] (%) |');
  expect(markdown).toMatch(/\| Accuracy \| \d+\.\d ± \d+\.\d \[-?\d+\.\d, \d+\.\d\] \|/);
  expect(markdown).toContain(`| UAR | ${uarMean} ± `);
  expect(markdown).toMatch(/\| Macro-F1 \| /);
  expect(markdown).toContain('over 2 folds (2-fold speaker-independent CV)');
  expect(markdown).toContain('1 seed (1)');
  expect(markdown).toContain(DATASET);
  expect(markdown).toMatch(/Grid point \{"model\.params\.C":(1|10)\} of 2 selected on mean validation UAR/);
  expect(markdown).not.toContain('Provisional');
  // The same table for a paper: booktabs, the specials escaped.
  const [texDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('study-export-latex').click()]);
  const latex = readFileSync((await texDownload.path())!, 'utf8');
  expect(latex).toContain('\\begin{tabular}{lrr}');
  expect(latex).toMatch(/UAR & \d+\.\d \$\\pm\$ \d+\.\d & \[-?\d+\.\d, \d+\.\d\] \\\\/);
  expect(latex).toContain('test metrics in \\%, mean $\\pm$ sample std over 2 folds');

  // 6. A cell opens its ordinary run in the Training view.
  await page.getByTestId('study-cell-f1/s1/p0').click();
  await expect(page).toHaveURL(/#\/training\/\d+$/);
  await expect(page.getByTestId('training-status')).toHaveText(/completed/);

  // 7. A second study on the same folds (another seed, no grid), compared fold by fold with the first.
  await page.getByTestId('nav-experiments').click();
  await page.getByTestId('exp-study-grid-remove-0').click();
  await page.getByTestId('exp-study-seeds').fill('2');
  await page.getByTestId('exp-study-name').fill('svm-2fold-seed2');
  await expect(page.getByTestId('exp-study-cells')).toContainText('= 2 runs');
  await page.getByTestId('exp-start-study').click();
  await expect(page.getByTestId('study-detail')).toContainText('svm-2fold-seed2');
  await expect(page.getByTestId('study-status')).toHaveText('completed', { timeout: 10 * 60_000 });
  await page.getByTestId('study-compare-select').selectOption({ index: 1 });
  await page.getByTestId('study-compare-run').click();
  await expect(page.getByTestId('study-compare-table')).toContainText('paired over 2 folds');
  await expect(page.getByTestId('study-compare-uar')).toContainText(/UAR\s*[+-]?\d+\.\d/);
  await shot(page, '4-compare');

  expect(errors, errors.join('\n')).toEqual([]);
});
