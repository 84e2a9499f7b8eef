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
  timers: TimerSummaries | TimerColumns;
  /** Samples that carried their own timestamp (DogStatsD `|T`). */
  timed: TimedPoint[];
  events: StatsdEvent[];
  /** The aggregator's numbers for the series, in the order of their keys (series-slots.ts). */
  slots?: FlushSlots;
}

/** Each series' number, in the order of the batch's keys, and the numbers first used (or used again) with their keys. */
export interface FlushSlots {
  named: { slots: number[]; keys: string[] };
  counters: Int32Array;
  gauges: Int32Array;
  sets: Int32Array;
  timers: Int32Array;
}

/** Timers as summaries, as a batch built by hand (tests, tools) has them. */
export interface TimerSummaries {
  keys: string[];
  summaries: TimerSummary[];
}

/** Timers in WriteBatch's columns, as the aggregator hands them (TimerStore keeps them so). */
export interface TimerColumns {
  keys: string[];
  /** count, n, sum, sumSquares, m2, min, max for each timer, in key order (min/max NaN when n = 0). */
  stats: Float64Array;
  /** Encoded sketches (null for a timer without samples); views of one buffer, which a thread can transfer. */
  sketches: Array<Uint8Array | null>;
}

export const TIMER_STATS_WIDTH = 7;

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
