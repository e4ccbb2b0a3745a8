import { expect, test } from '@playwright/test';
import { E2E_TOKEN } from '../../playwright.config';

const VIEWS = ['Datasets', 'Experiments', 'Training', 'Results', 'Compare', 'Studies', 'Recorder', 'Predict'];

test('browser mode refuses a page load without the token', async ({ request }) => {
  const res = await request.get('/');
  expect(res.status()).toBe(401);
});

test('every view opens and is screenshotted', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`/?token=${E2E_TOKEN}`);
  // The token leaves the address bar once the client has it.
  await expect(page).not.toHaveURL(/token=/);
  await expect(page.getByTestId('app-mode')).toContainText(/browser/i);
  for (const view of VIEWS) {
    await page.getByTestId(`nav-${view.toLowerCase()}`).click();
    await expect(page.getByTestId(`view-${view.toLowerCase()}`)).toBeVisible();
    await page.screenshot({ path: `test-results/view-${view.toLowerCase()}.png`, fullPage: true });
  }
  expect(errors, errors.join('\n')).toEqual([]);
});
