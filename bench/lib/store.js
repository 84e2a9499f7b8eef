import { createRequire } from 'node:module';
import { addSample, emptySummary } from '../../collector/dist/aggregate/timer-summary.js';
import { parseRetention } from '../../collector/dist/store/retention.js';
import { SeriesKind } from '../../collector/dist/store/series-kind.js';
import { SqliteReader } from '../../collector/dist/store/sqlite-reader.js';
import { SqliteWriter } from '../../collector/dist/store/sqlite-writer.js';
import { toWriteBatch } from '../../collector/dist/store/write-batch.js';
import { latency } from './stats.js';

/**
 * Synthetic data written through the store's own code: timer summaries built by the aggregator's
 * addSample(), batches converted by toWriteBatch() and written by the real SqliteWriter (schema, upserts,
 * rollups). Nothing here knows the table layout, so it follows the collector's schema as it changes.
 */

// better-sqlite3 is the collector's dependency; resolve it from there rather than adding it to the root.
export const Database = createRequire(new URL('../../collector/package.json', import.meta.url))('better-sqlite3');
export { parseRetention, SqliteReader, SqliteWriter };
export const TIMER_KIND = SeriesKind.Timer;

/** One interval of a timer: the summary the aggregator would flush after `samples` latencies. */
export function timerInterval(random, samples) {
  const summary = emptySummary();
  for (let i = 0; i < samples; i++) addSample(summary, latency(random), 1);
  return summary;
}

/**
 * A WriteBatch at `ts`, as the collector would hand it to the writer thread. `keys` holds full series
 * names per kind; `value(kind, i)` gives counters, gauges and sets their value, `timer(i)` a summary.
 */
export function makeBatch(ts, intervalSec, keys, value, timer) {
  const plain = (kind) => {
    const k = keys[kind] ?? [];
    return { keys: k, values: k.map((_, i) => value(kind, i)) };
  };
  const timerKeys = keys.timers ?? [];
  return toWriteBatch({
    ts,
    intervalSec,
    counters: plain('counters'),
    gauges: plain('gauges'),
    sets: plain('sets'),
    timers: { keys: timerKeys, summaries: timerKeys.map((_, i) => timer(i)) },
    timed: [],
    events: [],
  });
}

export function names(prefix, count) {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}
