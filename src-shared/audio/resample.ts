// Polyphase FIR resampling, numerically the same as scipy.signal.resample_poly (Kaiser-windowed sinc,
// beta 5, 10 zero-crossings per side, zero phase). The project's features are checked against
// references made that way; libsamplerate's sinc converters (tried via @alexanderolsen/libsamplerate-js)
// have a different transition band and reach only ~19 dB SNR against it on quiet passages.

interface PolyphaseFilter {
  up: number;
  down: number;
  halfLen: number;
  /** Per phase, that phase's taps in reverse order, so the inner loop walks input and taps forward. */
  phases: Float64Array[];
}

const filterCache = new Map<string, PolyphaseFilter>();
const MAX_CACHED_FILTERS = 8;
/**
 * Filters longer than this (taps) are not kept: only an odd rate (16051 Hz, 383999 Hz: a damaged header, most likely)
 * needs one, at up to 7.7 M taps (2 x 61 MB with its phases); eight of them kept would hold ~1 GB per process.
 * Common rate pairs (44.1/48/96 kHz to 16 kHz) need under 10,000.
 */
const MAX_CACHED_TAPS = 2 ** 20;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for the betas used). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/** scipy.signal.firwin(numTaps, cutoff, window=('kaiser', beta)) low-pass, cutoff relative to Nyquist, unit DC gain. */
function kaiserLowpass(numTaps: number, cutoff: number, beta: number): Float64Array {
  const h = new Float64Array(numTaps);
  const mid = (numTaps - 1) / 2;
  const i0Beta = besselI0(beta);
  let sum = 0;
  for (let n = 0; n < numTaps; n++) {
    const m = n - mid;
    const r = (2 * n) / (numTaps - 1) - 1;
    const w = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
    h[n] = cutoff * sinc(cutoff * m) * w;
    sum += h[n];
  }
  for (let n = 0; n < numTaps; n++) h[n] /= sum;
  return h;
}

/** Taps each side of the filter's centre: 10 zero-crossings of the sinc at the lower of the two rates. */
function halfLength(up: number, down: number): number {
  return 10 * Math.max(up, down);
}

function polyphaseFilter(up: number, down: number): PolyphaseFilter {
  const key = `${up}/${down}`;
  let f = filterCache.get(key);
  if (!f) {
    const halfLen = halfLength(up, down);
    const taps = kaiserLowpass(2 * halfLen + 1, 1 / Math.max(up, down), 5.0);
    const phases: Float64Array[] = [];
    for (let phase = 0; phase < up; phase++) {
      const m = Math.ceil((taps.length - phase) / up);
      const r = new Float64Array(m);
      for (let k = 0; k < m; k++) r[k] = taps[phase + (m - 1 - k) * up] * up;
      phases.push(r);
    }
    f = { up, down, halfLen, phases };
    if (taps.length > MAX_CACHED_TAPS) return f;
    if (filterCache.size >= MAX_CACHED_FILTERS) filterCache.delete(filterCache.keys().next().value as string);
    filterCache.set(key, f);
  }
  return f;
}

/** Resamples a mono signal from `fromHz` to `toHz` (band-limited, zero phase); output length ceil(n * to / from) samples. */
export function resample(x: Float32Array, fromHz: number, toHz: number): Float32Array {
  if (!(fromHz > 0 && toHz > 0) || !Number.isInteger(fromHz) || !Number.isInteger(toHz)) {
    throw new RangeError(`resample: sample rates must be positive integers in Hz (got ${fromHz} -> ${toHz})`);
  }
  if (fromHz === toHz) return x.slice();
  const g = gcd(toHz, fromHz);
  const { up, down, halfLen, phases } = polyphaseFilter(toHz / g, fromHz / g);
  const nIn = x.length;
  const nOut = Math.ceil((nIn * up) / down);
  const y = new Float32Array(nOut);
  // y[n] = sum_j x[j] * h[c - j*up] with c = n*down + halfLen. With phase = c mod up and
  // jTop = floor(c / up), the taps that land on samples are phase + m*up, m = 0..M-1, on x[jTop - m].
  for (let n = 0; n < nOut; n++) {
    const c = n * down + halfLen;
    const phase = c % up;
    const r = phases[phase];
    const start = (c - phase) / up - (r.length - 1); // input index under r[0]
    const kFirst = start < 0 ? -start : 0;
    const kEnd = Math.min(r.length, nIn - start);
    let acc = 0;
    for (let k = kFirst; k < kEnd; k++) acc += r[k] * x[start + k];
    y[n] = acc;
  }
  return y;
}

/**
 * Input samples (from the start) that fix the first `outputSamples` samples of resample(x, fromHz, toHz): with
 * x cut to that many, those outputs are bit-identical to resampling all of x, since each output reads the input only
 * up to half the filter (10 zero-crossings) past its own instant. Lets a decoder read a long file only in part.
 */
export function inputSamplesFor(outputSamples: number, fromHz: number, toHz: number): number {
  if (outputSamples <= 0) return 0;
  if (fromHz === toHz) return outputSamples;
  const g = gcd(toHz, fromHz);
  const up = toHz / g;
  const down = fromHz / g;
  const halfLen = halfLength(up, down);
  // The last output n = outputSamples - 1 reads x up to jTop = floor((n * down + halfLen) / up) (see resample).
  return Math.floor(((outputSamples - 1) * down + halfLen) / up) + 1;
}
