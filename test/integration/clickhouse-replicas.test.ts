import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSample, emptySummary } from '../../collector/src/aggregate/timer-summary.js';
import { ClickHouseHttp } from '../../collector/src/store/clickhouse/http-client.js';
import { openClickHouseStorage } from '../../collector/src/store/clickhouse/open.js';
import { sql } from '../../collector/src/store/clickhouse/sql.js';
import type { ClickHouseWriter } from '../../collector/src/store/clickhouse/writer.js';
import { toWriteBatch } from '../../collector/src/store/write-batch.js';
import { type ClickHouseCluster, clickhouseAvailable, startClickHouseCluster } from '../support/clickhouse.js';
import { type GraphiteSeries, startTestCollector, type TestCollector, total, waitFor } from '../support/collector.js';
import { startZooKeeper, type ZooKeeper, zookeeperAvailable } from '../support/zookeeper.js';

/**
 * Replicas on ClickHouse 18.16: two servers as the replicas of one shard (ReplicatedMergeTree through
 * Debian's ZooKeeper), each collector given both URLs. One replica is killed under load: the collectors
 * fail over to the other, keep writing and reading, lose nothing, and the replica catches up when back.
 */

let zk: ZooKeeper;
let cluster: ClickHouseCluster;
let a: TestCollector;
let b: TestCollector;
const counter = 'stats.counters.rep.sent.count';

async function startCollector(urls: string[]): Promise<TestCollector> {
  return startTestCollector({
    store: 'clickhouse',
    clickhouseUrl: urls.join(','),
    clickhouseCluster: cluster.cluster,
    clickhouseDatabase: 'replicas',
    clickhouseReplicated: true,
    retention: [
      { stepSec: 1, retentionSec: 3600 },
      { stepSec: 60, retentionSec: 86_400 },
    ],
  });
}

const sent = (series: GraphiteSeries[]) => total(series.find((s) => s.target === counter));

/** The counter's points as one replica holds them (its own table, not the cluster). */
async function sentOn(url: string): Promise<number> {
  const http = new ClickHouseHttp({ url });
  const text = await http.text(
    sql`SELECT sum(value) FROM replicas.points_1_local WHERE series_id IN
      (SELECT series_id FROM replicas.series_local WHERE name = ${'stats.counters.rep.sent'}) FORMAT TSV`,
  );
  return Number(text.trim());
}

describe.skipIf(!clickhouseAvailable() || !zookeeperAvailable())('ClickHouse replicas (ZooKeeper)', () => {
  beforeAll(async () => {
    zk = await startZooKeeper();
    cluster = await startClickHouseCluster(2, { replicasWithZooKeeperPort: zk.port });
    const [r1, r2] = cluster.shards.map((s) => s.url);
    a = await startCollector([r1, r2]);
    b = await startCollector([r2, r1]);
  }, 90_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await cluster?.stop();
    await zk?.stop();
  });

  it('a killed replica: both collectors keep writing and reading, nothing is lost, and it catches up', async () => {
    let total = 0;
    const burst = async (t: TestCollector, n: number) => {
      await t.udp(Array(n).fill('rep.sent:1|c').join('\n'));
      total += n;
      await t.collector.flushNow();
    };
    await burst(a, 10);
    await burst(b, 20);
    // Each replica holds both collectors' writes (ReplicatedMergeTree copies them through ZooKeeper).
    const [r1, r2] = cluster.shards;
    for (const r of [r1, r2]) await waitFor(async () => (await sentOn(r.url)) === total, 'each replica to hold all');

    await r1.kill();
    for (let i = 0; i < 3; i++) {
      await burst(a, 5);
      await burst(b, 7);
    }
    for (const t of [a, b]) {
      // A flush hands its batch to the writer and returns: the last one may still be on its way.
      const health = await waitFor(async () => {
        const h = (await t.health()) as unknown as { status: string; store: Record<string, number> };
        return h.store.pendingBatches === 0 ? h : null;
      }, 'the last flush written');
      expect(health.store).toMatchObject({ pendingBatches: 0, droppedPoints: 0 });
      expect(health.status).toBe('ok');
      await waitFor(async () => sent(await t.render([counter], { from: '-30min' })) === total, 'a read of every point');
    }

    await r1.start();
    await waitFor(async () => (await sentOn(r1.url)) === total, 'r1 to catch up', 60_000);
  }, 120_000);

  it('two collectors rolling up the same counts into one bucket both count (no block deduplication)', async () => {
    const tiers = [
      { stepSec: 10, retentionSec: 86_400 },
      { stepSec: 60, retentionSec: 7 * 86_400 },
    ];
    const [r1, r2] = cluster.shards.map((s) => s.url);
    const open = (urls: string[]) =>
      openClickHouseStorage({ url: urls.join(','), cluster: null, database: 'same', replicated: true, tiers });
    const x = await open([r1, r2]);
    const y = await open([r2, r1]);
    const now = Math.floor(Date.now() / 1000);
    const minute = now - 3600 - (now % 60);
    const batch = (ts: number) => {
      const timer = emptySummary();
      addSample(timer, 5, 1);
      return toWriteBatch({
        ts,
        intervalSec: 10,
        counters: { keys: ['stats.counters.same.hits'], values: [3] },
        gauges: { keys: [], values: [] },
        sets: { keys: [], values: [] },
        timers: { keys: ['stats.timers.same.lat'], summaries: [timer] },
        timed: [],
        events: [],
      });
    };
    // The same flushes through both: their rollup rows for the minute are the same bytes.
    for (const s of [x, y]) {
      for (let f = 0; f < 6; f++) await s.writer.write(batch(minute + f * 10));
      await (s.writer as ClickHouseWriter).maintained();
    }
    const id = (await x.listSeries()).find((r) => r.name === 'stats.counters.same.hits')?.id ?? -1;
    const timerId = (await x.listSeries()).find((r) => r.name === 'stats.timers.same.lat')?.id ?? -1;
    await waitFor(async () => {
      const values = await x.bulk?.loadValues(60, [id], minute, minute + 59);
      const timers = await x.bulk?.loadSummaries(60, [timerId], minute, minute + 59);
      return Array.from(values?.get(id)?.values ?? []).join() === '36' && timers?.get(timerId)?.[0]?.[2] === 12;
    }, "both collectors' rollups of the minute, on the replica read");
    await x.close();
    await y.close();
  }, 60_000);
});
