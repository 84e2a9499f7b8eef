import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { last, max, startTestCollector, type TestCollector, total } from '../support/collector.js';

/** Real UDP and TCP into a running collector, a real SQLite file, read back over HTTP. */
describe('StatsD ingest over UDP and TCP', () => {
  let t: TestCollector;

  beforeAll(async () => {
    t = await startTestCollector();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('aggregates every etsy type sent over UDP, with multi-metric packets', async () => {
    await t.udp(
      'u.hits:1|c\nu.hits:2|c|@0.5\nu.lat:10|ms\nu.lat:30|ms\nu.temp:20|g\nu.temp:-5|g\nu.users:a|s\nu.users:b|s\nu.users:a|s',
    );
    await t.udp('u.multi:1|c:2|c:3|c\nu.packed:1:2:3|d');
    await t.collector.flushNow();
    const [hits, rate, upper, lower, mean, count, temp, users, multi, packed] = await t.render([
      'stats.counters.u.hits.count',
      'stats.counters.u.hits.rate',
      'stats.timers.u.lat.upper',
      'stats.timers.u.lat.lower',
      'stats.timers.u.lat.mean',
      'stats.timers.u.lat.count',
      'stats.gauges.u.temp',
      'stats.sets.u.users.count',
      'stats.counters.u.multi.count',
      'stats.timers.u.packed.count',
    ]);
    expect(hits.target).toBe('stats.counters.u.hits.count');
    expect(total(hits)).toBe(5); // 1 + 2/0.5
    expect(total(rate)).toBe(5); // per second at the 1 s step
    expect(last(upper)).toBe(30);
    expect(last(lower)).toBe(10);
    expect(last(mean)).toBe(20);
    expect(total(count)).toBe(2);
    expect(last(temp)).toBe(15);
    expect(max(users)).toBe(2);
    expect(total(multi)).toBe(6);
    expect(total(packed)).toBe(3);
  });

  it('joins TCP lines split across chunks, including a multi-byte character', async () => {
    const euro = Buffer.from('t.caf\u00e9:1|c\n');
    await t.tcp(['t.hits:4|c\nt.hi', 'ts:6|c\nt.g:7', '|g\n', euro.subarray(0, 6), euro.subarray(6)]);
    await t.collector.flushNow();
    const [hits, g, cafe] = await t.render([
      'stats.counters.t.hits.count',
      'stats.gauges.t.g',
      'stats.counters.t.caf.count',
    ]);
    expect(total(hits)).toBe(10);
    expect(last(g)).toBe(7);
    // Non-ASCII is dropped by etsy's name sanitising rules.
    expect(total(cafe)).toBe(1);
  });

  it('turns DogStatsD tags into Graphite tagged series', async () => {
    await t.udp('d.req:1|c|#env:prod,az:b\nd.req:2|c|#az:b,env:prod\nd.req:5|c|#env:dev');
    await t.collector.flushNow();
    const [prod] = await t.render('stats.counters.d.req.count;env=prod;az=b');
    expect(prod.target).toBe('stats.counters.d.req.count;az=b;env=prod');
    expect(prod.tags).toEqual({ az: 'b', env: 'prod', name: 'stats.counters.d.req.count' });
    expect(total(prod)).toBe(3);
    const [dev] = await t.render('stats.counters.d.req.count;env=dev');
    expect(total(dev)).toBe(5);
  });

  it('counts bad lines and keeps the good ones of the same packet', async () => {
    const before = await t.health();
    await t.udp(`b.ok:1|c\nno-type:1\nb.bad:abc|c\nb.neg:-1|ms\nb.rate:1|c|@0\nb.ok:2|c\nb.long:${'9'.repeat(9000)}|c`);
    await t.collector.flushNow();
    const after = await t.health();
    expect(Number(after.bad_lines_seen) - Number(before.bad_lines_seen)).toBe(5);
    const [ok] = await t.render('stats.counters.b.ok.count');
    expect(total(ok)).toBe(3);
    const [badLines] = await t.render('stats.counters.statsd.bad_lines_seen.count');
    expect(total(badLines)).toBeGreaterThanOrEqual(5);
  });

  it('stores DogStatsD events and keeps service checks as gauges', async () => {
    await t.udp('_e{6,13}:deploy|api v1.4.2 up|#deploy,service:api');
    await t.udp('_sc|db up|2|#env:prod|m:replica lag');
    await t.collector.flushNow();
    // Read back through the API, so the test holds for every storage backend.
    const res = await t.get('/events/get_data?from=-1h&until=now');
    const events = ((await res.json()) as Array<{ what: string; data: string; tags: string[] }>).map(
      ({ what, data, tags }) => ({ what, data, tags }),
    );
    expect(events).toEqual([{ what: 'deploy', data: 'api v1.4.2 up', tags: ['deploy', 'service:api'] }]);
    const [check] = await t.render('stats.gauges.service_checks.db_up;env=prod');
    expect(last(check)).toBe(2);
  });

  it('writes the collector’s own series like any other', async () => {
    await t.collector.flushNow();
    const [received, numStats, processing] = await t.render([
      'stats.counters.statsd.metrics_received.count',
      'stats.statsd.numStats',
      'stats.statsd.processing_time',
    ]);
    expect(total(received)).toBeGreaterThan(10);
    expect(last(numStats)).toBeGreaterThan(10);
    expect(last(processing)).toBeGreaterThanOrEqual(0);
  });
});
