// Mutation testing of the research core (`npm run mutate [-- file…]`, bin/mutate.mjs): every figure the workbench
// reports rests on these files, so a small deliberate change to any of them should make some unit test fail.
// Not part of `npm test` (minutes per file); run it on the research-core files a change touches.

/** The research core: splits, metrics, normalisation, feature maths, decoding and resampling, early stopping, comparison. */
export const RESEARCH_CORE = [
  'src-main/core/datasets/splits.ts',
  'src-shared/metrics.ts',
  'src-main/core/training/normalization.ts',
  'src-main/core/features/decibels.ts',
  'src-main/core/features/mel.ts',
  'src-main/core/features/mfcc.ts',
  'src-main/core/features/functionals.ts',
  'src-shared/audio/wav.ts',
  'src-shared/audio/resample.ts',
  'src-main/core/training/earlyStopping.ts',
  'src-main/core/evaluation/compare.ts',
];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // Only the unit tests: integration tests spawn processes and take minutes; the research core is pure code.
  vitest: { configFile: 'vitest.mutate.config.ts', related: true },
  mutate: RESEARCH_CORE,
  coverageAnalysis: 'perTest',
  // A re-run after a small change tests only the mutants the change touches.
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  concurrency: 2,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
