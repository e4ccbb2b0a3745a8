import { parentOf, type CorpusParser } from '../corpus';

// The label is the name of the folder that holds the file (happy/x.wav, train/happy/x.wav).
// Nothing in such trees says who is speaking, so speaker and gender stay unknown.
export const folders: CorpusParser = {
  corpus: 'folders',
  convention: 'folder per label: <label>/<file>.wav, e.g. happy/clip1.wav',
  parse(relPath) {
    const folder = parentOf(relPath);
    if (!folder) return null;
    return { emotion: folder, speaker: null, gender: null, intensity: null, statement: null };
  },
};
