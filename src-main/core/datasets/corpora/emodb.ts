import { stemOf, type Gender, type CorpusParser } from '../../../../src-shared/corpus';

// speaker(2) text(3) emotion(1, German initial) version(1), e.g. 03a01Fa. Speaker genders from the
// EMO-DB documentation.
const NAME = /^(\d{2})([ab]\d{2})([WLEAFTN])([a-z])$/;
const GENDER: Record<string, Gender> = {
  '03': 'male',
  '10': 'male',
  '11': 'male',
  '12': 'male',
  '15': 'male',
  '08': 'female',
  '09': 'female',
  '13': 'female',
  '14': 'female',
  '16': 'female',
};

export const emodb: CorpusParser = {
  corpus: 'emodb',
  convention: 'EMO-DB: speaker text emotion version, e.g. 03a01Fa.wav (emotion W/L/E/A/F/T/N)',
  parse(relPath) {
    const m = NAME.exec(stemOf(relPath));
    if (!m) return null;
    const [, speaker, text, emotion] = m;
    return { emotion, speaker, gender: GENDER[speaker] ?? null, intensity: null, statement: text };
  },
};
