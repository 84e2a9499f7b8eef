import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createMetrics, type Metrics, type MetricsError, type MetricsOptions } from 'trendline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { last, max, startTestCollector, type TestCollector, tempDir, total, waitFor } from '../support/collector.js';
import { freePort, mulberry32 } from './support.js';

/** The library against a real collector over UDP, TCP and a Unix datagram socket, read back through /render. */

const received = async (t: TestCollector) => Number((await t.health()).metrics_received);

/** Every metric type, with tags; returns how many StatsD lines it sends. */
function sendEverything(m: Metrics): number {
  m.increment('hits', 3, { route: 'home' });
  m.decrement('hits', 1, { route: 'home' });
  m.increment('hits', ['route:home']);
  m.timing('latency', 42);
  m.timing('latency', 58);
  m.histogram('size', 100);
  m.distribution('dist', 7);
  m.gauge('queue', 12);
  m.gaugeDelta('queue', -2);
  m.gauge('temp', -5); // two lines: 0, then -5
  m.set('users', 'alice');
  m.set('users', 'bob');
  m.set('users', 'alice');
  m.set('users', 'caf\u00e9 \u2615 | %');
  m.child({ prefix: 'db', tags: { pool: 'main' } }).increment('queries', 2);
  m.time('work', () => 1);
  m.increment('Weird name/with:chars');
  return 18;
}

async function expectStored(t: TestCollector, p: string): Promise<void> {
  const [hits, upper, mean, size, dist, queue, temp, users, queries, work, weird] = await t.render([
    `stats.counters.lib.${p}.hits.count;env=test;route=home`,
    `stats.timers.lib.${p}.latency.upper;env=test`,
    `stats.timers.lib.${p}.latency.mean;env=test`,
    `stats.timers.lib.${p}.size.count;env=test`,
    `stats.timers.lib.${p}.dist.upper;env=test`,
    `stats.gauges.lib.${p}.queue;env=test`,
    `stats.gauges.lib.${p}.temp;env=test`,
    `stats.sets.lib.${p}.users.count;env=test`,
    `stats.counters.lib.${p}.db.queries.count;env=test;pool=main`,
    `stats.timers.lib.${p}.work.count;env=test;outcome=ok`,
    `stats.counters.lib.${p}.Weird_name-withchars.count;env=test`,
  ]);
  expect(total(hits)).toBe(3);
  expect(last(upper)).toBe(58);
  expect(last(mean)).toBe(50);
  expect(total(size)).toBe(1);
  expect(last(dist)).toBe(7);
  expect(last(queue)).toBe(10);
  expect(last(temp)).toBe(-5);
  expect(max(users)).toBe(3);
  expect(total(queries)).toBe(2);
  expect(total(work)).toBe(1);
  expect(total(weird)).toBe(1);
}

