/** How a stored series was aggregated; decides its rollup rule and the leaves it offers to queries. */
export enum SeriesKind {
  /** Count per interval; `.count` and `.rate` are its leaves. Rolls up by sum, so rates stay true. */
  Counter = 1,
  /** Last value; the series itself is the leaf. Rolls up by last. */
  Gauge = 2,
  /** Distinct members per interval; `.count` is its leaf. Rolls up by max (a lower bound: members can't be re-counted). */
  Set = 3,
  /** A mergeable summary; etsy's timer stats are its leaves. Rolls up by merging summaries. */
  Timer = 4,
}

export interface SeriesRow {
  id: number;
  /** Base path without tags, e.g. `stats.timers.api.latency`. */
  name: string;
  /** Canonical Graphite tag suffix (`;env=prod;host=a`), or ''. */
  tags: string;
  kind: SeriesKind;
}

/** Splits a batch key `stats.counters.hits;env=prod` into its path and tag suffix. */
export function splitKey(key: string): { name: string; tags: string } {
  const i = key.indexOf(';');
  return i === -1 ? { name: key, tags: '' } : { name: key.slice(0, i), tags: key.slice(i) };
}
