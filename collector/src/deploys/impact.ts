import type { TimeSeries } from '../query/series.js';
import { type MannWhitneyResult, mannWhitneyU } from './mann-whitney.js';

/**
 * What a deploy changed: for each series, the interval values in the window before the deploy against those
 * in the window after it, summarised (mean, p50, p99), compared with a two-sided Mann–Whitney U test and
 * judged better, worse or unchanged.
 *
 * Pure: the series come already rendered, and "now" is an argument.
 */

/** Which way is good for the metric: `lower` for latency and errors (the default), `higher` for throughput. */
export type Better = 'lower' | 'higher';

/** `unknown` when a window holds too few values to test. */
export type Verdict = 'better' | 'worse' | 'unchanged' | 'unknown';

export interface ImpactOptions {
  /** Length of each window, seconds. */
  windowSec: number;
  /** Significance level of the test: a p-value below it counts as a difference. */
  alpha: number;
  /** Smallest change, in percent of the value before, that the median or the mean must show to count. */
  minChangePct: number;
  /** Fewest values each window must hold for a verdict. */
  minPoints: number;
  better: Better;
}

export const DEFAULT_IMPACT_OPTIONS: ImpactOptions = {
  windowSec: 30 * 60,
  alpha: 0.01,
  minChangePct: 10,
  // With 5 values a side and nothing tied, the smallest two-sided exact p is 2/252 ≈ 0.0079 < 0.01.
  minPoints: 5,
  better: 'lower',
};

export interface WindowSummary {
  count: number;
  mean: number | null;
  p50: number | null;
  p99: number | null;
}

export interface ChangePct {
  mean: number | null;
  p50: number | null;
  p99: number | null;
}

export interface Comparison {
  before: WindowSummary;
  after: WindowSummary;
  /** (after − before) / |before| × 100; 0 when both are 0; null when before is 0 and after is not, or either is missing. */
  change: ChangePct;
  /** The test on after (first sample) against before; null when a window holds too few values. */
  test: MannWhitneyResult | null;
  verdict: Verdict;
  /** One line saying why. */
  reason: string;
}

export interface SeriesImpact extends Comparison {
  target: string;
  tags: Record<string, string>;
  step: number;
}

/** The windows, as half-open [from, until) ranges of epoch seconds. */
export interface ImpactWindows {
  before: { from: number; until: number };
  after: { from: number; until: number };
}

/**
 * The before window is [deploy − window, deploy); the after window is [deploy, deploy + window), cut at `now`
 * while it is still running.
 */
export function impactWindows(deployTs: number, windowSec: number, now: number): ImpactWindows {
  return {
    before: { from: deployTs - windowSec, until: deployTs },
    after: { from: deployTs, until: Math.max(deployTs, Math.min(deployTs + windowSec, now)) },
  };
}

/**
 * The range to render so that every bucket inside the windows is read: the query engine returns the buckets
 * after `from` up to and including `until`'s.
 */
export function renderRange(deployTs: number, windowSec: number): { from: number; until: number } {
  return { from: deployTs - windowSec - 1, until: deployTs + windowSec - 1 };
}

/**
 * The interval values of a series that lie wholly inside each window. A bucket [t, t + step) that straddles
 * the deploy belongs to neither side, and nor does one that is not finished by `now`. Missing values are skipped.
 */
export function splitWindows(series: TimeSeries, windows: ImpactWindows): { before: number[]; after: number[] } {
  const before: number[] = [];
  const after: number[] = [];
  const { step, start, values } = series;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    const t = start + i * step;
    if (t >= windows.before.from && t + step <= windows.before.until) before.push(v);
    else if (t >= windows.after.from && t + step <= windows.after.until) after.push(v);
  }
  return { before, after };
}

