import { describe, expect, it } from 'vitest';
import { SeriesKind } from '../../collector/src/store/series-kind.js';
import { placeTimedPoints, type WriteBatch } from '../../collector/src/store/write-batch.js';

describe('placeTimedPoints', () => {
  const batch = (timed: WriteBatch['timed']): WriteBatch => ({
    ts: 1_800_000_000,
    intervalSec: 10,
    counters: { keys: [], values: [] },
    gauges: { keys: [], values: [] },
    sets: { keys: [], values: [] },
    timers: { keys: [], stats: new Float64Array(0), sketches: [] },
    timed,
    events: [],
  });
  const finest = { stepSec: 10, retentionSec: 3600 };

  it('puts each point in its own bucket of the finest tier, under its full stored name', () => {
    const { placed, dropped } = placeTimedPoints(
      batch([
        { kind: 'counter', key: 'a.hits', ts: 1_799_999_995, value: 3 },
        { kind: 'gauge', key: 'a.level', ts: 1_800_000_009, value: 7 },
      ]),
      finest,
    );
    expect(dropped).toBe(0);
    expect(placed).toEqual([
      { kind: SeriesKind.Counter, key: 'stats.counters.a.hits', ts: 1_799_999_990, value: 3 },
      { kind: SeriesKind.Gauge, key: 'stats.gauges.a.level', ts: 1_800_000_000, value: 7 },
    ]);
  });

  it('counts points older than the tier keeps, or after the interval, as dropped', () => {
    const { placed, dropped } = placeTimedPoints(
      batch([
        { kind: 'counter', key: 'old', ts: 1_800_000_010 - 3601, value: 1 },
        { kind: 'counter', key: 'edge', ts: 1_800_000_010 - 3600, value: 1 },
        { kind: 'gauge', key: 'future', ts: 1_800_000_010, value: 1 },
      ]),
      finest,
    );
    expect(placed.map((p) => p.key)).toEqual(['stats.counters.edge']);
    expect(dropped).toBe(2);
  });
});
