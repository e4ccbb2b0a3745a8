/**
 * Ensembles of saved models: the pure parts (label alignment, probability combination, weight fitting on validation
 * predictions, the saved meta's schema). Shared so a run that trains several members in one go, the core and the
 * renderer use one definition.
 */
import { z } from 'zod';
import { SplitSpecSchema } from './config/split';

export const ENSEMBLE_WEIGHTINGS = ['equal', 'val'] as const;
export type EnsembleWeighting = (typeof ENSEMBLE_WEIGHTINGS)[number];

/** Whether a model adapts to the speaker at prediction time (its statistics come from the speaker's own files). */
export const AdaptationSchema = z.strictObject({
  speakerNormalization: z.boolean(),
  speakerAdaptiveBatchNorm: z.boolean(),
});
export type Adaptation = z.infer<typeof AdaptationSchema>;

const MemberSchema = z.strictObject({
  /** Folder of the member's copy, relative to the ensemble folder (members/0, members/1, …). */
  dir: z.string().regex(/^members\/\d+$/, 'members/<index>'),
  name: z.string(),
  /** The member's saved-model kind (neural, svm, …). */
  kind: z.string(),
  preset: z.string(),
  /** The member's run in the store it was trained in (null when it came from elsewhere). */
  runId: z.number().int().nullable(),
  /** The member's own label order; its probabilities are reordered to the ensemble's by name. */
  labels: z.array(z.string()).min(2),
  adaptation: AdaptationSchema,
  /** Where the member was copied from (for the record; the copy is what loads). */
  source: z.string(),
});
export type EnsembleMember = z.infer<typeof MemberSchema>;

const HeadlineSchema = z.strictObject({ uar: z.number(), accuracy: z.number(), n: z.number().int() });

/** meta.json of a saved ensemble (kind 'ensemble'); readers validate it before loading the members. */
export const EnsembleMetaSchema = z
  .strictObject({
    format: z.literal('ser-workbench-model'),
    version: z.literal(1),
    kind: z.literal('ensemble'),
    name: z.string(),
    labels: z.array(z.string()).min(2),
    members: z.array(MemberSchema).min(2),
    weights: z.array(z.number().min(0).max(1)),
    weighting: z.enum(ENSEMBLE_WEIGHTINGS),
    /** Any member adapts to the speaker: figures with adaptation are reported apart from those without. */
    adaptation: AdaptationSchema,
    /** The ensemble's own run (its stored val/test evaluations) when every member came from one stored split. */
    runId: z.number().int().nullable(),
    /** Headline figures at build time: val (weights fitted there when weighting is 'val', so optimistic) and test. */
    metrics: z.strictObject({ val: HeadlineSchema.nullable(), test: HeadlineSchema.nullable() }),
    createdAt: z.string(),
  })
  .superRefine((m, ctx) => {
    if (m.weights.length !== m.members.length)
      ctx.addIssue({ code: 'custom', path: ['weights'], message: `${m.weights.length} weights for ${m.members.length} members` });
    const sum = m.weights.reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > 1e-6) ctx.addIssue({ code: 'custom', path: ['weights'], message: `weights sum to ${sum}, not 1` });
    m.members.forEach((member, i) => {
      if (member.dir !== `members/${i}`) ctx.addIssue({ code: 'custom', path: ['members', i, 'dir'], message: `expected members/${i}` });
      if (!sameLabelSet(member.labels, m.labels))
        ctx.addIssue({
          code: 'custom',
          path: ['members', i, 'labels'],
          message: `${member.labels.join(',')} is not a reordering of ${m.labels.join(',')}`,
        });
    });
  });
export type EnsembleMeta = z.infer<typeof EnsembleMetaSchema>;

/**
 * The stored config of an ensemble's own run (runs.config): built, not trained, from members that were all trained on
 * one split of one dataset; its val/test evaluations are stored like a trained run's so Results and Compare show it.
 */
export const EnsembleRunConfigSchema = z.object({
  kind: z.literal('ensemble'),
  name: z.string().nullable(),
  datasetId: z.number().int(),
  /** The members' common split (the first member's stored split spec). */
  split: SplitSpecSchema,
  weighting: z.enum(ENSEMBLE_WEIGHTINGS),
  weights: z.array(z.number()),
  members: z.array(z.object({ runId: z.number().int(), preset: z.string(), name: z.string() })).min(2),
  adaptation: AdaptationSchema,
  modelDir: z.string(),
});
export type EnsembleRunConfig = z.infer<typeof EnsembleRunConfigSchema>;

