// ComParE's MFCC 1-14 (cMelspec htkcompatible = 1 -> cMfcc): HTK-style cepstra of the 26-band mel power spectrum.

/** HTK scales samples to ±32767, so band powers are multiplied by 32767² before the log (cMelspec htkcompatible). */
const HTK_POWER_SCALE = 32767 * 32767;

/** DCT-II rows sqrt(2/B) cos(π i (m + 0.5) / B) times the HTK lifter 1 + L/2 sin(π i / L), for i = first..last. */
export function liftedDctBasis(bands: number, first: number, last: number, lifter: number): Float64Array {
  const rows = last - first + 1;
  const basis = new Float64Array(rows * bands);
  const factor = Math.sqrt(2 / bands);
  for (let i = first; i <= last; i++) {
    const lift = lifter > 0 ? 1 + (lifter / 2) * Math.sin((Math.PI * i) / lifter) : 1;
    for (let m = 0; m < bands; m++) basis[(i - first) * bands + m] = Math.cos(((Math.PI * i) / bands) * (m + 0.5)) * factor * lift;
  }
  return basis;
}

/**
 * MFCCs of one frame's mel band powers (on openSMILE's ±1 sample scale) into out[at ..]: log(max(32767² · mel, 1))
 * (HTK's mel floor of 1) through the lifted DCT basis. `logMel` is scratch of length bands.
 */
export function mfccFrame(mel: Float64Array, basis: Float64Array, logMel: Float64Array, out: Float64Array, at: number): void {
  const bands = logMel.length;
  for (let m = 0; m < bands; m++) logMel[m] = Math.log(Math.max(mel[m] * HTK_POWER_SCALE, 1));
  const rows = basis.length / bands;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const o = r * bands;
    for (let m = 0; m < bands; m++) s += logMel[m] * basis[o + m];
    out[at + r] = s;
  }
}
