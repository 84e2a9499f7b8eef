import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendTcp, startTestCollector, type TestCollector, total, waitFor } from '../support/collector.js';
import { capturingLog, type LogLine } from '../support/log.js';

/**
 * A worker thread that dies is started again (issue 9, faults). The collector runs with its test hook
 * (TRENDLINE_TEST_HOOKS=1: `POST /debug/crash/:thread?how=throw|exit`), which makes the writer or the ingest
 * thread die as a bug would: an uncaught exception in the thread, or process.exit inside it. Proven: the
 * thread is restarted with back-off, /health says so (and never answers 500, polled all along), the log says
 * what died and what it cost, the restarts are self-metrics, ingest and storage go on, nothing flushed before is
 * lost, flushes held while the writer was down are written after, and the only loss from an ingest thread's
 * death is what it had not flushed yet.
 */

process.env.TRENDLINE_TEST_HOOKS = '1';

interface ThreadHealth {
  state: string;
  restarts: number;
  lastError: string | null;
}
type Health = Record<string, unknown> & {
  status: string;
  metrics_received: number;
  threads: Record<string, ThreadHealth>;
  store: { pendingBatches: number; recoveredBatches: number; failedWrites: number };
};

let t: TestCollector;
let lines: LogLine[];
/** Every /health answer's status code while the tests run. */
const healthCodes = new Map<number, number>();
let polling = true;
let poller: Promise<void>;

const health = async () => (await t.health()) as unknown as Health;
const crash = async (thread: string, how: string) => {
  const res = await fetch(`${t.url}/debug/crash/${thread}?how=${how}`, { method: 'POST' });
  expect(res.status).toBe(202);
};
const stored = async (name: string) => total((await t.render(`stats.counters.${name}.count`, { from: '-30min' }))[0]);
/** Sends `n` counts of `name`, each datagram waited for (the collector has read it). */
const send = async (name: string, n: number) => {
  for (let i = 0; i < n; i++) await t.udp(`${name}:1|c`);
};
const logged = (msg: RegExp) => lines.filter((l) => msg.test(l.msg));

