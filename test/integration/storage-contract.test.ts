import { join } from 'node:path';
import { pino } from 'pino';
// From the build: the SQLite writer thread runs compiled code.
import { openStorage } from 'trendline-collector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSample, emptySummary } from '../../collector/src/aggregate/timer-summary.js';
import { type CollectorConfig, DEFAULT_CONFIG } from '../../collector/src/config.js';
import { createRegistry } from '../../collector/src/query/functions/index.js';
import { NameIndex } from '../../collector/src/query/name-index.js';
import { QueryEngine } from '../../collector/src/query/query-engine.js';
import { TagIndex } from '../../collector/src/query/tag-index.js';
import type { RetentionTier } from '../../collector/src/store/retention.js';
import type { Storage } from '../../collector/src/store/storage.js';
import { toWriteBatch, type WriteBatch } from '../../collector/src/store/write-batch.js';
import { type ClickHouseCluster, clickhouseAvailable, startClickHouseCluster } from '../support/clickhouse.js';
import { tempDir } from '../support/collector.js';

/**
 * The storage contract (collector/src/store/storage.ts), run against every backend: SQLite, one
 * ClickHouse server, and ClickHouse as a two-shard cluster read through Distributed tables. Reads go
 * through the query engine as /render does, so the sync path and the two-pass bulk path are both covered.
 */

const tiers: RetentionTier[] = [
  { stepSec: 1, retentionSec: 3600 },
  { stepSec: 60, retentionSec: 86_400 },
];
const log = pino({ level: 'silent' });

interface Backend {
  name: string;
  config(): Partial<CollectorConfig>;
}

let cluster: ClickHouseCluster | null = null;
let dbCount = 0;
const backends: Backend[] = [{ name: 'sqlite', config: () => ({ db: join(tempDir(), 'contract.db') }) }];
if (clickhouseAvailable()) {
  backends.push(
    {
      name: 'clickhouse',
      config: () => ({
        store: 'clickhouse',
        clickhouseUrl: cluster?.shards[0].url ?? null,
        clickhouseDatabase: `contract_${++dbCount}`,
      }),
    },
    {
      name: 'clickhouse cluster',
      config: () => ({
        store: 'clickhouse',
        clickhouseUrl: cluster?.shards[1].url ?? null,
        clickhouseCluster: cluster?.cluster ?? null,
        clickhouseDatabase: `contract_${++dbCount}`,
      }),
    },
  );
}

beforeAll(async () => {
  if (clickhouseAvailable()) cluster = await startClickHouseCluster(2);
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

/** The schema must exist on every shard before a Distributed read: open the store on each. */
async function openAll(backend: Backend): Promise<{ storage: Storage; config: CollectorConfig; others: Storage[] }> {
  const config: CollectorConfig = { ...DEFAULT_CONFIG, retention: tiers, flushIntervalSec: 1, ...backend.config() };
  const storage = await openStorage(config, log);
  const others: Storage[] = [];
  if (config.clickhouseCluster !== null && cluster !== null) {
    for (const shard of cluster.shards) {
      if (shard.url !== config.clickhouseUrl)
        others.push(await openStorage({ ...config, clickhouseUrl: shard.url }, log));
    }
  }
  return { storage, config, others };
}

function engineFor(storage: Storage, rows: Awaited<ReturnType<Storage['listSeries']>>): QueryEngine {
  const index = new NameIndex([50, 90, 99]);
  const tags = new TagIndex([50, 90, 99]);
  for (const row of rows) {
    index.add(row);
    tags.add(row);
  }
  return new QueryEngine({
    index,
    tags,
    source: storage.source,
    bulk: storage.bulk,
    events: storage.events,
    tiers,
    registry: createRegistry(),
    maxSeries: 10_000,
  });
}

function batch(ts: number, parts: Partial<Omit<WriteBatch, 'ts'>> & { timerSamples?: number[] }): WriteBatch {
  const timer = emptySummary();
  for (const v of parts.timerSamples ?? []) addSample(timer, v, 1);
  const b = toWriteBatch({
    ts,
    intervalSec: 1,
    counters: { keys: [], values: [] },
    gauges: { keys: [], values: [] },
    sets: { keys: [], values: [] },
    timers: parts.timerSamples ? { keys: ['stats.timers.c.lat'], summaries: [timer] } : { keys: [], summaries: [] },
    timed: [],
    events: [],
  });
  return {
    ...b,
    counters: parts.counters ?? b.counters,
    gauges: parts.gauges ?? b.gauges,
    sets: parts.sets ?? b.sets,
    events: parts.events ?? b.events,
  };
}

const values = (series: { values: Float64Array }) => [...series.values].filter((v) => !Number.isNaN(v));

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1];
}

