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
