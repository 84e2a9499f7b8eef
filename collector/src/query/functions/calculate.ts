import type { EvalContext } from '../evaluator.js';
import { QueryError } from '../query-error.js';
import type { TimeSeries } from '../series.js';
import { parseInterval } from '../time.js';
import { aggregateValues, medianOfSorted, resolveAggFunc } from './aggregation.js';
import { defineFunction, type FunctionDef } from './define.js';
import { derive, pyCapitalize, pyStr } from './graphite-compat.js';
import { formatG } from './series-util.js';
import { reread, withLeadingNulls } from './window.js';

/** graphite-web's 'Calculate' functions: moving windows and percentiles. */

const SERIES_LIST = { name: 'seriesList', type: 'seriesList', required: true } as const;
const WINDOW_SIZE = {
  name: 'windowSize',
  type: 'intOrInterval',
  required: true,
  suggestions: [5, 7, 10, '1min', '5min', '10min', '30min', '1hour'],
} as const;
const XFILES_FACTOR = { name: 'xFilesFactor', type: 'float' } as const;

/**
 * graphite-web's movingWindow. The window of the point at time t is the `windowSize` points (or the
 * points within the interval) strictly before t; t itself is not in its own window. The input is read
 * again from `range.from - window` so the first points have full windows, and the result starts a window
 * after the re-read series (which is where the input starts when the window is a whole number of steps).
 * A point is null unless its window has a value and at least the xFilesFactor share of values.
 */
function movingWindow(
  ctx: EvalContext,
  fn: string,
  seriesList: TimeSeries[],
  windowSize: number | string,
  func: string,
  xFilesFactor: number | undefined,
): TimeSeries[] {
  if (seriesList.length === 0) return [];
  const agg = resolveAggFunc(func, fn, 'func');
  let previewSeconds: number;
  if (typeof windowSize === 'string') {
    previewSeconds = Math.abs(parseInterval(windowSize));
  } else {
    if (windowSize <= 0) {
      throw new QueryError(
        `Invalid "intOrInterval" value specified for function "${fn}" parameter "windowSize": ${windowSize}` +
          ' (a window needs at least one point)',
      );
    }
    previewSeconds = seriesList.reduce((step, s) => Math.max(step, s.step), 0) * windowSize;
  }

  const tagName = `moving${pyCapitalize(func)}`;
  const previews = reread(ctx, seriesList, { ...ctx.range, from: ctx.range.from - previewSeconds });
  return seriesList.map((input, i) => {
    const preview = previews[i] ?? withLeadingNulls(input, Math.ceil(previewSeconds / input.step));
    const windowPoints = typeof windowSize === 'string' ? Math.floor(previewSeconds / preview.step) : windowSize;
    const xff = xFilesFactor ?? preview.xFilesFactor;
    const count = Math.max(0, preview.values.length - windowPoints);
    const values = movingValues(agg, preview.values, windowPoints, count, xff);
    const size = typeof windowSize === 'string' ? `"${windowSize}"` : String(windowSize);
    return derive(
      preview,
      `${tagName}(${input.name},${size})`,
      values,
      { [tagName]: String(windowSize) },
      { start: preview.start + previewSeconds },
    );
  });
}

/** Inserts v into the ascending array `sorted`. */
function insertSorted(sorted: number[], v: number): void {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  sorted.splice(lo, 0, v);
}

/** Removes one occurrence of v from the ascending array `sorted`. */
function removeSorted(sorted: number[], v: number): void {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  sorted.splice(lo, 1);
}

/**
 * The moving-window values: out[k] is `agg` over the non-null values of src[k, k + windowPoints), as
 * graphite-web applies the aggregation to the window's non-null values (so avg_zero is the plain average
 * here), or null when the window has no value or less than the xFilesFactor share. Sums are taken afresh
 * for every window, left to right as Python's sum() adds; the median keeps the window sorted as it slides.
 */
function movingValues(agg: string, src: Float64Array, windowPoints: number, count: number, xff: number): Float64Array {
  const out = new Float64Array(count).fill(Number.NaN);
  if (windowPoints === 0) return out;
  const valid = (n: number) => n > 0 && n / windowPoints >= xff;
  switch (agg) {
    case 'sum':
    case 'average':
    case 'avg_zero':
      for (let k = 0; k < count; k++) {
        let sum = 0;
        let n = 0;
        for (let j = k; j < k + windowPoints; j++) {
          const v = src[j];
          if (Number.isNaN(v)) continue;
          sum += v;
          n++;
        }
        if (valid(n)) out[k] = agg === 'sum' ? sum : sum / n;
      }
      return out;
    case 'min':
    case 'max':
      for (let k = 0; k < count; k++) {
        let best = agg === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
        let n = 0;
        for (let j = k; j < k + windowPoints; j++) {
          const v = src[j];
          if (Number.isNaN(v)) continue;
          if (agg === 'min' ? v < best : v > best) best = v;
          n++;
        }
        if (valid(n)) out[k] = best;
      }
      return out;
    case 'median': {
      const sorted: number[] = [];
      for (let j = 0; j < Math.min(windowPoints - 1, src.length); j++)
        if (!Number.isNaN(src[j])) insertSorted(sorted, src[j]);
      for (let k = 0; k < count; k++) {
        const entering = src[k + windowPoints - 1];
        if (!Number.isNaN(entering)) insertSorted(sorted, entering);
        if (valid(sorted.length)) out[k] = medianOfSorted(sorted);
        const leaving = src[k];
        if (!Number.isNaN(leaving)) removeSorted(sorted, leaving);
      }
      return out;
    }
    default: {
      const window: number[] = [];
      for (let k = 0; k < count; k++) {
        window.length = 0;
        for (let j = k; j < k + windowPoints; j++) if (!Number.isNaN(src[j])) window.push(src[j]);
        if (valid(window.length)) out[k] = aggregateValues(agg, window);
      }
      return out;
    }
  }
}

