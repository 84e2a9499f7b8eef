import { computeTimerStat, parseTimerStat, type TimerStat } from '../aggregate/timer-stats.js';
import { emptySummary, mergeSummary, type TimerSummary } from '../aggregate/timer-summary.js';
import { summaryView } from '../store/chunk-codec.js';
import { pickTier, type RetentionTier } from '../store/retention.js';
import { SeriesKind } from '../store/series-kind.js';
import type { SummaryRow } from '../store/sqlite-reader.js';
import type { Leaf } from './name-index.js';
import { chargeQueryPoints } from './query-limits.js';
import type { ConsolidationFunc, TimeSeries } from './series.js';

/** What fetching needs from storage; the SQLite reader implements it. */
export interface SeriesSource {
  /** Fills `out` (pre-filled with NaN) with the points of [start, start + out.length * step). */
  readInto(seriesId: number, stepSec: number, start: number, out: Float64Array): void;
  readValues(seriesId: number, stepSec: number, from: number, until: number): Array<[number, number]>;
  readSummaries(seriesId: number, stepSec: number, from: number, until: number): SummaryRow[];
  /** Fills `out` (pre-filled with NaN) with `stat` of each timer interval of [start, start + out.length * step). */
  readTimerStatInto(seriesId: number, stepSec: number, start: number, out: Float64Array, stat: TimerStat): void;
  /**
   * Runs `read` in one consistent snapshot of the store, when the store has them: a render's reads then see
   * one state, and pay for one read transaction instead of one per series.
   */
  snapshot?<T>(read: () => T): T;
}

export interface TimeRange {
  from: number;
  until: number;
  now: number;
}

/**
 * Reads one leaf over (from, until] at the finest tier that still covers `from`, as Whisper does: the
 * points returned are the step-aligned buckets after `from` up to and including `until`'s bucket.
 */
export function fetchLeaf(
  source: SeriesSource,
  leaf: Leaf,
  range: TimeRange,
  tiers: readonly RetentionTier[],
): TimeSeries {
  const tier = pickTier(tiers, range.from, range.now);
  const step = tier.stepSec;
  const start = range.from - (range.from % step) + step;
  const end = range.until - (range.until % step) + step;
  const points = Math.max(0, (end - start) / step);
  chargeQueryPoints(points, 'read', `${leaf.series.id}:${leaf.stat}:${step}:${start}:${end}`);
  const values = new Float64Array(points).fill(Number.NaN);
  const { series, stat } = leaf;
  const finer = tiers.slice(0, tiers.indexOf(tier));
  const recent = recentBuckets(range.now, step, start, end, finer.length > 0);

  if (series.kind === SeriesKind.Timer) {
    const timerStat = parseTimerStat(stat) as TimerStat;
    source.readTimerStatInto(series.id, step, start, values, timerStat);
    // Recent buckets not rolled up yet are rebuilt from the finer tiers, over whatever the tier held.
    for (const b of recent) {
      const folded = foldTimers(source, series.id, finer, b, step, range.now);
      if (folded) values[(b - start) / step] = computeTimerStat(timerStat, folded, step);
    }
  } else {
    source.readInto(series.id, step, start, values);
    for (const b of recent) {
      const folded = foldValues(source, series.id, series.kind, finer, b, step, range.now);
      if (folded !== undefined) values[(b - start) / step] = folded;
    }
    if (series.kind === SeriesKind.Counter && stat === 'rate') {
      for (let i = 0; i < values.length; i++) values[i] /= step;
    }
  }

  const basePath = stat === '' ? series.name : `${series.name}.${stat}`;
  return {
    name: leaf.path,
    tags: { ...parseTagSuffix(series.tags), name: basePath },
    pathExpression: leaf.path,
    start,
    end,
    step,
    values,
    consolidationFunc: defaultConsolidation(series.kind, stat),
    xFilesFactor: 0,
  };
}

/**
 * A coarse bucket is rolled up only once the tier below has finished it (and that one in turn), so the
 * newest one or two are missing or partial in a coarse tier. Like Whisper, which updates every archive
 * on each write, those are rebuilt from the finer tiers at read time.
 */
function recentBuckets(now: number, step: number, start: number, end: number, hasFiner: boolean): number[] {
  if (!hasFiner) return [];
  const current = now - (now % step);
  return [current - step, current].filter((b) => b >= start && b < end);
}

/** The finest tier that still holds the whole bucket, or undefined. */
function sourceTier(finer: readonly RetentionTier[], bucket: number, now: number): RetentionTier | undefined {
  return finer.find((t) => now - bucket <= t.retentionSec);
}

function foldValues(
  source: SeriesSource,
  id: number,
  kind: SeriesKind,
  finer: readonly RetentionTier[],
  bucket: number,
  step: number,
  now: number,
): number | undefined {
  const tier = sourceTier(finer, bucket, now);
  if (!tier) return undefined;
  const rows = source.readValues(id, tier.stepSec, bucket, bucket + step - 1);
  if (rows.length === 0) return undefined;
  if (kind === SeriesKind.Counter) return rows.reduce((acc, [, v]) => acc + v, 0);
  if (kind === SeriesKind.Set) return Math.max(...rows.map(([, v]) => v));
  return rows[rows.length - 1][1];
}

function foldTimers(
  source: SeriesSource,
  id: number,
  finer: readonly RetentionTier[],
  bucket: number,
  step: number,
  now: number,
): TimerSummary | undefined {
  const tier = sourceTier(finer, bucket, now);
  if (!tier) return undefined;
  const rows = source.readSummaries(id, tier.stepSec, bucket, bucket + step - 1);
  if (rows.length === 0) return undefined;
  const total = emptySummary();
  for (const row of rows) mergeSummary(total, toSummary(row));
  return total;
}

/** Graphite's storage-aggregation defaults for StatsD names, applied when maxDataPoints folds points. */
function defaultConsolidation(kind: SeriesKind, stat: string): ConsolidationFunc {
  if (kind === SeriesKind.Counter && stat === 'count') return 'sum';
  if (kind === SeriesKind.Set) return 'max';
  if (kind === SeriesKind.Timer && stat !== 'count_ps') {
    if (stat === 'lower' || stat.startsWith('lower_')) return 'min';
    if (stat === 'upper' || stat.startsWith('upper_')) return 'max';
    if (stat === 'count' || stat === 'sum' || stat.startsWith('count_') || stat.startsWith('sum_')) return 'sum';
  }
  return 'average';
}

/** A stored interval with its sketch decoded, ready to merge. */
function toSummary(row: SummaryRow): TimerSummary {
  const view = summaryView(row);
  return { ...view, sketch: view.sketch.full() };
}

/** `;env=prod;host=a` → { env: 'prod', host: 'a' }. */
export function parseTagSuffix(suffix: string): Record<string, string> {
  const tags: Record<string, string> = {};
  if (suffix === '') return tags;
  for (const pair of suffix.slice(1).split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0) tags[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return tags;
}
