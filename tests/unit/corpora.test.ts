import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS_NAMES } from '../../src-shared/corpus';
import { cremad } from '../../src-main/core/datasets/corpora/cremad';
import { emodb } from '../../src-main/core/datasets/corpora/emodb';
import { folders } from '../../src-main/core/datasets/corpora/folders';
import { ravdess } from '../../src-main/core/datasets/corpora/ravdess';
import { savee } from '../../src-main/core/datasets/corpora/savee';
import { tess } from '../../src-main/core/datasets/corpora/tess';
import { detectCorpus } from '../../src-main/core/datasets/detect';
import { checkOverrides, corpusLabelMap, KNOWN_LABELS, parseLabelMapArg, resolveLabel, UNIFIED_LABELS } from '../../src-shared/labels';
import { RAVDESS_16K } from '../helpers/shared';

/** Every relative path of the real 16 kHz RAVDESS folder. */
function realRavdessPaths(): string[] {
  return readdirSync(RAVDESS_16K)
    .filter((d) => d.startsWith('Actor_'))
    .flatMap((d) => readdirSync(join(RAVDESS_16K, d)).map((f) => `${d}/${f}`));
}

const RAVDESS_EMOTIONS = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'];

describe('RAVDESS names (real files)', () => {
  const paths = realRavdessPaths();

  it('parses all 960 real names with the actor, gender and emotion the README gives', () => {
    expect(paths).toHaveLength(960);
    for (const rel of paths) {
      const p = ravdess.parse(rel);
      expect(p, rel).not.toBeNull();
      const fields = rel.split('/')[1].replace('.wav', '').split('-');
      const actor = Number(rel.slice(6, 8));
      expect(p!.speaker).toBe(fields[6]);
      expect(Number(p!.speaker)).toBe(actor);
      expect(p!.gender).toBe(actor % 2 ? 'male' : 'female');
      expect(resolveLabel('ravdess', p!.emotion)).toBe(RAVDESS_EMOTIONS[Number(fields[2]) - 1]);
      expect(p!.intensity).toBe(fields[3] === '01' ? 'normal' : 'strong');
      expect(p!.statement).toBe(fields[4]);
    }
  });

  it('has the documented class balance: 4 neutral and 8 of every other emotion per actor', () => {
    const perClass: Record<string, number> = {};
    for (const rel of paths) {
      const label = resolveLabel('ravdess', ravdess.parse(rel)!.emotion)!;
      perClass[label] = (perClass[label] ?? 0) + 1;
    }
    expect(perClass).toEqual({ neutral: 64, calm: 128, happy: 128, sad: 128, angry: 128, fearful: 128, disgust: 128, surprised: 128 });
  });

  it('parses song files and rejects names outside the convention', () => {
    expect(ravdess.parse('Actor_12/03-02-06-01-02-01-12.wav')).toMatchObject({ emotion: '06', speaker: '12', gender: 'female' });
    for (const bad of ['03-01-09-01-01-01-01.wav', '03-01-05-03-01-01-01.wav', '03-01-05-01-01-01-00.wav', '1001_DFA_ANG_XX.wav', 'notes.wav']) {
      expect(ravdess.parse(bad), bad).toBeNull();
    }
  });
});

