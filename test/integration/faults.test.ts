import dgram from 'node:dgram';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createMetrics, type MetricsError } from 'trendline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, mulberry32 } from '../lib/support.js';
import { type ClickHouseCluster, clickhouseAvailable, startClickHouseCluster } from '../support/clickhouse.js';
import { type GraphiteSeries, type RunningCli, spawnServe, tempDir, total, waitFor } from '../support/collector.js';

/**
 * Faults (issue 9), on the real CLI with a real SQLite file and real UDP: kill -9 at random moments under load,
 * twenty times in a row; SIGTERM under load; and the client library against a collector that dies and comes back.
 * Figures are printed (`faults:` lines) and recorded in docs/reliability.md.
 */

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FLUSH_SEC = 1;

function serveArgs(db: string, statsdPort = 0, store: string[] = []): string[] {
  return [
    ...['--http-host', '127.0.0.1', '--http-port', '0', '--statsd-host', '127.0.0.1'],
    ...['--statsd-port', String(statsdPort), '--db', db, '--flush-interval', `${FLUSH_SEC}s`],
    ...['--retention', '1s:1h,1m:1d', ...store],
  ];
}

/**
 * The storage items run on each backend: SQLite, and ClickHouse where this machine has its server (as the
 * storage contract tests). On ClickHouse "opens cleanly" is the restart itself; SQLite's file is also checked.
 */
interface Backend {
  name: string;
  store(database: string): string[];
  check(db: string): void;
}
let cluster: ClickHouseCluster | null = null;
const backends: Backend[] = [{ name: 'SQLite', store: () => [], check: (db) => expect(integrity(db)).toBe('ok') }];
if (clickhouseAvailable()) {
  backends.push({
    name: 'ClickHouse',
    store: (database) => [
      ...['--store', 'clickhouse', '--clickhouse-url', cluster?.shards[0].url ?? ''],
      ...['--clickhouse-database', database],
    ],
    check: () => undefined,
  });
  beforeAll(async () => {
    cluster = await startClickHouseCluster(1);
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });
}

async function health(cli: RunningCli): Promise<Record<string, number | string | null>> {
  const res = await fetch(`http://127.0.0.1:${cli.httpPort}/health`);
  return (await res.json()) as Record<string, number | string | null>;
}

async function stored(cli: RunningCli, name: string): Promise<number> {
  const q = new URLSearchParams({ target: `stats.counters.${name}.count`, from: '-30min', format: 'json' });
  const res = await fetch(`http://127.0.0.1:${cli.httpPort}/render?${q}`);
  const series = (await res.json()) as GraphiteSeries[];
  return total(series[0]);
}

function integrity(db: string): string {
  const check = new Database(db, { readonly: true });
  try {
    return String(check.pragma('integrity_check', { simple: true }));
  } finally {
    check.close();
  }
}

