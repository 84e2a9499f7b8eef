import { QueryError } from '../query-error.js';

/**
 * graphite-web's aggregation functions (graphite/functions/aggfuncs.py over safe.py): how a list of values
 * with gaps folds into one. NaN stands for None, and every function treats it exactly as safe.py treats
 * None (avg_zero counts it as 0, multiply gives None when any factor is None, count never gives None).
 */

/** graphite-web's aggregation names (graphite/functions/aggfuncs.py) and their aliases. */
export const AGG_ALIASES: Record<string, string> = {
  average: 'average',
  avg: 'average',
  avg_zero: 'avg_zero',
  median: 'median',
  sum: 'sum',
  total: 'sum',
  min: 'min',
  max: 'max',
  diff: 'diff',
  stddev: 'stddev',
  count: 'count',
  range: 'range',
  rangeOf: 'range',
  multiply: 'multiply',
  last: 'last',
  current: 'last',
};

/**
 * The canonical aggregation for a name, as graphite's getAggFunc() resolves it. Unlike aggregate(), these
 * functions take no `...Series` spelling, so `summarize(x, "1h", "sumSeries")` is refused.
 */
export function resolveAggFunc(func: string, fn: string, param: string): string {
  const canonical = Object.hasOwn(AGG_ALIASES, func) ? AGG_ALIASES[func] : undefined;
  if (canonical === undefined) {
    throw new QueryError(
      `Invalid "aggFunc" value specified for function "${fn}" parameter "${param}": ${JSON.stringify(func)}` +
        ` (expected one of ${Object.keys(AGG_ALIASES).join(', ')})`,
    );
  }
  return canonical;
}

/**
 * One of graphite's safe* aggregations over `values`, where NaN stands for None and is treated exactly as
 * safe.py treats None (e.g. avg_zero counts it as 0, multiply gives None when any factor is None).
 * `func` must be canonical (see resolveAggFunc). Returns NaN for None.
 */
export function aggregateValues(func: string, values: ArrayLike<number>): number {
  const present: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) present.push(values[i]);
  switch (func) {
    case 'avg_zero': {
      if (values.length === 0) return Number.NaN;
      let sum = 0;
      for (const v of present) sum += v;
      return sum / values.length;
    }
    case 'multiply': {
      if (values.length === 0 || present.length < values.length) return Number.NaN;
      let product = 1;
      for (const v of present) product *= v;
      return product;
    }
    case 'count':
      return present.length;
  }
  if (present.length === 0) return Number.NaN;
  switch (func) {
    case 'sum':
    case 'average': {
      let sum = 0;
      for (const v of present) sum += v;
      return func === 'sum' ? sum : sum / present.length;
    }
    case 'median':
      return medianOfSorted(present.sort((a, b) => a - b));
    case 'min':
    case 'max': {
      let best = present[0];
      for (const v of present) if (func === 'min' ? v < best : v > best) best = v;
      return best;
    }
    case 'diff': {
      let diff = present[0];
      for (let i = 1; i < present.length; i++) diff += -present[i];
      return diff;
    }
    case 'stddev': {
      let sum = 0;
      for (const v of present) sum += v;
      const mean = sum / present.length;
      let squares = 0;
      for (const v of present) squares += (v - mean) * (v - mean);
      return Math.sqrt(squares / present.length);
    }
    case 'range': {
      let lo = present[0];
      let hi = present[0];
      for (const v of present) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      return hi - lo;
    }
    case 'last':
      return present[present.length - 1];
    default:
      throw new Error(`aggregateValues: unresolved aggregation ${func}`);
  }
}

/** safeMedian of values already sorted ascending (none null, at least one). */
export function medianOfSorted(sorted: readonly number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? (sorted[mid - 1] + sorted[mid]) / 2 : sorted[mid];
}

/** graphite's getAggFunc() for the series functions: a canonical name, or "Unsupported aggregation function". */
export function canonicalAggFunc(func: string): string {
  const canonical = Object.hasOwn(AGG_ALIASES, func) ? AGG_ALIASES[func] : undefined;
  if (canonical === undefined) throw new QueryError(`Unsupported aggregation function: ${func}`);
  return canonical;
}
