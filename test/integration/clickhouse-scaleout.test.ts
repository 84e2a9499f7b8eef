import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouseCluster, clickhouseAvailable, startClickHouseCluster } from '../support/clickhouse.js';
import { type GraphiteSeries, startTestCollector, type TestCollector, total, waitFor } from '../support/collector.js';

/**
 * Scale-out on ClickHouse: two collectors, each writing to its own shard of a two-shard cluster, each
 * reading the whole picture through Distributed tables. Then one shard is killed under load: its
 * collector keeps the flushes it could not write, says so on /health, and writes them once the shard is back.
 */

const MINUTE = 60;
let cluster: ClickHouseCluster;
let a: TestCollector;
let b: TestCollector;

async function startCollectorOn(shard: number): Promise<TestCollector> {
  return startTestCollector({
    store: 'clickhouse',
    clickhouseUrl: cluster.shards[shard].url,
    clickhouseCluster: cluster.cluster,
    clickhouseDatabase: 'scaleout',
    // Reads from two hours back use the 1-minute tier: its finished buckets hold both collectors' rollups,
    // and the newest ones are rebuilt from both collectors' 1 s rows at read time.
    retention: [
      { stepSec: 1, retentionSec: 600 },
      { stepSec: MINUTE, retentionSec: 86_400 },
    ],
  });
}

/** Sends StatsD lines in datagrams of `per` lines, each waited for. */
async function send(t: TestCollector, lines: string[], per = 100): Promise<void> {
  for (let i = 0; i < lines.length; i += per) await t.udp(lines.slice(i, i + per).join('\n'));
}

function value(series: GraphiteSeries[] | undefined, target: string): number {
  const s = series?.find((x) => x.target === target);
  return total(s);
}

function exactPercentile(sorted: number[], p: number): number {
  return sorted[Math.ceil((p / 100) * sorted.length) - 1];
}

describe.skipIf(!clickhouseAvailable())('ClickHouse scale-out: two collectors, two shards', () => {
  beforeAll(async () => {
    cluster = await startClickHouseCluster(2);
    a = await startCollectorOn(0);
    b = await startCollectorOn(1);
  }, 60_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await cluster?.stop();
  });

  it('reads through either collector give exact counter sums and percentiles of all samples', async () => {
    // Both halves must land in the same 1-minute bucket: don't start in the last seconds of a minute.
    const toMinute = MINUTE - (Math.floor(Date.now() / 1000) % MINUTE);
    if (toMinute < 20) await new Promise((r) => setTimeout(r, toMinute * 1000 + 1000));
    const samples = Array.from({ length: 2000 }, (_, i) => ((i * 7919) % 2000) + 1 + (i % 3) / 4);
    const half = (odd: number) => samples.filter((_, i) => i % 2 === odd);
    await send(a, [...half(0).map((v) => `api.latency:${v}|ms`), ...Array(300).fill('api.hits:1|c')]);
    await send(b, [...half(1).map((v) => `api.latency:${v}|ms`), ...Array(500).fill('api.hits:2|c')]);
    await a.collector.flushNow();
    await b.collector.flushNow();

    const sorted = [...samples].sort((x, y) => x - y);
    const targets = ['count', 'lower', 'upper', 'upper_50', 'upper_90', 'upper_99'].map(
      (s) => `stats.timers.api.latency.${s}`,
    );
    targets.push('stats.counters.api.hits.count');
    for (const t of [a, b]) {
      // Each collector learns the other's series at its next refresh (every flush interval here).
      const got = await waitFor(
        async () => {
          const r = await t.render(targets, { from: '-2h' });
          return r.length === targets.length && value(r, 'stats.counters.api.hits.count') === 1300 ? r : null;
        },
        `${t === a ? 'a' : 'b'} to read both collectors' writes`,
      );
      expect(value(got, 'stats.timers.api.latency.count')).toBe(2000);
      expect(value(got, 'stats.timers.api.latency.lower')).toBe(sorted[0]);
      expect(value(got, 'stats.timers.api.latency.upper')).toBe(sorted[sorted.length - 1]);
      for (const p of [50, 90, 99]) {
        const exact = exactPercentile(sorted, p);
        const read = value(got, `stats.timers.api.latency.upper_${p}`);
        expect(Math.abs(read - exact) / exact, `p${p}: ${read} vs ${exact}`).toBeLessThanOrEqual(0.01);
      }
    }
  }, 60_000);

  it('a deploy posted to one collector is a deploy line on the other', async () => {
    const res = await fetch(`${a.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ what: 'api v2', tags: ['deploy', 'api'] }),
    });
    expect(res.status).toBeLessThan(300);
    await waitFor(async () => {
      const events = (await (await b.get('/events/get_data?from=-1h&tags=deploy')).json()) as Array<{ what: string }>;
      return events.some((e) => e.what === 'api v2');
    }, 'b to list the deploy posted to a');
  }, 30_000);

  it('a killed shard: flushes are kept, shown on /health, and written once it is back', async () => {
    const counter = 'stats.counters.outage.sent.count';
    let sent = 0;
    const burst = async (t: TestCollector, n: number) => {
      await send(t, Array(n).fill('outage.sent:1|c'));
      sent += n;
      await t.collector.flushNow();
    };
    await burst(b, 50);
    await cluster.shards[1].kill();
    // Load continues on both collectors; b's shard is down, so b cannot write.
    for (let i = 0; i < 3; i++) {
      await burst(b, 40);
      await burst(a, 10);
    }
    // Reads need every shard: while one is down they fail with a 503 and ClickHouse's reason.
    const res = await a.get(`/render?target=${counter}&from=-10min&format=json`);
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/^ClickHouse at http:\/\/127\.0\.0\.1:\d+ answered 500: Code: \d+/);
    const down = (await b.health()) as unknown as { status: string; store: Record<string, number> };
    expect(down.status).toBe('degraded');
    expect(down.store.pendingBatches).toBeGreaterThanOrEqual(3);
    expect(down.store.failedWrites).toBeGreaterThanOrEqual(3);
    expect(down.store.droppedPoints).toBe(0);

    await cluster.shards[1].start();
    await burst(b, 25);
    // The timer's own flushes go on meanwhile: wait for a moment with none in flight.
    const up = await waitFor(async () => {
      const h = (await b.health()) as unknown as { status: string; store: Record<string, number> };
      return h.store.pendingBatches === 0 ? h : null;
    }, 'b to have written everything it kept');
    expect(up.store).toMatchObject({ pendingPoints: 0, droppedPoints: 0 });
    expect(up.store.recoveredBatches).toBeGreaterThanOrEqual(3);
    expect(up.status).toBe('ok');
    for (const t of [a, b]) {
      await waitFor(
        async () => {
          const r = await t.render([counter], { from: '-2h' });
          return value(r, counter) === sent;
        },
        `every point sent during the outage (${sent}) to be read through ${t === a ? 'a' : 'b'}`,
      );
    }
    // The failures are self-metrics too.
    await b.collector.flushNow();
    const [failed] = await b.render(['stats.statsd.store.failed_writes'], { from: '-10min' });
    expect(Math.max(...failed.datapoints.map(([v]) => v ?? 0))).toBeGreaterThanOrEqual(3);
  }, 90_000);
});
