import { parentOf, stemOf, type CorpusParser } from '../../../../src-shared/corpus';

// Speaker DC, JE, JK or KL (four men) + emotion a/d/f/h/n/sa/su + sentence number: DC_a01.wav in the
// flat release, AudioData/DC/a01.wav in the original one (speaker from the folder).
const SPEAKERS = 'DC|JE|JK|KL';
const FLAT = new RegExp(`^(${SPEAKERS})_(sa|su|a|d|f|h|n)(\\d{2})$`);
const NESTED = /^(sa|su|a|d|f|h|n)(\d{2})$/;
const SPEAKER = new RegExp(`^(${SPEAKERS})$`);

export const savee: CorpusParser = {
  corpus: 'savee',
  convention: 'SAVEE: speaker_emotionNN.wav, e.g. DC_a01.wav, or <speaker>/a01.wav',
  parse(relPath) {
    const stem = stemOf(relPath);
    let speaker: string;
    let emotion: string;
    let number: string;
    const flat = FLAT.exec(stem);
    if (flat) [, speaker, emotion, number] = flat;
    else {
      const nested = NESTED.exec(stem);
      const folder = parentOf(relPath);
      if (!nested || !SPEAKER.test(folder)) return null;
      speaker = folder;
      [, emotion, number] = nested;
    }
    return { emotion, speaker, gender: 'male', intensity: null, statement: `${emotion}${number}` };
  },
};
