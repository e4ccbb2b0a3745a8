import { resample } from './resample';

// Live mode resamples the microphone stream once, chunk by chunk, instead of re-resampling the whole
// window at every hop (6x the work at a 3 s window and 0.5 s hop). Each chunk is resampled together
// with enough earlier input to cover the filter, so the output is sample-for-sample what resample()
// gives for the whole recording at once.

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Incremental resample(): push input chunks, get every output sample exactly once. */
export class StreamResampler {
  private readonly up: number;
  private readonly down: number;
  /** Filter reach in the upsampled domain; resample() uses 10 zero crossings per side, this allows twice that. */
  private readonly reach: number;
  private input = new Float32Array(0);
  /** Absolute index of input[0]; always a multiple of `down`, so local and global output grids coincide. */
  private base = 0;
  /** Next output sample to emit (absolute). */
  private produced = 0;

  constructor(
    readonly fromHz: number,
    readonly toHz: number,
  ) {
    if (!(Number.isInteger(fromHz) && fromHz > 0 && Number.isInteger(toHz) && toHz > 0)) {
      throw new RangeError(`StreamResampler: sample rates must be positive integers in Hz (got ${fromHz} -> ${toHz})`);
    }
    const g = gcd(fromHz, toHz);
    this.up = toHz / g;
    this.down = fromHz / g;
    this.reach = 2 * 10 * Math.max(this.up, this.down);
  }

  /** Appends input; returns the output samples that no later input can change. */
  push(chunk: Float32Array): Float32Array {
    if (this.fromHz === this.toHz) return chunk.slice();
    const joined = new Float32Array(this.input.length + chunk.length);
    joined.set(this.input);
    joined.set(chunk, this.input.length);
    this.input = joined;
    const end = this.base + joined.length;
    // Output n needs input up to (n*down + reach) / up; emit every n whose inputs have all arrived.
    const ready = Math.max(this.produced, Math.floor((end * this.up - this.reach - 1) / this.down) + 1);
    return this.emit(ready);
  }

  /** The remaining output at the end of the stream (zeros assumed beyond it, as resample() does). */
  flush(): Float32Array {
    if (this.fromHz === this.toHz) return new Float32Array(0);
    const total = Math.ceil(((this.base + this.input.length) * this.up) / this.down);
    return this.emit(total);
  }

  private emit(until: number): Float32Array {
    if (until <= this.produced) return new Float32Array(0);
    const baseOut = (this.base / this.down) * this.up;
    const y = resample(this.input, this.fromHz, this.toHz);
    const out = y.slice(this.produced - baseOut, until - baseOut);
    this.produced = until;
    // Keep only the input the next output can reach back to, from a multiple of `down`.
    const firstNeeded = Math.max(0, Math.ceil((this.produced * this.down - this.reach) / this.up));
    const keepFrom = Math.min(firstNeeded, this.base + this.input.length);
    const newBase = keepFrom - (keepFrom % this.down);
    if (newBase > this.base) {
      this.input = this.input.slice(newBase - this.base);
      this.base = newBase;
    }
    return out;
  }
}
