import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ClickHouseCluster,
  clickhouseAvailable,
  collectorsOnShards,
  startClickHouseCluster,
} from '../support/clickhouse.js';
import { last, max, type TestCollector, waitFor } from '../support/collector.js';
import { fillDevice, mountTmpfs, type SmallDisk } from '../support/disk.js';
import { readCounts, steadySender } from '../support/load.js';
import type { LogLine } from '../support/log.js';
import { expectWritingOn, storeHealth, waitUntilWritten } from '../support/store-health.js';
import { scalar, storedOn } from '../support/stored-sums.js';

/**
 * One shard of a two-shard ClickHouse cluster runs out of disk (issue 9, faults): Debian's clickhouse-server as
 * two shards, shard 2's data on a 64 MB tmpfs, one collector writing to each, both under load (a counter per
 * datagram every 40 ms each), and shard 2's disk is filled to the last byte for about 10 s, then the filler is
 * deleted. Proven: the collector on the healthy shard writes on (its shard's table grows, its /health stays ok,
 * nothing held) and its counts are exact; the collector on the full shard has every insert refused, holds its
 * flushes in memory, says so on /health (degraded, the server's one-line error, pendingPoints, failedWrites) and
 * in its log, records it in its own series and drops nothing; reads through it still answer. Each collector has
 * its own --prefix-stats (statsd.shard-a, statsd.shard-b), so the full shard's own figures read through the other
 * collector are its alone: stats.statsd.shard-b.store.failed_writes ends at exactly its /health count and
 * pending_points peaks at what it held (at least what its last refused flush held), while shard-a's
 * failed_writes read 0; once space returns everything held is written, and the counter sums
 * through either collector are exactly what was sent. Afterwards shard 2's server is killed and started again,
 * and its tables are intact: no part detached as broken, every table read in full, and the finest and the
 * 1-minute tier hold exactly the counts sent, on the shard's own tables.
 */

const DATABASE = 'shardfull';
/** How long shard 2's disk stays full, at least. */
const FULL_MS = 10_000;
const PREFIXES = ['statsd.shard-a', 'statsd.shard-b'];

let cluster: ClickHouseCluster | null = null;
let disk: SmallDisk | null = null;
let data: string;
let filler: string;
let a: TestCollector | null = null;
let b: TestCollector | null = null;
let bLog: LogLine[];

const health = storeHealth;
const largest = async (t: TestCollector, target: string) => max((await t.render(target, { from: '-30min' }))[0]) ?? 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One number from one shard's own server (not through the cluster). */
const scalarOn = (shard: number, statement: string) => scalar((cluster as ClickHouseCluster).shards[shard], statement);

