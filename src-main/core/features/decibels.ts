/** librosa.power_to_db options: reference power, floor on the power (amin), dynamic range below the peak (topDb, dB). */
export interface DbOptions {
  ref?: number;
  amin?: number;
  topDb?: number | null;
}

/**
 * 10 log10(max(amin, x) / ref), then floored at (peak - topDb) over the whole matrix (librosa.power_to_db).
 * Silence is therefore finite: 10 log10(amin) = -100 dB with the defaults. Returns a new array.
 */
export function powerToDb(power: Float64Array, opts: DbOptions = {}): Float64Array {
  const ref = opts.ref ?? 1;
  const amin = opts.amin ?? 1e-10;
  const topDb = opts.topDb === undefined ? 80 : opts.topDb;
  if (!(amin > 0)) throw new Error(`power_to_db: amin must be > 0 (got ${amin})`);
  if (topDb !== null && !(topDb >= 0)) throw new Error(`power_to_db: topDb must be >= 0 (got ${topDb})`);
  const offset = 10 * Math.log10(Math.max(amin, Math.abs(ref)));
  const k = 10 / Math.LN10; // 10 log10 via Math.log, measurably faster than Math.log10 in V8
  const out = new Float64Array(power.length);
  let peak = -Infinity;
  for (let i = 0; i < power.length; i++) {
    const v = k * Math.log(Math.max(amin, power[i])) - offset;
    out[i] = v;
    if (v > peak) peak = v;
  }
  if (topDb !== null) {
    const floor = peak - topDb; // -Infinity for empty input, where there is nothing to floor
    for (let i = 0; i < out.length; i++) if (out[i] < floor) out[i] = floor;
  }
  return out;
}
