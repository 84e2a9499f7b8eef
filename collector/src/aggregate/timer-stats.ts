import type { TimerSummary } from './timer-summary.js';

/** What the stats need of a sketch: a live QuantileSketch or a stored one read in place (EncodedSketch). */
export interface RankedSketch {
  valueAtRank(rank: number): number;
  partialSums(k: number, fromTop: boolean): { sum: number; sumSquares: number };
}

/** A summary as the stats read it. */
export type SummaryView = Omit<TimerSummary, 'sketch'> & { sketch: RankedSketch };

/**
 * etsy StatsD's timer series (`stats.timers.<key>.<stat>`), derived at read time from a TimerSummary.
 * count, count_ps, lower, upper, sum, sum_squares, mean and std are exact; median and the per-percentile
 * stats come from the sketch and are within its relative error α (clamped to the exact min and max);
 * sum_squares_P is within (1+α)²−1 ≈ 2%.
 */

export type TimerField = 'upper' | 'lower' | 'mean' | 'sum' | 'count' | 'sum_squares';

export type TimerStat =
  | { kind: 'count' | 'count_ps' | 'lower' | 'upper' | 'mean' | 'median' | 'sum' | 'sum_squares' | 'std' }
  | { kind: 'percentile'; field: TimerField; pct: number };

const SIMPLE = new Set(['count', 'count_ps', 'lower', 'upper', 'mean', 'median', 'sum', 'sum_squares', 'std']);
const FIELDS: readonly TimerField[] = ['sum_squares', 'upper', 'lower', 'mean', 'sum', 'count'];

/** etsy's suffix for a percentile: 90 → `90`, 99.9 → `99_9`, -10 → `top10`. */
export function percentileSuffix(pct: number): string {
  return String(pct).replace('.', '_').replace('-', 'top');
}

/** The stat names a timer offers, in etsy's order, for the configured percentiles. */
export function timerStatNames(percentiles: readonly number[]): string[] {
  const names = ['count', 'count_ps', 'lower', 'upper', 'mean', 'median', 'sum', 'sum_squares', 'std'];
  for (const pct of percentiles) {
    const p = percentileSuffix(pct);
    names.push(`count_${p}`, `mean_${p}`, pct >= 0 ? `upper_${p}` : `lower_${p}`, `sum_${p}`, `sum_squares_${p}`);
  }
  return names;
}

/** Parses a stat name; any percentile may be asked for, not only the configured ones. */
export function parseTimerStat(name: string): TimerStat | null {
  if (SIMPLE.has(name)) return { kind: name as Exclude<TimerStat, { kind: 'percentile' }>['kind'] };
  for (const field of FIELDS) {
    if (!name.startsWith(`${field}_`)) continue;
    const pct = parsePercentileSuffix(name.slice(field.length + 1));
    if (pct === null) continue;
    // etsy names positive percentiles upper_P and negative ("top") ones lower_topP.
    if ((field === 'upper' && pct < 0) || (field === 'lower' && pct > 0)) return null;
    return { kind: 'percentile', field, pct };
  }
  return null;
}

function parsePercentileSuffix(suffix: string): number | null {
  const top = suffix.startsWith('top');
  const digits = top ? suffix.slice(3) : suffix;
  // One spelling per percentile: no leading zeros, no trailing zeros in the fraction (99_9, not 099 or 99_90).
  const m = /^(0|[1-9]\d{0,2})(?:_(\d*[1-9]))?$/.exec(digits);
  if (!m) return null;
  const value = Number(m[2] === undefined ? m[1] : `${m[1]}.${m[2]}`);
  if (!(value > 0 && value <= 100)) return null;
  return top ? -value : value;
}

/** Whether the stat reads the sketch (the others come from the exact fields alone). */
export function statNeedsSketch(stat: TimerStat): boolean {
  return stat.kind === 'median' || (stat.kind === 'percentile' && stat.field !== 'count');
}

/** Whether the stat reads the sum, sum of squares or m2 (the mean-like ones; a percentile's when k = n). */
export function statNeedsMoments(stat: TimerStat): boolean {
  switch (stat.kind) {
    case 'sum':
    case 'sum_squares':
    case 'mean':
    case 'std':
      return true;
    case 'percentile':
      return stat.field === 'mean' || stat.field === 'sum' || stat.field === 'sum_squares';
    default:
      return false;
  }
}

/** The stat's value for one summary over `intervalSec`, or NaN where etsy would emit nothing. */
export function computeTimerStat(stat: TimerStat, s: SummaryView, intervalSec: number): number {
  switch (stat.kind) {
    case 'count':
      return s.count;
    case 'count_ps':
      return s.count / intervalSec;
  }
  if (s.n === 0) return Number.NaN;
  switch (stat.kind) {
    case 'lower':
      return s.min;
    case 'upper':
      return s.max;
    case 'sum':
      return s.sum;
    case 'sum_squares':
      return s.sumSquares;
    case 'mean':
      return s.sum / s.n;
    case 'std':
      return Math.sqrt(Math.max(0, s.m2 / s.n));
    case 'median':
      return s.n % 2 === 1
        ? valueAtRank(s, (s.n + 1) / 2)
        : (valueAtRank(s, s.n / 2) + valueAtRank(s, s.n / 2 + 1)) / 2;
    case 'percentile':
      return percentileStat(stat.field, stat.pct, s);
  }
}

function percentileStat(field: TimerField, pct: number, s: SummaryView): number {
  // etsy: with one sample every percentile is that sample; otherwise k = round(|pct|/100 * n).
  const k = s.n === 1 ? 1 : Math.round((Math.abs(pct) / 100) * s.n);
  // etsy skips a percentile whose rank rounds to zero.
  if (k === 0) return Number.NaN;
  const top = pct < 0;
  if (field === 'count') return k;
  if (field === 'upper') return valueAtRank(s, k);
  if (field === 'lower') return valueAtRank(s, s.n - k + 1);
  let sum: number;
  let sumSquares: number;
  if (k === s.n) {
    sum = s.sum;
    sumSquares = s.sumSquares;
  } else {
    ({ sum, sumSquares } = s.sketch.partialSums(k, top));
  }
  if (field === 'sum') return sum;
  if (field === 'sum_squares') return sumSquares;
  return sum / k;
}

function valueAtRank(s: SummaryView, rank: number): number {
  if (rank >= s.n) return s.max;
  if (rank <= 1) return s.min;
  const v = s.sketch.valueAtRank(rank);
  return Math.min(Math.max(v, s.min), s.max);
}
