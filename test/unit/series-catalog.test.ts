import { describe, expect, it } from 'vitest';
import { SeriesCatalog } from '../../collector/src/query/series-catalog.js';
import { SeriesKind } from '../../collector/src/store/series-kind.js';

describe('SeriesCatalog', () => {
  it('numbers series in the order they come and gives their rows back', () => {
    const cat = new SeriesCatalog();
    expect(cat.add({ id: 7, name: 'stats.gauges.q', tags: '', kind: SeriesKind.Gauge })).toBe(0);
    expect(cat.add({ id: 3, name: 'stats.counters.hits', tags: ';env=prod', kind: SeriesKind.Counter })).toBe(1);
    expect(cat.size).toBe(2);
    expect(cat.row(1)).toEqual({ id: 3, name: 'stats.counters.hits', tags: ';env=prod', kind: SeriesKind.Counter });
    expect([cat.id(0), cat.name(0), cat.tags(0), cat.kind(0)]).toEqual([7, 'stats.gauges.q', '', SeriesKind.Gauge]);
  });

  it('takes each id once, small (SQLite rowids) or not (ClickHouse hashes)', () => {
    const cat = new SeriesCatalog();
    const big = 2 ** 52 + 12345;
    expect(cat.add({ id: 1, name: 'a', tags: '', kind: SeriesKind.Gauge })).toBe(0);
    expect(cat.add({ id: big, name: 'b', tags: '', kind: SeriesKind.Gauge })).toBe(1);
    expect(cat.add({ id: 1, name: 'a', tags: '', kind: SeriesKind.Gauge })).toBe(-1);
    expect(cat.add({ id: big, name: 'b', tags: '', kind: SeriesKind.Gauge })).toBe(-1);
    expect([cat.numberOf(1), cat.numberOf(big), cat.numberOf(2)]).toEqual([0, 1, undefined]);
    expect(cat.row(1).id).toBe(big);
  });

  it('grows past its first columns', () => {
    const cat = new SeriesCatalog();
    for (let i = 0; i < 3000; i++) cat.add({ id: i + 1, name: `s${i}`, tags: '', kind: (i % 4) + 1 });
    expect(cat.size).toBe(3000);
    expect(cat.row(2999)).toEqual({ id: 3000, name: 's2999', tags: '', kind: SeriesKind.Timer });
  });

  it('takes the name from a held key of the same series, tagged or not', () => {
    const cat = new SeriesCatalog();
    const n = cat.add(
      { id: 1, name: 'stats.counters.api.hits', tags: ';env=prod', kind: 1 },
      'stats.counters.api.hits;env=prod',
    );
    const m = cat.add({ id: 2, name: 'stats.gauges.api.queue', tags: '', kind: 2 }, 'stats.gauges.api.queue');
    expect([cat.name(n), cat.tags(n), cat.name(m)]).toEqual([
      'stats.counters.api.hits',
      ';env=prod',
      'stats.gauges.api.queue',
    ]);
    // A key that is not this series' (another length) is not used.
    const k = cat.add({ id: 3, name: 'stats.gauges.x', tags: '', kind: 2 }, 'stats.gauges.xy');
    expect(cat.name(k)).toBe('stats.gauges.x');
  });
});
