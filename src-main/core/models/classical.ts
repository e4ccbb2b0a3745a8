import { z } from 'zod';
import { ForestParamsSchema, SvmParamsSchema } from '../../../src-shared/config/models';
import { ForestModel, type ForestJson, type ForestParams } from './shallow/forest';
import { SvmModel, type SvmJson, type SvmParams } from './shallow/svm';

/**
 * Classical classifiers on utterance-level feature vectors (functionals): an SVM (libsvm compiled to
 * wasm, the same solver sklearn's SVC wraps) and a random forest. Each model keeps its own
 * preprocessing, so a saved model maps raw functionals to class probabilities on its own.
 */
export interface ClassicalModel {
  kind: 'svm' | 'forest';
  /** Fits on training vectors; y holds class indices 0..numClasses-1. */
  fit(X: Float32Array[], y: number[], numClasses: number): Promise<void>;
  /** Class probabilities (length numClasses, summing to 1) per input vector. */
  predictProba(X: Float32Array[]): Float32Array[];
  /** Plain JSON that loadClassical() turns back into the same model. */
  toJSON(): unknown;
}

export type ClassicalKind = ClassicalModel['kind'];
export const CLASSICAL_KINDS = ['svm', 'forest'] as const;

/** Turns zod issues into one readable line: "kernel: unknown kernel "poly"; C: ...". */
function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

/** Validates hyperparameters for `kind` and fills defaults; throws a readable error. */
export function parseClassicalParams(kind: 'svm', params: unknown): SvmParams;
export function parseClassicalParams(kind: 'forest', params: unknown): ForestParams;
export function parseClassicalParams(kind: string, params: unknown): SvmParams | ForestParams;
export function parseClassicalParams(kind: string, params: unknown): SvmParams | ForestParams {
  const schema = kind === 'svm' ? SvmParamsSchema : kind === 'forest' ? ForestParamsSchema : null;
  if (!schema) throw new Error(`Unknown classical model "${kind}"; use "svm" or "forest".`);
  const parsed = schema.safeParse(params ?? {});
  if (!parsed.success) throw new Error(`Invalid ${kind === 'svm' ? 'SVM' : 'random forest'} parameters: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** An unfitted classical model of `kind` with validated hyperparameters (partial params get defaults). */
export function createClassical(kind: ClassicalKind | string, params: unknown = {}): ClassicalModel {
  if (kind === 'svm') return new SvmModel(parseClassicalParams('svm', params));
  if (kind === 'forest') return new ForestModel(parseClassicalParams('forest', params));
  throw new Error(`Unknown classical model "${kind}"; use "svm" or "forest".`);
}

const StandardizerSchema = z.object({ mean: z.array(z.number()), std: z.array(z.number()) });
const SvmJsonSchema = z.object({
  format: z.literal('ser-svm'),
  version: z.literal(1),
  params: SvmParamsSchema,
  numClasses: z.number().int().min(2),
  dims: z.number().int().min(1),
  standardizer: StandardizerSchema,
  libsvm: z.string().min(1),
});
const ForestJsonSchema = z.object({
  format: z.literal('ser-forest'),
  version: z.literal(1),
  params: ForestParamsSchema,
  numClasses: z.number().int().min(2),
  dims: z.number().int().min(1),
  classWeights: z.array(z.number()),
  trees: z.array(
    z.object({
      feature: z.array(z.number()),
      threshold: z.array(z.number()),
      left: z.array(z.number()),
      right: z.array(z.number()),
      counts: z.array(z.number()),
    }),
  ),
});

/** Rebuilds a model from its toJSON() output; async because the SVM needs its wasm instance. */
export async function loadClassical(json: unknown): Promise<ClassicalModel> {
  const format = (json as { format?: unknown } | null)?.format;
  if (format === 'ser-svm') {
    const parsed = SvmJsonSchema.safeParse(json);
    if (!parsed.success) throw new Error(`Saved SVM is damaged: ${describeIssues(parsed.error)}`);
    return SvmModel.fromJSON(parsed.data satisfies SvmJson);
  }
  if (format === 'ser-forest') {
    const parsed = ForestJsonSchema.safeParse(json);
    if (!parsed.success) throw new Error(`Saved random forest is damaged: ${describeIssues(parsed.error)}`);
    const data = parsed.data satisfies ForestJson;
    const nodes = (t: ForestJson['trees'][number]) => t.feature.length;
    if (
      data.trees.some(
        (t) =>
          t.threshold.length !== nodes(t) ||
          t.left.length !== nodes(t) ||
          t.right.length !== nodes(t) ||
          t.counts.length !== nodes(t) * data.numClasses,
      )
    ) {
      throw new Error('Saved random forest is damaged: tree arrays have inconsistent lengths.');
    }
    return ForestModel.fromJSON(data);
  }
  throw new Error(`Not a saved classical model (format ${JSON.stringify(format ?? null)}; expected "ser-svm" or "ser-forest").`);
}

export type { ForestParams, SvmParams };
