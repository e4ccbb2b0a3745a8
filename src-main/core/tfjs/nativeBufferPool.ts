import { totalmem } from 'node:os';

/**
 * Recycles the output buffers of native kernels. A training step allocates and frees the same few dozen activation
 * sizes (tens of MB each) over and over; fresh allocations page-fault their way in through the kernel, which cost
 * more CPU than the arithmetic of the element-wise kernels writing them.
 *
 * A buffer returns to the pool only when it is certain nothing can still see it: it was allocated here, every tensor
 * viewing it (kernels may alias, e.g. a contiguous slice is a subarray) has been disposed, and its values were never
 * handed out through readSync/read (dataSync() returns the backend's own array, which callers keep after dispose).
 */
export class BufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  private pooledBytes = 0;
  private readonly owned = new WeakSet<ArrayBuffer>();
  private readonly views = new WeakMap<ArrayBuffer, number>();
  private readonly escaped = new WeakSet<ArrayBuffer>();

  /**
   * @param maxBytes cap on idle buffers kept for reuse. A ResNet step on batch 32 frees ~600 MB of activations and
   *   gradients; with the old 512 MB cap the overflow was reallocated every step (5k page faults, +15% CPU).
   * @param minBytes smaller buffers are left to the allocator.
   */
  constructor(
    private readonly maxBytes = defaultPoolBytes(),
    private readonly minBytes = 64 * 2 ** 10,
  ) {}

  /** An uninitialised Float32Array of n values (recycled when one of that size is idle). */
  take(n: number): Float32Array {
    const bytes = n * 4;
    const idle = this.free.get(bytes)?.pop();
    if (idle) {
      this.pooledBytes -= bytes;
      return new Float32Array(idle, 0, n);
    }
    // allocUnsafeSlow: no zero fill (kernels overwrite every value) and an ArrayBuffer of exactly this size.
    const fresh = Buffer.allocUnsafeSlow(bytes);
    const view = new Float32Array(fresh.buffer, fresh.byteOffset, n);
    if (bytes >= this.minBytes && fresh.byteOffset === 0 && fresh.buffer.byteLength === bytes) this.owned.add(fresh.buffer);
    return view;
  }

  /** A tensor now views these values. */
  attach(values: unknown): void {
    const buffer = pooledBuffer(values);
    if (buffer && this.owned.has(buffer)) this.views.set(buffer, (this.views.get(buffer) ?? 0) + 1);
  }

  /** These values left the backend's control (read by a caller); their buffer is never recycled. */
  escape(values: unknown): void {
    const buffer = pooledBuffer(values);
    if (buffer && this.owned.has(buffer)) this.escaped.add(buffer);
  }

  /** A tensor viewing these values was disposed; the buffer is recycled when it was the last one. */
  detach(values: unknown): void {
    const buffer = pooledBuffer(values);
    if (!buffer || !this.owned.has(buffer)) return;
    const left = (this.views.get(buffer) ?? 1) - 1;
    if (left > 0) {
      this.views.set(buffer, left);
      return;
    }
    this.views.delete(buffer);
    if (this.escaped.has(buffer) || this.pooledBytes + buffer.byteLength > this.maxBytes) return;
    const list = this.free.get(buffer.byteLength) ?? [];
    list.push(buffer);
    this.free.set(buffer.byteLength, list);
    this.pooledBytes += buffer.byteLength;
  }

  /** Drops every idle buffer (the garbage collector frees them). */
  clear(): void {
    this.free.clear();
    this.pooledBytes = 0;
  }

  /** Bytes held idle for reuse. */
  get idleBytes(): number {
    return this.pooledBytes;
  }
}

/** An eighth of physical memory, between 512 MiB and 4 GiB. */
function defaultPoolBytes(): number {
  return Math.min(4 * 2 ** 30, Math.max(512 * 2 ** 20, Math.floor(totalmem() / 8)));
}

function pooledBuffer(values: unknown): ArrayBuffer | null {
  return values instanceof Float32Array && values.buffer instanceof ArrayBuffer ? values.buffer : null;
}

/** The pool behind every native kernel output. */
export const nativeBuffers = new BufferPool();
