import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openImportWizard, openWorkbench, fakeMicrophone } from '../helpers/e2e';
import { RAVDESS_16K } from '../helpers/shared';

// The whole research loop as a researcher clicks it, on real RAVDESS recordings: import two actors,
// extract features, train and watch the curves grow, read the confusion matrix, train a variant,
// compare the two runs, predict a folder.

// Chromium's fake microphone plays a real RAVDESS take (an angry one) into getUserMedia.
const MIC_WAV = join(RAVDESS_16K, 'Actor_03', '03-01-05-02-01-01-03.wav');
test.use(fakeMicrophone(MIC_WAV));

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/loop-${name}.png`, fullPage: true });

/** Two actors as their own corpus folder: links, not copies, of the shared recordings. */
function twoActorCorpus(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ser-e2e-corpus-'));
  for (const actor of ['Actor_01', 'Actor_02']) symlinkSync(join(RAVDESS_16K, actor), join(dir, actor));
  return dir;
}

async function waitForRunEnd(page: Page): Promise<string> {
  const status = page.getByTestId('training-status');
  await expect(status).toHaveText(/completed|failed|cancelled/, { timeout: 10 * 60_000 });
  return (await status.textContent()) ?? '';
}

test('import → extract → train (live curves) → results → second run → compare → predict', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const corpus = twoActorCorpus();

  await openWorkbench(page);

  // 1. Import two actors.
  await openImportWizard(page);
  await page.getByTestId('import-folder').fill(corpus);
  await page.getByTestId('import-detect').click();
  await expect(page.getByTestId('import-detected')).toContainText(/ravdess/i);
  // Named, so the form below can pick it among the datasets other specs import into the same server.
  await page.getByTestId('import-name').fill('e2e-research-loop');
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-result')).toContainText('120');
  await shot(page, '1-import');
  await expect(page.getByTestId('chart-class-balance')).toBeVisible();
  await shot(page, '2-dataset');

  // 2. Experiment set-up: speaker-independent split (one actor for test), seed log-mel, extract.
  await page.getByTestId('nav-experiments').click();
  await page.getByTestId('exp-dataset').selectOption({ label: 'e2e-research-loop (120 files)' });
  // The form starts from a recipe; picking another sets its model and shows its measured figures.
  await expect(page.getByTestId('exp-recipe')).toHaveValue('resnet');
  // The logreg recipe fills in its speed-perturbed copies and its ComParE features on trimmed audio.
  await expect(page.getByTestId('exp-speed')).toHaveCount(0); // networks perturb on the fly: no field
  await page.getByTestId('exp-recipe').selectOption('logreg');
  await expect(page.getByTestId('exp-model')).toHaveValue('logreg');
  await expect(page.getByTestId('exp-speed')).toHaveValue('0.9, 1.1');
  await expect(page.getByTestId('exp-test-time-speed')).toBeChecked();
  await expect(page.getByTestId('feature-kind')).toHaveValue('compare');
  await expect(page.getByTestId('feature-trim-db')).toHaveValue('20');
  await page.getByTestId('exp-recipe').selectOption('svm');
  await expect(page.getByTestId('exp-model')).toHaveValue('svm');
  await expect(page.getByTestId('exp-speed')).toHaveValue('');
  await expect(page.getByTestId('exp-test-time-speed')).not.toBeChecked();
  await expect(page.getByTestId('exp-recipe-info')).toContainText(/Measured: plain/);
  await page.getByTestId('split-kind').selectOption('speaker');
  await page.getByTestId('split-val-fraction').fill('0');
  await expect(page.getByTestId('split-count-test')).toHaveText('60');
  await expect(page.getByTestId('split-count-train')).toHaveText('60');
  await page.getByTestId('feature-preset').selectOption('seed-logmel');
  await page.getByTestId('exp-extract').click();
  await expect(page.getByTestId('exp-extract-result')).toContainText('120', { timeout: 5 * 60_000 });
  await page.getByTestId('exp-model').selectOption('simplecnn');
  await expect(page.getByTestId('exp-model-param-count')).toContainText(/parameters/);
  await page.getByTestId('exp-epochs').fill('2');
  await page.getByTestId('exp-batch-size').fill('8');
  await page.getByTestId('exp-name').fill('baseline');
  await shot(page, '3-experiment');

  // 3. Train; curve points must arrive while the run is still running.
  await page.getByTestId('exp-start').click();
  await expect(page.getByTestId('training')).toBeVisible();
  await expect(page.getByTestId('training-status')).toHaveText(/running/, { timeout: 2 * 60_000 });
  await expect.poll(async () => Number(await page.getByTestId('training-batches').textContent()), { timeout: 5 * 60_000 }).toBeGreaterThan(0);
  const liveStatus = await page.getByTestId('training-status').textContent();
  await shot(page, '4-training-live');
  expect(liveStatus).toMatch(/running|completed/);
  expect(await waitForRunEnd(page)).toMatch(/completed/);
  await expect(page.getByTestId('training-backend')).not.toHaveText('–');
  await shot(page, '5-training-done');

  // 4. Results: metrics and the confusion matrix.
  await page.getByTestId('training-open-results').click();
  await expect(page.getByTestId('metric-uar')).toContainText('%');
  await expect(page.getByTestId('confusion-matrix')).toBeVisible();
  await expect(page.getByTestId('results-per-class')).toContainText('angry');
  await shot(page, '6-results');

  // 4b. The saved model's card, and an ONNX export (model, standalone predictor, card) into a folder picked here.
  await page.getByTestId('results-model-card').click();
  await expect(page.getByTestId('results-model-card-text')).toContainText('# Model card');
  await expect(page.getByTestId('results-model-card-text')).toContainText('- test: ');
  const exportDir = mkdtempSync(join(tmpdir(), 'ser-e2e-export-'));
  await page.getByTestId('results-export').click();
  await page.getByTestId('picker-path').fill(exportDir);
  await page.getByTestId('picker-path').press('Enter');
  await page.getByTestId('picker-use-folder').click();
  await expect(page.getByTestId('results-exported')).toContainText(join(exportDir, 'model.onnx'), { timeout: 120_000 });
  expect(readdirSync(exportDir).sort()).toEqual(['MODEL_CARD.md', 'model.onnx', 'model_card.json', 'predict.mjs', 'preprocessing.json']);
  await shot(page, '6b-export');

  // 5. A second run with three changes: the learning rate, per-speaker normalisation and speaker-adaptive batch norm.
  await page.getByTestId('nav-experiments').click();
  await page.getByTestId('exp-name').fill('higher-lr');
  await page.getByTestId('exp-lr').fill('0.003');
  await page.getByTestId('exp-speaker-norm').check();
  await page.getByTestId('exp-speaker-bn').check();
  await page.getByTestId('exp-start').click();
  expect(await waitForRunEnd(page)).toMatch(/completed/);

  // 6. Compare: both runs, the config diff shows exactly what changed.
  await page.getByTestId('nav-compare').click();
  // This spec's two runs, among any that other specs trained in the same server.
  const rows = page.locator('[data-testid^="run-row-"]').filter({ hasText: 'e2e-research-loop' });
  await expect(rows).toHaveCount(2);
  await rows.nth(0).locator('[data-testid^="run-select-"]').check();
  await rows.nth(1).locator('[data-testid^="run-select-"]').check();
  await page.getByTestId('runs-compare').click();
  const diff = page.getByTestId('compare-config-diff');
  await expect(diff).toContainText('learningRate');
  await expect(diff).toContainText('0.003');
  await expect(diff).toContainText('speakerNormalization');
  await expect(diff).toContainText('speakerAdaptiveBatchNorm');
  await expect(diff).toContainText('name');
  await expect(diff).not.toContainText('epochs');
  await expect(page.getByTestId('compare-metrics')).toContainText(/uar\s*0\.\d+\s*0\.\d+/);
  await shot(page, '7-compare');

  // 7. Predict a folder of one speaker with the second run's model (speaker normalisation + adaptive batch norm).
  await page.getByTestId('nav-predict').click();
  await page.getByTestId('predict-model').selectOption({ index: 0 });
  await expect(page.getByTestId('predict-model').locator('option:checked')).toContainText('higher-lr');
  await page.getByTestId('predict-path').fill(join(corpus, 'Actor_02'));
  await page.getByTestId('predict-path').press('Enter');
  await page.getByTestId('predict-one-speaker').check();
  await page.getByTestId('predict-start').click();
  await expect(page.getByTestId('predict-row')).toHaveCount(60, { timeout: 5 * 60_000 });
  await shot(page, '8-predict');

  // 8. Record from the (fake) browser microphone, classify with the saved model, collect the take.
  await page.getByTestId('nav-recorder').click();
  await page.getByTestId('rec-source').selectOption('browser');
  await page.getByTestId('rec-model').selectOption({ index: 0 });
  await page.getByTestId('rec-seconds').fill('2');
  await page.getByTestId('rec-start').click();
  await expect(page.getByTestId('rec-recorded')).toContainText(/2\.0\d s at \d+ Hz/, { timeout: 60_000 });
  await page.getByTestId('rec-classify').click();
  const classification = page.getByTestId('rec-classification');
  // The top label, then every class with its probability (percent, one decimal).
  await expect(classification).toContainText(/^(angry|calm|disgust|fearful|happy|neutral|sad|surprised)/);
  await expect(classification).toContainText(/(angry|calm|disgust|fearful|happy|neutral|sad|surprised)\d{1,3}\.\d/);
  const takes = mkdtempSync(join(tmpdir(), 'ser-e2e-takes-'));
  await page.getByTestId('collect-folder').fill(takes);
  await page.getByTestId('collect-label').fill('angry');
  await page.getByTestId('collect-speaker').fill('e2e01');
  await page.getByTestId('collect-save').click();
  await expect(page.getByTestId('collect-saved')).toContainText('.wav');
  expect(readdirSync(join(takes, 'angry'))).toEqual([expect.stringMatching(/^e2e01_\d{8}T\d{9}Z\.wav$/)]);
  await shot(page, '9-recorder');

  expect(errors, errors.join('\n')).toEqual([]);
});
