import { writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { RunDetail } from '../../../src-shared/api/contract';
import { epochsToCsv, runsToCsv, runToJson } from '../../core/evaluation/export';
import { getRunDetail } from '../../core/store/runQueries';
import { CliError, runAction, withCommonOptions, type CommonOptions } from '../io';
import { parseRunIds } from './compare';

interface ExportResult {
  file: string;
  format: 'json' | 'csv';
  runs: number[];
  bytes: number;
}

/** `ser export <runId>… --out file.json|file.csv`: a run's full record (JSON) or a summary/curve table (CSV). */
export function register(program: Command): void {
  const cmd = program
    .command('export')
    .description('export runs to JSON (config, curves, evaluation, predictions) or CSV (one row per run, or --epochs curves)')
    .argument('<runIds...>', 'one or more run ids (see: ser runs)')
    .requiredOption('--out <file>', 'output file; .json or .csv picks the format')
    .option('--epochs', 'CSV: per-epoch curves (run_id, epoch, metrics…) instead of one summary row per run');
  withCommonOptions(cmd).action(async (ids: string[], opts: CommonOptions & { out: string; epochs?: boolean }) => {
    await runAction(
      opts,
      async (ctx): Promise<ExportResult> => {
        const runIds = parseRunIds(ids);
        const ext = extname(opts.out).toLowerCase();
        if (ext !== '.json' && ext !== '.csv')
          throw new CliError(`--out ${opts.out}: the file name must end in .json or .csv (that picks the format).`);
        const db = ctx.openStore().db;
        const details: RunDetail[] = runIds.map((id) => {
          const d = getRunDetail(db, id, { batches: ext === '.json' });
          if (!d) throw new CliError(`No run with id ${id} (see: ser runs).`);
          return d;
        });
        let text: string;
        if (ext === '.json') {
          const docs = details.map(runToJson);
          text = `${JSON.stringify(docs.length === 1 ? docs[0] : { format: 'ser-runs', version: 2, exportedAt: new Date().toISOString(), runs: docs.map((d) => d.run) }, null, 2)}\n`;
        } else {
          text = opts.epochs ? epochsToCsv(details) : runsToCsv(details);
        }
        const file = resolve(opts.out);
        try {
          writeFileSync(file, text);
        } catch (err) {
          throw new CliError(`Cannot write ${file}: ${(err as Error).message}`);
        }
        return { file, format: ext === '.json' ? 'json' : 'csv', runs: runIds, bytes: Buffer.byteLength(text) };
      },
      (r) => `wrote ${r.runs.length === 1 ? `run ${r.runs[0]}` : `${r.runs.length} runs`} to ${r.file} (${r.format}, ${r.bytes} bytes)`,
    );
  });
}
