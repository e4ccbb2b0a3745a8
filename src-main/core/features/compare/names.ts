// The ComParE 2016 dimension names, built the way openSMILE builds them (LLD name + _sma, + _de for deltas, array
// index in brackets, then _functional), in the order of ComParE_2016.conf's func level: functionalsA, B, Nz, F0, LLD,
// Delta. Researchers can map every dimension to published ComParE work by name.
import {
  EXTREMES_NAMES,
  LPC_NAMES,
  MOMENTS_NAMES,
  PEAKS_NAMES,
  PERCENTILE_NAMES,
  REGRESSION_NAMES,
  SEGMENTS_NAMES,
  TIMES_NAMES,
} from './functionals';
import { SPECTRAL_SHAPE_NAMES } from './spectralShape';

/** An LLD contour's name before _sma: a scalar field ('pcm_zcr') or an array element ({ base: 'mfcc', index: 1 }). */
export type LldName = string | { base: string; index: number };

const smaName = (l: LldName, delta: boolean): string =>
  typeof l === 'string' ? `${l}_sma${delta ? '_de' : ''}` : `${l.base}_sma${delta ? '_de' : ''}[${l.index}]`;

/** Group A (energy-related): the two auditory-spectrum sums, RMS energy, zero-crossing rate. */
export const LLD_A: readonly LldName[] = ['audspec_lengthL1norm', 'audspecRasta_lengthL1norm', 'pcm_RMSenergy', 'pcm_zcr'];

/** Group B (spectral): 26 RASTA auditory bands, 15 spectral-shape descriptors, MFCC 1-14. */
export const LLD_B: readonly LldName[] = [
  ...Array.from({ length: 26 }, (_, i) => ({ base: 'audSpec_Rfilt', index: i })),
  ...SPECTRAL_SHAPE_NAMES.map((s) => `pcm_fftMag_${s}`),
  ...Array.from({ length: 14 }, (_, i) => ({ base: 'mfcc', index: i + 1 })),
];

/** Group Nz (voicing-related, functionals over non-zero frames only). */
export const LLD_NZ: readonly LldName[] = ['F0final', 'voicingFinalUnclipped', 'jitterLocal', 'jitterDDP', 'shimmerLocal', 'logHNR'];

/** Functionals of groups A and B (contours and their deltas). */
export const FUNCTIONALS_AB: readonly string[] = [
  ...EXTREMES_NAMES,
  ...PERCENTILE_NAMES,
  ...MOMENTS_NAMES,
  ...SEGMENTS_NAMES,
  ...TIMES_NAMES,
  ...LPC_NAMES,
];
/** Functionals of group Nz (contours and deltas, non-zero frames). */
export const FUNCTIONALS_NZ: readonly string[] = [
  'amean',
  'flatness',
  'posamean',
  'rqmean',
  ...EXTREMES_NAMES,
  ...REGRESSION_NAMES,
  ...PERCENTILE_NAMES,
  ...MOMENTS_NAMES,
  ...TIMES_NAMES,
  ...LPC_NAMES,
];
/** Functionals of F0final_sma alone, named F0final_sma_ff0 (voiced fraction and voiced-segment lengths). */
export const FUNCTIONALS_F0: readonly string[] = ['nnz', ...SEGMENTS_NAMES];
/** Functionals of the A and B contours (not deltas). */
export const FUNCTIONALS_LLD: readonly string[] = ['amean', 'flatness', 'rqmean', ...PEAKS_NAMES, ...REGRESSION_NAMES];
/** Functionals of the A and B deltas. */
export const FUNCTIONALS_DELTA: readonly string[] = ['flatness', 'posamean', 'rqmean', ...PEAKS_NAMES];

/** One functional group: which contours (by name) get which functionals. */
export interface FunctionalGroup {
  contours: string[];
  functionals: readonly string[];
}

/** The six groups in output order, with their contour names. */
export function compareGroups(): FunctionalGroup[] {
  const names = (ls: readonly LldName[], delta: boolean) => ls.map((l) => smaName(l, delta));
  return [
    { contours: [...names(LLD_A, false), ...names(LLD_A, true)], functionals: FUNCTIONALS_AB },
    { contours: [...names(LLD_B, false), ...names(LLD_B, true)], functionals: FUNCTIONALS_AB },
    { contours: [...names(LLD_NZ, false), ...names(LLD_NZ, true)], functionals: FUNCTIONALS_NZ },
    // cDataSelector appends its nameAppend (ff0) to the selected F0final_sma
    { contours: ['F0final_sma_ff0'], functionals: FUNCTIONALS_F0 },
    { contours: [...names(LLD_A, false), ...names(LLD_B, false)], functionals: FUNCTIONALS_LLD },
    { contours: [...names(LLD_A, true), ...names(LLD_B, true)], functionals: FUNCTIONALS_DELTA },
  ];
}

let cached: string[] | undefined;

/** All ComParE 2016 dimension names (6,373), in output order. */
export function compareFeatureNames(): string[] {
  cached ??= compareGroups().flatMap((g) => g.contours.flatMap((c) => g.functionals.map((f) => `${c}_${f}`)));
  return [...cached];
}
