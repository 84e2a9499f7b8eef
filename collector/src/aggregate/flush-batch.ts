import type { StatsdEvent } from '../ingest/statsd-line.js';
import type { TimerSummary } from './timer-summary.js';

/**
 * One interval's worth of aggregated series, handed from the aggregator to the store.
 * Keys are full base paths with their tag suffix (`stats.counters.api.hits;env=prod`).
 */
export interface FlushBatch {
  /** Start of the interval, aligned to the flush grid; every point in the batch is stamped with it. */
  ts: number;
  intervalSec: number;
  /** Count in the interval (sample-rate adjusted); the rate is derived at read time. */
  counters: NamedValues;
  gauges: NamedValues;
  /** Distinct members seen in the interval. */
  sets: NamedValues;
  timers: { keys: string[]; summaries: TimerSummary[] };
  /** Samples that carried their own timestamp (DogStatsD `|T`). */
  timed: TimedPoint[];
  events: StatsdEvent[];
}

export interface NamedValues {
  keys: string[];
  values: number[];
}

export interface TimedPoint {
  kind: 'counter' | 'gauge';
  /** Key as the parser produced it, without the `stats.<type>.` prefix. */
  key: string;
  ts: number;
  value: number;
}
