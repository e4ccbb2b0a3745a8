import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { addonCandidatePaths } from '../nativeAddonPaths';
import { errorMessage } from '../../../src-shared/api/errors';

/** native/src/spectrogram.cc: the STFT -> power -> mel and DCT loops, float64 like the TypeScript path. */
export interface NativeSpectrogram {
  /** Mel power [frames x nMels] of a centred, zero-padded, periodic-Hann STFT into out; returns the frame count. */
  melSpectrogram(
    x: Float32Array,
    nFft: number,
    hop: number,
    start: Int32Array,
    length: Int32Array,
    offset: Int32Array,
    weights: Float64Array,
    out: Float64Array,
  ): number;
  /** out[r * k + j] = sum_i a[r * n + i] * basis[j * n + i]. */
  matmulRows(a: Float64Array, basis: Float64Array, out: Float64Array, n: number): void;
  readonly fftwVersion: string;
}

export type NativeSpectrogramLoad = { ok: true; addon: NativeSpectrogram; path: string } | { ok: false; reason: string };

const candidatePaths = () => addonCandidatePaths('ser_features.node', 'SER_FEATURES_ADDON');

let cached: NativeSpectrogramLoad | undefined;

/**
 * Loads the optional native feature kernels once. Absent (no FFTW at build time, or SER_DISABLE_NATIVE=1 /
 * SER_FEATURES_JS=1), the features run in TypeScript with the same results; `reason` says why.
 */
export function loadNativeSpectrogram(): NativeSpectrogramLoad {
  if (cached) return cached;
  if (process.env.SER_DISABLE_NATIVE === '1' || process.env.SER_FEATURES_JS === '1') {
    cached = { ok: false, reason: 'disabled by SER_DISABLE_NATIVE=1 or SER_FEATURES_JS=1' };
    return cached;
  }
  const path = candidatePaths().find((p) => existsSync(p));
  if (!path) {
    cached = {
      ok: false,
      reason: `not built (no native/build/Release/ser_features.node; \`node native/build.mjs\` builds it when libfftw3-dev is installed)`,
    };
    return cached;
  }
  try {
    const addon = createRequire(import.meta.url)(path) as NativeSpectrogram;
    if (typeof addon.melSpectrogram !== 'function' || typeof addon.matmulRows !== 'function') throw new Error('missing exports');
    cached = { ok: true, addon, path };
  } catch (err) {
    cached = { ok: false, reason: `${path} does not load (${errorMessage(err)})` };
  }
  return cached;
}

/** The loaded kernels, or null when the TypeScript path must be used. */
export function nativeSpectrogram(): NativeSpectrogram | null {
  const l = loadNativeSpectrogram();
  return l.ok ? l.addon : null;
}
