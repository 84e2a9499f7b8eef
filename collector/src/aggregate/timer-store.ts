import { TIMER_STATS_WIDTH, type TimerColumns } from './flush-batch.js';
import { MIN_INDEXABLE, QuantileSketch, SketchBatchWriter, sketchKey } from './sketch.js';

/**
 * Every timer's summary for the current interval, in typed arrays shared by all timers: the exact stats in
 * one Float64Array (WriteBatch's layout, so a flush copies them as they are) and each sketch's samples as
 * a list of keys in one pool of blocks. Only a timer past LIST_MAX samples in an interval gets a
 * QuantileSketch with bins. A summary object per timer (seven boxed doubles, a sketch object and its list)
 * cost ~0.5 KB at 30k timers; bins for a timer at 40 samples an interval ~3 KB, allocated again every flush.
 */

/** Samples a timer keeps as keys (4 bytes each) before its sketch gets bins (~2×the key range × 8 bytes). */
const LIST_MAX = 128;
/** A block of the pool: KEYS_PER_BLOCK keys, then the index of the next block. */
const BLOCK = 16;
const KEYS_PER_BLOCK = BLOCK - 1;
const INITIAL_TIMERS = 256;
const INITIAL_BLOCKS = 1024;

const COUNT = 0;
const N = 1;
const SUM = 2;
const SUM_SQUARES = 3;
const M2 = 4;
const MIN = 5;
const MAX = 6;

export class TimerStore {
  /** count, n, sum, sumSquares, m2, min, max per timer (min and max NaN while n = 0). */
  private stats = emptyStats(INITIAL_TIMERS);
  /** Samples too small to index, per timer, until it has a sketch. */
  private zeros = new Float64Array(INITIAL_TIMERS);
  /** Keys listed per timer this interval; its first and last block. */
  private listed = new Int32Array(INITIAL_TIMERS);
  private head = new Int32Array(INITIAL_TIMERS);
  private tail = new Int32Array(INITIAL_TIMERS);
  /** Timers past LIST_MAX samples this interval. */
  private sketches = new Map<number, QuantileSketch>();
  private pool = new Int32Array(INITIAL_BLOCKS * BLOCK);
  private blocksUsed = 0;
  /** Timers handed out: [0, size) less `free`. */
  private size = 0;
  private readonly free: number[] = [];
  /** Scratch for one timer's keys at a flush. */
  private readonly keys = new Int32Array(LIST_MAX);

  /** A new timer, with no samples. */
  add(): number {
    const free = this.free.pop();
    if (free !== undefined) return free;
    if (this.size === this.listed.length) this.growTimers();
    return this.size++;
  }

  /** Gives a timer's index back; only right after flush(), when it holds no samples. */
  remove(timer: number): void {
    this.free.push(timer);
  }

  /** One sample, with the arithmetic of timer-summary.ts's addSample, so the stats are the same to the bit. */
  sample(timer: number, value: number, sampleRate: number): void {
    const s = this.stats;
    const o = timer * TIMER_STATS_WIDTH;
    const n = s[o + N];
    s[o + COUNT] += 1 / sampleRate;
    const delta = n === 0 ? 0 : value - s[o + SUM] / n;
    s[o + N] = n + 1;
    s[o + SUM] += value;
    s[o + M2] += delta * (value - s[o + SUM] / (n + 1));
    s[o + SUM_SQUARES] += value * value;
    if (!(value >= s[o + MIN])) s[o + MIN] = value;
    if (!(value <= s[o + MAX])) s[o + MAX] = value;
    this.sketchSample(timer, value);
  }

  /**
   * The interval's columns for `timers`, in that order (a timer without samples has no sketch), then every
   * timer starts the next interval empty.
   */
  flush(timers: ArrayLike<number>): Omit<TimerColumns, 'keys'> {
    const stats = new Float64Array(timers.length * TIMER_STATS_WIDTH);
    const sketches = new SketchBatchWriter(timers.length);
    for (let i = 0; i < timers.length; i++) {
      const t = timers[i];
      const o = t * TIMER_STATS_WIDTH;
      // Copied number by number: a subarray() per timer would be 30k objects a flush.
      for (let k = 0; k < TIMER_STATS_WIDTH; k++) stats[i * TIMER_STATS_WIDTH + k] = this.stats[o + k];
      if (this.stats[o + N] === 0) sketches.sketch(null);
      else {
        const sketch = this.sketches.get(t);
        if (sketch !== undefined) sketches.sketch(sketch);
        else sketches.keys(this.zeros[t], this.keys, this.copyKeys(t));
      }
    }
    this.reset();
    return { stats, sketches: sketches.finish() };
  }

