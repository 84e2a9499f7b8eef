/**
 * Large buffers kept for reuse: what a raw /render body is written into (tens of MB each).
 *
 * A fresh buffer that size is mapped from the kernel page by page as it is written and unmapped when
 * collected (glibc maps anything over MALLOC_MMAP_THRESHOLD_, which `npm start` sets to 128 KB), and it
 * counts as external memory, which drives V8 to full collections: in a raw 24 h render of 100 series the
 * page faults and collections took longer than formatting. The buffers are shared (SharedArrayBuffer), so a
 * formatting thread writes into one without it moving: a buffer moved to another thread counts there as
 * newly allocated, and moving them there and back doubled the full collections. A buffer taken from here
 * comes back with give() once nothing reads or writes it. Free buffers are dropped by clear(), which the
 * owner calls when idle.
 */
export class BufferPool {
  private free: SharedArrayBuffer[] = [];
  private freeBytes = 0;

  /** @param maxFreeBytes free buffers kept, in bytes; more are left to the collector. */
  constructor(private readonly maxFreeBytes: number) {}

  /** Bytes held free now (tests watch it). */
  get held(): number {
    return this.freeBytes;
  }

  /** A buffer of at least `bytes`: the smallest free one that fits, or a new one. */
  take(bytes: number): SharedArrayBuffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const size = (this.free[i] as SharedArrayBuffer).byteLength;
      if (size >= bytes && (best < 0 || size < (this.free[best] as SharedArrayBuffer).byteLength)) best = i;
    }
    if (best < 0) return new SharedArrayBuffer(roundUp(bytes));
    const [buf] = this.free.splice(best, 1) as [SharedArrayBuffer];
    this.freeBytes -= buf.byteLength;
    return buf;
  }

  /** Returns a buffer nothing reads or writes any longer. Others than its own kind, or under a MiB, are not kept. */
  give(buf: ArrayBufferLike): void {
    if (!(buf instanceof SharedArrayBuffer) || buf.byteLength < MIB || this.free.includes(buf)) return;
    this.free.push(buf);
    this.freeBytes += buf.byteLength;
    // Over the cap, the smallest go first: a large body's buffers are the costly ones to map again.
    this.free.sort((a, b) => b.byteLength - a.byteLength);
    while (this.freeBytes > this.maxFreeBytes) this.freeBytes -= (this.free.pop() as SharedArrayBuffer).byteLength;
  }

  clear(): void {
    this.free = [];
    this.freeBytes = 0;
  }
}

const MIB = 1 << 20;

/** Whole MiB, so that bodies of nearly the same size share buffers. */
function roundUp(bytes: number): number {
  return Math.ceil(Math.max(bytes, 1) / MIB) * MIB;
}
