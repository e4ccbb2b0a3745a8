import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchNamePattern, normaliseGender, parseNamePattern, patternTarget, PatternError } from '../../src-shared/namePattern';
import { RAVDESS_16K } from '../helpers/shared';

const match = (pattern: string, name: string) => matchNamePattern(parseNamePattern(pattern), name);

describe('parseNamePattern', () => {
  it('splits a pattern into literal separators and fields, {_} as a skipped slot', () => {
    expect(parseNamePattern('{_}-{_}-{label}-{_}-{_}-{_}-{speaker}')).toEqual({
      source: '{_}-{_}-{label}-{_}-{_}-{_}-{speaker}',
      literals: ['', '-', '-', '-', '-', '-', '-', ''],
      fields: [null, null, 'label', null, null, null, 'speaker'],
      segments: 1,
    });
    expect(parseNamePattern('Actor_{speaker}/{_}_take{statement}')).toMatchObject({
      literals: ['Actor_', '/', '_take', ''],
      fields: ['speaker', null, 'statement'],
      segments: 2,
    });
  });

  it('refuses malformed patterns with a reason that names the problem', () => {
    const bad: [string, RegExp][] = [
      ['', /empty/],
      ['   ', /empty/],
      ['{speaker', /"\{" at position 1 is never closed/],
      ['{speaker}_{label', /"\{" at position 11 is never closed/],
      ['{spe{aker}_x', /"\{" at position 1 is never closed/],
      ['speaker}_{label}', /"\}" at position 8 closes no "\{"/],
      ['{label}_{speaker}_{label}', /\{label\} appears twice/],
      ['{speaker}{label}', /\{speaker\}\{label\} has no separator between the fields/],
      ['{_}{_}', /has no separator/],
      ['{speaker}_{age}', /unknown field \{age\}; fields are \{label\}, \{speaker\}, \{gender\}, \{intensity\}, \{statement\}/],
      ['{}', /unknown field \{\}/],
      ['no fields here', /has no \{fields\}/],
      ['{speaker}_{label}.wav', /leave the extension out/],
      ['/{speaker}_{label}', /cannot start with "\/"/],
    ];
    for (const [pattern, reason] of bad) {
      expect(() => parseNamePattern(pattern), pattern).toThrow(PatternError);
      expect(() => parseNamePattern(pattern), pattern).toThrow(reason);
    }
    // {_} may repeat: it names nothing.
    expect(parseNamePattern('{_}_{_}_{label}').fields).toEqual([null, null, 'label']);
  });
});

describe('matchNamePattern', () => {
  it('reads emotion code and actor from all 960 real RAVDESS names, agreeing with the actor folders', () => {
    const pattern = parseNamePattern('{_}-{_}-{label}-{intensity}-{statement}-{_}-{speaker}');
    let n = 0;
    for (const actor of readdirSync(RAVDESS_16K).filter((d) => d.startsWith('Actor_'))) {
      for (const file of readdirSync(join(RAVDESS_16K, actor))) {
        const m = matchNamePattern(pattern, patternTarget(pattern, `${actor}/${file}`));
        expect(m.ok, file).toBe(true);
        if (!m.ok) continue;
        expect(m.values.speaker).toBe(actor.slice('Actor_'.length));
        expect(m.values.label).toBe(file.split('-')[2]);
        expect(m.values.intensity).toMatch(/^0[12]$/);
        n++;
      }
    }
    expect(n).toBe(960);
  });

  it('takes fields between separators, with prefix, suffix and folder parts', () => {
    expect(match('{speaker}_{label}_{_}', 'spk1_happy_01')).toEqual({ ok: true, values: { speaker: 'spk1', label: 'happy' } });
    expect(match('{speaker}-{gender}', 'anna-lee-f')).toEqual({
      ok: false,
      reason: 'has more parts than the pattern: "-f" follows the last field',
    });
    // A field may hold characters that are no separator of this pattern.
    expect(match('{speaker}_{label}', 'anna-lee_sad')).toEqual({ ok: true, values: { speaker: 'anna-lee', label: 'sad' } });
    expect(match('take{statement}_{label}_end', 'take12_angry_end')).toEqual({ ok: true, values: { statement: '12', label: 'angry' } });
    const nested = parseNamePattern('Actor_{speaker}/{_}_{label}');
    expect(patternTarget(nested, 'corpus/Actor_07/x_sad.wav')).toBe('Actor_07/x_sad');
    expect(matchNamePattern(nested, patternTarget(nested, 'corpus/Actor_07/x_sad.wav'))).toEqual({
      ok: true,
      values: { speaker: '07', label: 'sad' },
    });
    // Longest separator first: '--' is not read as two '-'.
    expect(match('{speaker}--{label}-{_}', 'a--sad-1')).toEqual({ ok: true, values: { speaker: 'a', label: 'sad' } });
  });

  it('says where a name that does not fit went wrong', () => {
    const ravdess = '{_}-{_}-{label}-{_}-{_}-{_}-{speaker}';
    expect(match(ravdess, '03-01-05-01-01-01')).toEqual({
      ok: false,
      reason: 'ends after {_} (part 6) "01"; the pattern expects "-" and 1 more field(s)',
    });
    expect(match(ravdess, '03-01-05-01-01-01-01-99')).toEqual({ ok: false, reason: 'has more parts than the pattern: "-99" follows the last field' });
    expect(match(ravdess, 'take2')).toEqual({ ok: false, reason: 'ends after {_} (part 1) "take2"; the pattern expects "-" and 6 more field(s)' });
    expect(match('{speaker}_{label}', '_sad')).toEqual({ ok: false, reason: '{speaker} is empty' });
    expect(match('{speaker}_{label}-{_}', 'a-sad_1')).toEqual({ ok: false, reason: 'found "-" after {speaker} "a" where the pattern has "_"' });
    expect(match('Actor_{speaker}', 'Speaker_1')).toEqual({ ok: false, reason: 'does not start with "Actor_"' });
    expect(match('{speaker}_{label}_end', 'a_sad_fin')).toEqual({ ok: false, reason: 'found "_" after {label} "sad" where the pattern has "_end"' });
    expect(match('{speaker}_{label}_end', 'a_sad')).toEqual({ ok: false, reason: 'ends after {label} "sad"; the pattern expects "_end"' });
  });

  it('normalises the ways corpora write gender', () => {
    for (const v of ['m', 'M', 'male', 'Male', ' MAN ', 'männlich']) expect(normaliseGender(v), v).toBe('male');
    for (const v of ['f', 'F', 'female', 'Female', 'w', 'W', 'woman', 'weiblich']) expect(normaliseGender(v), v).toBe('female');
    for (const v of ['x', '', 'unknown', 'mf', '1']) expect(normaliseGender(v), v).toBeNull();
  });
});
