import { StatsD } from 'hot-shots';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { last, max, startTestCollector, type TestCollector, total, waitFor } from '../support/collector.js';

/** A real hot-shots client, the library app code uses, sending every metric type with tags. */
describe('hot-shots client against the collector', () => {
  let t: TestCollector;

  beforeAll(async () => {
    t = await startTestCollector();
  });
  afterAll(async () => {
    await t.stop();
  });

  for (const protocol of ['udp', 'tcp'] as const) {
    it(`receives every metric type over ${protocol.toUpperCase()}`, async () => {
      const errors: Error[] = [];
      const client = new StatsD({
        host: '127.0.0.1',
        port: t.collector.statsdPort,
        protocol,
        prefix: `hs.${protocol}.`,
        globalTags: { env: 'test' },
        includeDataDogTags: false,
        errorHandler: (err) => errors.push(err),
      });
      const before = Number((await t.health()).metrics_received);
      client.increment('hits', 3, { route: 'home' });
      client.decrement('hits', 1, { route: 'home' });
      client.timing('latency', 42, { route: 'home' });
      client.timing('latency', 58, { route: 'home' });
      client.histogram('size', 100);
      client.distribution('dist', 7);
      client.gauge('queue', 12);
      client.gaugeDelta('queue', -2);
      client.set('users', 'alice');
      client.set('users', 'bob');
      client.set('users', 'alice');
      await new Promise<void>((resolve) => client.close(() => resolve()));
      await waitFor(async () => Number((await t.health()).metrics_received) >= before + 11, 'all 11 metrics');
      await t.collector.flushNow();

      const p = `${protocol}`;
      const [hits] = await t.render(`stats.counters.hs.${p}.hits.count;env=test;route=home`);
      const [upper, mean] = await t.render([
        `stats.timers.hs.${p}.latency.upper;route=home;env=test`,
        `stats.timers.hs.${p}.latency.mean;env=test;route=home`,
      ]);
      const [size] = await t.render(`stats.timers.hs.${p}.size.count;env=test`);
      const [dist] = await t.render(`stats.timers.hs.${p}.dist.upper;env=test`);
      const [queue] = await t.render(`stats.gauges.hs.${p}.queue;env=test`);
      const [users] = await t.render(`stats.sets.hs.${p}.users.count;env=test`);
      expect(errors).toEqual([]);
      expect(total(hits)).toBe(2);
      expect(last(upper)).toBe(58);
      expect(last(mean)).toBe(50);
      expect(total(size)).toBe(1);
      expect(last(dist)).toBe(7);
      expect(last(queue)).toBe(10);
      expect(max(users)).toBe(2);
    });
  }

  it('finds the tagged series by exact name and the untagged ones in the tree', async () => {
    const client = new StatsD({ host: '127.0.0.1', port: t.collector.statsdPort, includeDataDogTags: false });
    const before = Number((await t.health()).metrics_received);
    client.increment('plain.requests');
    await new Promise<void>((resolve) => client.close(() => resolve()));
    await waitFor(async () => Number((await t.health()).metrics_received) > before, 'the increment');
    await t.collector.flushNow();
    const res = await t.get('/metrics/find?query=stats.counters.plain.requests.*');
    expect(await res.json()).toEqual([
      { text: 'count', id: 'stats.counters.plain.requests.count', allowChildren: 0, expandable: 0, leaf: 1 },
      { text: 'rate', id: 'stats.counters.plain.requests.rate', allowChildren: 0, expandable: 0, leaf: 1 },
    ]);
  });
});
