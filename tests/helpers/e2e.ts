import { expect, type Page } from '@playwright/test';
import { E2E_TOKEN } from '../../playwright.config';

/** Loads the workbench with the session token and waits for its API connection. */
export async function openWorkbench(page: Page): Promise<void> {
  await page.goto(`/?token=${E2E_TOKEN}`);
  await expect(page.getByTestId('connection-state')).toContainText(/connected/i);
}

/** Datasets view with the import wizard open: with no dataset yet it is already open, otherwise behind a button. */
export async function openImportWizard(page: Page): Promise<void> {
  await page.getByTestId('nav-datasets').click();
  const wizard = page.getByTestId('import-wizard');
  await expect(wizard.or(page.getByTestId('import-open'))).toBeVisible();
  if (!(await wizard.isVisible())) await page.getByTestId('import-open').click();
}
