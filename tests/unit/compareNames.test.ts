// The ComParE 2016 name list (src-main/core/features/compare/names.ts): 6,373 unique names built as openSMILE builds
// them, in the order of ComParE_2016.conf's functional groups, so published ComParE dimensions can be looked up by name.
import { describe, expect, it } from 'vitest';
import {
  compareFeatureNames,
  compareGroups,
  FUNCTIONALS_AB,
  FUNCTIONALS_DELTA,
  FUNCTIONALS_F0,
  FUNCTIONALS_LLD,
  FUNCTIONALS_NZ,
  LLD_A,
  LLD_B,
  LLD_NZ,
} from '../../src-main/core/features/compare/names';

describe('ComParE 2016 names', () => {
  const names = compareFeatureNames();

  it('has 6,373 unique names: 65 LLDs x deltas x their groups functionals', () => {
    expect(LLD_A.length + LLD_B.length + LLD_NZ.length).toBe(65);
    expect([FUNCTIONALS_AB.length, FUNCTIONALS_NZ.length, FUNCTIONALS_F0.length, FUNCTIONALS_LLD.length, FUNCTIONALS_DELTA.length]).toEqual([
      31, 39, 5, 23, 15,
    ]);
    expect(names).toHaveLength(6373);
    expect(new Set(names).size).toBe(6373);
    expect(compareGroups().reduce((n, g) => n + g.contours.length * g.functionals.length, 0)).toBe(6373);
  });

  it('starts, ends and switches groups where ComParE_2016.conf puts them', () => {
    expect(names[0]).toBe('audspec_lengthL1norm_sma_range');
    expect(names.slice(0, 4)).toEqual([
      'audspec_lengthL1norm_sma_range',
      'audspec_lengthL1norm_sma_maxPos',
      'audspec_lengthL1norm_sma_minPos',
      'audspec_lengthL1norm_sma_quartile1',
    ]);
    expect(names[30]).toBe('audspec_lengthL1norm_sma_lpc4');
    // group A: 4 contours then their deltas
    expect(names[4 * 31]).toBe('audspec_lengthL1norm_sma_de_range');
    // group B starts with the RASTA auditory bands
    expect(names[8 * 31]).toBe('audSpec_Rfilt_sma[0]_range');
    expect(names.indexOf('F0final_sma_amean')).toBe(8 * 31 + 110 * 31);
    expect(names.indexOf('F0final_sma_ff0_nnz')).toBe(8 * 31 + 110 * 31 + 12 * 39);
    expect(names.indexOf('audspec_lengthL1norm_sma_amean')).toBe(8 * 31 + 110 * 31 + 12 * 39 + 5);
    expect(names[names.length - 1]).toBe('mfcc_sma_de[14]_stddevFallingSlope');
  });

  it("orders a voice contour's 39 functionals as openSMILE writes them (as lists of openSMILE output show)", () => {
    const i = names.indexOf('F0final_sma_amean');
    const f = [
      'amean',
      'flatness',
      'posamean',
      'rqmean',
      'range',
      'maxPos',
      'minPos',
      'linregc1',
      'linregc2',
      'linregerrQ',
      'qregc1',
      'qregc2',
      'qregc3',
      'qregerrQ',
      'centroid',
      'quartile1',
      'quartile2',
      'quartile3',
      'iqr1-2',
      'iqr2-3',
      'iqr1-3',
      'percentile1.0',
      'percentile99.0',
      'pctlrange0-1',
      'stddev',
      'skewness',
      'kurtosis',
      'upleveltime25',
      'upleveltime50',
      'upleveltime75',
      'upleveltime90',
      'risetime',
      'leftctime',
      'lpgain',
      'lpc0',
      'lpc1',
      'lpc2',
      'lpc3',
      'lpc4',
    ];
    expect(names.slice(i, i + 39)).toEqual(f.map((x) => `F0final_sma_${x}`));
    expect(names[i + 39]).toBe('voicingFinalUnclipped_sma_amean');
  });

  it('spells the LLDs and functionals as openSMILE does', () => {
    for (const n of [
      'pcm_RMSenergy_sma_upleveltime75',
      'pcm_zcr_sma_de_segLenStddev',
      'audspecRasta_lengthL1norm_sma_iqr1-3',
      'audSpec_Rfilt_sma[25]_percentile99.0',
      'audSpec_Rfilt_sma_de[7]_pctlrange0-1',
      'pcm_fftMag_fband250-650_sma_stddev',
      'pcm_fftMag_fband1000-4000_sma_de_lpgain',
      'pcm_fftMag_spectralRollOff25.0_sma_kurtosis',
      'pcm_fftMag_spectralRollOff90.0_sma_de_risetime',
      'pcm_fftMag_spectralFlux_sma_leftctime',
      'pcm_fftMag_psySharpness_sma_peakMeanRel',
      'pcm_fftMag_spectralHarmonicity_sma_de_posamean',
      'mfcc_sma[1]_amean',
      'mfcc_sma[14]_qregerrQ',
      'mfcc_sma_de[3]_meanRisingSlope',
      'F0final_sma_linregc1',
      'F0final_sma_de_centroid',
      'voicingFinalUnclipped_sma_flatness',
      'jitterLocal_sma_quartile2',
      'jitterDDP_sma_de_rqmean',
      'shimmerLocal_sma_minPos',
      'logHNR_sma_lpc0',
      'F0final_sma_ff0_meanSegLen',
      'F0final_sma_ff0_segLenStddev',
    ]) {
      expect(names).toContain(n);
    }
    // no name appears for combinations ComParE does not compute
    for (const n of [
      'F0final_sma_peakMeanAbs',
      'mfcc_sma[0]_amean',
      'pcm_RMSenergy_sma_de_amean',
      'pcm_zcr_sma_nnz',
      'mfcc_sma[1]_max',
      'F0final_sma_nnz',
      'F0final_sma_meanSegLen',
    ]) {
      expect(names).not.toContain(n);
    }
    for (const n of names) expect(n).toMatch(/^[A-Za-z0-9]+(_[A-Za-z0-9.-]+)*_sma(_de|_ff0)?(\[\d+\])?_[A-Za-z0-9.-]+$/);
  });

  it('returns a fresh copy each time (callers may modify it)', () => {
    const a = compareFeatureNames();
    a[0] = 'x';
    expect(compareFeatureNames()[0]).toBe('audspec_lengthL1norm_sma_range');
  });
});
