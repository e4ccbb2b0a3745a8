/**
 * The one list of the emotion words the workbench recognises in names a person chose (folder names,
 * pattern fields, metadata CSV cells) and the unified label each one means. Corpus codes with a fixed
 * convention ('05', 'ANG', 'W') are not here: they live in the corpus's own map under resources/labelmaps.
 */

/** The label set every corpus is mapped onto. */
export const UNIFIED_LABELS = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'] as const;

/**
 * Labels a name may resolve to: the unified set plus boredom, which EMO-DB and some folder-per-emotion
 * corpora have and RAVDESS has not. A folder called "bored" means boredom; it is a known emotion, not
 * an unknown name, so it is kept (EMO-DB's own map still drops L unless asked, to share RAVDESS's classes).
 */
export const KNOWN_LABELS = [...UNIFIED_LABELS, 'boredom'] as const;
export type KnownLabel = (typeof KNOWN_LABELS)[number];

/**
 * Spellings per label, after normalisation (lower case, accents removed, inner spaces/dashes/dots as '_').
 * English nouns, adjectives and the usual short codes (CREMA-D's three letters, TESS's ps), and the
 * German words of EMO-DB's documentation (Ärger/Wut, Freude, Trauer, Angst, Ekel, Langeweile) with
 * their ae/oe/ue spellings. One-letter codes are left out on purpose: 'a' or 'f' mean different
 * things in different corpora.
 */
export const LABEL_SYNONYMS: Record<KnownLabel, readonly string[]> = {
  neutral: ['neutral', 'neu', 'neutrality'],
  calm: ['calm', 'cal', 'calmness', 'relaxed', 'ruhig'],
  happy: ['happy', 'happiness', 'hap', 'joy', 'joyful', 'glad', 'freude', 'frohlich', 'froehlich', 'glucklich', 'gluecklich'],
  sad: ['sad', 'sadness', 'sorrow', 'trauer', 'traurig', 'traurigkeit'],
  angry: ['angry', 'anger', 'ang', 'mad', 'rage', 'arger', 'aerger', 'wut', 'wutend', 'wuetend', 'zorn'],
  fearful: ['fearful', 'fear', 'fea', 'afraid', 'scared', 'fright', 'anxiety', 'angst', 'furcht'],
  disgust: ['disgust', 'disgusted', 'dis', 'ekel', 'angeekelt'],
  surprised: ['surprised', 'surprise', 'sur', 'ps', 'pleasant_surprise', 'pleasant_surprised', 'uberraschung', 'ueberraschung', 'uberrascht'],
  boredom: ['boredom', 'bored', 'bor', 'boring', 'langeweile', 'gelangweilt'],
};

const BY_SPELLING: ReadonlyMap<string, KnownLabel> = new Map(
  (Object.entries(LABEL_SYNONYMS) as [KnownLabel, readonly string[]][]).flatMap(([label, words]) => words.map((w) => [w, label] as const)),
);

/**
 * The spelling a name is looked up by: lower case, accents dropped (Ärger -> arger), leading and
 * trailing digits and separators removed so numbered folders work (01Neutral, 3_anger, Happy-2),
 * inner runs of spaces, dashes and dots as one '_' (Pleasant Surprise -> pleasant_surprise).
 */
export function normaliseLabelName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/ß/g, 'ss')
    .toLowerCase()
    .replace(/^[\d\s_.-]+|[\d\s_.-]+$/g, '')
    .replace(/[\s.-]+/g, '_');
}

/** The known label a user-chosen name means (case, digits, separators and synonyms handled), or null when it is not an emotion word we know. */
export function labelFromName(name: string): KnownLabel | null {
  return BY_SPELLING.get(normaliseLabelName(name)) ?? null;
}

/** Every spelling with its label, for the shipped-map view of folder-per-label corpora. */
export function synonymMap(): Record<string, KnownLabel> {
  return Object.fromEntries(BY_SPELLING);
}
