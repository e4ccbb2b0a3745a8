// voiceReport and the frame-wise pitch against Praat 6.3.07 itself (tests/fixtures/praatVoiceReference.json, made
// by tests/reference/praatVoiceReference.py running tests/reference/praatVoiceReference.praat headless on 12
// RAVDESS 16 kHz files: actors 01-12, all eight emotions, both intensities and statements; and one 48 kHz file).
//
// Measured (Node 20, this implementation, December 2026), worst file of the 13:
// - To Pitch (ac) frames: frame count and times identical; voiced/unvoiced agreement 100 % on every file;
//   largest |F0 difference| on frames voiced in both 1.0e-5 Hz (median ~3e-11 Hz).
// - F0 mean and median: relative difference < 5e-10.
// - Pulses (To PointProcess (cc)): the same count on every file and the same times (largest difference 0 s).
// - Jitter local, jitter ddp, shimmer local: relative difference < 2e-15.
// - Mean HNR (To Harmonicity (cc)): |difference| < 1e-8 dB.
// The remaining differences are floating-point noise (FFT round-off, Brent's stopping point); the tolerances
// below are a few orders above it, and far below any difference an algorithmic slip makes (one pulse more or
// less moves jitter by ~1e-3 relative, one frame flipped moves the F0 mean by ~1e-3).
//
// voiceQualityTracks runs the same pitch analysis on openSMILE's frame grid (60 ms windows, 10 ms hop, pitch
// window centred in each): against Praat's frames at the nearest time, voiced/unvoiced agreement is >= 96.6 %
// per file and the median relative F0 difference on frames voiced in both <= 0.62 % (grids 0-5 ms apart). Its
// default of refining only the chosen candidates changed no voicing decision and 1 F0 value in 1,662 voiced
// frames against refining every candidate first, as Praat does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAudio } from '../../src-main/core/audio/load';
import { soundToPitch } from '../../src-main/core/features/pitchAutocorrelation';
import { voiceQualityTracks, voiceReport, type VoiceReport } from '../../src-main/core/features/voiceQuality';
import { DATA_DIR, REPO_ROOT } from '../helpers/shared';

interface PraatFile {
  /** relative to ../shared/data */
  file: string;
  sample_rate: number;
  duration: number;
  pitch_frames: number;
  pitch_t1: number;
  pitch_dt: number;
  /** Hz, null where unvoiced */
  pitch_f0: (number | null)[];
  f0_mean: number;
  f0_median: number;
  voiced_frames: number;
  pulse_count: number;
  pulses: number[];
  jitter_local: number;
  jitter_ddp: number;
  shimmer_local: number;
  hnr_mean: number;
}

const fixture = JSON.parse(readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'praatVoiceReference.json'), 'utf8')) as {
  praat: string;
  files: PraatFile[];
};

/** Relative tolerance for F0 mean/median, jitter and shimmer. */
const REL_TOL = 1e-6;
/** dB, mean HNR. */
const HNR_TOL_DB = 1e-4;
/** s, pulse times. */
const PULSE_TOL_S = 1e-6;
/** Hz, frame-wise F0 on frames voiced in both. */
const FRAME_F0_TOL_HZ = 1e-3;

const relative = (ours: number, praat: number): number => Math.abs(ours - praat) / Math.abs(praat);