/** The ensemble run config in a stored runs.config text, or null when it is not one (or is damaged). */
export function readEnsembleRunConfig(text: string): EnsembleRunConfig | null {
  try {
    const r = EnsembleRunConfigSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** The ensemble request of the CLI and the API: member folders (or stored model ids), weighting, where to save. */
export const EnsembleRequestSchema = z.strictObject({
  /** Saved-model folders, or ids of saved models in the store; at least two. */
  models: z
    .array(z.union([z.number().int().positive(), z.string().min(1).max(4096)]))
    .min(2)
    .max(16),
  weights: z.enum(ENSEMBLE_WEIGHTINGS).default('equal'),
  /** Folder to create; default models/ensemble-<time> beside the database. */
  out: z.string().min(1).max(4096).optional(),
  name: z.string().min(1).max(128).optional(),
});
export type EnsembleRequest = z.input<typeof EnsembleRequestSchema>;

/** What building an ensemble reports (`ser ensemble --json`, `models.ensemble`). */
export interface EnsembleResult {
  dir: string;
  members: string[];
  weights: number[];
  labels: string[];
  weighting: EnsembleWeighting;
  /** Figures on the members' common validation split (null when they share none); with 'val' weights these are fitted there. */
  val: { uar: number; accuracy: number } | null;
  /** The saved ensemble evaluated on the members' common test split (null when they share none). */
  test: { uar: number; accuracy: number; macroF1: number; n: number } | null;
  adaptation: Adaptation;
  runId: number | null;
  modelId: number | null;
}

function sameLabelSet(a: string[], b: string[]): boolean {
  return a.length === b.length && new Set(a).size === a.length && b.every((l) => a.includes(l));
}

/**
 * The ensemble's label order (the first member's) and, per member, the index of each ensemble label in that member's
 * outputs. Members with another label set are refused, naming each model and its labels.
 */
export function alignLabels(members: { name: string; labels: string[] }[]): { labels: string[]; order: number[][] } {
  if (members.length < 2) throw new Error(`An ensemble needs at least two models, got ${members.length}.`);
  const labels = members[0].labels;
  const odd = members.filter((m) => !sameLabelSet(m.labels, labels));
  if (odd.length) {
    const list = members.map((m) => `${m.name} [${m.labels.join(', ')}]`).join('; ');
    throw new Error(
      `The models of an ensemble must have the same labels (in any order), but ${odd.map((m) => m.name).join(', ')} differ${odd.length === 1 ? 's' : ''} from ${members[0].name}: ${list}.`,
    );
  }
  return { labels, order: members.map((m) => labels.map((l) => m.labels.indexOf(l))) };
}

/** Reorders one probability vector from a member's label order to the ensemble's (`order` from alignLabels). */
export function reorder(p: ArrayLike<number>, order: number[]): Float32Array {
  return Float32Array.from(order, (j) => p[j]);
}

function checkWeights(weights: number[], members: number): void {
  if (weights.length !== members) throw new Error(`${weights.length} weights for ${members} members.`);
  if (weights.some((w) => !(w >= 0))) throw new Error(`Ensemble weights must be ≥ 0, got ${weights.join(', ')}.`);
  const sum = weights.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 1e-6) throw new Error(`Ensemble weights must sum to 1, got ${sum}.`);
}

/**
 * Weighted mean of the members' probabilities: memberProbs[m][i] is member m's probability vector for utterance i (in
 * the ensemble's label order), weights are ≥ 0 and sum to 1. Summed in float64, one rounding to float32 at the end.
 */
export function combineProbabilities(memberProbs: ArrayLike<number>[][], weights: number[]): Float32Array[] {
  checkWeights(weights, memberProbs.length);
  const n = memberProbs[0].length;
  const k = memberProbs[0][0]?.length ?? 0;
  memberProbs.forEach((probs, m) => {
    if (probs.length !== n) throw new Error(`Member ${m} has probabilities for ${probs.length} utterances, member 0 for ${n}.`);
    probs.forEach((p, i) => {
      if (p.length !== k) throw new Error(`Member ${m}, utterance ${i}: ${p.length} class probabilities, expected ${k}.`);
    });
  });
  const out: Float32Array[] = [];
  const acc = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    acc.fill(0);
    for (let m = 0; m < memberProbs.length; m++) {
      const w = weights[m];
      if (w === 0) continue;
      const p = memberProbs[m][i];
      for (let c = 0; c < k; c++) acc[c] += w * p[c];
    }
    out.push(Float32Array.from(acc));
  }
  return out;
}

