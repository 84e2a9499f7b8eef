import { ZERO_BIN_KEY } from '../../aggregate/sketch.js';
import { mergeM2 } from '../../aggregate/timer-summary.js';
import { SeriesKind } from '../series-kind.js';
import { TimerColumns, TimerScalars } from './timer-columns.js';
import { grown } from './typed-arrays.js';

/**
 * What one collector wrote into the coarse buckets of one tier, merged as the tier's reads merge rows
 * (pure, no I/O). Each collector rolls up only its own writes and hands the merged rows to ClickHouse,
 * whose AggregatingMergeTree then merges them with every other collector's rows for the same bucket:
 * a bucket's rollup includes all collectors because each adds exactly its own part, once.
 *
 * - counters add, sets take the max, gauges keep the write with the latest (ts, write time);
 * - timers add counts, sums and sketch bins, combine M2 exactly (Chan et al.), take min and max.
 *
 * Series are addressed by a slot, a small integer the writer gives each series it has seen: points of
 * a bucket live in typed arrays indexed by slot, so adding a flush's 100k points costs a few milliseconds.
 */

export interface PointRow {
  slot: number;
  sid: number;
  kind: SeriesKind;
  /** A finest-tier time inside the bucket (for a gauge, that of its latest write). */
  ts: number;
  /** Write time, ms: orders gauge writes from several collectors. */
  at: number;
  value: number;
}

/**
 * A bucket's timers so far, by slot: counts, sums and M2 merged as rows come; each row's bins stay where
 * they came (the rows' TimerColumns), listed per slot, until the bucket is taken.
 */
class DenseTimers extends TimerScalars {
  used: number[] = [];
  /** By slot: 1 + its latest bin part, 0 when the slot has no row here yet. */
  head = new Int32Array(0);
  /** Bin parts: the columns and row holding them, and 1 + the slot's part before (0: none). */
  partColumns: TimerColumns[] = [];
  partRow = new Int32Array(64);
  partNext = new Int32Array(64);
  bins = 0;

  constructor() {
    super(0);
  }

  room(slot: number): void {
    if (slot < this.head.length) return;
    const size = Math.max(1024, slot + 1, this.head.length * 2);
    this.head = grown(this.head, size);
    this.growScalars(size);
  }

  add(t: TimerColumns, i: number): void {
    const slot = t.slot[i];
    this.room(slot);
    const part = this.partColumns.length;
    if (part === this.partRow.length) {
      this.partRow = grown(this.partRow, part * 2);
      this.partNext = grown(this.partNext, part * 2);
    }
    this.partColumns.push(t);
    this.partRow[part] = i;
    this.partNext[part] = this.head[slot];
    this.bins += t.binStart[i + 1] - t.binStart[i];
    if (this.head[slot] === 0) {
      this.used.push(slot);
      this.sid[slot] = t.sid[i];
      this.ts[slot] = t.ts[i];
      this.scount[slot] = t.scount[i];
      this.n[slot] = t.n[i];
      this.sum[slot] = t.sum[i];
      this.sumsq[slot] = t.sumsq[i];
      this.m2[slot] = t.m2[i];
      this.min[slot] = t.min[i];
      this.max[slot] = t.max[i];
    } else {
      this.m2[slot] = mergeM2(this.n[slot], this.sum[slot], this.m2[slot], t.n[i], t.sum[i], t.m2[i]);
      this.scount[slot] += t.scount[i];
      this.n[slot] += t.n[i];
      this.sum[slot] += t.sum[i];
      this.sumsq[slot] += t.sumsq[i];
      this.min[slot] = Math.min(this.min[slot], t.min[i]);
      this.max[slot] = Math.max(this.max[slot], t.max[i]);
      this.ts[slot] = Math.max(this.ts[slot], t.ts[i]);
    }
    this.head[slot] = part + 1;
  }

  /** Appends each slot's merged row to `out`, its bins with each key once. */
  takeInto(out: TimerColumns): void {
    for (const slot of this.used) {
      out.add(
        slot,
        this.sid[slot],
        this.ts[slot],
        this.scount[slot],
        this.n[slot],
        this.sum[slot],
        this.sumsq[slot],
        this.m2[slot],
        this.min[slot],
        this.max[slot],
      );
      const first = this.head[slot] - 1;
      if (this.partNext[first] === 0) {
        const t = this.partColumns[first];
        const row = this.partRow[first];
        for (let b = t.binStart[row]; b < t.binStart[row + 1]; b++) out.bin(t.binKey[b], t.binCount[b]);
        continue;
      }
      for (let p = first; p >= 0; p = this.partNext[p] - 1) {
        const t = this.partColumns[p];
        const row = this.partRow[p];
        for (let b = t.binStart[row]; b < t.binStart[row + 1]; b++) binSums.add(t.binKey[b], t.binCount[b]);
      }
      binSums.drainInto(out);
    }
  }
}

/** Counts added per sketch key across a timer's parts, in one array over every key (no Map per timer). */
class BinSums {
  private readonly sums = new Float64Array(2 * -ZERO_BIN_KEY + 1);
  private readonly keys: number[] = [];

  add(key: number, count: number): void {
    if (!(count > 0)) return;
    const k = key - ZERO_BIN_KEY;
    if (this.sums[k] === 0) this.keys.push(key);
    this.sums[k] += count;
  }

  drainInto(out: TimerColumns): void {
    for (const key of this.keys) {
      out.bin(key, this.sums[key - ZERO_BIN_KEY]);
      this.sums[key - ZERO_BIN_KEY] = 0;
    }
    this.keys.length = 0;
  }
}

const binSums = new BinSums();