describe(`voiceReport against ${fixture.praat}`, () => {
  const audio = new Map<string, Float32Array>();
  const is16k = (f: PraatFile): boolean => f.sample_rate === 16000;
  const reports = new Map<string, VoiceReport>();

  beforeAll(async () => {
    for (const f of fixture.files) {
      const a = await loadAudio(join(DATA_DIR, f.file));
      expect(a.sampleRate).toBe(f.sample_rate);
      audio.set(f.file, a.samples);
      reports.set(f.file, voiceReport(a.samples, a.sampleRate));
    }
  }, 120_000);

  it('covers twelve 16 kHz files of male and female actors, and one at 48 kHz', () => {
    expect(fixture.files.filter(is16k)).toHaveLength(12);
    expect(fixture.files.filter((f) => f.sample_rate === 48000)).toHaveLength(1);
    const actors = new Set(fixture.files.filter(is16k).map((f) => Number(/Actor_(\d+)/.exec(f.file)?.[1])));
    expect([...actors].filter((a) => a % 2 === 1).length).toBe(6);
    expect([...actors].filter((a) => a % 2 === 0).length).toBe(6);
  });

  for (const f of fixture.files) {
    it(`${f.file}: pitch frames as Praat's To Pitch (ac)`, () => {
      const x = audio.get(f.file)!;
      const p = soundToPitch(x, f.sample_rate);
      expect(p.f0.length).toBe(f.pitch_frames);
      expect(p.x1).toBeCloseTo(f.pitch_t1, 12);
      expect(p.dx).toBeCloseTo(f.pitch_dt, 12);
      let agree = 0;
      let worst = 0;
      for (let i = 0; i < f.pitch_frames; i++) {
        const praat = f.pitch_f0[i] ?? 0;
        if (praat > 0 === p.f0[i] > 0) agree++;
        if (praat > 0 && p.f0[i] > 0) worst = Math.max(worst, Math.abs(praat - p.f0[i]));
      }
      expect(agree / f.pitch_frames).toBeGreaterThanOrEqual(0.99);
      expect(worst).toBeLessThan(FRAME_F0_TOL_HZ);
    });

    it(`${f.file}: voice report as Praat's`, () => {
      const r = reports.get(f.file)!;
      expect(r.voicedFrames).toBe(f.voiced_frames);
      expect(relative(r.f0Mean, f.f0_mean)).toBeLessThan(REL_TOL);
      expect(relative(r.f0Median, f.f0_median)).toBeLessThan(REL_TOL);
      expect(relative(r.jitterLocal, f.jitter_local)).toBeLessThan(REL_TOL);
      expect(relative(r.jitterDdp, f.jitter_ddp)).toBeLessThan(REL_TOL);
      expect(relative(r.shimmerLocal, f.shimmer_local)).toBeLessThan(REL_TOL);
      expect(Math.abs(r.hnrMean - f.hnr_mean)).toBeLessThan(HNR_TOL_DB);
    });

    it(`${f.file}: glottal pulses as Praat's To PointProcess (cc)`, () => {
      const r = reports.get(f.file)!;
      expect(r.pulses.length).toBe(f.pulse_count);
      for (let i = 0; i < f.pulse_count; i++) expect(Math.abs(r.pulses[i] - f.pulses[i])).toBeLessThan(PULSE_TOL_S);
    });

    it(`${f.file}: voiceQualityTracks' F0 follows Praat's frames on openSMILE's grid`, () => {
      const x = audio.get(f.file)!;
      const sr = f.sample_rate;
      const hop = sr / 100;
      const window = 0.06 * sr;
      const frames = Math.floor((x.length - window) / hop) + 1;
      const v = voiceQualityTracks(x, sr, { hop, frames });
      let agree = 0;
      let compared = 0;
      const diffs: number[] = [];
      for (let t = 0; t < frames; t++) {
        const k = Math.round(((t * hop + window / 2) / sr - f.pitch_t1) / f.pitch_dt);
        if (k < 0 || k >= f.pitch_frames) continue;
        const praat = f.pitch_f0[k] ?? 0;
        compared++;
        if (praat > 0 === v.f0[t] > 0) agree++;
        if (praat > 0 && v.f0[t] > 0) diffs.push(Math.abs(v.f0[t] - praat) / praat);
      }
      diffs.sort((a, b) => a - b);
      expect(agree / compared).toBeGreaterThanOrEqual(0.95);
      expect(diffs[diffs.length >> 1]).toBeLessThan(0.01);

      // Refining only the chosen candidates (the default) against refining all of them first, as Praat does.
      const all = voiceQualityTracks(x, sr, { hop, frames, refineAllCandidates: true });
      let sameVoicing = 0;
      let sameF0 = 0;
      let voicedBoth = 0;
      for (let t = 0; t < frames; t++) {
        if (all.f0[t] > 0 === v.f0[t] > 0) sameVoicing++;
        if (all.f0[t] > 0 && v.f0[t] > 0) {
          voicedBoth++;
          if (Math.abs(all.f0[t] - v.f0[t]) < 1e-9 * all.f0[t]) sameF0++;
        }
      }
      expect(sameVoicing / frames).toBeGreaterThanOrEqual(0.99);
      expect(sameF0 / voicedBoth).toBeGreaterThanOrEqual(0.98);
    });
  }
});
