import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSample, emptySummary } from '../../collector/src/aggregate/timer-summary.js';
import { ClickHouseHttp } from '../../collector/src/store/clickhouse/http-client.js';
import { openClickHouseStorage } from '../../collector/src/store/clickhouse/open.js';
import { SqlFragment, sql } from '../../collector/src/store/clickhouse/sql.js';
import type { ClickHouseWriter } from '../../collector/src/store/clickhouse/writer.js';
import type { RetentionTier } from '../../collector/src/store/retention.js';
import type { Storage } from '../../collector/src/store/storage.js';
import { toWriteBatch, type WriteBatch } from '../../collector/src/store/write-batch.js';
import { type ClickHouseCluster, clickhouseAvailable, startClickHouseCluster } from '../support/clickhouse.js';

/**
 * The coarse tiers without views on the finest one: each collector rolls up its own writes once a bucket
 * ends, and the tier merges every collector's rows. Two collectors write halves of one minute into the
 * same server; a database made by an older version (rollup views on the finest tier) is migrated.
 */

const tiers: RetentionTier[] = [
  { stepSec: 10, retentionSec: 86_400 },
  { stepSec: 60, retentionSec: 7 * 86_400 },
  { stepSec: 600, retentionSec: 30 * 86_400 },
];
let cluster: ClickHouseCluster;
let http: ClickHouseHttp;
const opened: Storage[] = [];

function batch(ts: number, counter: number, gauge: number, set: number, samples: number[]): WriteBatch {
  const timer = emptySummary();
  for (const v of samples) addSample(timer, v, 1);
  return toWriteBatch({
    ts,
    intervalSec: 10,
    counters: { keys: ['stats.counters.r.hits'], values: [counter] },
    gauges: { keys: ['stats.gauges.r.level'], values: [gauge] },
    sets: { keys: ['stats.sets.r.users'], values: [set] },
    timers: { keys: ['stats.timers.r.lat'], summaries: [timer] },
    timed: [],
    events: [],
  });
}

async function open(database: string): Promise<Storage> {
  const s = await openClickHouseStorage({ url: cluster.shards[0].url, cluster: null, database, tiers });
  opened.push(s);
  return s;
}

async function settle(...stores: Storage[]): Promise<void> {
  for (const s of stores) await (s.writer as ClickHouseWriter).maintained();
}

async function coarse(s: Storage, step: number, from: number, until: number) {
  const ids = new Map((await s.listSeries()).map((r) => [r.name, r.id]));
  const id = (name: string) => ids.get(name) ?? -1;
  const values = await s.bulk?.loadValues(
    step,
    ['stats.counters.r.hits', 'stats.gauges.r.level', 'stats.sets.r.users'].map(id),
    from,
    until,
  );
  const summaries = await s.bulk?.loadSummaries(step, [id('stats.timers.r.lat')], from, until);
  const at = (name: string) => Array.from(values?.get(id(name))?.values ?? []);
  return {
    hits: at('stats.counters.r.hits'),
    level: at('stats.gauges.r.level'),
    users: at('stats.sets.r.users'),
    timers: summaries?.get(id('stats.timers.r.lat')) ?? [],
  };
}

/** Test-only SQL written out in full (no values placed in it). */
const sqlRaw = (text: string) => new SqlFragment(text);
const count = async (query: string) => Number((await http.text(sqlRaw(query))).trim());

