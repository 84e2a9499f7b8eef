import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseHttp } from '../../collector/src/store/clickhouse/http-client.js';
import { sql } from '../../collector/src/store/clickhouse/sql.js';
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
      const health = (await t.health()) as unknown as { status: string; store: Record<string, number> };
      expect(health.store).toMatchObject({ pendingBatches: 0, droppedPoints: 0 });
      expect(health.status).toBe('ok');
      await waitFor(async () => sent(await t.render([counter], { from: '-30min' })) === total, 'a read of every point');
    }

    await r1.start();
    await waitFor(async () => (await sentOn(r1.url)) === total, 'r1 to catch up', 60_000);
  }, 120_000);
});