describe.skipIf(!clickhouseAvailable())('one shard of a two-shard ClickHouse cluster runs out of disk', () => {
  beforeAll(async () => {
    disk = mountTmpfs(64);
    data = join(disk.path, 'data');
    filler = join(disk.path, 'filler');
    mkdirSync(data);
    cluster = await startClickHouseCluster(2, { dataDirs: [undefined, data] });
    // Each collector's own series under its own prefix: read through the cluster, one's gauges are its alone.
    ({ a, b, bLog } = await collectorsOnShards(cluster, DATABASE, (shard) => ({ prefixStats: PREFIXES[shard] })));
  }, 60_000);

  afterAll(async () => {
    if (filler) rmSync(filler, { force: true });
    await a?.stop();
    await b?.stop();
    // The server must be gone before its disk is unmounted.
    await cluster?.stop();
    disk?.unmount();
  }, 60_000);

  it('the healthy shard writes on, the full one holds and says so, all written once space returns, tables intact', async () => {
    if (!cluster || !a || !b) throw new Error('not started');
    const [ta, tb] = [a, b];
    const shard1Rows = () => scalarOn(0, `SELECT count() FROM ${DATABASE}.points_1_local`);
    const loadA = steadySender(ta, 'full.a');
    const loadB = steadySender(tb, 'full.b');
    try {
      await sleep(2000);
      const rowsBefore = await shard1Rows();
      const aBefore = await health(ta);
      const filledAt = Date.now();
      fillDevice(filler);

      // The full shard's collector: its inserts are refused at once, and /health says so...
      await waitFor(
        async () => {
          const h = await health(tb);
          return h.status === 'degraded' && h.lastFlushError !== null;
        },
        'b to report the refused write',
        20_000,
      );
      const reportedAfterMs = Date.now() - filledAt;
      // ...while it holds its flushes in memory and counts them.
      const failing = await waitFor(
        async () => {
          const h = await health(tb);
          return h.status === 'degraded' && h.store.failedWrites >= 3 && h.store.pendingBatches >= 3 ? h : null;
        },
        'b to hold its refused flushes',
        20_000,
      );
      // The reason on /health: the server's error, in one line.
      const reason = String(failing.lastFlushError);
      expect(reason).toMatch(
        /^ClickHouse at http:\/\/127\.0\.0\.1:\d+ answered \d{3}: .*(No space left on device|errno: 28)/,
      );
      expect(reason).not.toContain('\n');
      expect(failing.store.lastError).toBe(reason);
      expect(failing.storeStalledMs).toBeNull();
      // The log: a line per refused flush, at error level, with the error and what is held.
      const logged = bLog.filter((l) => l.msg === 'flush failed: kept in memory and retried at the next flush');
      expect(logged.length).toBeGreaterThanOrEqual(3);
      expect(logged[0]).toMatchObject({
        level: 50,
        err: { message: expect.stringMatching(/No space left|errno: 28/) },
      });
      expect(logged[2].pendingBatches).toBeGreaterThanOrEqual(3);
      // Reads need no disk: through the full shard's collector they still answer.
      await tb.render(['stats.counters.full.a.count', 'stats.counters.full.b.count'], { from: '-10min' });

      await sleep(Math.max(0, FULL_MS - (Date.now() - filledAt)));
      const during = await health(tb);
      expect(during.status).toBe('degraded');
      expect(during.store.pendingPoints).toBeGreaterThan(0);
      expect(during.store.failedWrites).toBeGreaterThan(failing.store.failedWrites);
      expect(during.store.droppedPoints).toBe(0);
      // Ingest went on into memory all along.
      expect(during.metrics_received).toBeGreaterThan(failing.metrics_received);

      // The healthy shard's collector wrote on all along: its shard's table grew, nothing held, /health ok.
      await expectWritingOn(ta, aBefore, filledAt);
      const rowsDuring = await shard1Rows();
      expect(rowsDuring).toBeGreaterThan(rowsBefore);

      rmSync(filler);
      const fullMs = Date.now() - filledAt;
      const { healed, ms: recoveredMs } = await waitUntilWritten(tb, 30_000);
      await loadA.stop();
      await loadB.stop();
      await ta.collector.flushNow();
      await tb.collector.flushNow();
      expect(healed.lastFlushError).toBeNull();
      expect(healed.store).toMatchObject({ pendingPoints: 0, droppedPoints: 0, lastError: null });
      expect(healed.store.recoveredBatches).toBeGreaterThanOrEqual(during.store.pendingBatches);
      expect(bLog.some((l) => l.msg === 'store takes writes again: the flushes held in memory are written')).toBe(true);

      // Exact sums through either collector: nothing lost, nothing counted twice.
      const sums = await readCounts({ a: ta, b: tb }, { 'full.a': loadA.sent, 'full.b': loadB.sent });
      for (const s of sums) expect(s.got, `${s.name} through ${s.through}`).toBe(s.sent);
      // What was held and refused are b's own series, read through a, under its prefix: b's figures alone. Its
      // failed_writes (a running count) ends exactly at /health's count, where under a shared name it would end at
      // whichever collector wrote last (a's 0); its pending_points peaks at least at what its last refused flush
      // held (the flush after it records that; one more may be held before the write that succeeds).
      const failedLines = bLog.filter((l) => l.msg === 'flush failed: kept in memory and retried at the next flush');
      const heldAtLast = Number(failedLines[failedLines.length - 1].pendingPoints);
      const own = (t: TestCollector, shard: number, gauge: string) => largest(t, `stats.${PREFIXES[shard]}.${gauge}`);
      const ownLast = async (t: TestCollector, shard: number, gauge: string) =>
        last((await t.render(`stats.${PREFIXES[shard]}.${gauge}`, { from: '-30min' }))[0]);
      const heldGauge = await own(ta, 1, 'store.pending_points');
      const failedGauge = await own(ta, 1, 'store.failed_writes');
      expect(heldGauge).toBeGreaterThanOrEqual(heldAtLast);
      expect(failedGauge).toBe(healed.store.failedWrites);
      expect(await ownLast(ta, 1, 'store.failed_writes')).toBe(healed.store.failedWrites);
      expect(failedLines.length).toBe(healed.store.failedWrites);
      // (a's pending_points may show a flush in flight on a busy machine; nothing of a's was refused.)
      expect(await own(tb, 0, 'store.failed_writes')).toBe(0);
      expect(await own(tb, 0, 'store.dropped_points')).toBe(0);

      // Stopped (the open 1-minute buckets are rolled up on the way), shard 2 killed and started on its data.
      const sent = { a: loadA.sent, b: loadB.sent };
      await ta.stop();
      await tb.stop();
      a = null;
      b = null;
      await cluster.shards[1].kill();
      await cluster.shards[1].start();
      // Nothing was detached as broken while loading its parts, and every table reads in full.
      const tables = (
        await cluster.shards[1].query(
          `SELECT name FROM system.tables WHERE database = '${DATABASE}' AND engine LIKE '%MergeTree' FORMAT TSV`,
        )
      )
        .trim()
        .split('\n');
      expect(tables.length).toBeGreaterThanOrEqual(7);
      const broken: string[] = [];
      for (const table of tables) {
        const detached = join(data, 'data', DATABASE, table, 'detached');
        if (existsSync(detached)) broken.push(...readdirSync(detached).map((p) => `${table}/${p}`));
        await cluster.shards[1].query(`SELECT * FROM ${DATABASE}.${table} FORMAT Null`);
      }
      expect(broken).toEqual([]);
      // Each counter's rows on its own shard, in the finest and the 1-minute tier: exactly what was sent.
      const onShards = {
        a: await storedOn(cluster.shards[0], DATABASE, 'full.a'),
        b: await storedOn(cluster.shards[1], DATABASE, 'full.b'),
      };
      expect(onShards).toEqual({ a: { finest: sent.a, minute: sent.a }, b: { finest: sent.b, minute: sent.b } });

      console.log(
        `faults: clickhouse shard disk full ${(fullMs / 1000).toFixed(1)} s of a two-shard cluster (64 MB tmpfs): ` +
          `healthy shard's collector wrote on (${rowsDuring - rowsBefore} rows, nothing held); full shard's ` +
          `collector held up to ${during.store.pendingBatches} flushes (${during.store.pendingPoints} points), ` +
          `${during.store.failedWrites} failed writes, degraded on /health after ${reportedAfterMs} ms ` +
          `(${JSON.stringify(reason)}); ${logged.length} error lines by then; all written ${recoveredMs} ms after ` +
          `the filler was deleted (${healed.store.recoveredBatches} flushes written late, ${healed.store.failedWrites} ` +
          `failed writes in all); ${sums.map((s) => `${s.name} through ${s.through} ${s.got}/${s.sent}`).join(', ')}: ` +
          `nothing lost or doubled; b's own gauges read through a: ${PREFIXES[1]}.store.pending_points peaked at ` +
          `${heldGauge} (held at its last refused flush: ${heldAtLast}), failed_writes ended at ${failedGauge} ` +
          `(/health: ${healed.store.failedWrites}); a's own failed_writes and dropped_points read through b: 0; after a restart of shard 2: ${tables.length} tables read in full, none detached, ` +
          `finest/1-minute sums a ${onShards.a.finest}/${onShards.a.minute}, b ${onShards.b.finest}/${onShards.b.minute}; ` +
          `slowest datagram + /health ${Math.max(loadA.slowestMs, loadB.slowestMs)} ms`,
      );
      expect(Math.max(loadA.slowestMs, loadB.slowestMs)).toBeLessThan(1000);
    } finally {
      await loadA.stop();
      await loadB.stop();
    }
  }, 120_000);
});