class DensePoints {
  used: number[] = [];
  has = new Uint8Array(0);
  kind = new Uint8Array(0);
  sid = new Float64Array(0);
  ts = new Float64Array(0);
  at = new Float64Array(0);
  value = new Float64Array(0);

  room(slot: number): void {
    if (slot < this.has.length) return;
    const size = Math.max(1024, slot + 1, this.has.length * 2);
    this.has = grown(this.has, size);
    this.kind = grown(this.kind, size);
    this.sid = grown(this.sid, size);
    this.ts = grown(this.ts, size);
    this.at = grown(this.at, size);
    this.value = grown(this.value, size);
  }
}

export class RollupBuckets {
  /** By bucket start. */
  private readonly points = new Map<number, DensePoints>();
  private readonly timers = new Map<number, DenseTimers>();

  /** How many slots the last bucket taken had room for (points, timers). */
  private readonly lastSlots = [0, 0];

  constructor(readonly stepSec: number) {}

  addPoint(slot: number, sid: number, kind: SeriesKind, ts: number, at: number, value: number): void {
    this.addTo(this.densePoints(this.bucket(ts)), slot, sid, kind, ts, at, value);
  }

  /** A flush's points, column by column: most share one bucket, looked up once. */
  addPoints(points: {
    count: number;
    slot: ArrayLike<number>;
    sid: ArrayLike<number>;
    kind: ArrayLike<number>;
    ts: ArrayLike<number>;
    value: ArrayLike<number>;
    at: number;
  }): void {
    let lastBucket = Number.NaN;
    let d: DensePoints | null = null;
    const top = maxOf(points.slot, points.count);
    for (let i = 0; i < points.count; i++) {
      const b = this.bucket(points.ts[i]);
      if (b !== lastBucket || d === null) {
        d = this.densePoints(b);
        d.room(top);
        lastBucket = b;
      }
      this.addTo(d, points.slot[i], points.sid[i], points.kind[i], points.ts[i], points.at, points.value[i]);
    }
  }

  private densePoints(b: number): DensePoints {
    let d = this.points.get(b);
    if (d === undefined) {
      d = new DensePoints();
      // Sized as the largest bucket taken: doubling up to 100k slots copied the columns a dozen times.
      d.room(this.lastSlots[0] - 1);
      this.points.set(b, d);
    }
    return d;
  }

  private addTo(d: DensePoints, slot: number, sid: number, kind: SeriesKind, ts: number, at: number, value: number) {
    d.room(slot);
    if (d.has[slot] === 0) {
      d.has[slot] = 1;
      d.used.push(slot);
      d.kind[slot] = kind;
      d.sid[slot] = sid;
      d.ts[slot] = ts;
      d.at[slot] = at;
      d.value[slot] = value;
      return;
    }
    if (kind === SeriesKind.Gauge) {
      if (ts < d.ts[slot] || (ts === d.ts[slot] && at < d.at[slot])) return;
      d.value[slot] = value;
    } else if (kind === SeriesKind.Counter) d.value[slot] += value;
    else d.value[slot] = Math.max(d.value[slot], value);
    d.ts[slot] = Math.max(d.ts[slot], ts);
    d.at[slot] = Math.max(d.at[slot], at);
  }

  /** A flush's timers (or a finer tier's merged ones): most share one bucket, looked up once. */
  addTimers(t: TimerColumns): void {
    let lastBucket = Number.NaN;
    let d: DenseTimers | null = null;
    const top = maxOf(t.slot, t.count);
    for (let i = 0; i < t.count; i++) {
      const b = this.bucket(t.ts[i]);
      if (b !== lastBucket || d === null) {
        d = this.timers.get(b) ?? null;
        if (d === null) {
          d = new DenseTimers();
          d.room(this.lastSlots[1] - 1);
          this.timers.set(b, d);
        }
        d.room(top);
        lastBucket = b;
      }
      d.add(t, i);
    }
  }

  /** Removes and returns the rows of every bucket that ends at or before `until` (all with Infinity). */
  take(until: number): { points: PointRow[]; timers: TimerColumns } {
    const points: PointRow[] = [];
    for (const [b, d] of this.points) {
      if (b + this.stepSec > until) continue;
      for (const slot of d.used) {
        points.push({
          slot,
          sid: d.sid[slot],
          kind: d.kind[slot],
          ts: d.ts[slot],
          at: d.at[slot],
          value: d.value[slot],
        });
      }
      this.lastSlots[0] = Math.max(this.lastSlots[0], d.has.length);
      this.points.delete(b);
    }
    const ended = [...this.timers].filter(([b]) => b + this.stepSec <= until);
    const timers = new TimerColumns(
      ended.reduce((n, [, d]) => n + d.used.length, 0),
      ended.reduce((n, [, d]) => n + d.bins, 0),
    );
    for (const [b, d] of ended) {
      d.takeInto(timers);
      this.lastSlots[1] = Math.max(this.lastSlots[1], d.head.length);
      this.timers.delete(b);
    }
    return { points, timers };
  }

  /** Puts rows taken earlier back (their insert failed), merged with what arrived meanwhile. */
  putBack(taken: { points?: readonly PointRow[]; timers?: TimerColumns }): void {
    for (const p of taken.points ?? []) this.addPoint(p.slot, p.sid, p.kind, p.ts, p.at, p.value);
    if (taken.timers) this.addTimers(taken.timers);
  }

  private bucket(ts: number): number {
    return ts - (((ts % this.stepSec) + this.stepSec) % this.stepSec);
  }
}

/** The largest of a[0, count), -1 if none: a bucket grows once to a flush's slots, not by doubling. */
function maxOf(a: ArrayLike<number>, count: number): number {
  let max = -1;
  for (let i = 0; i < count; i++) if (a[i] > max) max = a[i];
  return max;
}