export const equalWeights = (members: number): number[] => Array.from({ length: members }, () => 1 / members);

/** A probability floor: a member giving the true class exactly 0 (stored predictions are rounded to 1e-6) stays finite. */
const FLOOR = 1e-9;

/** Mean log-loss (nats) of the weighted mixture on true labels; the quantity fitEnsembleWeights minimises. */
export function mixtureLogLoss(memberProbs: ArrayLike<number>[][], labels: number[], weights: number[]): number {
  let loss = 0;
  for (let i = 0; i < labels.length; i++) {
    let p = 0;
    for (let m = 0; m < memberProbs.length; m++) p += weights[m] * Math.max(memberProbs[m][i][labels[i]], FLOOR);
    loss -= Math.log(p);
  }
  return loss / labels.length;
}

/**
 * Member weights that minimise the validation log-loss of the weighted mean of probabilities, over the simplex.
 *
 * The objective −Σᵢ log Σₘ wₘ pₘᵢ (pₘᵢ: member m's probability of utterance i's true class) is exactly the negative
 * log-likelihood of mixture weights with fixed components, so it is convex in w and the classic EM update for mixture
 * weights, wₘ ← mean over i of wₘ pₘᵢ / Σₖ wₖ pₖᵢ, solves it: every step stays on the simplex, never increases the
 * loss, needs no step size, and is deterministic (starting from equal weights). That is why it was chosen over a
 * projected-gradient or softmax-parameterised optimiser, which need a step size and a projection or break convexity.
 * Stops when no weight moves by more than 1e-9 or after 20,000 steps; weights below 1e-6 are set to 0 and the rest
 * renormalised, so a useless member reads as exactly 0.
 *
 * memberProbs[m][i]: member m's probability vector for validation utterance i (ensemble label order); labels[i]: the
 * true class index. Use only validation predictions, never test.
 */
export function fitEnsembleWeights(memberProbs: ArrayLike<number>[][], labels: number[]): number[] {
  const members = memberProbs.length;
  if (members < 1) throw new Error('No members to weight.');
  if (labels.length === 0) throw new Error('Weights cannot be fitted on an empty validation set.');
  memberProbs.forEach((probs, m) => {
    if (probs.length !== labels.length) throw new Error(`Member ${m} has ${probs.length} validation predictions for ${labels.length} labels.`);
  });
  const n = labels.length;
  // p[i * members + m]: member m's probability of utterance i's true class.
  const p = new Float64Array(n * members);
  for (let i = 0; i < n; i++) {
    for (let m = 0; m < members; m++) {
      const v = memberProbs[m][i][labels[i]];
      if (!(v >= 0 && v <= 1 + 1e-6)) throw new Error(`Member ${m}, validation utterance ${i}: probability ${v} is not in [0, 1].`);
      p[i * members + m] = Math.max(v, FLOOR);
    }
  }
  let w = new Float64Array(members).fill(1 / members);
  const next = new Float64Array(members);
  for (let step = 0; step < 20_000; step++) {
    next.fill(0);
    for (let i = 0; i < n; i++) {
      let mix = 0;
      for (let m = 0; m < members; m++) mix += w[m] * p[i * members + m];
      for (let m = 0; m < members; m++) next[m] += (w[m] * p[i * members + m]) / mix;
    }
    let moved = 0;
    for (let m = 0; m < members; m++) {
      next[m] /= n;
      moved = Math.max(moved, Math.abs(next[m] - w[m]));
    }
    w = Float64Array.from(next);
    if (moved < 1e-9) break;
  }
  const kept = Array.from(w, (v) => (v < 1e-6 ? 0 : v));
  const sum = kept.reduce((a, b) => a + b, 0);
  return kept.map((v) => v / sum);
}
