import type { Logger } from 'pino';
import type { CollectorConfig } from '../config.js';
import { openClickHouseStorage } from './clickhouse/open.js';
import { openSqliteStorage } from './sqlite-storage.js';
import type { Storage } from './storage.js';

/** The backend `--store` names, opened and ready (schema in place). */
export async function openStorage(config: CollectorConfig, log: Logger): Promise<Storage> {
  if (config.store === 'clickhouse') {
    const storage = await openClickHouseStorage({
      url: config.clickhouseUrl ?? '',
      cluster: config.clickhouseCluster,
      database: config.clickhouseDatabase,
      replicated: config.clickhouseReplicated,
      tiers: config.retention,
      readTimeoutMs: config.clickhouseReadTimeoutSec * 1000,
      onReadError: (err) => log.warn({ err }, 'ClickHouse read at start failed; the next refresh retries it'),
      onReplicaSkipped: (url, err) =>
        log.warn({ url, err }, 'ClickHouse replica skipped (unreachable or out of disk): the next URL is tried'),
      onReadKilled: (kill) =>
        log.warn(kill, 'ClickHouse read cut off by --clickhouse-read-timeout: KILL QUERY sent to its server'),
    });
    log.debug({ url: config.clickhouseUrl, cluster: config.clickhouseCluster }, 'ClickHouse store ready');
    return storage;
  }
  return openSqliteStorage(config.db, config.retention);
}
