import { Command } from 'commander';
import { register as registerStart } from './commands/start';
// --- command registration: one import per commands/<name>.ts (keep this block sorted) ---
import { register as registerCompare } from './commands/compare';
import { register as registerDatasets } from './commands/datasets';
import { register as registerDevices } from './commands/devices';
import { register as registerEnrol } from './commands/enrol';
import { register as registerEnsemble } from './commands/ensemble';
import { register as registerEvaluate } from './commands/evaluate';
import { register as registerExport } from './commands/export';
import { register as registerExportModel } from './commands/exportModel';
import { register as registerExtract } from './commands/extract';
import { register as registerFeatures } from './commands/features';
import { register as registerImport } from './commands/import';
import { register as registerPredict } from './commands/predict';
import { register as registerProfiles } from './commands/profiles';
import { register as registerRecord } from './commands/record';
import { register as registerRuns } from './commands/runs';
import { register as registerStudy } from './commands/study';
import { register as registerTrain } from './commands/train';
import { register as registerWorker } from './commands/worker';
import { errorMessage } from '../../src-shared/api/errors';
// --- end of command registration imports ---

const program = new Command('ser')
  .description('Speech emotion recognition workbench: import corpora, extract features, train, compare and classify.')
  .showHelpAfterError()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

registerStart(program);
// --- command registration: one register call per command ---
registerCompare(program);
registerDatasets(program);
registerDevices(program);
registerEnrol(program);
registerEnsemble(program);
registerEvaluate(program);
registerExport(program);
registerExportModel(program);
registerExtract(program);
registerFeatures(program);
registerImport(program);
registerPredict(program);
registerProfiles(program);
registerRecord(program);
registerRuns(program);
registerStudy(program);
registerTrain(program);
registerWorker(program);
// --- end of command registration calls ---

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Errors outside runAction (`ser start`): one readable line, the stack only on request.
  process.stderr.write(`error: ${errorMessage(err)}\n`);
  if (process.env.SER_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exitCode = 1;
}
