import type { FlushBatch, NamedValues, TimedPoint } from '../aggregate/flush-batch.js';

/**
 * A FlushBatch in the form that crosses to the writer thread: structured-clone friendly, with each
 * timer summary flattened to six numbers plus its encoded sketch.
 */
export interface WriteBatch {
  ts: number;
  intervalSec: number;
  counters: NamedValues;
  gauges: NamedValues;
  sets: NamedValues;
  timers: {
    keys: string[];
    /** count, n, sum, sumSquares, m2, min, max for each timer, in key order (min/max NaN when n = 0). */
    stats: Float64Array;
    sketches: Array<Uint8Array | null>;
  };
  timed: TimedPoint[];
  events: NewEvent[];
}

export interface NewEvent {
  ts: number;
  what: string;
  data: string;
  tags: string[];
}

export const TIMER_STATS_WIDTH = 7;

export function toWriteBatch(batch: FlushBatch): WriteBatch {
  const { keys, summaries } = batch.timers;
  const stats = new Float64Array(summaries.length * TIMER_STATS_WIDTH);
  const sketches: Array<Uint8Array | null> = [];
  summaries.forEach((s, i) => {
    stats.set([s.count, s.n, s.sum, s.sumSquares, s.m2, s.min, s.max], i * TIMER_STATS_WIDTH);
    sketches.push(s.n > 0 ? s.sketch.encode() : null);
  });
  return {
    ts: batch.ts,
    intervalSec: batch.intervalSec,
    counters: batch.counters,
    gauges: batch.gauges,
    sets: batch.sets,
    timers: { keys, stats, sketches },
    timed: batch.timed,
    events: batch.events.map((e) => ({
      // Without its own `d:` time, an event is placed at the start of the interval it arrived in, never in the future.
      ts: e.timestamp ?? batch.ts,
      what: e.title,
      data: e.text,
      tags: e.tags,
    })),
  };
}
