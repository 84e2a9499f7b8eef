import type { RetentionTier } from '../retention.js';
import type { SeriesRow } from '../series-kind.js';
import type { Storage } from '../storage.js';
import { Catalog } from './catalog.js';
import { FailoverHttp } from './failover-http.js';
import { ClickHouseError, ClickHouseHttp, type ClickHouseOptions } from './http-client.js';
import type { KillOutcome } from './kill-query.js';
import { ClickHouseReader } from './reader.js';
import { ensureSchema, tableNames } from './schema.js';
import { ClickHouseWriter } from './writer.js';

export interface ClickHouseStorageOptions {
  /** One URL, or replicas of the same data separated by commas (requests fail over between them). */
  url: string;
  cluster: string | null;
  database: string;
  /** Replicated* engines for the local tables. */
  replicated?: boolean;
  tiers: readonly RetentionTier[];
  /** Told when a read at start fails (e.g. another shard has no tables yet); the refresh retries it. */
  onReadError?: (err: Error) => void;
  /** How long a read waits for the server (default DEFAULT_READ_TIMEOUT_MS); inserts wait 5 minutes regardless. */
  readTimeoutMs?: number;
  /** Told what became of the KILL QUERY sent for a read cut off by readTimeoutMs. */
  onReadKilled?: (outcome: KillOutcome) => void;
  /** Told when a request leaves a replica for the next URL (unreachable, or out of disk), and why. */
  onReplicaSkipped?: (url: string, err: Error) => void;
}

/**
 * A read through a cluster whose shard hangs (SIGSTOP, a frozen VM: connections accepted, nothing answered)
 * waits for that shard; the server itself does not give up on it. So reads give up here, with a 503 and
 * ClickHouse's "did not answer within" line: 10 s, the same as the query time budget (--query-timeout), which a
 * longer read would have used up anyway. Inserts keep their long wait (http-client.ts says why).
 */
export const DEFAULT_READ_TIMEOUT_MS = 10_000;

/**
 * Reads through a cluster skip a replica whose fetches are this far behind (18.16's default is 300 s): the server
 * a collector asks prefers its own copy, and one out of disk would answer from data frozen when it filled.
 */
const MAX_REPLICA_DELAY_SEC = 2;

/** Series rows are re-read from this far before the last refresh: other collectors' clocks and inserts lag. */
const REFRESH_OVERLAP_SEC = 120;

/** The shared backend: schema ensured on the server at `url`, reads through the cluster when one is named. */
export async function openClickHouseStorage(options: ClickHouseStorageOptions): Promise<Storage> {
  const { url, cluster, database, tiers } = options;
  const urls = url.split(',');
  const connect = (more: Omit<ClickHouseOptions, 'url'> = {}) =>
    urls.length > 1 ? new FailoverHttp(urls, more, options.onReplicaSkipped) : new ClickHouseHttp({ ...more, url });
  const http = connect();
  const readTimeoutMs = options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  // A read given up on here is killed on its server, so a hung shard does not pile reads up there. A replica
  // behind on its fetches (e.g. out of disk) is passed over for reads, though it is the server asked.
  const readHttp = connect({
    timeoutMs: readTimeoutMs,
    onReadKilled: options.onReadKilled ?? (() => undefined),
    settings: options.replicated ? { max_replica_delay_for_distributed_queries: String(MAX_REPLICA_DELAY_SEC) } : {},
  });
  // Replicated tables drop a block identical to a recent one: two collectors' rollup rows can be (the
  // same counts in the same bucket), and both must count. Plain tables ignore the setting.
  const rollupHttp = connect({ settings: { insert_deduplicate: '0' } });
  // Each server needs its own local tables: create them on every URL that answers, and on one at least.
  const failures: Error[] = [];
  for (const one of urls) {
    await ensureSchema(new ClickHouseHttp({ url: one }), tiers, cluster, database, options.replicated).catch((err) =>
      failures.push(err as Error),
    );
  }
  if (failures.length === urls.length) {
    throw new Error(`cannot open ClickHouse store at ${url}: ${failures[0].message}`);
  }
  for (const err of failures) options.onReadError?.(err);
  const tables = tableNames(cluster);
  let writer: ClickHouseWriter | null = null;
  // A coarse read first waits for this collector's rollups in flight, which wait on the server too: as long as a read.
  const rollupsDone = () =>
    within(writer?.maintained(), readTimeoutMs, `this collector's rollups did not finish within ${readTimeoutMs} ms`);
  const reader = new ClickHouseReader(readHttp, database, tables, tiers, rollupsDone);
  const catalog = new Catalog();
  const refreshCatalog = async () => {
    const [events, dashboards] = await Promise.all([reader.events(), reader.dashboards()]);
    catalog.replaceEvents(events);
    catalog.replaceDashboards(dashboards);
  };
  // Reads go through every shard, and a shard whose collector has not started yet has no tables: the
  // store opens anyway and the periodic refresh fills in what could not be read now.
  await refreshCatalog().catch((err: Error) => options.onReadError?.(err));
  writer = new ClickHouseWriter(http, database, tables, tiers, catalog, refreshCatalog, rollupHttp);
  let lastRefresh = 0;
  const listSeries = async (): Promise<SeriesRow[]> => {
    const started = Math.floor(Date.now() / 1000);
    try {
      const rows = await reader.seriesSince(0);
      lastRefresh = started;
      return rows;
    } catch (err) {
      // lastRefresh stays 0, so the next refresh reads every series.
      options.onReadError?.(err as Error);
      return [];
    }
  };
  return {
    backend: 'clickhouse',
    writer,
    source: null,
    bulk: reader,
    events: catalog,
    dashboards: catalog,
    listSeries,
    refresh: async () => {
      const started = Math.floor(Date.now() / 1000);
      const [rows] = await Promise.all([reader.seriesSince(lastRefresh - REFRESH_OVERLAP_SEC), refreshCatalog()]);
      lastRefresh = started;
      return rows;
    },
    close: () => writer.close(),
  };
}

/** `work`, or a ClickHouseError (a 503) with `why` once it has taken `ms`. */
async function within(work: Promise<void> | undefined, ms: number, why: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ClickHouseError(why)), ms);
  });
  try {
    await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