  private sketchSample(timer: number, value: number): void {
    const sketch = this.sketches.get(timer);
    if (sketch !== undefined) {
      sketch.add(value);
      return;
    }
    if (!(value >= MIN_INDEXABLE)) {
      // As QuantileSketch.add: zeros (and values too small to index) are counted, negatives and NaN are not.
      if (value >= 0) this.zeros[timer]++;
      return;
    }
    const listed = this.listed[timer];
    if (listed === LIST_MAX) {
      this.toSketch(timer).add(value);
      return;
    }
    const at = listed % KEYS_PER_BLOCK;
    if (at === 0) this.newBlock(timer, listed === 0);
    this.pool[this.tail[timer] * BLOCK + at] = sketchKey(value);
    this.listed[timer] = listed + 1;
  }

  /** Moves a timer's listed samples into a QuantileSketch of its own. */
  private toSketch(timer: number): QuantileSketch {
    const n = this.copyKeys(timer);
    const sketch = QuantileSketch.fromBins(this.keys.subarray(0, n), new Uint8Array(n).fill(1));
    sketch.zeroCount = this.zeros[timer];
    this.sketches.set(timer, sketch);
    return sketch;
  }

  /** Copies a timer's listed keys into `keys`; returns how many. */
  private copyKeys(timer: number): number {
    const n = this.listed[timer];
    let block = this.head[timer];
    for (let i = 0; i < n; i += KEYS_PER_BLOCK) {
      const from = block * BLOCK;
      const take = Math.min(KEYS_PER_BLOCK, n - i);
      for (let j = 0; j < take; j++) this.keys[i + j] = this.pool[from + j];
      block = this.pool[from + KEYS_PER_BLOCK];
    }
    return n;
  }

  private newBlock(timer: number, first: boolean): void {
    if ((this.blocksUsed + 1) * BLOCK > this.pool.length) {
      const next = new Int32Array(this.pool.length * 2);
      next.set(this.pool);
      this.pool = next;
    }
    const block = this.blocksUsed++;
    if (first) this.head[timer] = block;
    else this.pool[this.tail[timer] * BLOCK + KEYS_PER_BLOCK] = block;
    this.tail[timer] = block;
  }

  /** Empties every timer for the next interval; a pool that a burst grew shrinks once it is mostly unused. */
  private reset(): void {
    for (let t = 0; t < this.size; t++) {
      const o = t * TIMER_STATS_WIDTH;
      this.stats.fill(0, o, o + MIN);
      this.stats[o + MIN] = Number.NaN;
      this.stats[o + MAX] = Number.NaN;
    }
    this.zeros.fill(0, 0, this.size);
    this.listed.fill(0, 0, this.size);
    this.sketches.clear();
    const capacity = this.pool.length / BLOCK;
    if (capacity > INITIAL_BLOCKS && this.blocksUsed < capacity / 4) {
      this.pool = new Int32Array(Math.max(INITIAL_BLOCKS, 2 * this.blocksUsed) * BLOCK);
    }
    this.blocksUsed = 0;
  }

  private growTimers(): void {
    const capacity = this.listed.length * 2;
    const stats = emptyStats(capacity);
    stats.set(this.stats);
    this.stats = stats;
    this.zeros = grown(this.zeros, new Float64Array(capacity));
    this.listed = grown(this.listed, new Int32Array(capacity));
    this.head = grown(this.head, new Int32Array(capacity));
    this.tail = grown(this.tail, new Int32Array(capacity));
  }
}

function emptyStats(timers: number): Float64Array {
  const stats = new Float64Array(timers * TIMER_STATS_WIDTH);
  for (let o = 0; o < stats.length; o += TIMER_STATS_WIDTH) {
    stats[o + MIN] = Number.NaN;
    stats[o + MAX] = Number.NaN;
  }
  return stats;
}

function grown<T extends Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
