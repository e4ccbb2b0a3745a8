import { stemOf, type CorpusParser } from '../../../../src-shared/corpus';

// modality-vocalChannel-emotion-intensity-statement-repetition-actor, e.g. 03-01-05-02-01-01-03.
// Covers speech (channel 01) and song (02); actors are numbered 01-24, odd = male, even = female.
const NAME = /^(0[1-3])-(0[12])-(0[1-8])-(0[12])-(0[12])-(0[12])-(\d{2})$/;

export const ravdess: CorpusParser = {
  corpus: 'ravdess',
  convention: 'RAVDESS: modality-channel-emotion-intensity-statement-repetition-actor.wav, e.g. 03-01-05-02-01-01-03.wav',
  parse(relPath) {
    const m = NAME.exec(stemOf(relPath));
    if (!m) return null;
    const [, , , emotion, intensity, statement, , actor] = m;
    const actorNumber = Number(actor);
    if (actorNumber < 1) return null;
    return {
      emotion,
      speaker: actor,
      gender: actorNumber % 2 === 1 ? 'male' : 'female',
      intensity: intensity === '01' ? 'normal' : 'strong',
      statement,
    };
  },
};
