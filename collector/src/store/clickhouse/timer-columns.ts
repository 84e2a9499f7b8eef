import type { BinSink } from '../../aggregate/sketch.js';
import { grown } from './typed-arrays.js';

/**
 * Timer rows column by column (pure): a flush's 30k timers, or a coarse bucket's merged ones, in a few
 * typed arrays rather than an object and two bin arrays per timer, which the young-generation collector
 * had to copy while the rows waited for their rollup. Row i's sketch bins are binKey/binCount[binStart[i],
 * binStart[i + 1]); a row's bins are appended (`bin`) right after the row is.
 */
/** A timer row's numbers, one typed array each, by row (TimerColumns) or by slot (a rollup bucket's). */
export class TimerScalars {
  sid: Float64Array;
  ts: Uint32Array;
  scount: Float64Array;
  n: Float64Array;
  sum: Float64Array;
  sumsq: Float64Array;
  m2: Float64Array;
  /** +Infinity / -Infinity when n = 0. */
  min: Float64Array;
  max: Float64Array;

  constructor(size: number) {
    this.sid = new Float64Array(size);
    this.ts = new Uint32Array(size);
    this.scount = new Float64Array(size);
    this.n = new Float64Array(size);
    this.sum = new Float64Array(size);
    this.sumsq = new Float64Array(size);
    this.m2 = new Float64Array(size);
    this.min = new Float64Array(size);
    this.max = new Float64Array(size);
  }

  protected growScalars(size: number): void {
    this.sid = grown(this.sid, size);
    this.ts = grown(this.ts, size);
    this.scount = grown(this.scount, size);
    this.n = grown(this.n, size);
    this.sum = grown(this.sum, size);
    this.sumsq = grown(this.sumsq, size);
    this.m2 = grown(this.m2, size);
    this.min = grown(this.min, size);
    this.max = grown(this.max, size);
  }
}

export class TimerColumns extends TimerScalars implements BinSink {
  count = 0;
  slot: Int32Array;
  binStart: Int32Array;
  bins = 0;
  binKey: Int32Array;
  binCount: Float64Array;

  constructor(rows: number, bins = rows * 8) {
    const r = Math.max(rows, 16);
    super(r);
    this.slot = new Int32Array(r);
    this.binStart = new Int32Array(r + 1);
    this.binKey = new Int32Array(Math.max(bins, 64));
    this.binCount = new Float64Array(Math.max(bins, 64));
  }

  /** Appends a row with no bins yet; returns its index. */
  add(
    slot: number,
    sid: number,
    ts: number,
    scount: number,
    n: number,
    sum: number,
    sumsq: number,
    m2: number,
    min: number,
    max: number,
  ): number {
    const i = this.count++;
    if (i === this.slot.length) this.growRows();
    this.slot[i] = slot;
    this.sid[i] = sid;
    this.ts[i] = ts;
    this.scount[i] = scount;
    this.n[i] = n;
    this.sum[i] = sum;
    this.sumsq[i] = sumsq;
    this.m2[i] = m2;
    this.min[i] = min;
    this.max[i] = max;
    this.binStart[i + 1] = this.bins;
    return i;
  }

  /** Adds a bin to the last row. */
  bin(key: number, count: number): void {
    const b = this.bins++;
    if (b === this.binKey.length) {
      this.binKey = grown(this.binKey, b * 2);
      this.binCount = grown(this.binCount, b * 2);
    }
    this.binKey[b] = key;
    this.binCount[b] = count;
    this.binStart[this.count] = this.bins;
  }

  /** RowBinary bytes the rows take at most (see writeTimerRows): 68 fixed, two array lengths, 12 a bin. */
  get rowBinaryBytes(): number {
    return this.count * 90 + this.bins * 12;
  }

  private growRows(): void {
    const size = this.slot.length * 2;
    this.growScalars(size);
    this.slot = grown(this.slot, size);
    this.binStart = grown(this.binStart, size + 1);
  }
}
