import { QueryError } from '../query-error.js';
import type { TimeSeries } from '../series.js';

/**
 * Small pieces of Python and graphite-web behaviour the Transform and Calculate functions need to give
 * bit-for-bit the same numbers and names: Python's round(), math.pow() and str(), and graphite's
 * null-aware aggregation functions (graphite/functions/safe.py) exactly as they treat None.
 */

/**
 * Python's `round(x, digits)`: the exact binary value rounded to `digits` decimals, ties to even.
 * (JS's toFixed rounds exact ties away from zero, so ties are detected on the exact expansion.)
 */
export function pyRound(x: number, digits: number): number {
  if (!Number.isFinite(x) || Math.abs(x) >= 1e21) return x;
  const rounded = Number(x.toFixed(digits));
  // toFixed(100) is the exact decimal expansion of every double that could be a tie at `digits` places.
  const exact = Math.abs(x).toFixed(100);
  const dot = exact.indexOf('.');
  if (!/^50*$/.test(exact.slice(dot + 1 + digits))) return rounded;
  const kept = exact.slice(0, dot + 1 + digits);
  const lastDigit = Number(digits === 0 ? exact[dot - 1] : kept[kept.length - 1]);
  if (lastDigit % 2 === 1) return rounded;
  const truncated = Number(kept);
  return x < 0 ? -truncated : truncated;
}

/** Python's math.pow as graphite's safePow uses it: domain errors and overflow give None (NaN here). */
export function pyPow(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.NaN;
  if (a === 1 || b === 0) return 1;
  if (a === -1 && !Number.isFinite(b)) return 1;
  if (a === 0 && b < 0) return Number.NaN; // ValueError: math domain error
  // C's pow is correctly rounded for these; V8's ** can be one ulp off, so use the exact operations.
  let r: number;
  if (b === 1) r = a;
  else if (b === -1) r = 1 / a;
  else if (b === 2) r = a * a;
  else if (b === 0.5 && a > 0 && Number.isFinite(a)) r = Math.sqrt(a);
  else r = a ** b;
  if (!Number.isFinite(r) && Number.isFinite(a) && Number.isFinite(b)) return Number.NaN; // OverflowError
  return r;
}

/**
 * Python's `str()` of a number as graphite-web stores it in a tag: integers as written, floats in repr
 * form (`0.5`, `1e-05`, `1.5e+16`). Integral values are printed as ints, since the target said `2`.
 */
export function pyStr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  const [mantissa, e] = n.toExponential().split('e');
  const exp = Number(e);
  if (exp < -4 || exp >= 16) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(n);
}

/** Python's str.capitalize(): first letter upper case, the rest lower case. */
export function pyCapitalize(s: string): string {
  return s.slice(0, 1).toUpperCase() + s.slice(1).toLowerCase();
}

/** graphite-web's aggregation names (graphite/functions/aggfuncs.py) and their aliases. */
const AGG_ALIASES: Record<string, string> = {
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
export function aggregateValues(func: string, values: readonly number[]): number {
  const present: number[] = [];
  for (const v of values) if (!Number.isNaN(v)) present.push(v);
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
      for (const v of values) product *= v;
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

/**
 * A function's output series derived from `series`, as graphite's `series.copy(name=..., values=...)`:
 * consolidation function and xFilesFactor kept, pathExpression set to the new name, tags extended.
 */
export function derive(
  series: TimeSeries,
  name: string,
  values: Float64Array,
  tags: Record<string, string> = {},
  overrides: { start?: number; step?: number } = {},
): TimeSeries {
  const start = overrides.start ?? series.start;
  const step = overrides.step ?? series.step;
  return {
    ...series,
    name,
    pathExpression: name,
    tags: { ...series.tags, ...tags },
    start,
    step,
    values,
    end: start + values.length * step,
  };
}
