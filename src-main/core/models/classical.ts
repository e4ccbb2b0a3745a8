import { z } from 'zod';
import { ForestParamsSchema, LinearSvmParamsSchema, LogRegParamsSchema, SvmParamsSchema } from '../../../src-shared/config/models';
import { ForestModel, type ForestJson, type ForestParams } from './shallow/forest';
import { LinearClassifier, type LinearJson, type LinearParams } from './shallow/linearClassifier';
import { SvmModel, type SvmJson, type SvmParams } from './shallow/svm';
import { VectorTransformJsonSchema } from './shallow/vectorTransform';

/**
 * Classical classifiers on utterance-level feature vectors (functionals): an SVM (libsvm compiled to wasm, the same
 * solver sklearn's SVC wraps), a random forest, and two linear models for thousands of dimensions (multinomial
 * logistic regression, one-vs-rest linear SVM). Each model keeps its own preprocessing, so a saved model maps raw
 * functionals to class probabilities on its own.
 */
export interface ClassicalModel {
  kind: 'svm' | 'forest' | 'logreg' | 'linear-svm';
  /** Fits on training vectors; y holds class indices 0..numClasses-1. */
  fit(X: Float32Array[], y: number[], numClasses: number): Promise<void>;
  /** Class probabilities (length numClasses, summing to 1) per input vector. */
  predictProba(X: Float32Array[]): Float32Array[];
  /** Plain JSON that loadClassical() turns back into the same model. */
  toJSON(): unknown;
}

export type ClassicalKind = ClassicalModel['kind'];
export const CLASSICAL_KINDS = ['svm', 'forest', 'logreg', 'linear-svm'] as const;

const KIND_LABELS: Record<ClassicalKind, string> = {
  svm: 'SVM',
  forest: 'random forest',
  logreg: 'logistic regression',
  'linear-svm': 'linear SVM',
};
const SCHEMAS = { svm: SvmParamsSchema, forest: ForestParamsSchema, logreg: LogRegParamsSchema, 'linear-svm': LinearSvmParamsSchema } as const;
const unknownKind = (kind: string) => new Error(`Unknown classical model "${kind}"; use ${CLASSICAL_KINDS.map((k) => `"${k}"`).join(', ')}.`);

/** Turns zod issues into one readable line: "kernel: unknown kernel "poly"; C: ...". */
function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

function isKind(kind: string): kind is ClassicalKind {
  return (CLASSICAL_KINDS as readonly string[]).includes(kind);
}

/** Validates hyperparameters for `kind` and fills defaults; throws a readable error. */
export function parseClassicalParams(kind: 'svm', params: unknown): SvmParams;
export function parseClassicalParams(kind: 'forest', params: unknown): ForestParams;
export function parseClassicalParams(kind: 'logreg' | 'linear-svm', params: unknown): LinearParams;
export function parseClassicalParams(kind: string, params: unknown): SvmParams | ForestParams | LinearParams;
export function parseClassicalParams(kind: string, params: unknown): SvmParams | ForestParams | LinearParams {
  if (!isKind(kind)) throw unknownKind(kind);
  const parsed = SCHEMAS[kind].safeParse(params ?? {});
  if (!parsed.success) throw new Error(`Invalid ${KIND_LABELS[kind]} parameters: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** An unfitted classical model of `kind` with validated hyperparameters (partial params get defaults). */
export function createClassical(kind: ClassicalKind | string, params: unknown = {}): ClassicalModel {
  if (kind === 'svm') return new SvmModel(parseClassicalParams('svm', params));
  if (kind === 'forest') return new ForestModel(parseClassicalParams('forest', params));
  if (kind === 'logreg' || kind === 'linear-svm') return new LinearClassifier(kind, parseClassicalParams(kind, params));
  throw unknownKind(kind);
}

const StandardizerSchema = z.object({ mean: z.array(z.number()), std: z.array(z.number()) });
const SvmJsonSchema = z.discriminatedUnion('version', [
  z.object({
    format: z.literal('ser-svm'),
    version: z.literal(1),
    params: SvmParamsSchema,
    numClasses: z.number().int().min(2),
    dims: z.number().int().min(1),
    standardizer: StandardizerSchema,
    libsvm: z.string().min(1),
  }),
  z.object({
    format: z.literal('ser-svm'),
    version: z.literal(2),
    params: SvmParamsSchema,
    numClasses: z.number().int().min(2),
    dims: z.number().int().min(1),
    transform: VectorTransformJsonSchema,
    libsvm: z.string().min(1),
  }),
]);
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
const LinearJsonSchema = z.object({
  format: z.literal('ser-linear'),
  version: z.literal(1),
  kind: z.enum(['logreg', 'linear-svm']),
  // Checked against the kind's own schema below (the two share their fields).
  params: LogRegParamsSchema,
  numClasses: z.number().int().min(2),
  dims: z.number().int().min(1),
  C: z.number().positive(),
  classes: z.array(z.number().int().min(0)).min(2),
  transform: VectorTransformJsonSchema,
  weights: z.array(z.array(z.number())),
  intercepts: z.array(z.number()),
  probabilityScale: z.number().min(0),
  iterations: z.number().int().min(0),
  converged: z.boolean(),
});

/** Rebuilds a model from its toJSON() output; async because the SVM needs its wasm instance. */
export async function loadClassical(json: unknown): Promise<ClassicalModel> {
  const format = (json as { format?: unknown } | null)?.format;
  if (format === 'ser-svm') {
    const parsed = SvmJsonSchema.safeParse(json);
    if (!parsed.success) throw new Error(`Saved SVM is damaged: ${describeIssues(parsed.error)}`);
    return SvmModel.fromJSON(parsed.data satisfies SvmJson);
  }
  if (format === 'ser-linear') {
    const parsed = LinearJsonSchema.safeParse(json);
    if (!parsed.success) throw new Error(`Saved linear model is damaged: ${describeIssues(parsed.error)}`);
    const params = parseClassicalParams(parsed.data.kind, parsed.data.params);
    return LinearClassifier.fromJSON({ ...parsed.data, params } satisfies LinearJson);
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
  throw new Error(`Not a saved classical model (format ${JSON.stringify(format ?? null)}; expected "ser-svm", "ser-forest" or "ser-linear").`);
}

export { LinearClassifier };
export type { ForestParams, LinearParams, SvmParams };
