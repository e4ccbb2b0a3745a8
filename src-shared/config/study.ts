import { z } from 'zod';

/** How a study divides the speakers into test folds; every fold is speaker-independent. */
export const StudyFoldsSchema = z.discriminatedUnion('kind', [
  /** k folds of speakers, gender-balanced, drawn once by the study's split seed. */
  z.strictObject({ kind: z.literal('kfold'), k: z.number().int().min(2).max(50) }),
  /** One fold per speaker. */
  z.strictObject({ kind: z.literal('loso') }),
  /** Named test speakers per fold, e.g. EmoBox's RAVDESS folds [["01","02","03","04"], ["05",…], …]. */
  z.strictObject({
    kind: z.literal('groups'),
    groups: z
      .array(z.array(z.string().min(1).max(64)).min(1, 'a fold needs at least one test speaker'))
      .min(2, 'give at least two folds')
      .max(100),
  }),
]);
export type StudyFolds = z.output<typeof StudyFoldsSchema>;

/** A grid axis is a dotted path into the run config; the study itself owns these. */
const RESERVED_PATHS = ['datasetId', 'split', 'seed', 'outDir', 'name'];
const GridPathSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/, 'a grid axis is a dotted config path such as optimizer.learningRate')
  .refine((p) => !RESERVED_PATHS.includes(p.split('.')[0]), { message: `the study sets ${RESERVED_PATHS.join(', ')} itself` });

/**
 * A study: one base run config expanded into folds × seeds × grid points, every cell an ordinary run. Folds stay
 * the same for every seed and grid point (drawn by `splitSeed`), so seeds measure training noise and points differ
 * only in what the grid changes.
 */
export const StudySpecSchema = z.strictObject({
  name: z.string().max(128).optional(),
  datasetId: z.number().int().positive(),
  /** The run config every cell starts from (RunConfigSchema input without datasetId/split/seed). */
  base: z.record(z.string(), z.unknown()).default({}),
  folds: StudyFoldsSchema,
  /** Share of each fold's training speakers held out for validation (checkpoint, early stopping, grid selection). */
  valFraction: z.number().gt(0).lt(1).default(0.15),
  splitSeed: z.number().int().min(0).default(42),
  seeds: z
    .array(
      z
        .number()
        .int()
        .min(0)
        .max(2 ** 31 - 1),
    )
    .min(1)
    .max(100)
    .refine((s) => new Set(s).size === s.length, 'seeds repeat')
    .default([42]),
  grid: z.record(GridPathSchema, z.array(z.unknown()).min(1, 'a grid axis needs at least one value').max(100)).default({}),
});
export type StudySpec = z.output<typeof StudySpecSchema>;
export type StudySpecInput = z.input<typeof StudySpecSchema>;

/** The figures a study aggregates, in the order they are shown. */
export const STUDY_METRICS = ['accuracy', 'uar', 'macroF1'] as const;
export type StudyMetric = (typeof STUDY_METRICS)[number];

/** "1e-3, 3e-4, rbf" → [0.001, 0.0003, "rbf"]: a grid axis's values as typed (CLI --grid, the study form); JSON where a value parses, else the text. */
export function parseGridValues(text: string): unknown[] {
  return text
    .split(',')
    .map((v) => v.trim())
    .map((v) => {
      try {
        return JSON.parse(v) as unknown;
      } catch {
        return v;
      }
    });
}