describe.skipIf(!clickhouseAvailable())('ClickHouse rollups by the collectors', () => {
  beforeAll(async () => {
    cluster = await startClickHouseCluster(1);
    http = new ClickHouseHttp({ url: cluster.shards[0].url });
  }, 60_000);

  afterAll(async () => {
    for (const s of opened) await s.close().catch(() => undefined);
    await cluster?.stop();
  });

  it('a minute written by two collectors rolls up to the sums, latest gauge, max set and merged timer', async () => {
    const a = await open('two');
    const b = await open('two');
    const now = Math.floor(Date.now() / 1000);
    const minute = now - 7200 - (now % 600) + 60;
    const samples: number[] = [];
    const flush = async (f: number) => {
      const sa = [10 + f, 20 + f * 3];
      const sb = [500 + f * 50];
      samples.push(...sa, ...sb);
      await a.writer.write(batch(minute + f * 10, 1, 100 + f, 3 + f, sa));
      await b.writer.write(batch(minute + f * 10, 2, 200 + f, 9 - f, sb));
    };
    for (let f = 0; f < 5; f++) await flush(f);
    // Nothing rolled up before the minute has ended.
    await settle(a, b);
    expect((await coarse(a, 60, minute, minute + 59)).hits).toEqual([]);
    // The minute's last flush ends it; b's flush is the later one, so its gauge is the latest.
    await flush(5);
    await settle(a, b);
    for (const s of [a, b]) {
      const got = await coarse(s, 60, minute, minute + 59);
      expect(got.hits).toEqual([18]);
      expect(got.level).toEqual([205]);
      expect(got.users).toEqual([9]);
      expect(got.timers).toHaveLength(1);
      const [ts, scount, n, sum, , m2, min, max] = got.timers[0];
      expect([ts, scount, n, min, max]).toEqual([minute, 18, 18, 10, 750]);
      expect(sum).toBeCloseTo(
        samples.reduce((x, y) => x + y, 0),
        9,
      );
      const mean = sum / n;
      expect(m2).toBeCloseTo(
        samples.reduce((acc, v) => acc + (v - mean) ** 2, 0),
        6,
      );
    }
    // Closing stores the open buckets: the 10-minute tier then holds both collectors' minute.
    await a.close();
    await b.close();
    const c = await open('two');
    const ten = await coarse(c, 600, minute - 60, minute + 539);
    expect(ten.hits).toEqual([18]);
    expect(ten.users).toEqual([9]);
    expect(ten.timers.map((r) => r[2])).toEqual([18]);
  }, 60_000);

  it('a flush written late (a retry) adds to a bucket already rolled up', async () => {
    const s = await open('late');
    const now = Math.floor(Date.now() / 1000);
    const minute = now - 3600 - (now % 60);
    await s.writer.write(batch(minute, 5, 1, 1, [1]));
    await s.writer.write(batch(minute + 60, 1, 1, 1, [1]));
    await settle(s);
    expect((await coarse(s, 60, minute, minute + 59)).hits).toEqual([5]);
    await s.writer.write(batch(minute + 20, 7, 1, 1, [2]));
    await s.writer.write(batch(minute + 70, 1, 1, 1, [1]));
    await settle(s);
    const got = await coarse(s, 60, minute, minute + 59);
    expect(got.hits).toEqual([12]);
    expect(got.timers.map((r) => r[2])).toEqual([2]);
  }, 30_000);

  it("drops an older version's rollup views at start, so no point is rolled up twice", async () => {
    await http.text(sql`CREATE DATABASE IF NOT EXISTS old`);
    const first = await open('old');
    await first.close();
    // What the older version had: a view from the finest tier into the 1-minute one.
    await http.text(
      sqlRaw(`CREATE MATERIALIZED VIEW old.points_60_mv_local TO old.points_60_local AS
        SELECT series_id, toDateTime(intDiv(toUInt32(ts), 60) * 60) AS ts, kind, sumStateIf(value, kind = 0) AS total,
          maxStateIf(value, kind = 2) AS high, argMaxStateIf(value, tuple(ts, at), kind = 1) AS last
        FROM old.points_10_local GROUP BY series_id, ts, kind`),
    );
    const views = `SELECT count() FROM system.tables WHERE database = 'old' AND name LIKE '%\\_mv\\_local' AND name NOT LIKE '%\\_in\\_mv\\_local'`;
    expect(await count(views)).toBe(1);
    const s = await open('old');
    expect(await count(views)).toBe(0);
    const now = Math.floor(Date.now() / 1000);
    const minute = now - 3600 - (now % 60);
    await s.writer.write(batch(minute, 4, 1, 1, [1]));
    await s.writer.write(batch(minute + 60, 1, 1, 1, [1]));
    await settle(s);
    expect((await coarse(s, 60, minute, minute + 59)).hits).toEqual([4]);
  }, 30_000);
});
