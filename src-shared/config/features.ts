import { z } from 'zod';

export const FEATURE_KINDS = ['logmel', 'mfcc', 'chroma', 'prosody', 'functionals', 'compare'] as const;
export type FeatureKind = (typeof FEATURE_KINDS)[number];

/** Kinds that give one named vector per file ([dims, 1]) rather than a time-frequency matrix. */
export const VECTOR_FEATURE_KINDS = ['prosody', 'functionals', 'compare'] as const satisfies readonly FeatureKind[];

/** True for the utterance-level kinds (prosody, functionals, compare): one vector per file, for classical models. */
export function isVectorFeatureKind(kind: FeatureKind): boolean {
  return (VECTOR_FEATURE_KINDS as readonly FeatureKind[]).includes(kind);
}

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

const LengthSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('fixed'), seconds: z.number().positive().max(600) }),
  z.object({ mode: z.literal('variable'), maxSeconds: z.number().positive().max(3600) }),
]);

/** Fixed: pad with zeros or trim to exactly N s (the seeds use 3 s). Variable: natural length, trimmed to maxSeconds. */
export type LengthSpec = z.infer<typeof LengthSchema>;

// Strict: a misspelt or foreign key ("topdb", "preset" where a config is expected) is an error, not silently dropped.
const BaseSchema = z.strictObject({
  kind: z.enum(FEATURE_KINDS).default('logmel'),
  /** Hz; audio is resampled to this rate before extraction. */
  sampleRate: z.number().int().min(4000).max(192000).default(16000),
  /** samples; fft.js is radix-2/4, so a power of two. */
  nFft: z.number().int().refine(isPowerOfTwo, { message: 'must be a power of two (e.g. 512, 1024, 2048)' }).default(1024),
  /** samples between frames */
  hop: z.number().int().positive().default(512),
  nMels: z.number().int().positive().default(64),
  /** Hz */
  fmin: z.number().min(0).default(0),
  /** Hz; omitted = sampleRate / 2, as librosa does */
  fmax: z.number().positive().optional(),
  /** HTK mel scale instead of Slaney (librosa's default) */
  htk: z.boolean().default(false),
  /** dB below the peak where log-mel is floored; null = no floor */
  topDb: z.number().nonnegative().nullable().default(80),
  nMfcc: z.number().int().positive().default(40),
  /** 0 = none, 1 = append deltas, 2 = append deltas and delta-deltas (stacked as extra rows) */
  deltas: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(0),
  /** frames in the Savitzky-Golay delta window (librosa: 9) */
  deltaWidth: z
    .number()
    .int()
    .min(3)
    .refine((n) => n % 2 === 1, { message: 'must be odd' })
    .default(9),
  /** YIN search range in Hz and frame length in samples (librosa.yin parameters) */
  f0Min: z.number().positive().default(65),
  f0Max: z.number().positive().default(1000),
  yinFrameLength: z.number().int().refine(isPowerOfTwo, { message: 'must be a power of two' }).default(2048),
  length: LengthSchema.default({ mode: 'variable', maxSeconds: 60 }),
  /**
   * librosa.effects.trim before the length is applied: drop leading and trailing audio whose frame RMS (2048/512) is
   * more than topDb below the loudest frame, so fixed windows hold the utterance rather than its leading silence.
   * Absent = no trimming (kept optional so configs without it hash as before).
   */
  trim: z.strictObject({ topDb: z.number().positive().max(200).default(60) }).optional(),
});

/** Feature extraction settings, validated with cross-field checks that name the offending values. */
export const FeatureConfigSchema = BaseSchema.superRefine((c, ctx) => {
  const nyquist = c.sampleRate / 2;
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (c.fmax !== undefined && c.fmax > nyquist) {
    issue('fmax', `fmax (${c.fmax} Hz) must not exceed half the sample rate (${nyquist} Hz at ${c.sampleRate} Hz)`);
  }
  if (c.fmin >= (c.fmax ?? nyquist)) issue('fmin', `fmin (${c.fmin} Hz) must be below fmax (${c.fmax ?? nyquist} Hz)`);
  if (c.nMels > c.nFft / 2)
    issue('nMels', `nMels (${c.nMels}) must not exceed nFft/2 (${c.nFft / 2}): the mel bands would be narrower than the FFT bins`);
  if (c.hop > c.nFft) issue('hop', `hop (${c.hop}) must not exceed nFft (${c.nFft}), or samples between frames are skipped`);
  if ((c.kind === 'mfcc' || c.kind === 'functionals') && c.nMfcc > c.nMels) issue('nMfcc', `nMfcc (${c.nMfcc}) must not exceed nMels (${c.nMels})`);
  if (c.f0Max > nyquist) issue('f0Max', `f0Max (${c.f0Max} Hz) must not exceed half the sample rate (${nyquist} Hz)`);
  if (c.f0Min >= c.f0Max) issue('f0Min', `f0Min (${c.f0Min} Hz) must be below f0Max (${c.f0Max} Hz)`);
  // ComParE 2016 fixes its own frames, bands and deltas; its bands reach 8 kHz, so it needs at least 16 kHz.
  if (c.kind === 'compare' && c.deltas !== 0) issue('deltas', `compare computes ComParE's own deltas; deltas must be 0, not ${c.deltas}`);
  if (c.kind === 'compare' && c.sampleRate < 16000)
    issue('sampleRate', `compare needs a sample rate of at least 16000 Hz (its bands reach 8 kHz), not ${c.sampleRate}`);
  // librosa.yin: the longest period searched must fit the frame beside the half-frame window.
  if (c.sampleRate / c.f0Max >= c.yinFrameLength / 2 - 1) {
    issue('yinFrameLength', `yinFrameLength (${c.yinFrameLength}) is too short for f0Max ${c.f0Max} Hz at ${c.sampleRate} Hz`);
  }
});

