import type { Command } from 'commander';
import { compareRuns, type RunComparison } from '../../core/evaluation/compare';
import { loadRunsForComparison } from '../../core/store/runQueries';
import { CliError, runAction, withCommonOptions, type CommonOptions } from '../io';
import { formatTable } from './runs';

/** Parses run ids from the command line; throws a readable error for anything but positive integers. */
export function parseRunIds(args: string[]): number[] {
  return args.map((a) => {
    const id = Number(a);
    if (!Number.isInteger(id) || id <= 0) throw new CliError(`"${a}" is not a run id (a positive integer; see: ser runs).`);
    return id;
  });
}

const cell = (v: unknown): string =>
  v === null || v === undefined ? '-' : typeof v === 'number' ? String(Number(v.toPrecision(6))) : typeof v === 'string' ? v : JSON.stringify(v);
const pct = (x: number | null): string => (x === null ? '-' : (100 * x).toFixed(1));

function describe(c: RunComparison): string {
  const runCols = c.runs.map((r) => `run ${r.id}${r.status && r.status !== 'completed' ? ` (${r.status})` : ''}`);
  const parts: string[] = [];
  parts.push(
    formatTable(
      ['metric %', ...runCols],
      [
        ['accuracy', ...c.metrics.accuracy.map(pct)],
        ['UAR', ...c.metrics.uar.map(pct)],
        ['macro-F1', ...c.metrics.macroF1.map(pct)],
      ],
    ),
  );
  const labels = Object.keys(c.perClassF1);
  if (labels.length)
    parts.push(
      formatTable(
        ['F1 % per class', ...runCols],
        labels.map((l) => [l, ...c.perClassF1[l].map(pct)]),
      ),
    );
  const paths = Object.keys(c.configDiff);
  parts.push(
    paths.length
      ? formatTable(
          ['config (differing)', ...runCols],
          paths.map((p) => [p, ...c.configDiff[p].map(cell)]),
        )
      : 'configs are identical',
  );
  if (c.warnings.length) parts.push(c.warnings.map((w) => `warning: ${w}`).join('\n'));
  return parts.join('\n\n');
}

/** `ser compare <runId> <runId>…`: metrics side by side, per-class F1 and the config diff. */
export function register(program: Command): void {
  const cmd = program
    .command('compare')
    .description('compare runs: metrics side by side, per-class F1, and the config values that differ')
    .argument('<runIds...>', 'two or more run ids (see: ser runs)');
  withCommonOptions(cmd).action(async (ids: string[], opts: CommonOptions) => {
    await runAction(
      opts,
      async (ctx) => {
        const runIds = parseRunIds(ids);
        if (new Set(runIds).size < 2) throw new CliError('compare needs at least two different run ids.');
        return compareRuns(loadRunsForComparison(ctx.openStore().db, runIds));
      },
      describe,
    );
  });
}
