import {
  type FlushBatch,
  type NamedValues,
  TIMER_STATS_WIDTH,
  type TimedPoint,
  type TimerColumns,
  type TimerSummaries,
} from '../aggregate/flush-batch.js';
import { QuantileSketch } from '../aggregate/sketch.js';
import { SeriesKind } from './series-kind.js';

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
  timers: TimerColumns;
  timed: TimedPoint[];
  events: NewEvent[];
}

export interface NewEvent {
  ts: number;
  what: string;
  data: string;
  tags: string[];
}

export { TIMER_STATS_WIDTH };

/** Summaries flattened into columns: six numbers per timer plus its encoded sketch. */
function timerColumns({ keys, summaries }: TimerSummaries): TimerColumns {
  const stats = new Float64Array(summaries.length * TIMER_STATS_WIDTH);
  summaries.forEach((s, i) => {
    const o = i * TIMER_STATS_WIDTH;
    stats[o] = s.count;
    stats[o + 1] = s.n;
    stats[o + 2] = s.sum;
    stats[o + 3] = s.sumSquares;
    stats[o + 4] = s.m2;
    stats[o + 5] = s.min;
    stats[o + 6] = s.max;
  });
  const sketches = QuantileSketch.encodeAll(summaries.map((s) => (s.n > 0 ? s.sketch : null)));
  return { keys, stats, sketches };
}

export function toWriteBatch(batch: FlushBatch): WriteBatch {
  return {
    ts: batch.ts,
    intervalSec: batch.intervalSec,
    counters: batch.counters,
    gauges: batch.gauges,
    sets: batch.sets,
    timers: 'summaries' in batch.timers ? timerColumns(batch.timers) : batch.timers,
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

/** The batch's one-number-per-interval series (everything but timers), by the kind they are stored as. */
export function plainSeries(
  batch: WriteBatch,
): ReadonlyArray<readonly [SeriesKind.Counter | SeriesKind.Gauge | SeriesKind.Set, NamedValues]> {
  return [
    [SeriesKind.Counter, batch.counters],
    [SeriesKind.Gauge, batch.gauges],
    [SeriesKind.Set, batch.sets],
  ];
}

export interface PlacedPoint {
  kind: SeriesKind.Counter | SeriesKind.Gauge;
  /** The full stored name, `stats.counters.…` or `stats.gauges.…`. */
  key: string;
  /** The point's own time, aligned to the finest step. */
  ts: number;
  value: number;
}

/**
 * Where a store puts the batch's points that carried their own time (`|T`): in their own bucket of the
 * finest tier. Points older than that tier keeps, or later than the batch's interval, have no bucket;
 * they are left out and counted in `dropped`.
 */
export function placeTimedPoints(
  batch: WriteBatch,
  finest: { stepSec: number; retentionSec: number },
): { placed: PlacedPoint[]; dropped: number } {
  const newest = batch.ts + batch.intervalSec;
  const oldest = newest - finest.retentionSec;
  const placed: PlacedPoint[] = [];
  let dropped = 0;
  for (const p of batch.timed) {
    if (p.ts < oldest || p.ts >= newest) {
      dropped++;
      continue;
    }
    const counter = p.kind === 'counter';
    placed.push({
      kind: counter ? SeriesKind.Counter : SeriesKind.Gauge,
      key: (counter ? 'stats.counters.' : 'stats.gauges.') + p.key,
      ts: p.ts - (p.ts % finest.stepSec),
      value: p.value,
    });
  }
  return { placed, dropped };
}

/** A flush with nothing in it, for an interval whose aggregates were lost (the ingest thread died). */
export function emptyWriteBatch(ts: number, intervalSec: number): WriteBatch {
  return {
    ts,
    intervalSec,
    counters: { keys: [], values: [] },
    gauges: { keys: [], values: [] },
    sets: { keys: [], values: [] },
    timers: { keys: [], stats: new Float64Array(0), sketches: [] },
    timed: [],
    events: [],
  };
}
