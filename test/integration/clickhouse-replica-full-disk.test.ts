import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouseCluster, clickhouseAvailable, startClickHouseCluster } from '../support/clickhouse.js';
import { max, startTestCollector, type TestCollector, total, waitFor } from '../support/collector.js';
import { fillDevice, mountTmpfs, type SmallDisk } from '../support/disk.js';
import { readCounts, steadySender } from '../support/load.js';
import { capturingLog, type LogLine } from '../support/log.js';
import { storeHealth, waitUntilWritten } from '../support/store-health.js';
import { scalar, storedOn } from '../support/stored-sums.js';
import { startZooKeeper, type ZooKeeper, zookeeperAvailable } from '../support/zookeeper.js';

/**
 * One replica of a replicated shard runs out of disk (issue 9, faults): Debian's clickhouse-server 18.16 as the two
 * replicas of one shard (ReplicatedMergeTree through ZooKeeper), r2's data on a 64 MB tmpfs; collector a is given
 * r1 then r2, collector b r2 then r1, each with its own --prefix-stats, both under load (a counter per datagram
 * every 40 ms each). r2's disk is filled to the last byte for 8 s, then the filler is deleted. Proven: r2 refuses
 * b's insert (errno 28) and b moves to r1 (one warning in its log), so neither collector holds, refuses or drops a
 * flush (/health ok throughout, failed_writes 0 in their own series); r2's fetches of the parts r1 takes fail on
 * the full disk and it falls behind, yet reads through b, which r2 coordinates, are answered from r1's copy (reads
 * pass over a replica more than 2 s behind); once space returns r2 fetches everything, and both replicas hold
 * every count exactly once, in the finest and the 1-minute tier, as reads through either collector do.
 */

const DATABASE = 'replfull';
/** How long r2's disk stays full. */
const FULL_MS = 8000;
const PREFIXES = ['statsd.rep-a', 'statsd.rep-b'];
/** As collector/src/store/clickhouse/open.ts sends with reads. */
const MAX_REPLICA_DELAY_SEC = 2;
const SKIPPED = 'ClickHouse replica skipped (unreachable or out of disk): the next URL is tried';

let zk: ZooKeeper | null = null;
let cluster: ClickHouseCluster | null = null;
let disk: SmallDisk | null = null;
let filler = '';
let a: TestCollector | null = null;
let b: TestCollector | null = null;
const logs: LogLine[][] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startOn(urls: string[], prefixStats: string): Promise<TestCollector> {
  const { log, lines } = capturingLog();
  logs.push(lines);
  return startTestCollector(
    {
      store: 'clickhouse',
      clickhouseUrl: urls.join(','),
      clickhouseCluster: (cluster as ClickHouseCluster).cluster,
      clickhouseDatabase: DATABASE,
      clickhouseReplicated: true,
      prefixStats,
      retention: [
        { stepSec: 1, retentionSec: 3600 },
        { stepSec: 60, retentionSec: 86_400 },
      ],
    },
    log,
  );
}