beforeAll(async () => {
  const captured = capturingLog();
  lines = captured.lines;
  // Flushes are driven by the test (flushNow); the timer's own every 10 s only adds to them.
  t = await startTestCollector(
    {
      flushIntervalSec: 10,
      retention: [
        { stepSec: 10, retentionSec: 3600 },
        { stepSec: 60, retentionSec: 86400 },
      ],
    },
    captured.log,
  );
  poller = (async () => {
    while (polling) {
      const res = await fetch(`${t.url}/health`);
      await res.arrayBuffer();
      healthCodes.set(res.status, (healthCodes.get(res.status) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  await send('tr.before', 25);
  await t.collector.flushNow();
  expect(await stored('tr.before')).toBe(25);
}, 30_000);

afterAll(async () => {
  polling = false;
  await poller;
  await t?.stop();
});

describe('a dead worker thread is restarted', () => {
  for (const how of ['throw', 'exit']) {
    it(`the writer thread (${how}): flushes held while it is down are written after; nothing lost`, async () => {
      const name = `tr.writer_${how}`;
      const before = (await health()).threads.writer.restarts;
      await send(name, 30);
      await crash('writer', how);
      const down = await waitFor(async () => {
        const h = await health();
        return h.threads.writer.state === 'restarting' ? h : null;
      }, 'the writer thread to be reported down');
      expect(down.status).toBe('degraded');
      expect(down.threads.writer.lastError).toMatch(how === 'throw' ? /crash requested by the test hook/ : /code 70/);
      // A flush while it is down is held (the write fails at once, nothing waits)...
      const flushing = Date.now();
      await t.collector.flushNow();
      expect(Date.now() - flushing).toBeLessThan(2000);
      const held = await health();
      expect(held.threads.writer.state).toBe('restarting');
      expect(held.store.pendingBatches).toBeGreaterThanOrEqual(1);
      // ...and a write through the HTTP API is a 503 with the reason, not a 500.
      const event = await fetch(`${t.url}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ what: 'during the outage', tags: ['x'] }),
      });
      expect(event.status).toBe(503);
      expect(await event.text()).toMatch(/writer thread/);
      await send(name, 20);

      const up = await waitFor(async () => {
        const h = await health();
        return h.threads.writer.state === 'up' && h.threads.writer.restarts === before + 1 ? h : null;
      }, 'the writer thread to be restarted');
      await t.collector.flushNow();
      const after = await health();
      expect(after.store.pendingBatches).toBe(0);
      expect(after.status).toBe('ok');
      expect(after.store.recoveredBatches).toBeGreaterThanOrEqual(1);
      expect(await stored(name)).toBe(50);
      expect(await stored('tr.before')).toBe(25);
      expect(logged(/^writer thread died: flushes are held in memory/).length).toBe(before + 1);
      expect(logged(/^writer thread restarted$/).length).toBe(before + 1);
      console.log(
        `faults: writer thread killed (${how}): down ${logged(/^writer thread restarted$/).at(-1)?.downMs} ms, ` +
          `restart ${up.threads.writer.restarts}; 50 of 50 counts stored, ${after.store.recoveredBatches} flushes written late`,
      );
    }, 30_000);
  }

  it('the ingest thread: restarted on the same port; only its unflushed interval is lost', async () => {
    const name = 'tr.ingest';
    const flushedBefore = 40;
    const unflushed = 15;
    await send(name, flushedBefore);
    await t.collector.flushNow();
    await send(name, unflushed);
    const received = (await health()).metrics_received;
    await crash('ingest', 'throw');
    const down = await waitFor(async () => {
      const h = await health();
      return h.threads.ingest.state === 'restarting' ? h : null;
    }, 'the ingest thread to be reported down');
    expect(down.status).toBe('degraded');
    // Its counters stay as of its last flush while it is down: they never go back.
    expect(down.metrics_received).toBeLessThanOrEqual(received);
    // A flush while it is down still writes (the collector's own series) and does not block.
    await t.collector.flushNow();
    const up = await waitFor(async () => {
      const h = await health();
      return h.threads.ingest.state === 'up' && h.threads.ingest.restarts === 1 ? h : null;
    }, 'the ingest thread to be restarted');
    expect(up.metrics_received).toBeGreaterThanOrEqual(down.metrics_received);
    // The same port, UDP and TCP.
    await send(name, 20);
    await sendTcp(t.collector.statsdPort, [`${name}:1|c\n${name}:1|c\n`]);
    await waitFor(async () => (await health()).metrics_received >= up.metrics_received + 22, 'the TCP lines');
    await t.collector.flushNow();
    const got = await stored(name);
    // Lost: the counts received since the last flush, unless the 10 s timer flushed them first.
    expect([flushedBefore + 22, flushedBefore + unflushed + 22]).toContain(got);
    expect(await stored('tr.before')).toBe(25);
    const died = logged(/^ingest thread died: what it aggregated since the last flush is lost$/);
    expect(died).toHaveLength(1);
    expect(died[0].level).toBe(50);
    expect(died[0].reason).toMatch(/crash requested by the test hook/);
    expect(logged(/^ingest thread is down at the flush: this interval is lost$/).length).toBeGreaterThanOrEqual(1);
    console.log(
      `faults: ingest thread killed: restarted in ${logged(/^ingest thread restarted$/)[0]?.downMs} ms on port ` +
        `${t.collector.statsdPort}; ${got} of ${flushedBefore + unflushed + 22} counts stored ` +
        `(lost ${flushedBefore + unflushed + 22 - got}: the unflushed interval)`,
    );
  }, 30_000);

  it('backs off: a thread that dies again soon waits twice as long before its next start', async () => {
    await crash('ingest', 'exit');
    await waitFor(async () => (await health()).threads.ingest.restarts === 2, 'the second restart');
    await crash('ingest', 'throw');
    await waitFor(async () => (await health()).threads.ingest.restarts === 3, 'the third restart', 15_000);
    const delays = logged(/^ingest thread died/).map((l) => l.retryInMs);
    expect(delays).toEqual([500, 1000, 2000]);
    await send('tr.after', 10);
    await t.collector.flushNow();
    expect(await stored('tr.after')).toBe(10);
  }, 30_000);

  it('shows the restarts as self-metrics, never answered /health with a 500, and left the file intact', async () => {
    await t.collector.flushNow();
    for (const [thread, restarts] of [
      ['writer', 2],
      ['ingest', 3],
    ] as const) {
      const [series] = await t.render(`stats.statsd.threads.${thread}.restarts`, { from: '-30min' });
      expect(Math.max(...(series?.datapoints ?? []).map(([v]) => v ?? 0))).toBe(restarts);
      const [up] = await t.render(`stats.statsd.threads.${thread}.up`, { from: '-30min' });
      expect(up?.datapoints.some(([v]) => v === 1)).toBe(true);
    }
    expect([...healthCodes.keys()]).toEqual([200]);
    const check = new Database(t.config.db, { readonly: true });
    try {
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      check.close();
    }
    console.log(`faults: /health polled ${healthCodes.get(200)} times across five thread deaths: all 200`);
  });
});
