import { rmSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { type ClickHouseCluster, clickhouseAvailable, startClickHouseCluster } from '../support/clickhouse.js';
import { tempDir } from '../support/collector.js';
import { killAndTermRounds } from './fault-rounds.js';

/** kill -9 x20 and SIGTERM under load with `--store clickhouse` (the restart reopens it; no file to check). */

const dir = tempDir();
let cluster: ClickHouseCluster | null = null;
beforeAll(async () => {
  if (clickhouseAvailable()) cluster = await startClickHouseCluster(1);
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

killAndTermRounds(
  {
    name: 'ClickHouse',
    store: (database) => [
      ...['--store', 'clickhouse', '--clickhouse-url', cluster?.shards[0].url ?? ''],
      ...['--clickhouse-database', database],
    ],
    check: () => undefined,
  },
  dir,
  !clickhouseAvailable(),
);
