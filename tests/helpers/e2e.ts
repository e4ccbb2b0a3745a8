import { expect, type Page, type PlaywrightTestOptions } from '@playwright/test';
import { existsSync } from 'node:fs';
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

/** Browser options for a spec whose microphone is Chromium's fake device playing `wav` (looped), Debian's chromium if present. */
export function fakeMicrophone(
  wav: string,
): Pick<PlaywrightTestOptions, 'permissions'> & { launchOptions: { executablePath?: string; args: string[] } } {
  return {
    permissions: ['microphone'],
    launchOptions: {
      executablePath: existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${wav}`,
      ],
    },
  };
}
