import { createRequire } from 'node:module';
import { QuantileSketch } from '../../collector/dist/aggregate/sketch.js';
import { parseRetention } from '../../collector/dist/store/retention.js';
import { SqliteWriter } from '../../collector/dist/store/sqlite-writer.js';
import { latency } from './stats.js';

/**
 * Synthetic data written through the store's own code: the real SqliteWriter (schema, upserts, rollups)
 * with WriteBatches shaped like the aggregator's, and the collector's own sketch for timers.
 */

// better-sqlite3 is the collector's dependency; resolve it from there rather than adding it to the root.
export const Database = createRequire(new URL('../../collector/package.json', import.meta.url))('better-sqlite3');
export { parseRetention, QuantileSketch, SqliteWriter };

const TIMER_STATS_WIDTH = 6;

/** One interval of a timer: the summary the aggregator would flush for `samples` latencies. */
export function timerInterval(random, samples) {
  const sketch = new QuantileSketch();
  let sum = 0;
  let sumsq = 0;
  let min = Number.POSITIVE_INFINITY;
  let maxV = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < samples; i++) {
    const v = latency(random);
    sketch.add(v);
    sum += v;
    sumsq += v * v;
    if (v < min) min = v;
    if (v > maxV) maxV = v;
  }
  return { stats: [samples, samples, sum, sumsq, min, maxV], sketch: sketch.encode() };
}

/**
 * A WriteBatch at `ts`: counters, gauges and sets get one value per key, timers one summary each.
 * `values(kind, i)` and `timer(i)` supply the data.
 */
export function makeBatch(ts, intervalSec, keys, values, timer) {
  const plain = (kind) => ({ keys: keys[kind] ?? [], values: (keys[kind] ?? []).map((_, i) => values(kind, i)) });
  const timerKeys = keys.timers ?? [];
  const stats = new Float64Array(timerKeys.length * TIMER_STATS_WIDTH);
  const sketches = [];
  timerKeys.forEach((_, i) => {
    const t = timer(i);
    stats.set(t.stats, i * TIMER_STATS_WIDTH);
    sketches.push(t.sketch);
  });
  return {
    ts,
    intervalSec,
    counters: plain('counters'),
    gauges: plain('gauges'),
    sets: plain('sets'),
    timers: { keys: timerKeys, stats, sketches },
    timed: [],
    events: [],
  };
}

export function names(prefix, count) {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}
