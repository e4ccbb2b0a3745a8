/** A fixed-capacity sample ring: keeps the most recent samples of a stream. */
export class SampleRing {
  private buf: Float32Array;
  private write = 0;
  private filled = 0;

  constructor(capacity: number) {
    this.buf = new Float32Array(Math.max(1, Math.floor(capacity)));
  }

  push(chunk: Float32Array): void {
    const cap = this.buf.length;
    const src = chunk.length > cap ? chunk.subarray(chunk.length - cap) : chunk;
    const first = Math.min(src.length, cap - this.write);
    this.buf.set(src.subarray(0, first), this.write);
    if (first < src.length) this.buf.set(src.subarray(first), 0);
    this.write = (this.write + src.length) % cap;
    this.filled = Math.min(cap, this.filled + src.length);
  }

  /** The newest n samples (fewer if not yet filled), oldest first. */
  latest(n = this.filled): Float32Array {
    const count = Math.min(n, this.filled);
    const out = new Float32Array(count);
    const start = (this.write - count + this.buf.length) % this.buf.length;
    const first = Math.min(count, this.buf.length - start);
    out.set(this.buf.subarray(start, start + first), 0);
    if (first < count) out.set(this.buf.subarray(0, count - first), first);
    return out;
  }
}

/** Concatenates chunks into one array. */
export function concatChunks(chunks: Float32Array[]): Float32Array {
  const out = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
