/**
 * Pure byte-bounded batching: lines in, datagrams out. Lines are joined with `\n` and a datagram never
 * exceeds `maxBytes` unless a single line does, in which case that line travels alone.
 *
 * Lengths are counted in UTF-16 units, which equal bytes because format.ts only emits ASCII.
 */

export type DatagramSink = (datagram: string, metrics: number) => void;

export class Batcher {
  private buffer = '';
  private metrics = 0;

  constructor(
    readonly maxBytes: number,
    private readonly sink: DatagramSink,
  ) {}

  /** Bytes waiting. */
  get size(): number {
    return this.buffer.length;
  }

  /** Queues one entry (one metric; it may span lines, e.g. a negative gauge). */
  add(entry: string): void {
    const len = entry.length;
    if (this.buffer === '') {
      if (len > this.maxBytes) {
        this.sink(entry, 1);
        return;
      }
      this.buffer = entry;
      this.metrics = 1;
      return;
    }
    if (this.buffer.length + 1 + len <= this.maxBytes) {
      this.buffer += `\n${entry}`;
      this.metrics++;
      return;
    }
    this.flush();
    this.add(entry);
  }

  /** Hands over what is buffered, if anything. */
  flush(): void {
    if (this.buffer === '') return;
    const datagram = this.buffer;
    const metrics = this.metrics;
    this.buffer = '';
    this.metrics = 0;
    this.sink(datagram, metrics);
  }
}