const windowNote =
  'The window ends just before each point (the point itself is not in it), and data from before the range ' +
  'is read so the first points have full windows. `xFilesFactor` is the share of the window that must be ' +
  "non-null (default: the series' own, 0 unless set).";

export const movingWindowFunction = defineFunction({
  name: 'movingWindow',
  group: 'Calculate',
  description:
    'Applies an aggregation function (`func`, default average) to a moving window of `windowSize` points, or ' +
    `of a length of time such as '5min'. ${windowNote} The result is named after the function, e.g. ` +
    "movingMax(x,5).\n\nExample: `&target=movingWindow(Server.instance*.threads.idle,'5min','median',0.5)`",
  params: [SERIES_LIST, WINDOW_SIZE, { name: 'func', type: 'aggFunc', default: 'average' }, XFILES_FACTOR],
  run(ctx, seriesList, windowSize, func, xFilesFactor) {
    return movingWindow(ctx, 'movingWindow', seriesList, windowSize, func, xFilesFactor);
  },
});

function movingFunction(name: string, func: string, what: string) {
  return defineFunction({
    name,
    group: 'Calculate',
    description:
      `The moving ${what} of each series over \`windowSize\` points, or over a length of time such as '5min'. ` +
      `${windowNote}\n\nExample: \`&target=${name}(Server.instance01.threads.busy,10)\` or ` +
      `\`&target=${name}(Server.instance*.threads.idle,'5min')\``,
    params: [SERIES_LIST, WINDOW_SIZE, XFILES_FACTOR],
    run(ctx, seriesList, windowSize, xFilesFactor) {
      return movingWindow(ctx, name, seriesList, windowSize, func, xFilesFactor);
    },
  });
}

export const movingAverage = movingFunction('movingAverage', 'average', 'average');
export const movingSum = movingFunction('movingSum', 'sum', 'sum');
export const movingMin = movingFunction('movingMin', 'min', 'minimum');
export const movingMax = movingFunction('movingMax', 'max', 'maximum');
export const movingMedian = movingFunction('movingMedian', 'median', 'median');

/**
 * graphite-web's _getPercentile without interpolation (NIST method): the value at rank
 * ceil(n/100 * (count + 1)), clamped to the first and last values.
 */
function percentile(sorted: readonly number[], n: number): number {
  const fractionalRank = (n / 100) * (sorted.length + 1);
  let rank = Math.trunc(fractionalRank);
  rank += Math.ceil(fractionalRank - rank);
  if (rank === 0) return sorted[0];
  if (rank - 1 === sorted.length) return sorted[sorted.length - 1];
  return sorted[rank - 1];
}

export const nPercentile = defineFunction({
  name: 'nPercentile',
  group: 'Calculate',
  description:
    "Draws the n-th percentile of each series' non-null values over the whole range as a flat line " +
    '(the value at rank ceil(n/100 * (count + 1)), no interpolation). A series with no values is dropped.' +
    '\n\nExample: `&target=nPercentile(stats.timers.api.latency.upper_90,95)`',
  params: [SERIES_LIST, { name: 'n', type: 'float', required: true }],
  run(_ctx, seriesList, n) {
    if (!(n > 0 && n <= 100)) {
      throw new QueryError(
        `Invalid "float" value specified for function "nPercentile" parameter "n": ${pyStr(n)}` +
          ' (the percent must be greater than 0 and at most 100)',
      );
    }
    const out: TimeSeries[] = [];
    for (const s of seriesList) {
      const sorted = [...s.values].filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
      if (sorted.length === 0) continue;
      const count = Math.max(0, Math.trunc((s.end - s.start) / s.step));
      const values = new Float64Array(count).fill(percentile(sorted, n));
      out.push(derive(s, `nPercentile(${s.name}, ${formatG(n)})`, values, { nPercentile: pyStr(n) }));
    }
    return out;
  },
});

export const calculateFunctions: FunctionDef[] = [
  movingWindowFunction,
  movingAverage,
  movingSum,
  movingMin,
  movingMax,
  movingMedian,
  nPercentile,
];
