import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LineSink } from '../../collector/src/ingest/statsd-line.js';
import { parsePacket } from '../../collector/src/ingest/statsd-line.js';
import { sendUdp, startTestCollector, type TestCollector, total, waitFor } from '../support/collector.js';
import { fuzzParams, hostileString } from './fuzz-params.js';
import { STATSD_TOKENS, statsdLine } from './statsd-arbitraries.js';

/**
 * Whole datagrams of random bytes (and StatsD-shaped text) against a running collector: it stays up, answers
 * HTTP, counts exactly the lines the parser rejects, and a good metric sent alongside is stored exactly.
 */

/** What the collector should count for one datagram, from the pure parser it runs. */
function expected(packet: Buffer): { lines: number; bad: number } {
  let bad = 0;
  const noop = () => undefined;
  const sink: LineSink = {
    counter: noop,
    timer: noop,
    gauge: noop,
    set: noop,
    event: noop,
    serviceCheck: noop,
    bad: () => {
      bad++;
    },
  };
  const lines = parsePacket(packet.toString('utf8'), sink);
  return { lines, bad };
}

const datagram: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 1400 }).map((b) => Buffer.from(b)) },
  {
    weight: 3,
    arbitrary: fc
      .array(fc.oneof(statsdLine, hostileString(STATSD_TOKENS)), { minLength: 1, maxLength: 20 })
      .map((lines) => Buffer.from(lines.join('\n'), 'utf8')),
  },
  // Near the UDP maximum, and over the 8192-character line limit.
  { weight: 1, arbitrary: fc.integer({ min: 8193, max: 60_000 }).map((n) => Buffer.from(`big:${'9'.repeat(n)}|c`)) },
);

describe('fuzz: random datagrams against a running collector', () => {
  let t: TestCollector;
  beforeAll(async () => {
    t = await startTestCollector({ maxSeries: 20_000 });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('stays up, counts every rejected line, and stores the good metric sent alongside exactly', async () => {
    let datagrams = 0;
    let badLines = 0;
    let batches = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(datagram, { minLength: 1, maxLength: 15 }), async (packets) => {
        const before = await t.health();
        let want = { lines: 0, bad: 0 };
        for (const p of packets) {
          const e = expected(p);
          want = { lines: want.lines + e.lines, bad: want.bad + e.bad };
          await sendUdp(t.collector.statsdPort, p);
        }
        await sendUdp(t.collector.statsdPort, 'fuzz.alive:1|c');
        const n = Number(before.packets_received) + packets.length + 1;
        const after = await waitFor(async () => {
          const h = await t.health();
          return Number(h.packets_received) >= n ? h : null;
        }, 'the datagrams to be read');
        expect(after.status).toBe('ok');
        expect(Number(after.bad_lines_seen) - Number(before.bad_lines_seen)).toBe(want.bad);
        expect(Number(after.metrics_received) - Number(before.metrics_received)).toBe(want.lines + 1);
        datagrams += packets.length;
        badLines += want.bad;
        batches++;
      }),
      fuzzParams(25),
    );
    await t.collector.flushNow();
    const [alive] = await t.render('stats.counters.fuzz.alive.count', { from: '-1h' });
    expect(total(alive)).toBe(batches);
    // The HTTP side kept answering throughout.
    expect((await t.get('/metrics/find?query=*')).status).toBe(200);
    expect(datagrams).toBeGreaterThan(100);
    expect(badLines).toBeGreaterThan(100);
    console.log(`udp fuzz: ${datagrams} datagrams in ${batches} batches, ${badLines} bad lines counted`);
  });
});
