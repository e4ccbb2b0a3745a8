import type { Command } from 'commander';

/** `ser start`: the same as `npm start` — Electron when its binary exists, else browser mode. */
export function register(program: Command): void {
  program
    .command('start')
    .description('open the workbench (Electron window, or browser mode when Electron is not installed)')
    .option('--db <path>', 'workbench database')
    .option('--port <n>', 'browser-mode port (default $SER_PORT or 5317)')
    .option('--browser', 'force browser mode even when Electron is available')
    .option('--no-open', 'do not try to open a browser in browser mode')
    .action(async (opts: { db?: string; port?: string; browser?: boolean; open: boolean }) => {
      const { startWorkbench } = await import('../../launch');
      await startWorkbench({ db: opts.db, port: opts.port ? Number(opts.port) : undefined, forceBrowser: Boolean(opts.browser), open: opts.open });
    });
}
