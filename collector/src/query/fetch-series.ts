import { QuantileSketch } from '../aggregate/sketch.js';
import { computeTimerStat, parseTimerStat, type TimerStat } from '../aggregate/timer-stats.js';
import type { TimerSummary } from '../aggregate/timer-summary.js';
import { pickTier, type RetentionTier } from '../store/retention.js';
import { SeriesKind } from '../store/series-kind.js';
import type { SummaryRow } from '../store/sqlite-reader.js';
import type { Leaf } from './name-index.js';
import type { ConsolidationFunc, TimeSeries } from './series.js';

/** What fetching needs from storage; the SQLite reader implements it. */
export interface SeriesSource {
  readValues(seriesId: number, stepSec: number, from: number, until: number): Array<[number, number]>;
  readSummaries(seriesId: number, stepSec: number, from: number, until: number): SummaryRow[];
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
  const { stepSec: step } = pickTier(tiers, range.from, range.now);
  const start = range.from - (range.from % step) + step;
  const end = range.until - (range.until % step) + step;
  const values = new Float64Array(Math.max(0, (end - start) / step)).fill(Number.NaN);
  const { series, stat } = leaf;

  if (series.kind === SeriesKind.Timer) {
    const timerStat = parseTimerStat(stat) as TimerStat;
    const needsSketch = timerStat.kind === 'median' || timerStat.kind === 'percentile';
    for (const row of source.readSummaries(series.id, step, start, end - step)) {
      values[(row[0] - start) / step] = computeTimerStat(timerStat, toSummary(row, needsSketch), step);
    }
  } else {
    const perSecond = series.kind === SeriesKind.Counter && stat === 'rate';
    for (const [ts, v] of source.readValues(series.id, step, start, end - step)) {
      values[(ts - start) / step] = perSecond ? v / step : v;
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

function toSummary(row: SummaryRow, withSketch: boolean): TimerSummary {
  const [, count, n, sum, sumSquares, m2, min, max, sketch] = row;
  return {
    count,
    n,
    sum,
    sumSquares,
    m2,
    min: min ?? Number.NaN,
    max: max ?? Number.NaN,
    sketch: withSketch && sketch ? QuantileSketch.decode(sketch) : new QuantileSketch(),
  };
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
