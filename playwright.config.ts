import { defineConfig } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free loopback port, found once by the runner; its workers inherit it through the environment. */
function freePort(): number {
  const probe = "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})";
  return Number(spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' }).stdout);
}
process.env.SER_E2E_PORT ??= String(freePort());
const port = Number(process.env.SER_E2E_PORT);
export const E2E_TOKEN = process.env.SER_TOKEN ?? 'e2e-session-token';
const db = join(mkdtempSync(join(tmpdir(), 'ser-e2e-')), 'e2e.sqlite');
// Debian's Chromium where present (no browser download here); Playwright's own browser otherwise.
const debianChromium = '/usr/bin/chromium';

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results/artifacts',
  timeout: 30 * 60_000,
  expect: { timeout: 20_000 },
  workers: 1,
  reporter: [['list']],
  use: {
    // A missing element fails the step within a minute instead of waiting out the whole test.
    actionTimeout: 60_000,
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1400, height: 900 },
    launchOptions: {
      executablePath: existsSync(debianChromium) ? debianChromium : undefined,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    },
  },
  webServer: {
    command: `node bin/ser.mjs start --browser --no-open --port ${port} --db ${db}`,
    url: `http://127.0.0.1:${port}/?token=${E2E_TOKEN}`,
    env: { SER_TOKEN: E2E_TOKEN, SER_CACHE_DIR: join(db, '..', 'feature-cache'), SER_MODELS_DIR: join(db, '..', 'models') },
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