/** Sends `name:1|c` every `everyMs` and remembers when each went out. */
function load(port: number, name: string, everyMs = 4) {
  const socket = dgram.createSocket('udp4');
  socket.on('error', () => undefined);
  const sentAt: number[] = [];
  const timer = setInterval(() => {
    sentAt.push(Date.now());
    socket.send(`${name}:1|c`, port, '127.0.0.1');
  }, everyMs);
  return {
    sentAt,
    stop() {
      clearInterval(timer);
      socket.close();
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(backends)('faults ($name)', (backend) => {
  it('kill -9 at random moments under load, 20 times: each restart opens cleanly and loses at most the last interval', async () => {
    const db = join(dir, `kill9-${backend.name}.db`);
    const store = backend.store('faults_kill9');
    const random = mulberry32(0x9e11);
    const rounds: Array<{ sent: number; safe: number; stored: number; killAfterMs: number }> = [];
    let cli = await spawnServe(serveArgs(db, 0, store));
    for (let round = 0; round < 20; round++) {
      const name = `fault.k${round}`;
      const killAfterMs = 200 + Math.floor(random() * 2300);
      const l = load(cli.statsdPort, name);
      await sleep(killAfterMs);
      // The last flush that finished: everything that arrived an interval before it is on disk.
      const lastFlushAt = Number((await health(cli)).lastFlushAt ?? 0);
      cli.child.kill('SIGKILL');
      await cli.exited;
      l.stop();
      const safeBefore = (lastFlushAt - FLUSH_SEC) * 1000;

      backend.check(db);
      cli = await spawnServe(serveArgs(db, 0, store));
      const got = await stored(cli, name);
      const sent = l.sentAt.length;
      const safe = l.sentAt.filter((t) => t < safeBefore).length;
      rounds.push({ sent, safe, stored: got, killAfterMs });
      // Nothing before the last finished flush is lost, and nothing is counted twice.
      expect(got, `round ${round}: ${JSON.stringify(rounds.at(-1))}`).toBeGreaterThanOrEqual(safe);
      expect(got, `round ${round}`).toBeLessThanOrEqual(sent);
    }
    // Every earlier round still reads back the same after all the kills.
    for (const [round, r] of rounds.entries()) expect(await stored(cli, `fault.k${round}`)).toBe(r.stored);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    backend.check(db);

    const sent = rounds.reduce((a, r) => a + r.sent, 0);
    const lost = rounds.reduce((a, r) => a + r.sent - r.stored, 0);
    const worst = Math.max(...rounds.map((r) => r.sent - r.stored));
    const perInterval = (sent / rounds.reduce((a, r) => a + r.killAfterMs, 0)) * 1000 * FLUSH_SEC;
    console.log(
      `faults: ${backend.name}: kill -9 x${rounds.length}: ${sent} counts sent, ${lost} lost in total (worst round ${worst}, ` +
        `one ${FLUSH_SEC}s interval is ~${Math.round(perInterval)} counts), reopened cleanly every time`,
    );
  }, 300_000);

  it('SIGTERM under load loses nothing the collector had received', async () => {
    const db = join(dir, `sigterm-${backend.name}.db`);
    const store = backend.store('faults_sigterm');
    const random = mulberry32(0x7e12);
    let cli = await spawnServe(serveArgs(db, 0, store));
    const results: Array<{ received: number; stored: number; sent: number }> = [];
    for (let round = 0; round < 5; round++) {
      const name = `fault.t${round}`;
      const l = load(cli.statsdPort, name);
      await sleep(300 + Math.floor(random() * 1500));
      // What it has read so far (this round's lines only: metrics_received is cumulative per process).
      const received = Number((await health(cli)).metrics_received);
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      l.stop();
      backend.check(db);
      cli = await spawnServe(serveArgs(db, 0, store));
      const got = await stored(cli, name);
      results.push({ received, stored: got, sent: l.sentAt.length });
      expect(got, JSON.stringify(results.at(-1))).toBeGreaterThanOrEqual(received);
      expect(got).toBeLessThanOrEqual(l.sentAt.length);
    }
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    const received = results.reduce((a, r) => a + r.received, 0);
    const storedTotal = results.reduce((a, r) => a + r.stored, 0);
    console.log(
      `faults: ${backend.name}: SIGTERM x${results.length} under load: ${received} counts received before the signal, ${storedTotal} stored (0 lost)`,
    );
  }, 120_000);
});

describe('faults: the client library', () => {
  for (const protocol of ['udp', 'tcp'] as const) {
    it(`the library (${protocol}) against a collector that dies and comes back: no throw, bounded memory, metrics resume`, async () => {
      const db = join(dir, `lib-${protocol}.db`);
      const port = await freePort();
      const errors: MetricsError[] = [];
      const m = createMetrics({
        host: '127.0.0.1',
        port,
        protocol,
        prefix: `fault.lib.${protocol}`,
        onError: (e) => errors.push(e),
        env: {},
      });
      let cli = await spawnServe(serveArgs(db, port));
      try {
        m.increment('before');
        await m.flush();
        await waitFor(async () => Number((await health(cli)).metrics_received) >= 1, 'the first metric');
        cli.child.kill('SIGKILL');
        await cli.exited;

        // The outage: the app goes on emitting, and pays nothing for it.
        const heapBefore = process.memoryUsage().heapUsed;
        const started = performance.now();
        for (let i = 0; i < 200_000; i++) {
          m.increment('during', 1, { shard: String(i % 10) });
          m.timing('during.latency', i % 500);
          if (i % 20_000 === 0) await m.flush();
        }
        await m.flush();
        const callMs = performance.now() - started;
        const heapGrowthMB = (process.memoryUsage().heapUsed - heapBefore) / 1048576;
        // 400,000 calls: nothing queues up behind the dead collector.
        expect(heapGrowthMB).toBeLessThan(64);
        if (protocol === 'tcp') expect(m.dropped).toBeGreaterThan(0);

        cli = await spawnServe(serveArgs(db, port));
        await waitFor(
          async () => {
            m.increment('after');
            await m.flush();
            return (await stored(cli, `fault.lib.${protocol}.after`)) > 0;
          },
          'metrics to resume',
          30_000,
        );
        console.log(
          `faults: lib over ${protocol}: 400000 calls during the outage in ${Math.round(callMs)} ms, heap +${heapGrowthMB.toFixed(1)} MB, ` +
            `${m.dropped} dropped, ${errors.length} error reports, resumed after restart`,
        );
      } finally {
        await m.close();
        cli.child.kill('SIGTERM');
        await cli.exited;
      }
    }, 120_000);
  }
});
