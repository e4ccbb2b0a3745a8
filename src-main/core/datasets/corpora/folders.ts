import { parentOf, type CorpusParser } from '../../../../src-shared/corpus';

// The label is the name of the folder that holds the file (happy/x.wav, train/happy/x.wav).
// Such trees rarely say who is speaking; the one convention known here is the recorder's collect
// mode, which names takes <speaker>_<UTC time>.wav so its datasets can be split by speaker.
const COLLECTED_TAKE = /^(.+)_\d{8}T\d{9}Z\.wav$/i;

export const folders: CorpusParser = {
  corpus: 'folders',
  convention: 'folder per label: <label>/<file>.wav, e.g. happy/clip1.wav (recorder takes: <label>/<speaker>_<time>.wav)',
  parse(relPath) {
    const folder = parentOf(relPath);
    if (!folder) return null;
    const speaker = COLLECTED_TAKE.exec(relPath.slice(relPath.lastIndexOf('/') + 1))?.[1] ?? null;
    return { emotion: folder, speaker, gender: null, intensity: null, statement: null };
  },
};