describe('CREMA-D, TESS, SAVEE, EMO-DB and folder names', () => {
  it('CREMA-D: speaker, sentence, emotion, level; gender is not in the name', () => {
    expect(cremad.parse('AudioWAV/1001_DFA_ANG_XX.wav')).toEqual({
      emotion: 'ANG',
      speaker: '1001',
      gender: null,
      intensity: null,
      statement: 'DFA',
    });
    expect(cremad.parse('1091_TSI_SAD_HI.wav')).toMatchObject({ emotion: 'SAD', intensity: 'high' });
    expect(cremad.parse('1050_IEO_FEA_LO.wav')).toMatchObject({ intensity: 'low' });
    expect(resolveLabel('cremad', 'FEA')).toBe('fearful');
    expect(resolveLabel('cremad', 'DIS')).toBe('disgust');
    for (const bad of ['1001_DFA_CAL_XX.wav', '101_DFA_ANG_XX.wav', '1001-DFA-ANG-XX.wav']) expect(cremad.parse(bad), bad).toBeNull();
  });

  it('TESS: OAF/YAF (both women), word, emotion; ps is pleasant surprise', () => {
    expect(tess.parse('OAF_angry/OAF_back_angry.wav')).toEqual({
      emotion: 'angry',
      speaker: 'OAF',
      gender: 'female',
      intensity: null,
      statement: 'back',
    });
    expect(tess.parse('YAF_pleasant_surprised/YAF_germ_ps.wav')).toMatchObject({ emotion: 'ps', speaker: 'YAF' });
    expect(resolveLabel('tess', 'ps')).toBe('surprised');
    expect(resolveLabel('tess', 'fear')).toBe('fearful');
    // A few released files drop the F of the speaker code.
    expect(tess.parse('OA_bite_neutral.wav')).toMatchObject({ speaker: 'OAF', emotion: 'neutral' });
    expect(tess.parse('MAF_back_angry.wav')).toBeNull();
    expect(tess.parse('OAF_back_bored.wav')).toBeNull();
  });

  it('SAVEE: four male speakers, flat or per-speaker folders, two-letter sa/su codes', () => {
    expect(savee.parse('DC_a01.wav')).toEqual({ emotion: 'a', speaker: 'DC', gender: 'male', intensity: null, statement: 'a01' });
    expect(savee.parse('ALL/JK_sa15.wav')).toMatchObject({ emotion: 'sa', speaker: 'JK' });
    expect(savee.parse('KL_su03.wav')).toMatchObject({ emotion: 'su', speaker: 'KL' });
    expect(savee.parse('AudioData/JE/n30.wav')).toMatchObject({ emotion: 'n', speaker: 'JE', statement: 'n30' });
    expect(resolveLabel('savee', 'sa')).toBe('sad');
    expect(resolveLabel('savee', 'su')).toBe('surprised');
    for (const bad of ['XX_a01.wav', 'a01.wav', 'DC_x01.wav', 'Other/a01.wav']) expect(savee.parse(bad), bad).toBeNull();
  });

  it('EMO-DB: speaker, text, German emotion letter; genders from the documentation', () => {
    expect(emodb.parse('wav/03a01Fa.wav')).toEqual({ emotion: 'F', speaker: '03', gender: 'male', intensity: null, statement: 'a01' });
    expect(emodb.parse('16b10Wb.wav')).toMatchObject({ speaker: '16', gender: 'female', emotion: 'W' });
    expect(emodb.parse('08a02Ac.wav')).toMatchObject({ gender: 'female' });
    const german: Record<string, string | null> = { W: 'angry', L: null, E: 'disgust', A: 'fearful', F: 'happy', T: 'sad', N: 'neutral' };
    for (const [letter, label] of Object.entries(german)) expect(resolveLabel('emodb', letter), letter).toBe(label);
    expect(emodb.parse('03a01Xa.wav')).toBeNull();
  });

  it('folders: the parent folder is the label, common spellings map to the unified set', () => {
    expect(folders.parse('Happy/x.wav')).toEqual({ emotion: 'Happy', speaker: null, gender: null, intensity: null, statement: null });
    expect(resolveLabel('folders', 'Happy')).toBe('happy');
    expect(resolveLabel('folders', folders.parse('train/anger/x.wav')!.emotion)).toBe('angry');
    expect(resolveLabel('folders', 'Fear')).toBe('fearful');
    expect(resolveLabel('folders', 'bored')).toBe('boredom');
    expect(resolveLabel('folders', '01Neutral')).toBe('neutral');
    // An unknown folder name is no new label: it stays unlabelled (the import reports it) unless mapped.
    expect(resolveLabel('folders', 'weird')).toBeNull();
    expect(resolveLabel('folders', 'weird', { weird: 'happy' })).toBe('happy');
    expect(folders.parse('x.wav')).toBeNull();
    // Recorder takes carry their speaker: <label>/<speaker>_<UTC time>.wav
    expect(folders.parse('happy/anna_20261126T005301123Z.wav')?.speaker).toBe('anna');
    expect(folders.parse('happy/anna_2026.wav')?.speaker).toBeNull();
  });
});

