import { describe, expect, it } from 'vitest';
import { addSample, emptySummary, mergeSummary } from '../../collector/src/aggregate/timer-summary.js';
import { RollupBuckets } from '../../collector/src/store/clickhouse/rollup-buckets.js';
import { TimerColumns } from '../../collector/src/store/clickhouse/timer-columns.js';
import { SeriesKind } from '../../collector/src/store/series-kind.js';

/** One flush's timer row from samples, with its sketch bins as the writer sends them. */
function timerRow(slot: number, ts: number, samples: number[]): TimerColumns {
  const s = emptySummary();
  for (const v of samples) addSample(s, v, 1);
  const t = new TimerColumns(1);
  const none = s.n === 0;
  t.add(
    slot,
    1000 + slot,
    ts,
    s.count,
    s.n,
    s.sum,
    s.sumSquares,
    s.m2,
    none ? Infinity : s.min,
    none ? -Infinity : s.max,
  );
  const { keys, counts } = s.sketch.toBins();
  for (let i = 0; i < keys.length; i++) t.bin(keys[i], counts[i]);
  return t;
}

/** Taken timer rows as objects, bins as a key → count map. */
function rowsOf(t: TimerColumns) {
  return Array.from({ length: t.count }, (_, i) => {
    const bins = new Map<number, number>();
    for (let b = t.binStart[i]; b < t.binStart[i + 1]; b++) bins.set(t.binKey[b], t.binCount[b]);
    return {
      slot: t.slot[i],
      sid: t.sid[i],
      ts: t.ts[i],
      scount: t.scount[i],
      n: t.n[i],
      sum: t.sum[i],
      sumsq: t.sumsq[i],
      m2: t.m2[i],
      min: t.min[i],
      max: t.max[i],
      binCount: t.binStart[i + 1] - t.binStart[i],
      bins,
    };
  });
}

describe('RollupBuckets: one collector rolls up its own writes, merged as reads merge', () => {
  it('sums counters, keeps the latest gauge and the max set per bucket', () => {
    const r = new RollupBuckets(60);
    for (let t = 0; t < 6; t++) {
      r.addPoint(0, 11, SeriesKind.Counter, 120 + t * 10, 1000 + t, t + 1);
      r.addPoint(1, 12, SeriesKind.Gauge, 120 + t * 10, 1000 + t, 50 - t);
      r.addPoint(2, 13, SeriesKind.Set, 120 + t * 10, 1000 + t, [3, 9, 4, 1, 2, 5][t]);
    }
    // An older gauge write arriving late (a retried flush) does not replace the latest one.
    r.addPoint(1, 12, SeriesKind.Gauge, 130, 2000, 99);
    r.addPoint(0, 11, SeriesKind.Counter, 180, 1010, 100);
    const none = r.take(179);
    expect([none.points, none.timers.count]).toEqual([[], 0]);
    const { points } = r.take(180);
    expect(points).toEqual([
      { slot: 0, sid: 11, kind: SeriesKind.Counter, ts: 170, at: 1005, value: 21 },
      { slot: 1, sid: 12, kind: SeriesKind.Gauge, ts: 170, at: 1005, value: 45 },
      { slot: 2, sid: 13, kind: SeriesKind.Set, ts: 170, at: 1005, value: 9 },
    ]);
    // The next bucket stays until it ends too.
    expect(r.take(239).points).toEqual([]);
    expect(r.take(240).points.map((p) => p.value)).toEqual([100]);
  });

  it('merges timer summaries exactly (M2 by Chan et al.) and adds sketch bins per key', () => {
    const r = new RollupBuckets(60);
    const parts = [[10, 12, 14], [500, 12, 700, 900], [], [13, 13, 13]];
    parts.forEach((samples, i) => {
      r.addTimers(timerRow(0, 600 + i * 10, samples));
    });
    const [row] = rowsOf(r.take(660).timers);
    const all = emptySummary();
    for (const samples of parts) {
      const s = emptySummary();
      for (const v of samples) addSample(s, v, 1);
      mergeSummary(all, s);
    }
    expect(row).toMatchObject({ slot: 0, sid: 1000, ts: 630, n: 10, scount: 10, min: 10, max: 900 });
    expect(row.sum).toBeCloseTo(all.sum, 9);
    expect(row.sumsq).toBeCloseTo(all.sumSquares, 6);
    expect(row.m2).toBeCloseTo(all.m2, 6);
    // Each key once, its counts added.
    expect(row.bins.size).toBe(row.binCount);
    const bins = all.sketch.toBins();
    expect(new Map(bins.keys.map((k, i) => [k, bins.counts[i]]))).toEqual(row.bins);
  });

  it('takes every bucket, open ones too, with Infinity; rows put back merge with newer ones', () => {
    const r = new RollupBuckets(600);
    r.addPoint(5, 55, SeriesKind.Counter, 1210, 1, 2);
    r.addTimers(timerRow(6, 1210, [1, 2]));
    const taken = r.take(Number.POSITIVE_INFINITY);
    expect(taken.points).toHaveLength(1);
    expect(taken.timers.count).toBe(1);
    r.addPoint(5, 55, SeriesKind.Counter, 1220, 2, 3);
    r.addTimers(timerRow(6, 1220, [3]));
    r.putBack(taken);
    const again = r.take(1800);
    expect(again.points.map((p) => p.value)).toEqual([5]);
    expect(rowsOf(again.timers).map((t) => [t.n, t.sum, t.min, t.max])).toEqual([[3, 6, 1, 3]]);
    // The rows handed out earlier are not changed by what came after.
    expect(taken.timers.n[0]).toBe(2);
  });
});
