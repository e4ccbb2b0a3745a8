// Mutation testing of the research core (`npm run mutate [-- file…]`, bin/mutate.mjs): every figure the workbench
// reports rests on these files, so a small deliberate change to any of them should make some unit test fail.
// Not part of `npm test` (minutes per file); run it on the research-core files a change touches.

/**
 * The research core: splits, metrics, normalisation, feature maths, decoding and resampling, early stopping, run
 * comparison, and the studies' fold expansion, statistics and aggregation.
 */
export const RESEARCH_CORE = [
  'src-main/core/datasets/splits.ts',
  'src-main/core/datasets/corpusSplit.ts',
  'src-shared/metrics.ts',
  'src-main/core/training/normalization.ts',
  'src-main/core/features/decibels.ts',
  'src-main/core/features/mel.ts',
  'src-main/core/features/mfcc.ts',
  'src-main/core/features/functionals.ts',
  'src-shared/audio/wav.ts',
  'src-shared/audio/resample.ts',
  'src-shared/audio/speedPerturbation.ts',
  'src-main/core/training/testTimeCopies.ts',
  'src-main/core/training/earlyStopping.ts',
  'src-main/core/evaluation/compare.ts',
  'src-shared/studies/expand.ts',
  'src-shared/studies/statistics.ts',
  'src-shared/studies/aggregate.ts',
  'src-shared/live/vad.ts',
];

/** Where one file's reports, incremental state and sandbox live: a run per file, so runs on different files never collide. */
export function mutationPaths(file) {
  const slug = file.replace(/\.ts$/, '').replace(/[^\w]+/g, '-');
  return { dir: `reports/mutation/${slug}`, tempDir: `.stryker-tmp/${slug}` };
}

// bin/mutate.mjs names the file in SER_MUTATE_FILE; a bare `npx stryker run` mutates the whole core in one run.
const only = process.env.SER_MUTATE_FILE;
const { dir, tempDir } = mutationPaths(only ?? 'all');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // Only the unit tests that import the mutated file: integration tests spawn processes and take minutes.
  vitest: { configFile: 'vitest.mutate.config.ts', related: true },
  mutate: only ? [only] : RESEARCH_CORE,
  coverageAnalysis: 'perTest',
  // A re-run after a small change tests only the mutants the change touches.
  incremental: true,
  incrementalFile: `${dir}/stryker-incremental.json`,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `${dir}/index.html` },
  jsonReporter: { fileName: `${dir}/mutation.json` },
  thresholds: { high: 90, low: 80, break: null },
  concurrency: Number(process.env.SER_MUTATE_CONCURRENCY ?? 2),
  tempDirName: tempDir,
  // Not copied into the sandbox: other files' sandboxes (runs on different files may overlap) and build output.
  ignorePatterns: ['/.stryker-tmp', '/out', '/dist', '/reports', '/test-results', '/playwright-report'],
  cleanTempDir: 'always',
};
