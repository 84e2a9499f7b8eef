import { describe, expect, it } from 'vitest';
import { evaluatePrefetched, PrefetchCache } from '../../collector/src/query/prefetch.js';
import { QueryError } from '../../collector/src/query/query-error.js';
import type { SummaryRow } from '../../collector/src/store/sqlite-reader.js';
import type { BulkLoader, PointArrays } from '../../collector/src/store/storage.js';

/** A loader over in-memory points (value = ts / 10 + id) that records each bulk call. */
function loader() {
  const calls: Array<{ kind: string; step: number; ids: number[]; from: number; until: number }> = [];
  const l: BulkLoader & { calls: typeof calls } = {
    calls,
    async loadValues(step, ids, from, until) {
      calls.push({ kind: 'values', step, ids: [...ids].sort(), from, until });
      const out = new Map<number, PointArrays>();
      for (const id of ids) {
        const ts: number[] = [];
        for (let t = from - (from % step); t <= until; t += step) if (t >= from) ts.push(t);
        out.set(id, { ts, values: ts.map((t) => t / 10 + id) });
      }
      return out;
    },
    async loadSummaries(step, ids, from, until) {
      calls.push({ kind: 'summaries', step, ids: [...ids].sort(), from, until });
      const row: SummaryRow = [from, 3, 3, 6, 14, 2, 1, 3, null];
      return new Map(ids.map((id) => [id, [row]]));
    },
  };
  return l;
}

describe('evaluatePrefetched', () => {
  it('answers a first pass with no data, loads what it asked for in one call per tier, then evaluates again', async () => {
    const l = loader();
    let passes = 0;
    const result = await evaluatePrefetched(l, (source) => {
      passes++;
      const a = new Float64Array(3).fill(Number.NaN);
      source.readInto(1, 10, 100, a);
      const b = source.readValues(2, 10, 100, 120);
      const s = source.readSummaries(3, 60, 0, 60);
      return { a: [...a], b, s: s.length };
    });
    expect(passes).toBe(2);
    expect(result).toEqual({
      a: [11, 12, 13],
      b: [
        [100, 12],
        [110, 13],
        [120, 14],
      ],
      s: 1,
    });
    expect(l.calls).toEqual([
      { kind: 'values', step: 10, ids: [1, 2], from: 100, until: 120 },
      { kind: 'summaries', step: 60, ids: [3], from: 0, until: 60 },
    ]);
  });

  it('reads that depend on data take another pass; a series read over two ranges is loaded over both', async () => {
    const l = loader();
    const result = await evaluatePrefetched(l, (source) => {
      const first = source.readValues(1, 10, 100, 100);
      // What is read next depends on the data (as in useSeriesAbove): here, the range.
      const shifted = first.length > 0 ? source.readValues(1, 10, 200, 210) : [];
      return [...first, ...shifted].map(([, v]) => v);
    });
    expect(result).toEqual([11, 21, 22]);
    expect(l.calls.map((c) => [c.from, c.until])).toEqual([
      [100, 100],
      [100, 210],
    ]);
  });

  it('rethrows what the last pass throws, and gives up on a query that keeps asking for new data', async () => {
    const l = loader();
    await expect(
      evaluatePrefetched(l, (source) => {
        if (source.readValues(1, 10, 0, 10).length > 0) throw new QueryError('bad data');
        return 1;
      }),
    ).rejects.toThrow('bad data');
    let n = 0;
    await expect(
      evaluatePrefetched(l, (source) => {
        n++;
        return source.readValues(1, 10, n * 1000, n * 1000 + 10);
      }),
    ).rejects.toThrow(/kept asking for new data/);
  });

  it('a series with nothing stored is loaded once and then reads as empty', async () => {
    const empty: BulkLoader = { loadValues: async () => new Map(), loadSummaries: async () => new Map() };
    const cache = new PrefetchCache();
    expect(cache.source.readValues(9, 10, 0, 100)).toEqual([]);
    expect(cache.missing).toBe(true);
    await cache.load(empty);
    expect(cache.source.readValues(9, 10, 0, 100)).toEqual([]);
    expect(cache.missing).toBe(false);
  });
});
