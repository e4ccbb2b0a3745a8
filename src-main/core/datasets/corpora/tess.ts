import { stemOf, type CorpusParser } from '../../../../src-shared/corpus';

// speaker_word_emotion, e.g. OAF_back_angry, YAF_germ_ps. Two speakers, both women (older / younger
// adult female); a few released files spell the speaker OA_ / YA_, so those are accepted too.
const NAME = /^(OAF|YAF|OA|YA)_([A-Za-z]+)_(angry|disgust|fear|happy|neutral|ps|sad)$/i;

export const tess: CorpusParser = {
  corpus: 'tess',
  convention: 'TESS: speaker_word_emotion.wav, e.g. OAF_back_angry.wav (ps = pleasant surprise)',
  parse(relPath) {
    const m = NAME.exec(stemOf(relPath));
    if (!m) return null;
    const [, speaker, word, emotion] = m;
    return {
      emotion: emotion.toLowerCase(),
      speaker: speaker.toUpperCase().startsWith('O') ? 'OAF' : 'YAF',
      gender: 'female',
      intensity: null,
      statement: word.toLowerCase(),
    };
  },
};
