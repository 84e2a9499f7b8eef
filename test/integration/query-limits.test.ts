import type { CollectorConfig } from 'trendline-collector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryBudget } from '../../collector/src/query/query-limits.js';
import { type ClickHouseCluster, clickhouseAvailable, startClickHouseCluster } from '../support/clickhouse.js';
import { startTestCollector, type TestCollector } from '../support/collector.js';

/** Query limits (issue 9): too many points, or too long, is a clear 422 and the server keeps answering. */

describe('QueryBudget', () => {
  it('counts read and written points separately against the limit, and checks the deadline', () => {
    let now = 0;
    const budget = new QueryBudget({ maxPoints: 100, timeoutMs: 50 }, () => now);
    budget.charge(60);
    budget.charge(40);
    budget.charge(100, 'written');
    expect(() => budget.charge(1)).toThrow('the query would read 101 points, more than the limit of 100');
    // A read charged once is not charged again when a backend evaluates in passes.
    const passes = new QueryBudget({ maxPoints: 100, timeoutMs: 50 }, () => 0);
    passes.charge(80, 'read', 'series 1');
    passes.charge(80, 'read', 'series 1');
    expect(() => passes.charge(80, 'read', 'series 2')).toThrow('read 160 points');
    const late = new QueryBudget({ maxPoints: 100, timeoutMs: 50 }, () => now);
    now = 51;
    expect(() => late.charge(1)).toThrow('the query ran longer than the limit of 50 ms');
  });
});

/** Each backend the limits must hold on; ClickHouse where this machine has its server (as the contract tests). */
const backends: Array<{ name: string; config: () => Partial<CollectorConfig> }> = [
  { name: 'SQLite', config: () => ({}) },
];
let cluster: ClickHouseCluster | null = null;
if (clickhouseAvailable()) {
  backends.push({
    name: 'ClickHouse',
    config: () => ({
      store: 'clickhouse',
      clickhouseUrl: cluster?.shards[0].url ?? null,
      clickhouseDatabase: 'query_limits',
    }),
  });
  beforeAll(async () => {
    cluster = await startClickHouseCluster(1);
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });
}

describe.each(backends)('query limits over HTTP ($name)', ({ config }) => {
  let t: TestCollector;
  beforeAll(async () => {
    // 1 s steps for an hour: -10min is 600 points per series.
    t = await startTestCollector({ ...config(), maxQueryPoints: 1000 });
    await t.udp(Array.from({ length: 5 }, (_, i) => `lim.s${i}:1|c`).join('\n'));
    await t.collector.flushNow();
  });
  afterAll(async () => {
    await t.stop();
  });

  const get = async (path: string) => {
    const res = await t.get(path);
    return { status: res.status, body: await res.text() };
  };

  it('answers within the limit', async () => {
    const r = await get('/render?target=stats.counters.lim.s0.count&from=-10min&format=json');
    expect(r.status).toBe(200);
  });

  it('refuses a query that would read too many points, summed over its series, with a one-line 422', async () => {
    const r = await get('/render?target=stats.counters.lim.*.count&from=-10min&format=json&maxDataPoints=10');
    expect(r.status).toBe(422);
    expect(r.body).toBe(
      'the query would read 1200 points, more than the limit of 1000 (--max-query-points): narrow the time range, match fewer series or set maxDataPoints\n',
    );
    const two = await get('/render?target=stats.counters.lim.s0.count&target=stats.counters.lim.s1.count&from=-10min');
    expect(two.status).toBe(422);
  });

  it('counts points read and points written separately', async () => {
    // 900 read and 900 written: each under the limit of 1000, though their sum is not.
    const r = await get('/render?target=stats.counters.lim.s0.count&from=-15min&format=csv');
    expect(r.status).toBe(200);
    expect(r.body.trim().split('\n')).toHaveLength(900);
  });

  it('reaches every route that reads series: /check says UNKNOWN with the reason', async () => {
    const res = await t.get('/check?target=stats.counters.lim.*.count&from=-10min&critical=1');
    expect(res.headers.get('x-nagios-status')).toBe('3');
    expect(await res.text()).toContain('more than the limit of 1000');
  });

  it('stays responsive while over-limit queries arrive', async () => {
    const heavy = Array.from({ length: 20 }, () =>
      t.get('/render?target=stats.counters.lim.*.count&from=-1h&format=json'),
    );
    const health = await t.get('/health');
    expect(health.status).toBe(200);
    const answers = await Promise.all(heavy);
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(422));
  });
});

describe('default limits', () => {
  it('turn a query over all of time into a 422 instead of an out-of-memory crash', async () => {
    const t = await startTestCollector();
    try {
      await t.udp('lim.all:1|c');
      await t.collector.flushNow();
      for (const range of ['from=0&until=253402300799', 'from=-100y']) {
        const r = await t.get(`/render?target=stats.counters.lim.all.count&${range}&format=json`);
        expect(r.status).toBe(422);
        expect(await r.text()).toMatch(/^the query would read \d+ points, more than the limit of 10000000/);
      }
      expect((await t.health()).status).toBe('ok');
    } finally {
      await t.stop();
    }
  });

  it('a query that runs past its time budget gets a 422', async () => {
    // A budget of one microsecond has always run out by the time the first series is read.
    const t = await startTestCollector({ queryTimeoutSec: 0.000001 });
    try {
      await t.udp('lim.slow:1|c');
      await t.collector.flushNow();
      const r = await t.get('/render?target=stats.counters.lim.slow.count&from=-5min');
      expect(r.status).toBe(422);
      expect(await r.text()).toBe(
        'the query ran longer than the limit of 0.001 ms (--query-timeout): narrow the time range or match fewer series\n',
      );
      expect((await t.get('/health')).status).toBe(200);
    } finally {
      await t.stop();
    }
  });
});
