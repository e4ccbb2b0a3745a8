import { z } from 'zod';
import { SPEED_FACTOR_RANGE } from '../../../src-shared/audio/speedPerturbation';
import { FeatureConfigSchema } from '../../../src-shared/config/features';

/** Parent -> feature worker messages. */
export const ToFeatureWorkerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('init'),
    config: FeatureConfigSchema,
    cacheDir: z.string().min(1),
    configHash: z.string().min(1),
    speed: z.number().min(SPEED_FACTOR_RANGE[0]).max(SPEED_FACTOR_RANGE[1]).optional(),
  }),
  z.object({ type: z.literal('file'), fileId: z.number().int(), path: z.string().min(1), contentHash: z.string().nullable().optional() }),
]);
export type ToFeatureWorker = z.input<typeof ToFeatureWorkerSchema>;

/** Feature worker -> parent messages. */
export const FromFeatureWorkerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('done'),
    fileId: z.number().int(),
    shape: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
    data: z.custom<Float32Array>((v) => v instanceof Float32Array, { message: 'expected a Float32Array' }),
    contentHash: z.string(),
    cached: z.boolean(),
  }),
  z.object({ type: z.literal('failed'), fileId: z.number().int(), reason: z.string() }),
]);
export type FromFeatureWorker = z.infer<typeof FromFeatureWorkerSchema>;
