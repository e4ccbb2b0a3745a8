import type { Command } from 'commander';
import { listDatasets, type DatasetRow } from '../../core/store/datasets';
import { runAction, withCommonOptions, type CommonOptions } from '../io';

function describe(rows: DatasetRow[]): string {
  if (rows.length === 0) return 'no datasets yet; add one with: ser import <folder>';
  return rows
    .map((d) => {
      const classes = Object.entries(d.classes)
        .map(([label, n]) => `${label} ${n}`)
        .join(', ');
      return `${d.id}  ${d.name} (${d.corpus})  ${d.fileCount} files, ${d.speakers} speakers, ${d.errorCount} errors\n   ${d.root}\n   ${classes}`;
    })
    .join('\n');
}

/** `ser datasets`: list imported datasets with their counts. */
export function register(program: Command): void {
  const cmd = program.command('datasets').description('list imported datasets');
  withCommonOptions(cmd).action(async (opts: CommonOptions) => {
    await runAction(opts, async (ctx) => listDatasets(ctx.openStore().db), describe);
  });
}
