import { afterAll, beforeAll, describe } from 'vitest';
import { type ClickHouseCluster, clickhouseAvailable, startClickHouseCluster } from '../support/clickhouse.js';

/**
 * The core pipeline's integration tests again, with every test collector on ClickHouse (one server;
 * the cluster case is covered by storage-contract and clickhouse-scaleout). The suites are imported, so
 * their tests run here a second time under this file's server.
 */

let server: ClickHouseCluster | null = null;

if (clickhouseAvailable()) {
  beforeAll(async () => {
    server = await startClickHouseCluster(1);
    process.env.TRENDLINE_TEST_CLICKHOUSE_URL = server.shards[0].url;
  }, 60_000);

  afterAll(async () => {
    delete process.env.TRENDLINE_TEST_CLICKHOUSE_URL;
    await server?.stop();
  });

  describe('on ClickHouse: ingest', async () => {
    await import('./ingest.test.js');
  });
  describe('on ClickHouse: HTTP API', async () => {
    await import('./http-api.test.js');
  });
  describe('on ClickHouse: tags and events', async () => {
    await import('./tags-events.test.js');
  });
  describe('on ClickHouse: deploys', async () => {
    await import('./deploys.test.js');
  });
  describe('on ClickHouse: checks', async () => {
    await import('./check.test.js');
  });
  describe('on ClickHouse: deploy checks', async () => {
    await import('./check-deploy.test.js');
  });
  describe('on ClickHouse: Grafana', async () => {
    await import('./grafana.test.js');
  });
}