describe('label maps', () => {
  it('every shipped map targets the unified set (or drops with null); folder names may also mean boredom', () => {
    for (const corpus of CORPUS_NAMES) {
      const targets: readonly string[] = corpus === 'folders' ? KNOWN_LABELS : UNIFIED_LABELS;
      for (const [from, to] of Object.entries(corpusLabelMap(corpus))) {
        if (to !== null) expect(targets, `${corpus}: ${from}`).toContain(to);
      }
    }
  });

  it('overrides apply to the original token first, then to the unified label', () => {
    expect(resolveLabel('ravdess', '02', { calm: 'neutral' })).toBe('neutral');
    expect(resolveLabel('ravdess', '02', { '02': 'relaxed', calm: 'neutral' })).toBe('relaxed');
    expect(resolveLabel('tess', 'ps', { ps: null })).toBeNull();
    expect(resolveLabel('emodb', 'L', { L: 'boredom' })).toBe('boredom');
    expect(resolveLabel('ravdess', '05', { calm: 'neutral' })).toBe('angry');
  });

  it('parses --map text and rejects malformed entries', () => {
    expect(parseLabelMapArg('calm=neutral, ps=surprised,L=,x=null')).toEqual({ calm: 'neutral', ps: 'surprised', L: null, x: null });
    expect(() => parseLabelMapArg('calm')).toThrow(/from=to/);
    expect(() => parseLabelMapArg('=neutral')).toThrow(/from=to/);
  });

  it('rejects overrides that name nothing in the dataset, so a typo is not silently ignored', () => {
    expect(() => checkOverrides('ravdess', ['01', '02'], { calm: 'neutral', '01': null })).not.toThrow();
    expect(() => checkOverrides('ravdess', ['01', '02'], { clam: 'neutral' })).toThrow(/"clam".*known labels: 01, 02, calm, neutral/);
    expect(() => checkOverrides('ravdess', ['02'], { calm: 'very calm' })).toThrow(/single word/);
  });
});

describe('detectCorpus', () => {
  it('recognises the real RAVDESS tree', () => {
    expect(detectCorpus(realRavdessPaths())).toMatchObject({ corpus: 'ravdess', share: 1 });
  });

  it('recognises each convention from synthetic names', () => {
    const cases: [string, string[]][] = [
      ['cremad', ['1001_DFA_ANG_XX.wav', '1002_IEO_HAP_HI.wav', '1003_TIE_SAD_LO.wav']],
      ['tess', ['OAF_angry/OAF_back_angry.wav', 'YAF_sad/YAF_bath_sad.wav', 'YAF_ps/YAF_bean_ps.wav']],
      ['savee', ['DC_a01.wav', 'JE_sa02.wav', 'KL_n10.wav']],
      ['emodb', ['03a01Fa.wav', '08b02Wb.wav', '16a05Tc.wav']],
      ['folders', ['happy/a.wav', 'sad/b.wav', 'angry/c.wav']],
    ];
    for (const [corpus, paths] of cases) expect(detectCorpus(paths).corpus, corpus).toBe(corpus);
  });

  it('tolerates a few stray files but refuses a folder no convention explains', () => {
    const mostly = [...realRavdessPaths().slice(0, 60), 'Actor_01/readme-audio.wav'];
    expect(detectCorpus(mostly).corpus).toBe('ravdess');
    expect(() => detectCorpus(['a.wav', 'b.wav', 'c.wav'])).toThrow(/could not tell which corpus.*--corpus/);
    // One folder is not a label set.
    expect(() => detectCorpus(['clips/a.wav', 'clips/b.wav'])).toThrow(/could not tell/);
  });
});
