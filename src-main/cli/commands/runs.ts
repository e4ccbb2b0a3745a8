import type { Command } from 'commander';
import type { RunSummary } from '../../../src-shared/api/contract';
import { listRunSummaries } from '../../core/store/runQueries';
import { CliError, runAction, withCommonOptions, type CommonOptions } from '../io';

const STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'] as const;

const pct = (x: number | null): string => (x === null ? '-' : `${(100 * x).toFixed(1)}`);

/** "12.5 s", "3 min 05 s", "1 h 02 min"; '-' when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Left-aligned text columns separated by two spaces. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function describe(runs: RunSummary[]): string {
  if (runs.length === 0) return 'no runs yet; start one with: ser train --dataset <id>';
  const rows = runs.map((r) => [
    String(r.id),
    r.status,
    r.datasetName ?? (r.datasetId === null ? '(deleted)' : String(r.datasetId)),
    r.model,
    r.backend ?? '-',
    pct(r.accuracy),
    pct(r.uar),
    pct(r.macroF1),
    formatDuration(r.seconds),
    r.createdAt.slice(0, 16).replace('T', ' '),
  ]);
  return formatTable(['id', 'status', 'dataset', 'model', 'backend', 'acc%', 'UAR%', 'F1%', 'duration', 'date (UTC)'], rows);
}

/** `ser runs`: every run with status, dataset, model, backend, test metrics, duration and date. */
export function register(program: Command): void {
  const cmd = program
    .command('runs')
    .description('list training runs with status and test metrics (accuracy, UAR, macro-F1)')
    .option('--status <status>', `only runs with this status (${STATUSES.join(', ')})`)
    .option('--dataset <id>', 'only runs on this dataset id')
    .option('--limit <n>', 'at most this many, newest first');
  withCommonOptions(cmd).action(async (opts: CommonOptions & { status?: string; dataset?: string; limit?: string }) => {
    await runAction(
      opts,
      async (ctx) => {
        const status = opts.status as RunSummary['status'] | undefined;
        if (status && !STATUSES.includes(status)) throw new CliError(`--status must be one of ${STATUSES.join(', ')}; got "${opts.status}".`);
        const datasetId = opts.dataset === undefined ? undefined : Number(opts.dataset);
        if (datasetId !== undefined && !(Number.isInteger(datasetId) && datasetId > 0))
          throw new CliError(`--dataset must be a dataset id (a positive integer); got "${opts.dataset}".`);
        const limit = opts.limit === undefined ? undefined : Number(opts.limit);
        if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
          throw new CliError(`--limit must be a positive integer; got "${opts.limit}".`);
        return listRunSummaries(ctx.openStore().db, { status, datasetId, limit });
      },
      describe,
    );
  });
}
