import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KillOutcome } from '../../collector/src/store/clickhouse/kill-query.js';
import { quoteString } from '../../collector/src/store/clickhouse/sql.js';
import {
  type ClickHouseCluster,
  clickhouseAvailable,
  collectorsOnShards,
  startClickHouseCluster,
} from '../support/clickhouse.js';
import { type TestCollector, waitFor } from '../support/collector.js';
import { readCounts, steadySender } from '../support/load.js';
import type { LogLine } from '../support/log.js';
import { expectWritingOn, storeHealth, waitUntilWritten } from '../support/store-health.js';

/**
 * One shard of a two-shard ClickHouse cluster stops answering (issue 9, faults): Debian's clickhouse-server as
 * two shards, one collector writing to each, both under load (a counter per datagram every 40 ms each), and
 * shard 2's server is stopped with SIGSTOP (the kernel still accepts its connections; nothing answers) for
 * about 20 s, then SIGCONT. Proven: the collector on the healthy shard writes on (its shard's table grows, its
 * /health stays ok, nothing held) and its counts are exact; the collector on the hung shard takes its flushes
 * on time and holds them in memory (counted on /health: pendingBatches, pendingPoints), shows the stalled write
 * on /health and in its log, and as the gauges stats.statsd.store.{write_stalled_ms,pending_points}; reads
 * through either collector meanwhile are a 503 with a one-line reason after --clickhouse-read-timeout (3 s
 * here), not a long wait, and each read the collector gave up on is killed on the server it asked and gone from
 * it within the servers' receive_timeout (3 tries of 3 s: 18.16 cannot cut a query off its wait on the hung
 * shard, README says what to set); after SIGCONT everything held is written once, and the counter sums read through
 * either collector are exactly what was sent: nothing lost, nothing doubled.
 */

const DATABASE = 'shardhang';
const READ_TIMEOUT_SEC = 3;

let cluster: ClickHouseCluster;
let a: TestCollector;
let b: TestCollector;
let aLog: LogLine[];
let bLog: LogLine[];

const health = storeHealth;
const largest = async (t: TestCollector, target: string) =>
  Math.max(0, ...((await t.render(target, { from: '-30min' }))[0]?.datapoints ?? []).map(([v]) => v ?? 0));

/** Rows in shard 1's own points table, asked of its server directly. */
const shard1Rows = async () => Number(await cluster.shards[0].query(`SELECT count() FROM ${DATABASE}.points_1_local`));

/** How many of `ids` shard 1's server is still running. */
const shard1Running = async (ids: string[]) =>
  Number(
    await cluster.shards[0].query(
      `SELECT count() FROM system.processes WHERE query_id IN (${ids.map(quoteString).join(', ')})`,
    ),
  );

const KILL_SENT = 'ClickHouse read cut off by --clickhouse-read-timeout: KILL QUERY sent to its server';

/** A read through `t` while a shard hangs: a 503 whose one-line reason comes within the read timeout. */
async function timedRead(t: TestCollector, from: string): Promise<{ ms: number; status: number; body: string }> {
  const started = Date.now();
  const res = await t.get(`/render?target=stats.counters.hang.*.count&from=${from}&format=json`);
  const body = await res.text();
  return { ms: Date.now() - started, status: res.status, body };
}

