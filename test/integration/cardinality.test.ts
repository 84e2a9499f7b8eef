import dgram from 'node:dgram';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ClickHouseCluster, clickhouseAvailable, startClickHouseCluster } from '../support/clickhouse.js';
import { type GraphiteSeries, serveArgs, spawnServe, tempDir, total, waitFor } from '../support/collector.js';

/**
 * Cardinality attack (issue 9): 1,000,000 distinct names over UDP within a minute against the real CLI. The
 * series cap holds, every rejected series is counted, and a series that existed before keeps every point.
 */

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NAMES = 1_000_000;
const CAP = 10_000;
const SPREAD_MS = 15_000;

/** SQLite, and ClickHouse where this machine has its server (as the storage contract tests). */
let cluster: ClickHouseCluster | null = null;
const backends: Array<{ name: string; store: () => string[] }> = [{ name: 'SQLite', store: () => [] }];
if (clickhouseAvailable()) {
  backends.push({
    name: 'ClickHouse',
    store: () => [
      ...['--store', 'clickhouse', '--clickhouse-url', cluster?.shards[0].url ?? ''],
      ...['--clickhouse-database', 'cardinality'],
    ],
  });
  beforeAll(async () => {
    cluster = await startClickHouseCluster(1);
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });
}

it.each(backends)(
  '$name: 1,000,000 distinct names in under a minute: the cap holds, rejections are counted, existing series unaffected',
  async ({ name, store }) => {
    const cli = await spawnServe(
      serveArgs(join(dir, `card-${name}.db`), [
        ...['--flush-interval', '1s', '--retention', '1s:1h,1m:1d'],
        ...['--max-series', String(CAP), '--log-level', 'info', ...store()],
      ]),
    );
    const api = `http://127.0.0.1:${cli.httpPort}`;
    const health = async () => (await (await fetch(`${api}/health`)).json()) as Record<string, number | string>;
    try {
      // An existing series, fed over TCP (lossless) the whole time.
      const keep = net.connect(cli.statsdPort, '127.0.0.1');
      await new Promise<void>((resolve) => keep.once('connect', () => resolve()));
      let kept = 0;
      const keepLine = () => {
        keep.write('card.keep:1|c\n');
        kept++;
      };
      keepLine();
      await waitFor(async () => Number((await health()).metrics_received) >= 1, 'the existing series');
      // The snapshot before the keeper starts, so every later keep line is counted after it.
      const before = await health();
      const keeper = setInterval(keepLine, 20);

      // The attack: 40 new names per datagram, paced so the sender does not outrun the socket.
      const udp = dgram.createSocket('udp4');
      const started = Date.now();
      let inFlight = 0;
      for (let i = 0; i < NAMES; i += 40) {
        let packet = '';
        for (let j = i; j < Math.min(i + 40, NAMES); j++) packet += `card.a${j}:1|c\n`;
        inFlight++;
        udp.send(packet, cli.statsdPort, '127.0.0.1', () => {
          inFlight--;
        });
        // Spread over ~15 s (a rate the collector reads without the kernel dropping most of it).
        const due = started + (i / NAMES) * SPREAD_MS;
        if (inFlight > 64 || Date.now() < due) await new Promise((r) => setTimeout(r, Math.max(1, due - Date.now())));
      }
      await waitFor(async () => inFlight === 0, 'the sends');
      const sendMs = Date.now() - started;
      udp.close();
      expect(sendMs).toBeLessThan(60_000);

      clearInterval(keeper);
      await new Promise<void>((resolve) => keep.end(() => resolve()));
      // Settle: everything read and flushed.
      let last = -1;
      const after = await waitFor(
        async () => {
          const h = await health();
          const n = Number(h.metrics_received);
          const settled = n === last && Number(h.lastFlushAt) * 1000 > Date.now() - 1500;
          last = n;
          return settled ? h : null;
        },
        'the collector to settle',
        60_000,
      );
      await new Promise((r) => setTimeout(r, 2500));
      const final = await health();
      expect(final.status).toBe('ok');

      const received = Number(final.metrics_received) - Number(before.metrics_received) - (kept - 1);
      const dropped = Number(final.series_dropped) - Number(before.series_dropped);
      const found = (await (await fetch(`${api}/metrics/find?query=stats.counters.card.*`)).json()) as unknown[];
      const accepted = found.length - 1; // less card.keep
      // The cap holds, and every attack line either made one of the allowed series or was counted as dropped.
      expect(accepted).toBeLessThanOrEqual(CAP);
      expect(accepted + dropped).toBe(received);
      expect(received).toBeGreaterThan(NAMES * 0.5);

      // The series that existed before lost nothing.
      const q = new URLSearchParams({ target: 'stats.counters.card.keep.count', from: '-10min', format: 'json' });
      const [keepSeries] = (await (await fetch(`${api}/render?${q}`)).json()) as GraphiteSeries[];
      expect(total(keepSeries)).toBe(kept);
      console.log(
        `cardinality: ${name}: ${NAMES} names sent in ${(sendMs / 1000).toFixed(1)} s, ${received} received, ${accepted} series kept ` +
          `(cap ${CAP}), ${dropped} counted as dropped; existing series kept all ${kept} points; ` +
          `RSS ${JSON.stringify((after.memory as unknown as { rssMB: number }).rssMB)} MB`,
      );
    } finally {
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    }
  },
  180_000,
);
