import { createHash } from 'node:crypto';
import { effectiveFmax, type FeatureConfig } from '../../../src-shared/config/features';

/** Bumped whenever a change to the DSP would change cached numbers, so old cache entries stop matching. */
export const FEATURE_CODE_VERSION = 1;

/**
 * Per-kind versions, bumped when one kind's code changes its numbers (a ComParE fix need not invalidate every cached
 * log-mel); a kind without an entry hashes exactly as before.
 */
export const KIND_CODE_VERSIONS: Partial<Record<FeatureConfig['kind'], number>> = { compare: 1 };

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Stable short hash of a config (key order independent, defaults filled), part of the cache key; a speed-perturbed
 * copy (speed ≠ 1) hashes apart, the recording as it is exactly as before speed existed.
 */
export function featureConfigHash(c: FeatureConfig, speed = 1): string {
  const kindVersion = KIND_CODE_VERSIONS[c.kind];
  const body = canonicalJson({
    ...c,
    fmax: effectiveFmax(c),
    codeVersion: FEATURE_CODE_VERSION,
    ...(kindVersion ? { kindVersion } : {}),
    ...(speed !== 1 ? { speed } : {}),
  });
  return createHash('sha1').update(body).digest('hex').slice(0, 16);
}
