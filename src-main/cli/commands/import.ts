import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_MAX_DURATION_SECONDS } from '../../../src-shared/audio/plausibility';
import { CORPUS_NAMES, type CorpusName } from '../../../src-shared/corpus';
import { importDataset, type ImportResult } from '../../core/datasets/import';
import { parseLabelMapArg } from '../../../src-shared/labels';
import { runAction, withCommonOptions, type CommonOptions } from '../io';

interface ImportOptions extends CommonOptions {
  corpus: CorpusName | 'auto';
  name?: string;
  map?: string;
  pattern?: string;
  metadata?: string;
  maxDuration?: number;
}

const MAX_ERRORS_SHOWN = 20;

function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a positive number of seconds, got "${value}"`);
  return n;
}

function describe(r: ImportResult): string {
  const classes = Object.entries(r.classes)
    .map(([label, n]) => `${label} ${n}`)
    .join(', ');
  const lines = [
    `dataset ${r.datasetId} "${r.name}" (${r.corpus}): ${r.files} files, ${Object.keys(r.classes).length} classes, ${r.speakers} speakers, ${r.errors.length} errors`,
    `  classes: ${classes || '(none)'}`,
    `  names read by: ${r.reading}`,
  ];
  for (const e of r.errors.slice(0, MAX_ERRORS_SHOWN)) lines.push(`  error: ${e.file}: ${e.reason}`);
  if (r.errors.length > MAX_ERRORS_SHOWN) lines.push(`  ... and ${r.errors.length - MAX_ERRORS_SHOWN} more (--json lists all)`);
  for (const u of r.unknownLabels) {
    const shown = u.files.slice(0, 3).join(', ') + (u.files.length > 3 ? ', ...' : '');
    lines.push(`  unknown label "${u.label}": ${u.files.length} file(s) imported unlabelled (give it one with --map ${u.label}=<label>): ${shown}`);
  }
  for (const u of r.unusedRows.slice(0, MAX_ERRORS_SHOWN)) lines.push(`  metadata line ${u.line} unused: ${u.reason}`);
  if (r.unusedRows.length > MAX_ERRORS_SHOWN) lines.push(`  ... and ${r.unusedRows.length - MAX_ERRORS_SHOWN} more unused rows (--json lists all)`);
  return lines.join('\n');
}

/** `ser import <folder>`: import or re-import a corpus folder. */
export function register(program: Command): void {
  const cmd = program
    .command('import')
    .description('import (or re-import) a corpus folder; files are referenced in place, broken ones are listed with a reason')
    .argument('<folder>', 'folder holding the audio files')
    .addOption(
      new Option('--corpus <name>', 'naming convention of the files (with labels from --pattern or --metadata: whose label codes they are)')
        .choices(['auto', ...CORPUS_NAMES])
        .default('auto'),
    )
    .option('--name <name>', 'dataset name (default: the folder name, or the name it already has)')
    .option('--map <from=to,...>', 'label overrides, e.g. calm=neutral,ps=surprised; an empty target drops a label (L=)')
    .option(
      '--pattern <pattern>',
      'read fields from file names, e.g. "{_}-{_}-{label}-{_}-{_}-{_}-{speaker}" or "{speaker}_{label}_{_}": fields {label} {speaker} {gender} ' +
        '{intensity} {statement}, {_} skips a part, the text between fields is the separator; a "/" reaches into the folder name ' +
        '(remembered for re-imports; "" drops it)',
    )
    .option(
      '--metadata <file.csv>',
      'CSV with path (relative to the folder or absolute), label, speaker, gender columns; or without path, one row per speaker ' +
        '(e.g. CREMA-D VideoDemographics.csv); remembered for re-imports, "" drops it',
    )
    .option(
      '--max-duration <seconds>',
      `longest file accepted; longer ones are listed with a reason and not used (default ${DEFAULT_MAX_DURATION_SECONDS}, this run only)`,
      positiveSeconds,
    );
  withCommonOptions(cmd).action(async (folder: string, opts: ImportOptions) => {
    await runAction(
      opts,
      async (ctx) => {
        const labelMap = opts.map !== undefined ? parseLabelMapArg(opts.map) : undefined;
        return importDataset(ctx.openStore(), {
          folder,
          corpus: opts.corpus,
          pattern: opts.pattern,
          metadata: opts.metadata,
          name: opts.name,
          labelMap,
          maxDurationSeconds: opts.maxDuration,
          onProgress: ctx.progress('import'),
        });
      },
      describe,
    );
  });
}