describe('trendline against a real collector', () => {
  let t: TestCollector;
  let dir: string;
  let socketPath: string;

  beforeAll(async () => {
    dir = tempDir();
    socketPath = join(dir, 'statsd.sock');
    t = await startTestCollector({ statsdSocket: socketPath });
  });
  afterAll(async () => {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const targets = (): Record<string, MetricsOptions> => ({
    udp: { host: '127.0.0.1', port: t.collector.statsdPort },
    tcp: { host: '127.0.0.1', port: t.collector.statsdPort, protocol: 'tcp' },
    uds: { socketPath },
  });

  for (const p of ['udp', 'tcp', 'uds']) {
    it(`stores every metric type sent over ${p}, checked through /render`, async () => {
      const errors: MetricsError[] = [];
      const m = createMetrics({
        ...targets()[p],
        prefix: `lib.${p}`,
        tags: { env: 'test' },
        onError: (e) => errors.push(e),
        env: {},
      });
      const before = await received(t);
      const badBefore = Number((await t.health()).bad_lines_seen);
      const lines = sendEverything(m);
      await m.close();
      await waitFor(async () => (await received(t)) >= before + lines, `${lines} lines over ${p}`);
      await t.collector.flushNow();
      await expectStored(t, p);
      expect(errors).toEqual([]);
      expect(m.dropped).toBe(0);
      expect(Number((await t.health()).bad_lines_seen)).toBe(badBefore);
    });
  }

  it('packs many metrics into few datagrams, none larger than the limit', async () => {
    const m = createMetrics({ host: '127.0.0.1', port: t.collector.statsdPort, prefix: 'lib.batch', env: {} });
    const before = await t.health();
    for (let i = 0; i < 500; i++) m.increment('many', 1, { i: i % 10 });
    await m.close();
    await waitFor(async () => (await received(t)) >= Number(before.metrics_received) + 500, 'the 500 increments');
    const after = await t.health();
    const packets = Number(after.packets_received) - Number(before.packets_received);
    // ~30 bytes a line, 1432 bytes a datagram: a dozen datagrams, not 500.
    expect(packets).toBeLessThan(20);
    await t.collector.flushNow();
    const series = await t.render(Array.from({ length: 10 }, (_, i) => `stats.counters.lib.batch.many.count;i=${i}`));
    expect(series.map(total)).toEqual(Array(10).fill(50));
  });

  it('estimates a sampled counter to within statistical error (injected random source)', async () => {
    const random = mulberry32(42);
    const m = createMetrics({ host: '127.0.0.1', port: t.collector.statsdPort, sampleRate: 0.1, random, env: {} });
    const before = await received(t);
    const n = 20_000;
    for (let i = 0; i < n; i++) m.increment('lib.sampled');
    await m.close();
    const kept = (await waitFor(async () => {
      const now = await received(t);
      await new Promise((r) => setTimeout(r, 100));
      return (await received(t)) === now ? now - before : 0;
    }, 'sampled lines to settle')) as number;
    // Binomial(n, 0.1): mean 2000, sd ~42; 5 sd either way.
    expect(Math.abs(kept - n * 0.1)).toBeLessThan(5 * Math.sqrt(n * 0.1 * 0.9));
    await t.collector.flushNow();
    const [count] = await t.render('stats.counters.lib.sampled.count');
    // The collector scales each kept line by 1/rate, so the stored count estimates n.
    expect(total(count)).toBeCloseTo(kept * 10, 6);
    expect(Math.abs(total(count) - n)).toBeLessThan(10 * 5 * Math.sqrt(n * 0.1 * 0.9));
  });
});

describe('when the collector is down', () => {
  it('TCP: nothing is thrown, errors go to onError, drops are counted, and it recovers when the collector comes up', async () => {
    const port = await freePort();
    const errors: MetricsError[] = [];
    const m = createMetrics({
      host: '127.0.0.1',
      port,
      protocol: 'tcp',
      prefix: 'lib.down',
      onError: (e) => errors.push(e),
      env: {},
    });
    for (let i = 0; i < 100; i++) m.increment('hits');
    await m.flush();
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0].code).toBe('TRENDLINE_SEND_FAILED');
    expect(errors[0].message).toMatch(/ECONNREFUSED/);
    expect(m.dropped).toBe(100);
    // While the breaker is open, more metrics are dropped without a report each.
    for (let i = 0; i < 50; i++) {
      m.increment('hits');
      await m.flush();
    }
    expect(m.dropped).toBe(150);
    expect(errors.length).toBeLessThanOrEqual(3);

    const t = await startTestCollector({ statsdPort: port });
    try {
      const before = await received(t);
      // Within the back-off (at most 5 s) sends resume.
      await waitFor(async () => {
        m.increment('hits');
        await m.flush();
        return (await received(t)) > before;
      }, 'the client to reconnect');
      await t.collector.flushNow();
      const [hits] = await t.render('stats.counters.lib.down.hits.count');
      expect(total(hits)).toBeGreaterThanOrEqual(1);
    } finally {
      await m.close();
      await t.stop();
    }
  });

  it('Unix socket: missing socket file costs only the metrics, then the client picks the socket up', async () => {
    const dir = tempDir();
    const socketPath = join(dir, 'late.sock');
    const errors: MetricsError[] = [];
    const m = createMetrics({ socketPath, prefix: 'lib.late', onError: (e) => errors.push(e), env: {} });
    expect(() => m.increment('hits')).not.toThrow();
    await m.flush();
    expect(m.dropped).toBe(1);
    expect(errors[0]?.code).toBe('TRENDLINE_SEND_FAILED');

    const t = await startTestCollector({ statsdSocket: socketPath });
    try {
      const before = await received(t);
      await waitFor(async () => {
        m.increment('hits');
        await m.flush();
        return (await received(t)) > before;
      }, 'the client to find the socket');
    } finally {
      await m.close();
      await t.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const protocol of ['udp', 'tcp'] as const) {
    it(`${protocol.toUpperCase()}: a host that does not resolve costs only the metrics`, async () => {
      const errors: MetricsError[] = [];
      const m = createMetrics({ host: 'does-not-exist.invalid', protocol, onError: (e) => errors.push(e), env: {} });
      const started = performance.now();
      expect(() => {
        for (let i = 0; i < 1000; i++) m.increment('lib.dns', 1, { i: i % 7 });
      }).not.toThrow();
      // The calls cost what they always cost; only the (asynchronous) send waits on the resolver.
      expect(performance.now() - started).toBeLessThan(500);
      await m.flush();
      for (let i = 0; i < 20; i++) {
        m.timing('lib.dns.t', i);
        await m.flush();
      }
      await m.close();
      expect(m.dropped).toBe(1020);
      expect(errors.length).toBeGreaterThanOrEqual(1);
      // One report per outage (and per failed retry), not one per datagram.
      expect(errors.length).toBeLessThanOrEqual(3);
      expect(errors[0].code).toBe('TRENDLINE_SEND_FAILED');
      expect(errors[0].message).toMatch(/ENOTFOUND|EAI_AGAIN|EAI_FAIL|EAI_NONAME/);
      expect(errors[0].dropped).toBeGreaterThan(0);
    });
  }
});