for (const backend of backends) {
  describe(`storage contract: ${backend.name}`, () => {
    const now = Math.floor(Date.now() / 1000);
    const t0 = now - 30;
    const opened: Storage[] = [];
    let storage: Storage;
    let config: CollectorConfig;
    const lat1 = Array.from({ length: 400 }, (_, i) => 10 + (i % 40) / 4);
    const lat2 = Array.from({ length: 100 }, (_, i) => 500 + i * 5);

    beforeAll(async () => {
      const o = await openAll(backend);
      storage = o.storage;
      config = o.config;
      opened.push(o.storage, ...o.others);
      const w = storage.writer;
      // Two writes into one bucket (a restart, or two collectors): they merge by kind.
      await w.write(
        batch(t0, {
          counters: { keys: ['stats.counters.c.hits', 'stats.counters.c.hits;env=prod'], values: [3, 1] },
          gauges: { keys: ['stats.gauges.c.level'], values: [7] },
          sets: { keys: ['stats.sets.c.users'], values: [4] },
          timerSamples: lat1,
        }),
      );
      await w.write(
        batch(t0, {
          counters: { keys: ['stats.counters.c.hits'], values: [5] },
          gauges: { keys: ['stats.gauges.c.level'], values: [9] },
          sets: { keys: ['stats.sets.c.users'], values: [2] },
          timerSamples: lat2,
        }),
      );
      await w.write(batch(t0 + 1, { counters: { keys: ['stats.counters.c.hits'], values: [2] } }));
    }, 60_000);

    afterAll(async () => {
      for (const s of opened) await s.close();
    });

    it('lists each series once, with its kind and tags', async () => {
      const rows = await storage.listSeries();
      const names = rows.map((r) => `${r.name}${r.tags}:${r.kind}`).sort();
      expect(names).toEqual([
        'stats.counters.c.hits:1',
        'stats.counters.c.hits;env=prod:1',
        'stats.gauges.c.level:2',
        'stats.sets.c.users:3',
        'stats.timers.c.lat:4',
      ]);
      expect(new Set(rows.map((r) => r.id)).size).toBe(5);
    });

    it('merges writes into one bucket: counters sum, gauges take the latest, sets the max', async () => {
      const engine = engineFor(storage, await storage.listSeries());
      const range = { from: t0 - 1, until: t0 + 1, now };
      const [hits, prod, level, users] = await engine.render(
        [
          'stats.counters.c.hits.count',
          'stats.counters.c.hits.count;env=prod',
          'stats.gauges.c.level',
          'stats.sets.c.users.count',
        ],
        range,
      );
      expect(values(hits)).toEqual([8, 2]);
      expect(values(prod)).toEqual([1]);
      expect(values(level)).toEqual([9]);
      expect(values(users)).toEqual([4]);
    });

    it('merges timer summaries: exact count, sum, min and max; percentiles of all samples within 1%', async () => {
      const engine = engineFor(storage, await storage.listSeries());
      const range = { from: t0 - 1, until: t0, now };
      const all = [...lat1, ...lat2];
      const [count, sum, lower, upper, p50, p90, p99, std] = await engine.render(
        ['count', 'sum', 'lower', 'upper', 'upper_50', 'upper_90', 'upper_99', 'std'].map(
          (s) => `stats.timers.c.lat.${s}`,
        ),
        range,
      );
      expect(values(count)).toEqual([500]);
      expect(values(sum)[0]).toBeCloseTo(
        all.reduce((a, b) => a + b, 0),
        6,
      );
      expect(values(lower)).toEqual([10]);
      expect(values(upper)).toEqual([995]);
      for (const [series, p] of [
        [p50, 50],
        [p90, 90],
        [p99, 99],
      ] as const) {
        const exact = percentile(all, p);
        expect(Math.abs(values(series)[0] - exact) / exact, `p${p}`).toBeLessThanOrEqual(0.01);
      }
      const mean = all.reduce((a, b) => a + b, 0) / all.length;
      const exactStd = Math.sqrt(all.reduce((a, v) => a + (v - mean) ** 2, 0) / all.length);
      expect(values(std)[0]).toBeCloseTo(exactStd, 6);
    });

    it('evaluates functions over what it reads (sumSeries, timeShift)', async () => {
      const engine = engineFor(storage, await storage.listSeries());
      const [total] = await engine.render(['sumSeries(stats.counters.c.hits.count, stats.sets.c.users.count)'], {
        from: t0 - 1,
        until: t0,
        now,
      });
      expect(values(total)).toEqual([12]);
      const [shifted] = await engine.render(['timeShift(stats.counters.c.hits.count, "-1s")'], {
        from: t0,
        until: t0 + 1,
        now,
      });
      expect(values(shifted)).toEqual([8]);
    });

    it('reads older ranges from the coarser tier, rolled up by kind', async () => {
      // A store of its own: SQLite rolls up buckets after the last one it rolled up, so the past goes first.
      const o = await openAll(backend);
      opened.push(o.storage, ...o.others);
      const storage = o.storage;
      const old = now - 7200 - (now % 60);
      const w = storage.writer;
      for (let i = 0; i < 3; i++) {
        await w.write(
          batch(old + i, {
            counters: { keys: ['stats.counters.r.hits'], values: [i + 1] },
            gauges: { keys: ['stats.gauges.r.level'], values: [10 + i] },
            timerSamples: [i + 1, i + 2],
          }),
        );
      }
      // A current flush: SQLite rolls up finished buckets after it.
      await w.write(batch(now, { counters: { keys: ['stats.counters.r.hits'], values: [1] } }));
      const engine = engineFor(storage, await storage.listSeries());
      const range = { from: old - 60, until: old + 59, now };
      const [hits, level, count, upper] = await engine.render(
        ['stats.counters.r.hits.count', 'stats.gauges.r.level', 'stats.timers.c.lat.count', 'stats.timers.c.lat.upper'],
        range,
      );
      expect(hits.step).toBe(60);
      expect(values(hits)).toEqual([6]);
      expect(values(level)).toEqual([12]);
      expect(values(count)).toEqual([6]);
      expect(values(upper)).toEqual([4]);
      // Retention: the finest tier (1 h) no longer holds those points; the coarse tier keeps them.
      const id = (await storage.listSeries()).find((r) => r.name === 'stats.counters.r.hits')?.id ?? -1;
      const fine = storage.source
        ? storage.source.readValues(id, 1, old - 60, old + 60).length
        : ((await storage.bulk?.loadValues(1, [id], old - 60, old + 60))?.get(id)?.ts.length ?? 0);
      expect(fine).toBe(0);
    });

    it('reads thousands of series in one render (more than one bulk query holds)', async () => {
      const keys = Array.from({ length: 6000 }, (_, i) => `stats.counters.many.c${i}`);
      await storage.writer.write(batch(t0, { counters: { keys, values: keys.map((_, i) => i) } }));
      const engine = engineFor(storage, await storage.listSeries());
      const [sum] = await engine.render(['sumSeries(stats.counters.many.*.count)'], { from: t0 - 1, until: t0, now });
      expect(values(sum)).toEqual([(5999 * 6000) / 2]);
    });

    it('stores, lists and deletes events', async () => {
      const w = storage.writer;
      const a = await w.addEvent({ ts: t0, what: 'api v1', data: 'x', tags: ['deploy', 'api'] });
      const b = await w.addEvent({ ts: t0 + 5, what: "it's \\ 'quoted'", data: '', tags: ['note'] });
      expect(a.id).not.toBe(b.id);
      expect(storage.events.getEvent(a.id)).toEqual(a);
      expect(storage.events.listEvents(t0, t0 + 10).map((e) => e.what)).toEqual(['api v1', "it's \\ 'quoted'"]);
      expect(await w.deleteEvent(a.id)).toEqual(a);
      expect(await w.deleteEvent(a.id)).toBeUndefined();
      expect(storage.events.listEvents(t0, t0 + 10).map((e) => e.id)).toEqual([b.id]);
      // Events sent over StatsD come in a flush.
      await w.write(batch(t0 + 2, { events: [{ ts: t0 + 2, what: 'from statsd', data: 'd', tags: [] }] }));
      await storage.refresh?.();
      expect(storage.events.listEvents(t0, t0 + 10).map((e) => e.what)).toEqual(['from statsd', "it's \\ 'quoted'"]);
    });

    it('stores, replaces, lists and deletes dashboards', async () => {
      const w = storage.writer;
      const d = { id: 'ops', title: 'Ops', body: '{"panels":[]}', updated: 1 };
      expect(await w.putDashboard(d)).toEqual(d);
      expect(await w.putDashboard({ ...d, title: 'Ops 2', updated: 2 })).toEqual({ ...d, title: 'Ops 2', updated: 2 });
      await w.putDashboard({ id: 'api', title: 'API', body: '{}', updated: 3 });
      await storage.refresh?.();
      expect(storage.dashboards.listDashboards().map((x) => x.id)).toEqual(['api', 'ops']);
      expect(storage.dashboards.getDashboard('ops')?.title).toBe('Ops 2');
      expect((await w.deleteDashboard('ops'))?.id).toBe('ops');
      expect(await w.deleteDashboard('ops')).toBeUndefined();
      await storage.refresh?.();
      expect(storage.dashboards.listDashboards().map((x) => x.id)).toEqual(['api']);
    });

    it('reopens with what was written', async () => {
      const o = await openAll({ ...backend, config: () => config });
      opened.push(o.storage, ...o.others);
      expect((await o.storage.listSeries()).length).toBe((await storage.listSeries()).length);
      expect(o.storage.dashboards.listDashboards().map((x) => x.id)).toEqual(['api']);
    });
  });
}
