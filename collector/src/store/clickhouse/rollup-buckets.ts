import { mergeM2 } from '../../aggregate/timer-summary.js';
import { SeriesKind } from '../series-kind.js';
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

export interface TimerRow {
  slot: number;
  sid: number;
  ts: number;
  scount: number;
  n: number;
  sum: number;
  sumsq: number;
  m2: number;
  /** +Infinity / -Infinity when n = 0. */
  min: number;
  max: number;
  /** Sketch bins; never changed once a row is handed over (rows share them). */
  binKeys: readonly number[];
  binCounts: readonly number[];
}

/** A timer's bucket so far: bins stay in the parts they came in until the bucket is taken. */
interface TimerAcc extends Omit<TimerRow, 'binKeys' | 'binCounts'> {
  keyParts: Array<readonly number[]>;
  countParts: Array<readonly number[]>;
}

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
  private readonly timers = new Map<number, Map<number, TimerAcc>>();

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
    for (let i = 0; i < points.count; i++) {
      const b = this.bucket(points.ts[i]);
      if (b !== lastBucket || d === null) {
        d = this.densePoints(b);
        lastBucket = b;
      }
      this.addTo(d, points.slot[i], points.sid[i], points.kind[i], points.ts[i], points.at, points.value[i]);
    }
  }

  private densePoints(b: number): DensePoints {
    let d = this.points.get(b);
    if (d === undefined) {
      d = new DensePoints();
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

  addTimer(t: TimerRow): void {
    const b = this.bucket(t.ts);
    let rows = this.timers.get(b);
    if (rows === undefined) {
      rows = new Map();
      this.timers.set(b, rows);
    }
    const acc = rows.get(t.slot);
    if (acc === undefined) {
      // Field by field: object spread and rest take V8's slow path, at 30k timers a flush.
      rows.set(t.slot, {
        slot: t.slot,
        sid: t.sid,
        ts: t.ts,
        scount: t.scount,
        n: t.n,
        sum: t.sum,
        sumsq: t.sumsq,
        m2: t.m2,
        min: t.min,
        max: t.max,
        keyParts: [t.binKeys],
        countParts: [t.binCounts],
      });
      return;
    }
    acc.m2 = mergeM2(acc.n, acc.sum, acc.m2, t.n, t.sum, t.m2);
    acc.scount += t.scount;
    acc.n += t.n;
    acc.sum += t.sum;
    acc.sumsq += t.sumsq;
    acc.min = Math.min(acc.min, t.min);
    acc.max = Math.max(acc.max, t.max);
    acc.ts = Math.max(acc.ts, t.ts);
    acc.keyParts.push(t.binKeys);
    acc.countParts.push(t.binCounts);
  }

  /** Removes and returns the rows of every bucket that ends at or before `until` (all with Infinity). */
  take(until: number): { points: PointRow[]; timers: TimerRow[] } {
    const points: PointRow[] = [];
    const timers: TimerRow[] = [];
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
      this.points.delete(b);
    }
    for (const [b, rows] of this.timers) {
      if (b + this.stepSec > until) continue;
      for (const a of rows.values()) {
        const { binKeys, binCounts } = mergeBins(a.keyParts, a.countParts);
        const { slot, sid, ts, scount, n, sum, sumsq, m2, min, max } = a;
        timers.push({ slot, sid, ts, scount, n, sum, sumsq, m2, min, max, binKeys, binCounts });
      }
      this.timers.delete(b);
    }
    return { points, timers };
  }

  /** Puts rows taken earlier back (their insert failed), merged with what arrived meanwhile. */
  putBack(taken: { points: readonly PointRow[]; timers: readonly TimerRow[] }): void {
    for (const p of taken.points) this.addPoint(p.slot, p.sid, p.kind, p.ts, p.at, p.value);
    for (const t of taken.timers) this.addTimer(t);
  }

  private bucket(ts: number): number {
    return ts - (((ts % this.stepSec) + this.stepSec) % this.stepSec);
  }
}

/** One list of bins with each key once, its counts added. */
function mergeBins(
  keyParts: ReadonlyArray<readonly number[]>,
  countParts: ReadonlyArray<readonly number[]>,
): { binKeys: readonly number[]; binCounts: readonly number[] } {
  if (keyParts.length === 1) return { binKeys: keyParts[0], binCounts: countParts[0] };
  const byKey = new Map<number, number>();
  for (let p = 0; p < keyParts.length; p++) {
    const keys = keyParts[p];
    const counts = countParts[p];
    for (let i = 0; i < keys.length; i++) byKey.set(keys[i], (byKey.get(keys[i]) ?? 0) + counts[i]);
  }
  return { binKeys: [...byKey.keys()], binCounts: [...byKey.values()] };
}