export type FeatureConfig = z.infer<typeof FeatureConfigSchema>;
export type FeatureConfigInput = z.input<typeof FeatureConfigSchema>;

/** Parses a config, throwing one readable message that lists every problem ("nMels: ..."). */
export function parseFeatureConfig(input: unknown): FeatureConfig {
  const r = FeatureConfigSchema.safeParse(input);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'config'}: ${i.message}`);
  throw new Error(`Invalid feature config: ${lines.join('; ')}`);
}

/** fmax with librosa's default (Nyquist) filled in, Hz. */
export function effectiveFmax(c: FeatureConfig): number {
  return c.fmax ?? c.sampleRate / 2;
}

const seedStft = { sampleRate: 16000, nFft: 1024, hop: 512, nMels: 64, fmin: 0, fmax: 8000 } as const;

/** Named presets (prosody/functionals: 16 ms hop, 64 ms YIN frames, the scale of speech prosody); 'seed-logmel' is the seeds' input: 16 kHz, n_fft 1024, hop 512, 64 mels to 8 kHz, 3 s -> 64 x 94. */
export const FEATURE_PRESETS: Record<string, FeatureConfig> = {
  'seed-logmel': parseFeatureConfig({ kind: 'logmel', ...seedStft, length: { mode: 'fixed', seconds: 3 } }),
  mfcc40: parseFeatureConfig({ kind: 'mfcc', ...seedStft, nMfcc: 40, length: { mode: 'fixed', seconds: 3 } }),
  'mfcc13-deltas': parseFeatureConfig({ kind: 'mfcc', ...seedStft, nMfcc: 13, deltas: 2, length: { mode: 'fixed', seconds: 3 } }),
  chroma: parseFeatureConfig({ kind: 'chroma', ...seedStft, length: { mode: 'fixed', seconds: 3 } }),
  prosody: parseFeatureConfig({ kind: 'prosody', ...seedStft, hop: 256, yinFrameLength: 1024, length: { mode: 'variable', maxSeconds: 30 } }),
  functionals: parseFeatureConfig({
    kind: 'functionals',
    ...seedStft,
    hop: 256,
    yinFrameLength: 1024,
    nMfcc: 13,
    deltas: 1,
    length: { mode: 'variable', maxSeconds: 30 },
  }),
  /** ComParE 2016 (openSMILE's 6,373 functionals): frames, bands and deltas are ComParE's own; only rate, length and trim apply. */
  compare: parseFeatureConfig({ kind: 'compare', sampleRate: 16000, length: { mode: 'variable', maxSeconds: 30 } }),
  'librosa-default-logmel': parseFeatureConfig({ kind: 'logmel', sampleRate: 22050, nFft: 2048, hop: 512, nMels: 128 }),
};

/** { preset: 'compare', trim: … } → the preset's config with the overrides on top (unparsed), or why not. */
export function expandFeaturePreset(spec: Record<string, unknown>): Record<string, unknown> | string {
  const { preset: name, ...rest } = spec;
  if (typeof name !== 'string') return 'Invalid feature config: preset must be a preset name';
  const preset = FEATURE_PRESETS[name];
  if (!preset) return `Unknown feature preset "${name}"; presets: ${Object.keys(FEATURE_PRESETS).join(', ')}`;
  return { ...preset, ...rest };
}

/**
 * A config from a preset name ('seed-logmel'), a full or partial config object, or an object naming a
 * preset to start from ({ preset: 'mfcc40', nMfcc: 20 }); unknown preset names list the known ones.
 */
export function resolveFeatureConfig(spec: unknown): FeatureConfig {
  const obj = typeof spec === 'string' ? { preset: spec } : spec;
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('Invalid feature config: expected a preset name or a config object');
  const { preset, ...rest } = obj as Record<string, unknown>;
  if (preset === undefined) return parseFeatureConfig(rest);
  const expanded = expandFeaturePreset(obj as Record<string, unknown>);
  if (typeof expanded === 'string') throw new Error(expanded);
  return parseFeatureConfig(expanded);
}
