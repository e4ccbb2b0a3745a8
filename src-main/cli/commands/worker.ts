import type { Command } from 'commander';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCellWorker } from '../../core/studies/cellWorker';
import { CliError } from '../io';
import { onStopSignals } from '../../core/stopSignals';

interface WorkerOptions {
  redis: string;
  concurrency: string;
  dataRoot: string[];
  dir?: string;
  lockMs?: string;
}

/** "/old=/new" → ["/old", "/new"]. */
function parseRoot(text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq < 1 || eq === text.length - 1) throw new CliError(`--data-root takes /coordinator/path=/path/here, got "${text}"`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/** `ser worker`: trains study cells taken from Redis until stopped (Ctrl-C, SIGTERM or SIGHUP finish the cells in hand first). */
export function register(program: Command): void {
  program
    .command('worker')
    .description('train study cells from a Redis queue (the coordinator runs `ser study run --redis URL`); stops on Ctrl-C')
    .requiredOption('--redis <url>', 'the Redis the coordinator enqueues on, e.g. redis://10.0.0.5:6379')
    .option('--concurrency <n>', 'cells trained at once on this machine', '1')
    .option(
      '--data-root <old=new>',
      "where a coordinator's corpus folder is on this machine (repeatable)",
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option('--dir <folder>', 'mirror stores, feature caches and models in transit (default: a folder under the temp dir)')
    .option('--lock-ms <ms>', 'how long a silent worker keeps a cell before another worker takes it', '15000')
    .action(async (opts: WorkerOptions) => {
      try {
        const concurrency = Number(opts.concurrency);
        if (!Number.isInteger(concurrency) || concurrency < 1)
          throw new CliError(`--concurrency must be a positive whole number, got "${opts.concurrency}"`);
        const lockMs = Number(opts.lockMs);
        if (!Number.isInteger(lockMs) || lockMs < 2000) throw new CliError(`--lock-ms must be at least 2000, got "${opts.lockMs}"`);
        const worker = await startCellWorker({
          redis: opts.redis,
          concurrency,
          dataRoots: opts.dataRoot.map(parseRoot),
          dir: opts.dir ?? join(tmpdir(), 'ser-worker'),
          lockMs,
          log: (m) => process.stderr.write(`${m}\n`),
        });
        // A service stopped on request exits 0; a second stop signal exits at once (130 for Ctrl-C).
        onStopSignals(() => {
          process.stderr.write('stopping: finishing the cells in hand (Ctrl-C again to abandon them to other workers)\n');
          void worker.close().then(() => process.exit(0));
        });
      } catch (err) {
        process.stderr.write(`error: ${(err as Error).message}\n`);
        process.exit(1);
      }
    });
}
