import { stemOf, type CorpusParser } from '../../../../src-shared/corpus';

// actor_sentence_emotion_level, e.g. 1001_DFA_ANG_XX. Actor gender is only in CREMA-D's separate
// demographics table, not in the name, so gender stays unknown.
const NAME = /^(1\d{3})_([A-Z]{3})_(ANG|DIS|FEA|HAP|NEU|SAD)_(LO|MD|HI|XX|X)$/;
const LEVELS: Record<string, string | null> = { LO: 'low', MD: 'medium', HI: 'high', XX: null, X: null };

export const cremad: CorpusParser = {
  corpus: 'cremad',
  convention: 'CREMA-D: actor_sentence_emotion_level.wav, e.g. 1001_DFA_ANG_XX.wav',
  parse(relPath) {
    const m = NAME.exec(stemOf(relPath));
    if (!m) return null;
    const [, actor, sentence, emotion, level] = m;
    return { emotion, speaker: actor, gender: null, intensity: LEVELS[level], statement: sentence };
  },
};
