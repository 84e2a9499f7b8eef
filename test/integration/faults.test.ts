import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createMetrics, type MetricsError } from 'trendline';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../lib/support.js';
import { spawnServe, tempDir, waitFor } from '../support/collector.js';
import { health, killAndTermRounds, roundArgs, SQLITE, stored } from './fault-rounds.js';

/**
 * Faults (issue 9), on the real CLI with a real SQLite file and real UDP: kill -9 at random moments under load,
 * twenty times in a row; SIGTERM under load; and the client library against a collector that dies and comes back.
 * The same rounds on ClickHouse are in faults-clickhouse.test.ts. Figures are printed (`faults:` lines) and
 * recorded in docs/reliability.md.
 */

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

killAndTermRounds(SQLITE, dir);

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
      let cli = await spawnServe(roundArgs(db, port));
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

        cli = await spawnServe(roundArgs(db, port));
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