/** Per series of the rendered target: the comparison of its windows around the deploy. */
export function deployImpact(
  series: readonly TimeSeries[],
  deployTs: number,
  now: number,
  options: ImpactOptions = DEFAULT_IMPACT_OPTIONS,
): SeriesImpact[] {
  const windows = impactWindows(deployTs, options.windowSec, now);
  return series.map((s) => {
    const { before, after } = splitWindows(s, windows);
    return { target: s.name, tags: s.tags, step: s.step, ...compareWindows(before, after, options) };
  });
}

/**
 * The verdict: `unknown` when either window holds fewer than `minPoints` values; `unchanged` unless the
 * two-sided Mann–Whitney U test finds a difference at `alpha` AND the median or the mean moved by at least
 * `minChangePct` percent in the direction the test found; otherwise `better` or `worse` by `better`.
 */
export function compareWindows(
  before: readonly number[],
  after: readonly number[],
  options: ImpactOptions = DEFAULT_IMPACT_OPTIONS,
): Comparison {
  const b = summarise(before);
  const a = summarise(after);
  const change: ChangePct = {
    mean: changePct(b.mean, a.mean),
    p50: changePct(b.p50, a.p50),
    p99: changePct(b.p99, a.p99),
  };
  const base = { before: b, after: a, change };
  if (before.length < options.minPoints || after.length < options.minPoints) {
    return {
      ...base,
      test: null,
      verdict: 'unknown',
      reason: `insufficient data: ${before.length} values before and ${after.length} after the deploy; at least ${options.minPoints} each are needed`,
    };
  }
  const test = mannWhitneyU(after, before);
  const pText = `Mann-Whitney U p=${formatP(test.p)}`;
  if (!(test.p < options.alpha)) {
    return { ...base, test, verdict: 'unchanged', reason: `no significant difference (${pText} ≥ α=${options.alpha})` };
  }
  const up = test.effect > 0;
  const moved = (pct: number | null, from: number | null, to: number | null): number => {
    // A change from 0 has no percentage: it is as large as can be, in its own direction.
    if (pct === null) return from === 0 && to !== null ? (to > 0 ? Infinity : -Infinity) : 0;
    return pct;
  };
  const shifts = [moved(change.p50, b.p50, a.p50), moved(change.mean, b.mean, a.mean)];
  const largest = Math.max(...shifts.map((s) => (up ? s : -s)));
  const shiftText = `p50 ${formatPct(change.p50)}, mean ${formatPct(change.mean)}`;
  if (!(largest >= options.minChangePct)) {
    return {
      ...base,
      test,
      verdict: 'unchanged',
      reason: `significant (${pText}) but the median and the mean moved less than ${options.minChangePct}% ${up ? 'up' : 'down'} (${shiftText})`,
    };
  }
  const verdict: Verdict = up === (options.better === 'higher') ? 'better' : 'worse';
  return {
    ...base,
    test,
    verdict,
    reason: `${up ? 'higher' : 'lower'} after the deploy (${shiftText}; ${pText} < α=${options.alpha}), and ${options.better} is better`,
  };
}

export function summarise(values: readonly number[]): WindowSummary {
  if (values.length === 0) return { count: 0, mean: null, p50: null, p99: null };
  const sorted = [...values].sort((x, y) => x - y);
  // A running mean keeps large values from overflowing a plain sum.
  let mean = 0;
  for (let i = 0; i < sorted.length; i++) mean += (sorted[i] - mean) / (i + 1);
  return { count: values.length, mean, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
}

/** The q-quantile of sorted values, interpolating linearly between order statistics (numpy's default, R type 7). */
export function quantile(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

function changePct(before: number | null, after: number | null): number | null {
  if (before === null || after === null) return null;
  if (before === 0) return after === 0 ? 0 : null;
  return ((after - before) / Math.abs(before)) * 100;
}

function formatPct(pct: number | null): string {
  if (pct === null) return 'n/a';
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
}

function formatP(p: number): string {
  return p >= 0.001 ? p.toFixed(3) : p.toExponential(1);
}
