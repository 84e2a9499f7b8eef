import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { SqliteReader } from '../../collector/src/store/sqlite-reader.js';
import { SqliteWriter } from '../../collector/src/store/sqlite-writer.js';
import type { WriteBatch } from '../../collector/src/store/write-batch.js';
import { tempDir } from '../support/collector.js';

/**
 * A flush that fails part-way (disk full, I/O error) is rolled back whole, and retried later. The series it
 * created are rolled back too: their ids must not stay cached, or SQLite hands the same ids to other series
 * and a retried flush writes one series' points under another's name (found by the read-only-file fault test).
 */

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function batch(ts: number, parts: Partial<Pick<WriteBatch, 'counters' | 'gauges' | 'timers'>>): WriteBatch {
  return {
    ts,
    intervalSec: 1,
    counters: parts.counters ?? { keys: [], values: [] },
    gauges: parts.gauges ?? { keys: [], values: [] },
    sets: { keys: [], values: [] },
    timers: parts.timers ?? { keys: [], stats: new Float64Array(0), sketches: [] },
    timed: [],
    events: [],
  } as WriteBatch;
}

it('forgets the ids of series created by a flush that failed, so no two series share an id', () => {
  const path = join(dir, 'rollback.db');
  const tiers = [{ stepSec: 1, retentionSec: 3600 }];
  const writer = SqliteWriter.open(path, tiers);
  const ts = 1_800_000_000;
  // A new counter, then a timer whose sketch SQLite cannot bind: the transaction fails after creating the counter.
  const failing = batch(ts, {
    counters: { keys: ['stats.counters.rb.a'], values: [1] },
    timers: {
      keys: ['stats.timers.rb.t'],
      stats: new Float64Array([1, 1, 5, 25, 0, 5, 5]),
      sketches: [{} as unknown as Uint8Array],
    },
  });
  expect(() => writer.write(failing)).toThrow();
  // The retry (and the flush after it) create series again; one of them gets the id the rollback freed.
  writer.write(batch(ts + 1, { gauges: { keys: ['stats.gauges.rb.g'], values: [7] } }));
  writer.write(batch(ts + 1, { counters: { keys: ['stats.counters.rb.a'], values: [5] } }));
  writer.close();

  const reader = SqliteReader.open(path);
  try {
    const series = reader.listSeries().filter((s) => s.name.includes('.rb.'));
    const ids = series.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    const byName = new Map(series.map((s) => [s.name, s.id]));
    const values = (name: string) => reader.readValues(byName.get(name) as number, 1, ts, ts + 10).map(([, v]) => v);
    expect(values('stats.counters.rb.a')).toEqual([5]);
    expect(values('stats.gauges.rb.g')).toEqual([7]);
  } finally {
    reader.close();
  }
});
