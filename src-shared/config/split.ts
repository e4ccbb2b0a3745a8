import { z } from 'zod';

/**
 * How a dataset's files are divided into train, validation and test. Every kind but 'random' keeps speakers apart
 * (no speaker in two partitions), the default for honest figures; `seed` makes the draw repeatable.
 */
export const SplitSpecSchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('speaker'),
      /** Named test speakers; otherwise `testFraction` (default 0.2) of the speakers, chosen by seed. */
      testSpeakers: z.array(z.string().max(64)).optional(),
      valSpeakers: z.array(z.string().max(64)).optional(),
      testFraction: z.number().gt(0).lt(1).optional(),
      /** Fraction of all speakers held out for validation (default 0). */
      valFraction: z.number().min(0).lt(1).optional(),
      seed: z.number().int(),
    }),
    /** Stratified by label; speakers overlap between partitions. */
    z.object({ kind: z.literal('random'), testFraction: z.number().gt(0).lt(1), valFraction: z.number().min(0).lt(1), seed: z.number().int() }),
    z.object({
      kind: z.literal('kfold-speaker'),
      k: z.number().int().min(2).max(50),
      fold: z.number().int().min(0),
      valFraction: z.number().min(0).lt(1).optional(),
      seed: z.number().int(),
    }),
    z.object({
      kind: z.literal('loso'),
      speaker: z.string().min(1, 'choose the speaker to leave out').max(64),
      valFraction: z.number().min(0).lt(1).optional(),
      seed: z.number().int(),
    }),
    /**
     * Multi-corpus runs: every file of one corpus (testDatasetId) is the test set, the others train; validation
     * speakers (valFraction of each training corpus) are drawn within each training corpus.
     */
    z.object({
      kind: z.literal('leave-corpus-out'),
      testDatasetId: z.number().int().positive(),
      valFraction: z.number().min(0).lt(1).optional(),
      seed: z.number().int(),
    }),
  ])
  .superRefine((s, ctx) => {
    if (s.kind === 'kfold-speaker' && s.fold >= s.k) ctx.addIssue({ code: 'custom', path: ['fold'], message: `fold must be below k (0…${s.k - 1})` });
  });

/** How to split a dataset. */
export type SplitSpec = z.output<typeof SplitSpecSchema>;
