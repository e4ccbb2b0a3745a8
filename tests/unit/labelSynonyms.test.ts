import { describe, expect, it } from 'vitest';
import { KNOWN_LABELS, LABEL_SYNONYMS, labelFromName, normaliseLabelName, UNIFIED_LABELS } from '../../src-shared/labelSynonyms';
import { baseLabel, checkOverrides, isUnknownLabel, resolveLabel } from '../../src-shared/labels';

describe('label names people write (folders, pattern fields, CSV cells)', () => {
  it('every known label is its own name, and no spelling means two labels', () => {
    for (const label of KNOWN_LABELS) expect(labelFromName(label), label).toBe(label);
    const all = Object.values(LABEL_SYNONYMS).flat();
    expect(new Set(all).size).toBe(all.length);
    // A spelling that normalisation would change could never be looked up.
    for (const s of all) expect(normaliseLabelName(s), s).toBe(s);
    expect(KNOWN_LABELS).toEqual([...UNIFIED_LABELS, 'boredom']);
  });

  it('handles case, leading/trailing digits and separators, and the usual synonyms', () => {
    const cases: [string, string][] = [
      ['01Neutral', 'neutral'],
      ['3_anger', 'angry'],
      ['Happy-2', 'happy'],
      ['HAPPINESS', 'happy'],
      ['joy', 'happy'],
      ['02 - Sadness', 'sad'],
      ['Anger', 'angry'],
      ['afraid', 'fearful'],
      ['Fear', 'fearful'],
      ['Disgusted', 'disgust'],
      ['Surprise', 'surprised'],
      ['ps', 'surprised'],
      ['Pleasant Surprise', 'surprised'],
      ['pleasant-surprised', 'surprised'],
      ['calm', 'calm'],
      ['Bored', 'boredom'],
      ['07_boredom_', 'boredom'],
      ['NEU', 'neutral'],
      ['ANG', 'angry'],
      ['FEA', 'fearful'],
      ['DIS', 'disgust'],
      ['HAP', 'happy'],
    ];
    for (const [name, label] of cases) expect(labelFromName(name), name).toBe(label);
  });

  it('knows the German words of EMO-DB, with umlauts or their ae/oe/ue spellings', () => {
    const german: [string, string][] = [
      ['Ärger', 'angry'],
      ['Aerger', 'angry'],
      ['Wut', 'angry'],
      ['Freude', 'happy'],
      ['Trauer', 'sad'],
      ['Angst', 'fearful'],
      ['Ekel', 'disgust'],
      ['Langeweile', 'boredom'],
      ['Überraschung', 'surprised'],
      ['neutral', 'neutral'],
    ];
    for (const [name, label] of german) expect(labelFromName(name), name).toBe(label);
  });

  it('returns null for names that are no emotion, and for bare one-letter codes whose meaning depends on the corpus', () => {
    for (const name of ['weird', 'misc', 'unhappy', 'happysad', 'Actor_01', '', '123', '--', 'a', 'f', 'W', 'neutral sad']) {
      expect(labelFromName(name), name).toBeNull();
    }
  });

  it('folder-named and custom datasets resolve through it; an unknown name is unknown until the label map names it', () => {
    expect(baseLabel('custom', '3_anger')).toBe('angry');
    expect(baseLabel('folders', 'weird')).toBeNull();
    expect(isUnknownLabel('folders', 'weird')).toBe(true);
    expect(isUnknownLabel('folders', 'weird', { weird: null })).toBe(false); // dropped on purpose
    expect(isUnknownLabel('custom', 'weird', { weird: 'happy' })).toBe(false);
    expect(resolveLabel('custom', 'weird', { weird: 'happy' })).toBe('happy');
    expect(isUnknownLabel('folders', 'Happy-2')).toBe(false);
    expect(isUnknownLabel('emodb', 'L')).toBe(false); // dropped on purpose by the EMO-DB map
    // Codes a pattern or CSV reads for a named corpus are checked against that corpus's map.
    expect(isUnknownLabel('ravdess', '05')).toBe(false);
    expect(isUnknownLabel('ravdess', '09')).toBe(true);
    expect(isUnknownLabel('ravdess', 'angry')).toBe(true);
    expect(isUnknownLabel('ravdess', '09', { '09': 'happy' })).toBe(false);
    expect(resolveLabel('custom', 'Wut', { angry: 'negative' })).toBe('negative');
    expect(() => checkOverrides('custom', ['weird', 'anger'], { weird: 'happy', angry: 'negative' })).not.toThrow();
    expect(() => checkOverrides('custom', ['weird'], { wierd: 'happy' })).toThrow(/"wierd".*known labels: weird/);
  });
});
