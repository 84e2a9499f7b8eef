/**
 * A byte buffer that grows as it is written, doubling: the base of the writers that build large bodies
 * (RowBinary inserts for ClickHouse, /render's JSON).
 */
export class ByteWriter {
  protected buf: Buffer;
  protected pos = 0;

  /** Starts with `initial` bytes of room, or in the given buffer (one kept for reuse). */
  constructor(initial: number | Buffer = 1 << 16) {
    this.buf = typeof initial === 'number' ? Buffer.allocUnsafe(initial) : initial;
  }

  get length(): number {
    return this.pos;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }

  /** The bytes written; the writer must not be used after. */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** Makes room for `n` more bytes. */
  protected room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}
