import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendTcp, sendUdp, startTestCollector, type TestCollector, total, waitFor } from '../support/collector.js';

/** Hostile traffic must neither crash the collector nor disturb the good metrics that arrive with it. */
describe('a flood of garbage', () => {
  let t: TestCollector;

  beforeAll(async () => {
    t = await startTestCollector({ maxSeries: 5_000 });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('keeps the collector up, the good metrics exact and the bad lines counted', async () => {
    // A seeded generator, so a failure can be replayed.
    let seed = 0x9e3779b9;
    const random = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const junk = () => {
      const bytes = Buffer.alloc(1 + Math.floor(random() * 1400));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
      return bytes;
    };
    const before = await t.health();
    const port = t.collector.statsdPort;
    let good = 0;
    for (let i = 0; i < 400; i++) {
      await sendUdp(port, junk());
      if (i % 4 === 0) {
        await sendUdp(port, 'g.ok:1|c\n\u{1F4A9}:1|c\n\u0000\u0001:2|ms\ng.ok:1|c|@zz');
        good++;
      }
      if (i % 50 === 0) await sendUdp(port, `g.huge:${'1'.repeat(60_000)}|c`);
    }
    // TCP: a line that never ends, random bytes, then good lines on the same connection.
    await sendTcp(port, ['g.tcp:1|c\n', 'x'.repeat(100_000), '\nstill-bad\n', junk(), '\ng.tcp:1|c\n']);
    await waitFor(
      async () => Number((await t.health()).packets_received) >= Number(before.packets_received) + 500,
      'the flood',
    );
    await t.collector.flushNow();

    const after = await t.health();
    expect(after.status).toBe('ok');
    expect(Number(after.bad_lines_seen) - Number(before.bad_lines_seen)).toBeGreaterThan(400);
    const [ok, tcp] = await t.render(['stats.counters.g.ok.count', 'stats.counters.g.tcp.count']);
    expect(total(ok)).toBe(good);
    expect(total(tcp)).toBe(2);
    // Random bytes that happen to parse create at most a bounded number of series.
    expect(Number(after.series)).toBeLessThanOrEqual(5_000 * 4);
  });

  it('caps distinct series and counts what it drops, while existing series keep updating', async () => {
    const small = await startTestCollector({ maxSeries: 50 });
    try {
      await small.udp('cap.keep:1|c');
      const lines = Array.from({ length: 200 }, (_, i) => `cap.n${i}:1|c`);
      for (let i = 0; i < lines.length; i += 40) await small.udp(lines.slice(i, i + 40).join('\n'));
      await small.udp('cap.keep:1|c');
      await small.collector.flushNow();
      const health = await small.health();
      expect(Number(health.series_dropped)).toBeGreaterThan(100);
      const [keep] = await small.render('stats.counters.cap.keep.count');
      expect(total(keep)).toBe(2);
      const found = (await (await small.get('/metrics/find?query=stats.counters.cap.*')).json()) as unknown[];
      expect(found.length).toBeLessThanOrEqual(50);
    } finally {
      await small.stop();
    }
  });
});
