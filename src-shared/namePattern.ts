/**
 * File-name patterns such as `{_}-{_}-{label}-{_}-{_}-{_}-{speaker}` or `{speaker}_{label}_{_}`: the
 * fields a corpus without a built-in convention writes into its names. Shared so the import wizard can
 * check a pattern as it is typed with the same rules the core imports by.
 */
import type { Gender } from './corpus';

/** Fields a pattern may name; each is stored on the file row. `{_}` skips a part. */
export const PATTERN_FIELDS = ['label', 'speaker', 'gender', 'intensity', 'statement'] as const;
export type PatternField = (typeof PATTERN_FIELDS)[number];

export interface NamePattern {
  /** The pattern as written. */
  source: string;
  /** Literal text before the first field, between fields, and after the last (fields.length + 1 entries). */
  literals: string[];
  /** The named field of each slot, null for `{_}`. */
  fields: (PatternField | null)[];
  /** Path segments the pattern spans: 1 matches the file name, 2 its folder and file name ('/' in the pattern), and so on. */
  segments: number;
}

/** A pattern that cannot be used, with the reason in words. */
export class PatternError extends Error {
  constructor(pattern: string, reason: string) {
    super(`pattern "${pattern}": ${reason}`);
    this.name = 'PatternError';
  }
}

/** Parses a pattern, throwing a PatternError that says what is wrong (unbalanced braces, unknown or repeated fields, fields with no separator between them). */
export function parseNamePattern(source: string): NamePattern {
  const fail = (reason: string): never => {
    throw new PatternError(source, reason);
  };
  if (!source.trim()) fail('it is empty; write the name with {fields}, e.g. {speaker}_{label}_{_}');
  const literals: string[] = [];
  const fields: (PatternField | null)[] = [];
  let literal = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '}') fail(`"}" at position ${i + 1} closes no "{"`);
    if (c !== '{') {
      literal += c;
      i++;
      continue;
    }
    const close = source.indexOf('}', i + 1);
    const nextOpen = source.indexOf('{', i + 1);
    if (close < 0 || (nextOpen >= 0 && nextOpen < close)) fail(`"{" at position ${i + 1} is never closed`);
    const name = source.slice(i + 1, close).trim();
    if (name !== '_' && !(PATTERN_FIELDS as readonly string[]).includes(name)) {
      fail(`unknown field {${name}}; fields are ${PATTERN_FIELDS.map((f) => `{${f}}`).join(', ')}, and {_} skips a part`);
    }
    if (fields.length > 0 && literal === '') {
      fail(`{${fieldName(fields.at(-1)!)}}{${name}} has no separator between the fields, so where one ends is unknown`);
    }
    const field = name === '_' ? null : (name as PatternField);
    if (field !== null && fields.includes(field)) fail(`{${field}} appears twice`);
    literals.push(literal);
    fields.push(field);
    literal = '';
    i = close + 1;
  }
  literals.push(literal);
  if (fields.length === 0) fail('it has no {fields}; e.g. {speaker}_{label}_{_}');
  if (/\.(wav|wave|flac|mp3|ogg|oga|opus|m4a|aac)$/i.test(literals.at(-1)!)) {
    fail('leave the extension out: the pattern is matched against the name without it');
  }
  if (literals[0].startsWith('/')) fail('it is matched against paths relative to the corpus folder, so it cannot start with "/"');
  return { source, literals, fields, segments: source.split('/').length };
}

function fieldName(f: PatternField | null): string {
  return f ?? '_';
}

/** The part of a corpus-relative path a pattern is matched against: the file name without extension, with as many parent folders as the pattern has '/'. */
export function patternTarget(pattern: NamePattern, relPath: string): string {
  const parts = relPath.split('/');
  const last = parts[parts.length - 1];
  const dot = last.lastIndexOf('.');
  parts[parts.length - 1] = dot > 0 ? last.slice(0, dot) : last;
  return parts.slice(-pattern.segments).join('/');
}

export type PatternMatch = { ok: true; values: Partial<Record<PatternField, string>> } | { ok: false; reason: string };

/**
 * Matches a name (see patternTarget) field by field, left to right. A field's value runs to the next
 * separator of the pattern, so fields never contain one ("split on the separators"); a name with more or
 * fewer parts than the pattern does not match, and the reason says where it went wrong.
 */
export function matchNamePattern(pattern: NamePattern, name: string): PatternMatch {
  const { literals, fields } = pattern;
  // Longest first, so '--' wins over '-' where both are separators.
  const separators = [...new Set(literals.filter((l) => l !== ''))].sort((a, b) => b.length - a.length);
  const nextSeparator = (from: number): { at: number; text: string } | null => {
    let best: { at: number; text: string } | null = null;
    for (const s of separators) {
      const at = name.indexOf(s, from);
      if (at >= 0 && (!best || at < best.at || (at === best.at && s.length > best.text.length))) best = { at, text: s };
    }
    return best;
  };
  if (!name.startsWith(literals[0])) return { ok: false, reason: `does not start with "${literals[0]}"` };
  const values: Partial<Record<PatternField, string>> = {};
  let pos = literals[0].length;
  for (let k = 0; k < fields.length; k++) {
    const label = `{${fieldName(fields[k])}}${fields[k] === null ? ` (part ${k + 1})` : ''}`;
    const after = literals[k + 1];
    const last = k === fields.length - 1;
    const sep = nextSeparator(pos);
    let end: number;
    if (last && after === '') {
      if (sep) return { ok: false, reason: `has more parts than the pattern: "${name.slice(sep.at)}" follows the last field` };
      end = name.length;
    } else if (!sep) {
      const missing = fields.length - 1 - k;
      return {
        ok: false,
        reason: `ends after ${label} "${name.slice(pos)}"; the pattern expects "${after}"${missing ? ` and ${missing} more field(s)` : ''}`,
      };
    } else if (sep.text !== after) {
      return { ok: false, reason: `found "${sep.text}" after ${label} "${name.slice(pos, sep.at)}" where the pattern has "${after}"` };
    } else end = sep.at;
    const value = name.slice(pos, end);
    if (value === '') return { ok: false, reason: `${label} is empty` };
    if (fields[k] !== null) values[fields[k]!] = value;
    pos = end + (last && after === '' ? 0 : after.length);
    if (last && pos !== name.length) return { ok: false, reason: `has more parts than the pattern: "${name.slice(pos)}" follows "${after}"` };
  }
  return { ok: true, values };
}

const GENDERS: Record<string, Gender> = {
  m: 'male',
  male: 'male',
  man: 'male',
  men: 'male',
  masculine: 'male',
  mannlich: 'male',
  maennlich: 'male',
  f: 'female',
  female: 'female',
  woman: 'female',
  women: 'female',
  feminine: 'female',
  w: 'female', // weiblich: German corpora write w
  weiblich: 'female',
};

/** male / female from the ways corpora write it (m, M, male, Man, f, F, w, weiblich ...); null when the value is none of them. */
export function normaliseGender(value: string): Gender | null {
  const key = value.normalize('NFKD').replace(/\p{M}/gu, '').trim().toLowerCase();
  return GENDERS[key] ?? null;
}
