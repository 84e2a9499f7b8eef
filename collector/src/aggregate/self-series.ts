/**
 * Names of the collector's own series under etsy StatsD's `prefixStats` (`--prefix-stats`, default `statsd`):
 * `stats.<prefix>.numStats`, `stats.counters.<prefix>.bad_lines_seen.count`, … Collectors sharing a ClickHouse
 * cluster each take their own prefix, so one collector's gauges are not overwritten by another's.
 */

export const DEFAULT_PREFIX_STATS = 'statsd';

/** A dotted path of the characters a sanitized metric name keeps, no empty node. */
const PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const MAX_PREFIX_LENGTH = 200;

/** Why `prefix` cannot name the collector's series, or null when it can. */
export function prefixStatsProblem(prefix: string): string | null {
  if (prefix.length > MAX_PREFIX_LENGTH) return `longer than ${MAX_PREFIX_LENGTH} characters`;
  if (!PREFIX.test(prefix)) return 'expected dot-separated names of letters, digits, _ and - (such as statsd.host-a)';
  return null;
}

export interface SelfSeries {
  /** The counter's key as clients would send it (`<prefix>.bad_lines_seen`), for the aggregator's map. */
  counterKey(name: string): string;
  /** `stats.counters.<prefix>.<name>` */
  counter(name: string): string;
  /** `stats.gauges.<prefix>.<name>`: a gauge the aggregator keeps like a client's (timestamp_lag). */
  gauge(name: string): string;
  /** `stats.<prefix>.<name>`: the collector's figures (numStats, store.*, threads.*, processing_time). */
  stat(name: string): string;
}

export function selfSeries(prefix: string = DEFAULT_PREFIX_STATS): SelfSeries {
  return {
    counterKey: (name) => `${prefix}.${name}`,
    counter: (name) => `stats.counters.${prefix}.${name}`,
    gauge: (name) => `stats.gauges.${prefix}.${name}`,
    stat: (name) => `stats.${prefix}.${name}`,
  };
}
