import type { TimeSeries } from '../series.js';

/**
 * Building blocks shared by the function groups, following graphite-web's semantics: Python's %g for
 * numbers in names, normalisation of series with different steps, and null-aware aggregation.
 */

/** Python's `'%g' % v`: 6 significant digits, exponent form below 1e-4 or from 1e6. */
export function formatG(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa, e] = v.toExponential(5).split('e');
  const exp = Number(e);
  if (exp < -4 || exp >= 6) {
    const m = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const fixed = v.toFixed(Math.max(0, 5 - exp));
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** A new series; tags default to `{name}` as graphite-web's TimeSeries does. */
export function makeSeries(
  name: string,
  start: number,
  step: number,
  values: Float64Array,
  tags?: Record<string, string>,
): TimeSeries {
  return {
    name,
    tags: tags ?? { name },
    pathExpression: name,
    start,
    end: start + values.length * step,
    step,
    values,
    consolidationFunc: 'average',
    xFilesFactor: 0,
  };
}

/** The same series under another name (tags and everything else kept, as graphite-web's functions do). */
export function renamed(series: TimeSeries, name: string, values: Float64Array = series.values): TimeSeries {
  return {
    ...series,
    name,
    tags: { ...series.tags },
    pathExpression: name,
    values,
    end: series.start + values.length * series.step,
  };
}

/** Applies `fn` to every non-null value; nulls stay null. */
export function mapValues(values: Float64Array, fn: (v: number, i: number) => number): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = Number.isNaN(v) ? Number.NaN : fn(v, i);
  }
  return out;
}

/** Distinct path expressions of a list in order, joined by "," — how aggregates name themselves. */
export function joinPathExpressions(series: readonly TimeSeries[]): string {
  return [...new Set(series.map((s) => s.pathExpression))].join(',');
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Consolidates `values` by `factor` points per bucket (graphite's consolidate with the series' function). */
export function consolidateBy(series: TimeSeries, factor: number): Float64Array {
  if (factor <= 1) return series.values;
  const n = Math.ceil(series.values.length / factor);
  const out = new Float64Array(n);
  for (let b = 0; b < n; b++) {
    const bucket: number[] = [];
    const size = Math.min((b + 1) * factor, series.values.length) - b * factor;
    for (let i = b * factor; i < b * factor + size; i++) {
      if (!Number.isNaN(series.values[i])) bucket.push(series.values[i]);
    }
    // As graphite's consolidation: enough points present (xFilesFactor), and avg_zero over the bucket's own size.
    const enough = bucket.length > 0 && bucket.length / size >= series.xFilesFactor;
    out[b] = enough ? applyConsolidation(series.consolidationFunc, bucket, size) : Number.NaN;
  }
  return out;
}

function applyConsolidation(func: TimeSeries['consolidationFunc'], values: number[], factor: number): number {
  switch (func) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'first':
      return values[0];
    case 'last':
      return values[values.length - 1];
    case 'avg_zero':
      return values.reduce((a, b) => a + b, 0) / factor;
    default:
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
}

/**
 * graphite-web's normalize(): brings series to a common step (the lcm of their steps, coarser series win)
 * and a common range, so they can be combined point by point. Returns the aligned value arrays.
 */
export function normalize(series: readonly TimeSeries[]): {
  start: number;
  end: number;
  step: number;
  values: Float64Array[];
} {
  if (series.length === 0) return { start: 0, end: 0, step: 1, values: [] };
  const step = series.map((s) => s.step).reduce((a, b) => (a * b) / gcd(a, b));
  const start = Math.min(...series.map((s) => s.start));
  let end = Math.max(...series.map((s) => s.end));
  end -= (end - start) % step;
  const length = Math.max(0, (end - start) / step);
  const values = series.map((s) => {
    const consolidated = consolidateBy(s, step / s.step);
    const out = new Float64Array(length).fill(Number.NaN);
    const offset = Math.round((s.start - start) / step);
    for (let i = 0; i < consolidated.length; i++) {
      const j = i + offset;
      if (j >= 0 && j < length) out[j] = consolidated[i];
    }
    return out;
  });
  return { start, end, step, values };
}

/** Tags every series shares, as graphite-web keeps for aggregates. */
export function commonTags(series: readonly TimeSeries[]): Record<string, string> {
  const [first, ...rest] = series;
  const out: Record<string, string> = {};
  if (!first) return out;
  for (const [k, v] of Object.entries(first.tags)) {
    if (rest.every((s) => s.tags[k] === v)) out[k] = v;
  }
  return out;
}
