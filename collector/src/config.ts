import { DEFAULT_AGGREGATOR_OPTIONS } from './aggregate/aggregator.js';
import { DEFAULT_PREFIX_STATS } from './aggregate/self-series.js';
import { ConfigError } from './config-error.js';
import { DEFAULT_PARSE_OPTIONS } from './ingest/statsd-line.js';
import { DEFAULT_QUERY_LIMITS } from './query/query-limits.js';
import { DEFAULT_READ_TIMEOUT_MS } from './store/clickhouse/open.js';
import { parseRetention, type RetentionTier } from './store/retention.js';

/** Everything `trendline serve` can be told, after flags, environment and config file are merged. */
export interface CollectorConfig {
  httpHost: string;
  httpPort: number;
  statsdHost: string;
  statsdPort: number;
  /** Unix datagram socket for DogStatsD-style clients; null for none. */
  statsdSocket: string | null;
  /** SQLite file path. */
  db: string;
  /** Storage backend: the embedded SQLite file, or a (possibly sharded) ClickHouse shared by collectors. */
  store: 'sqlite' | 'clickhouse';
  /** ClickHouse HTTP endpoint (http://HOST:8123) when store is clickhouse. */
  clickhouseUrl: string | null;
  /** Cluster (remote_servers) the Distributed tables span; null for a single server. */
  clickhouseCluster: string | null;
  clickhouseDatabase: string;
  /** Replicated* engines for the local tables (the servers need ZooKeeper and {shard}/{replica} macros). */
  clickhouseReplicated: boolean;
  /** Seconds a ClickHouse read may wait for the server before it is a 503 (a hung shard); inserts wait longer. */
  clickhouseReadTimeoutSec: number;
  flushIntervalSec: number;
  retention: RetentionTier[];
  percentiles: number[];
  /** Bearer token required for writes over HTTP; null leaves them open. */
  token: string | null;
  maxSeries: number;
  maxSetMembers: number;
  maxTimedPoints: number;
  maxLineLength: number;
  maxTcpConnections: number;
  udpReceiveBufferBytes: number;
  /** Series one /render query may read. */
  maxQuerySeries: number;
  /** Points (series × steps) one HTTP request may read, over all its targets. */
  maxQueryPoints: number;
  /** Seconds one HTTP request may spend reading series. */
  queryTimeoutSec: number;
  deleteIdleStats: boolean;
  deleteCounters: boolean;
  deleteTimers: boolean;
  deleteGauges: boolean;
  deleteSets: boolean;
  gaugesMaxTtl: number;
  /** etsy's prefixStats: the collector's own series are stats.<prefix>.*, stats.counters.<prefix>.*, … */
  prefixStats: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Directory of the built UI; null serves a notice instead. */
  uiDir: string | null;
}

export const DEFAULT_CONFIG: CollectorConfig = {
  httpHost: '0.0.0.0',
  httpPort: 8080,
  statsdHost: '0.0.0.0',
  statsdPort: 8125,
  statsdSocket: null,
  db: './data/trendline.db',
  store: 'sqlite',
  clickhouseUrl: null,
  clickhouseCluster: null,
  clickhouseDatabase: 'trendline',
  clickhouseReplicated: false,
  clickhouseReadTimeoutSec: DEFAULT_READ_TIMEOUT_MS / 1000,
  flushIntervalSec: 10,
  retention: parseRetention('10s:6h,1m:7d,10m:5y'),
  percentiles: [50, 90, 95, 99],
  token: null,
  maxSeries: DEFAULT_AGGREGATOR_OPTIONS.maxSeries,
  maxSetMembers: DEFAULT_AGGREGATOR_OPTIONS.maxSetMembers,
  maxTimedPoints: DEFAULT_AGGREGATOR_OPTIONS.maxTimedPoints,
  maxLineLength: DEFAULT_PARSE_OPTIONS.maxLineLength,
  maxTcpConnections: 1024,
  udpReceiveBufferBytes: 8 * 1024 * 1024,
  maxQuerySeries: 10_000,
  maxQueryPoints: DEFAULT_QUERY_LIMITS.maxPoints,
  queryTimeoutSec: DEFAULT_QUERY_LIMITS.timeoutMs / 1000,
  deleteIdleStats: false,
  deleteCounters: false,
  deleteTimers: false,
  deleteGauges: false,
  deleteSets: false,
  gaugesMaxTtl: 1,
  prefixStats: DEFAULT_PREFIX_STATS,
  logLevel: 'info',
  uiDir: null,
};

/** Cross-field rules that single flags can't check. */
export function validateConfig(c: CollectorConfig): CollectorConfig {
  const finest = c.retention[0].stepSec;
  if (!Number.isInteger(c.flushIntervalSec) || c.flushIntervalSec < 1) {
    throw new ConfigError(`--flush-interval must be a whole number of seconds, at least 1s`);
  }
  if (finest % c.flushIntervalSec !== 0) {
    throw new ConfigError(
      `--flush-interval ${c.flushIntervalSec}s must divide the finest --retention step (${finest}s), so every flush lands in one bucket`,
    );
  }
  if (!(c.clickhouseReadTimeoutSec >= 0.1 && c.clickhouseReadTimeoutSec <= 3600)) {
    throw new ConfigError(`--clickhouse-read-timeout ${c.clickhouseReadTimeoutSec}s must be between 100ms and 1h`);
  }
  if (c.store === 'clickhouse' && c.clickhouseUrl === null) {
    throw new ConfigError('--store clickhouse needs --clickhouse-url http://HOST:8123');
  }
  return c;
}