describe.skipIf(!clickhouseAvailable() || !zookeeperAvailable())(
  'one replica of a replicated shard runs out of disk',
  () => {
    beforeAll(async () => {
      disk = mountTmpfs(64);
      const data = join(disk.path, 'data');
      filler = join(disk.path, 'filler');
      mkdirSync(data);
      zk = await startZooKeeper();
      cluster = await startClickHouseCluster(2, { replicasWithZooKeeperPort: zk.port, dataDirs: [undefined, data] });
      const [r1, r2] = cluster.shards.map((s) => s.url);
      a = await startOn([r1, r2], PREFIXES[0]);
      b = await startOn([r2, r1], PREFIXES[1]);
    }, 90_000);

    afterAll(async () => {
      if (filler) rmSync(filler, { force: true });
      await a?.stop();
      await b?.stop();
      await cluster?.stop();
      await zk?.stop();
      disk?.unmount();
    }, 60_000);

    it('the collector on the full replica moves to the other: nothing held or refused, reads fresh, all there after', async () => {
      if (!cluster || !a || !b) throw new Error('not started');
      const [ta, tb] = [a, b];
      const [r1, r2] = cluster.shards;
      const loadA = steadySender(ta, 'rfull.a');
      const loadB = steadySender(tb, 'rfull.b');
      try {
        await sleep(2000);
        const filledAt = Date.now();
        fillDevice(filler);

        // Both collectors write on, through the fill: /health ok, no write refused, nothing held past a flush.
        let polls = 0;
        let mostHeld = 0;
        while (Date.now() - filledAt < FULL_MS) {
          await sleep(500);
          for (const t of [ta, tb]) {
            const h = await storeHealth(t);
            expect(h).toMatchObject({ status: 'ok', lastFlushError: null, storeStalledMs: null });
            expect(h.store).toMatchObject({ failedWrites: 0, droppedPoints: 0 });
            mostHeld = Math.max(mostHeld, h.store.pendingBatches);
          }
          polls++;
        }
        expect(mostHeld).toBeLessThanOrEqual(2);
        // b's first write after the fill was refused by r2 for lack of disk, and went to r1: one warning says so.
        const skipped = logs[1].filter((l) => l.msg === SKIPPED);
        expect(skipped.length).toBeGreaterThanOrEqual(1);
        expect(skipped[0]).toMatchObject({ level: 40, url: r2.url });
        const refusal = String((skipped[0].err as { message: string }).message);
        expect(refusal).toMatch(/^ClickHouse at http:\/\/127\.0\.0\.1:\d+ answered 500: .*(errno: 28|No space left)/);
        expect(logs[0].filter((l) => l.msg === SKIPPED)).toEqual([]);

        // r2 cannot fetch what r1 took: its replication queue fails on the full disk and it falls behind...
        const queue = await r2.query(
          `SELECT count(), countIf(last_exception LIKE '%errno: 28%'), max(num_tries) FROM system.replication_queue WHERE database = '${DATABASE}' FORMAT TSV`,
        );
        const [queued, fullErrors] = queue.trim().split('\t').map(Number);
        expect(fullErrors).toBeGreaterThan(0);
        const delay = await scalar(
          r2,
          `SELECT max(absolute_delay) FROM system.replicas WHERE database = '${DATABASE}'`,
        );
        expect(delay).toBeGreaterThanOrEqual(MAX_REPLICA_DELAY_SEC);
        // ...so it holds less than r1, yet a read through b (whose reads r2 coordinates) is answered from r1's copy.
        const onR1 = await storedOn(r1, DATABASE, 'rfull.a');
        const onR2 = await storedOn(r2, DATABASE, 'rfull.a');
        const throughB = total((await tb.render('stats.counters.rfull.a.count', { from: '-30min' }))[0]);
        expect(onR2.finest).toBeLessThan(onR1.finest);
        expect(throughB).toBeGreaterThanOrEqual(onR1.finest);

        rmSync(filler);
        const freedAt = Date.now();
        await loadA.stop();
        await loadB.stop();
        await ta.collector.flushNow();
        await tb.collector.flushNow();
        for (const t of [ta, tb]) await waitUntilWritten(t, 10_000);
        const sent = { a: loadA.sent, b: loadB.sent };

        // Exact through either collector: nothing lost, nothing counted twice.
        const sums = await readCounts({ a: ta, b: tb }, { 'rfull.a': sent.a, 'rfull.b': sent.b });
        for (const s of sums) expect(s.got, `${s.name} through ${s.through}`).toBe(s.sent);
        // b's own series, read through a, show no failure; neither do a's through b.
        for (const [t, shard] of [
          [ta, 1],
          [tb, 0],
        ] as const) {
          for (const gauge of ['store.failed_writes', 'store.dropped_points']) {
            expect(max((await t.render(`stats.${PREFIXES[shard]}.${gauge}`, { from: '-30min' }))[0])).toBe(0);
          }
        }

        // Stopped (rolling up their open minutes), the replicas hold the same, exact, in both tiers: r2 caught up.
        await ta.stop();
        await tb.stop();
        a = null;
        b = null;
        const exact = { finest: sent.a, minute: sent.a };
        const exactB = { finest: sent.b, minute: sent.b };
        const caughtUp = await waitFor(
          async () => {
            const held = [
              await storedOn(r1, DATABASE, 'rfull.a'),
              await storedOn(r1, DATABASE, 'rfull.b'),
              await storedOn(r2, DATABASE, 'rfull.a'),
              await storedOn(r2, DATABASE, 'rfull.b'),
            ];
            const want = [exact, exactB, exact, exactB];
            return JSON.stringify(held) === JSON.stringify(want) ? Date.now() - freedAt : null;
          },
          'both replicas to hold every count, once, in both tiers',
          30_000,
        );
        const left = await scalar(r2, `SELECT count() FROM system.replication_queue WHERE database = '${DATABASE}'`);

        console.log(
          `faults: clickhouse replica disk full ${(FULL_MS / 1000).toFixed(0)} s (one of two replicas of a shard, 64 MB ` +
            `tmpfs): the collector writing to it moved to the other replica (${JSON.stringify(refusal.slice(0, 150))}), ` +
            `${skipped.length} warning(s); over ${polls} polls both /health ok, no failed write, at most ${mostHeld} ` +
            `flush(es) in flight; the full replica's queue: ${queued} entries, ${fullErrors} failing on errno 28, ` +
            `${delay} s behind; it held ${onR2.finest} of r1's ${onR1.finest} counts, a read through b saw ${throughB}; ` +
            `${sums.map((s) => `${s.name} through ${s.through} ${s.got}/${s.sent}`).join(', ')}; both replicas exact ` +
            `in the finest and 1-minute tiers ${caughtUp} ms after the filler was deleted (queue left: ${left})`,
        );
      } finally {
        await loadA.stop();
        await loadB.stop();
      }
    }, 120_000);
  },
);