describe.skipIf(!clickhouseAvailable())('one shard of a two-shard ClickHouse cluster hangs (SIGSTOP)', () => {
  beforeAll(async () => {
    // The servers give up on a shard that does not answer after the read timeout, as README advises.
    cluster = await startClickHouseCluster(2, { receiveTimeoutSec: READ_TIMEOUT_SEC });
    ({ a, b, aLog, bLog } = await collectorsOnShards(cluster, DATABASE, {
      clickhouseReadTimeoutSec: READ_TIMEOUT_SEC,
    }));
  }, 60_000);

  afterAll(async () => {
    cluster?.shards[1].resume();
    await a?.stop();
    await b?.stop();
    await cluster?.stop();
  });

  it('the healthy shard writes on, the hung one holds and says so, reads fail fast, nothing is lost or doubled', async () => {
    const loadA = steadySender(a, 'hang.a');
    const loadB = steadySender(b, 'hang.b');
    try {
      await new Promise((r) => setTimeout(r, 2000));
      const rowsBefore = await shard1Rows();
      const aBefore = await health(a);
      const pausedAt = Date.now();
      cluster.shards[1].pause();

      // The hung shard's collector: flushes taken on time and held behind the hung insert, counted...
      const held = await waitFor(
        async () => {
          const h = await health(b);
          return h.store.pendingBatches >= 4 ? h : null;
        },
        'b to hold its flushes',
        20_000,
      );
      expect(held.store.pendingPoints).toBeGreaterThan(0);
      // ...and after two intervals (at least 10 s) shown on /health and in the log.
      const stalled = await waitFor(
        async () => {
          const h = await health(b);
          return h.status === 'degraded' && h.storeStalledMs !== null ? h : null;
        },
        'b to report the stalled write',
        30_000,
      );
      const stalledAfterMs = Date.now() - pausedAt;
      expect(
        bLog.find((l) => l.msg === 'store write has not answered: new flushes are held in memory meanwhile'),
      ).toBeDefined();

      // Reads need every shard: a 503 with one line once the read timeout has passed, through either collector.
      const readA = await timedRead(a, '-10min');
      const answeredAt = Date.now();
      // Each read a gave up on (the /render above, the catalog's refreshes) was killed on its coordinator,
      // shard 1's server, and leaves it: 18.16 cannot stop a query blocked on the hung shard's handshake, so
      // it ends at the servers' receive_timeout (3 s here, each of 3 connection tries), not at the KILL.
      const kills = await waitFor(
        async () => {
          const lines = aLog.filter((l) => l.msg === KILL_SENT) as Array<LogLine & KillOutcome>;
          return lines.length > 0 ? lines : null;
        },
        'a to kill the reads it gave up on',
        10_000,
      );
      for (const k of kills) expect(k).toMatchObject({ url: cluster.shards[0].url, status: 'waiting', error: null });
      const killedIds = kills.map((k) => k.queryId);
      const coordinatorFreeMs = await waitFor(
        async () => ((await shard1Running(killedIds)) === 0 ? Date.now() - answeredAt : null),
        'the killed reads to leave shard 1',
        20_000,
      );
      const reads = [readA, await timedRead(b, '-10min'), await timedRead(b, '-2h')];
      for (const r of reads) {
        expect(r.status).toBe(503);
        expect(r.body).toMatch(
          new RegExp(
            `^(ClickHouse at http://127\\.0\\.0\\.1:\\d+ did not answer within ${READ_TIMEOUT_SEC * 1000} ms|` +
              `this collector's rollups did not finish within ${READ_TIMEOUT_SEC * 1000} ms)\n$`,
          ),
        );
        expect(r.ms).toBeGreaterThanOrEqual(READ_TIMEOUT_SEC * 1000 - 100);
        expect(r.ms).toBeLessThan(READ_TIMEOUT_SEC * 1000 * 2 + 3000);
      }

      // The healthy shard's collector wrote on all along: its shard's table grew, nothing held, /health ok.
      await expectWritingOn(a, aBefore, pausedAt);
      const rowsDuring = await shard1Rows();
      expect(rowsDuring).toBeGreaterThan(rowsBefore);
      const during = await health(b);
      expect(during.store.droppedPoints).toBe(0);

      cluster.shards[1].resume();
      const hungMs = Date.now() - pausedAt;
      const { healed, ms: recoveredMs } = await waitUntilWritten(b, 60_000);
      await loadA.stop();
      await loadB.stop();
      await a.collector.flushNow();
      await b.collector.flushNow();
      expect(healed.storeStalledMs).toBeNull();
      expect(healed.store.droppedPoints).toBe(0);

      // Exact sums through either collector: nothing lost, nothing counted twice.
      const sums = await readCounts({ a, b }, { 'hang.a': loadA.sent, 'hang.b': loadB.sent });
      for (const s of sums) expect(s.got, `${s.name} through ${s.through}`).toBe(s.sent);
      // The stall and what was held are b's own series too, read through a.
      expect(await largest(a, 'stats.statsd.store.write_stalled_ms')).toBeGreaterThanOrEqual(10_000);
      expect(await largest(a, 'stats.statsd.store.pending_points')).toBeGreaterThan(0);
      console.log(
        `faults: clickhouse shard hung (SIGSTOP) ${(hungMs / 1000).toFixed(1)} s of a two-shard cluster: ` +
          `healthy shard's collector wrote on (${rowsDuring - rowsBefore} rows, nothing held); hung shard's ` +
          `collector held up to ${during.store.pendingBatches} flushes (${during.store.pendingPoints} points), ` +
          `stall on /health after ${(stalledAfterMs / 1000).toFixed(1)} s (storeStalledMs ${stalled.storeStalledMs}); reads answered 503 in ` +
          `${reads.map((r) => r.ms).join(', ')} ms (${JSON.stringify(reads[0].body)}); ${kills.length} reads a gave ` +
          `up on were killed (${kills.map((k) => k.status).join(', ')}) and left shard 1's server ` +
          `${coordinatorFreeMs} ms after the 503; all written ${recoveredMs} ms ` +
          `after SIGCONT (${healed.store.recoveredBatches} flushes written late); ${sums.map((s) => `${s.name} through ${s.through} ${s.got}/${s.sent}`).join(', ')}: nothing lost ` +
          `or doubled; slowest datagram + /health ${Math.max(loadA.slowestMs, loadB.slowestMs)} ms`,
      );
      expect(Math.max(loadA.slowestMs, loadB.slowestMs)).toBeLessThan(1000);
    } finally {
      await loadA.stop();
      await loadB.stop();
    }
  }, 120_000);
});
