import { pythonRegex } from '../python-regex.js';
import { QueryError } from '../query-error.js';
import type { TimeSeries } from '../series.js';
import { aggregateValues, canonicalAggFunc } from './aggregation.js';
import { defineFunction, type FunctionDef } from './define.js';
import { formatG, renamed } from './series-util.js';

/**
 * graphite-web's 'Filter Series' and 'Filter Data' functions. Series pass through untouched (same name,
 * tags and values) unless the function says otherwise; only removeAboveValue/removeBelowValue rename.
 */

/** An aggregate of one series' values, or null where graphite returns None (`func` as the user wrote it). */
export function aggregateOrNull(func: string, values: ArrayLike<number>): number | null {
  const v = aggregateValues(canonicalAggFunc(func), values);
  return Number.isNaN(v) ? null : v;
}

/** graphite's getAggFunc(): resolved before any series is looked at, so a bad name fails even for no series. */
export function checkAggFunc(func: string): void {
  canonicalAggFunc(func);
}

/** graphite's keyFunc(): a None aggregate sorts as -inf, on either side of a sort. */
export function sortKey(func: string, series: TimeSeries): number {
  return aggregateOrNull(func, series.values) ?? Number.NEGATIVE_INFINITY;
}

/**
 * Stable sort by a numeric key, as Python's list.sort(key=…, reverse=…): ties keep their input order in both
 * directions.
 */
export function sortByKey(series: readonly TimeSeries[], key: (s: TimeSeries) => number, reverse: boolean) {
  const keyed = series.map((s) => ({ s, k: key(s) }));
  keyed.sort((a, b) => (reverse ? cmp(b.k, a.k) : cmp(a.k, b.k)));
  return keyed.map((e) => e.s);
}

function cmp(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------------
// The functions.
// ---------------------------------------------------------------------------------------------------------

/** graphite's filterSeries operators; a None aggregate passes `!=`, `<` and `<=` and fails the rest. */
const OPERATORS: Record<string, (value: number | null, threshold: number) => boolean> = {
  '=': (v, t) => v !== null && v === t,
  '!=': (v, t) => v === null || v !== t,
  '>': (v, t) => v !== null && v > t,
  '>=': (v, t) => v !== null && v >= t,
  '<': (v, t) => v === null || v < t,
  '<=': (v, t) => v === null || v <= t,
};
const OPERATOR_NAMES = Object.keys(OPERATORS).sort();

function filterBy(series: readonly TimeSeries[], func: string, operator: string, threshold: number): TimeSeries[] {
  checkAggFunc(func);
  const test = Object.hasOwn(OPERATORS, operator) ? OPERATORS[operator] : undefined;
  if (!test) throw new QueryError(`Unsupported operator: ${operator}`);
  return series.filter((s) => test(aggregateOrNull(func, s.values), threshold));
}

/** highest()/lowest(): sort by the aggregate (None as -inf, ties in input order) and keep the first n. */
function highest(series: readonly TimeSeries[], n: number, func: string): TimeSeries[] {
  checkAggFunc(func);
  return sortByKey(series, (s) => sortKey(func, s), true).slice(0, n);
}
function lowest(series: readonly TimeSeries[], n: number, func: string): TimeSeries[] {
  checkAggFunc(func);
  return sortByKey(series, (s) => sortKey(func, s), false).slice(0, n);
}

const seriesListParam = { name: 'seriesList', type: 'seriesList', required: true } as const;
const countParam = { name: 'n', type: 'integer', required: true } as const;
const thresholdParam = { name: 'n', type: 'float', required: true } as const;

export const filterSeries = defineFunction({
  name: 'filterSeries',
  group: 'Filter Series',
  description:
    'Keeps the series whose aggregate (`func`, e.g. max or average) compares with `threshold` by `operator` ' +
    '(=, !=, >, >=, < or <=). A series whose aggregate is null passes !=, < and <= and fails the others.\n\n' +
    "Example: `&target=filterSeries(system.interface.eth*.packetsSent, 'max', '>', 1000)`",
  params: [
    seriesListParam,
    { name: 'func', type: 'aggFunc', required: true },
    { name: 'operator', type: 'string', required: true, options: OPERATOR_NAMES },
    { name: 'threshold', type: 'float', required: true },
  ],
  run(_ctx, series, func, operator, threshold) {
    return filterBy(series, func, operator, threshold);
  },
});

function thresholdFilter(name: string, func: string, operator: '>' | '<=', description: string): FunctionDef {
  return defineFunction({
    name,
    group: 'Filter Series',
    description,
    params: [seriesListParam, thresholdParam],
    run(_ctx, series, n) {
      return filterBy(series, func, operator, n);
    },
  });
}

export const maximumAbove = thresholdFilter(
  'maximumAbove',
  'max',
  '>',
  'Keeps the series whose maximum is strictly above `n`; an all-null series is dropped.\n\n' +
    'Example: `&target=maximumAbove(system.interface.eth*.packetsSent,1000)`',
);
export const maximumBelow = thresholdFilter(
  'maximumBelow',
  'max',
  '<=',
  'Keeps the series whose maximum is at or below `n`; an all-null series is kept.\n\n' +
    'Example: `&target=maximumBelow(system.interface.eth*.packetsSent,1000)`',
);
export const minimumAbove = thresholdFilter(
  'minimumAbove',
  'min',
  '>',
  'Keeps the series whose minimum is strictly above `n`; an all-null series is dropped.\n\n' +
    'Example: `&target=minimumAbove(system.interface.eth*.packetsSent,1000)`',
);
export const minimumBelow = thresholdFilter(
  'minimumBelow',
  'min',
  '<=',
  'Keeps the series whose minimum is at or below `n` (it dipped that low at least once); an all-null series is kept.\n\n' +
    'Example: `&target=minimumBelow(system.interface.eth*.packetsSent,1000)`',
);
export const currentAbove = thresholdFilter(
  'currentAbove',
  'last',
  '>',
  'Keeps the series whose last non-null value is strictly above `n`; an all-null series is dropped.\n\n' +
    'Example: `&target=currentAbove(server*.instance*.threads.busy,50)`',
);
export const currentBelow = thresholdFilter(
  'currentBelow',
  'last',
  '<=',
  'Keeps the series whose last non-null value is at or below `n`; an all-null series is kept.\n\n' +
    'Example: `&target=currentBelow(server*.instance*.threads.busy,3)`',
);
export const averageAbove = thresholdFilter(
  'averageAbove',
  'average',
  '>',
  'Keeps the series whose average (of the non-null values) is strictly above `n`; an all-null series is dropped.\n\n' +
    'Example: `&target=averageAbove(server*.instance*.threads.busy,25)`',
);
export const averageBelow = thresholdFilter(
  'averageBelow',
  'average',
  '<=',
  'Keeps the series whose average (of the non-null values) is at or below `n`; an all-null series is kept.\n\n' +
    'Example: `&target=averageBelow(server*.instance*.threads.busy,25)`',
);

export const highestFn = defineFunction({
  name: 'highest',
  group: 'Filter Series',
  description:
    'Keeps the `n` series with the highest aggregate (`func`, average by default), highest first. A null ' +
    'aggregate ranks lowest; ties keep their input order.\n\n' +
    "Example: `&target=highest(server*.instance*.threads.busy,5,'max')`",
  params: [seriesListParam, countParam, { name: 'func', type: 'aggFunc', default: 'average' }],
  run(_ctx, series, n, func) {
    return highest(series, n, func);
  },
});

export const lowestFn = defineFunction({
  name: 'lowest',
  group: 'Filter Series',
  description:
    'Keeps the `n` series with the lowest aggregate (`func`, average by default), lowest first. As in ' +
    'graphite-web a null aggregate counts as -inf, so all-null series come first; ties keep their input order.\n\n' +
    "Example: `&target=lowest(server*.instance*.threads.busy,5,'min')`",
  params: [seriesListParam, countParam, { name: 'func', type: 'aggFunc', default: 'average' }],
  run(_ctx, series, n, func) {
    return lowest(series, n, func);
  },
});

function ranked(name: string, func: string, high: boolean, description: string): FunctionDef {
  return defineFunction({
    name,
    group: 'Filter Series',
    description,
    params: [seriesListParam, countParam],
    run(_ctx, series, n) {
      return high ? highest(series, n, func) : lowest(series, n, func);
    },
  });
}

export const highestCurrent = ranked(
  'highestCurrent',
  'current',
  true,
  'Keeps the `n` series with the highest last non-null value, highest first; all-null series rank last.\n\n' +
    'Example: `&target=highestCurrent(server*.instance*.threads.busy,5)`',
);
export const highestMax = ranked(
  'highestMax',
  'max',
  true,
  'Keeps the `n` series with the highest maximum, highest first; all-null series rank last.\n\n' +
    'Example: `&target=highestMax(server*.instance*.threads.busy,5)`',
);
export const highestAverage = ranked(
  'highestAverage',
  'average',
  true,
  'Keeps the `n` series with the highest average (of the non-null values), highest first; all-null series rank last.\n\n' +
    'Example: `&target=highestAverage(server*.instance*.threads.busy,5)`',
);
export const lowestCurrent = ranked(
  'lowestCurrent',
  'current',
  false,
  'Keeps the `n` series with the lowest last non-null value, lowest first. As in graphite-web an all-null ' +
    'series counts as -inf and so comes first.\n\n' +
    'Example: `&target=lowestCurrent(server*.instance*.threads.busy,5)`',
);
export const lowestAverage = ranked(
  'lowestAverage',
  'average',
  false,
  'Keeps the `n` series with the lowest average, lowest first. As in graphite-web an all-null series counts ' +
    'as -inf and so comes first.\n\n' +
    'Example: `&target=lowestAverage(server*.instance*.threads.busy,5)`',
);

export const removeAboveValue = defineFunction({
  name: 'removeAboveValue',
  group: 'Filter Data',
  description:
    'Sets every value strictly above `n` to null, and names the series `removeAboveValue(<name>, <n>)`.\n\n' +
    'Example: `&target=removeAboveValue(Server.instance01.threads.busy, 1000)`',
  params: [seriesListParam, thresholdParam],
  run(_ctx, series, n) {
    return series.map((s) => {
      const values = s.values.map((v) => (v > n ? Number.NaN : v));
      return renamed(s, `removeAboveValue(${s.name}, ${formatG(n)})`, values);
    });
  },
});

export const removeBelowValue = defineFunction({
  name: 'removeBelowValue',
  group: 'Filter Data',
  description:
    'Sets every value strictly below `n` to null, and names the series `removeBelowValue(<name>, <n>)`.\n\n' +
    'Example: `&target=removeBelowValue(Server.instance01.threads.busy, 0)`',
  params: [seriesListParam, thresholdParam],
  run(_ctx, series, n) {
    return series.map((s) => {
      const values = s.values.map((v) => (v < n ? Number.NaN : v));
      return renamed(s, `removeBelowValue(${s.name}, ${formatG(n)})`, values);
    });
  },
});

export const removeEmptySeries = defineFunction({
  name: 'removeEmptySeries',
  group: 'Filter Series',
  description:
    'Drops the series with no data. With `xFilesFactor` (0 by default) a series is kept only when at least ' +
    'that fraction of its values is non-null; a series with no non-null value is always dropped.\n\n' +
    'Example: `&target=removeEmptySeries(server*.instance*.threads.busy)`',
  params: [seriesListParam, { name: 'xFilesFactor', type: 'float' }],
  run(_ctx, series, xFilesFactor) {
    const xff = xFilesFactor ?? 0;
    return series.filter((s) => {
      let nonNull = 0;
      for (const v of s.values) if (!Number.isNaN(v)) nonNull++;
      return nonNull > 0 && nonNull / s.values.length >= xff;
    });
  },
});

export const exclude = defineFunction({
  name: 'exclude',
  group: 'Filter Series',
  description:
    'Drops the series whose name the regular expression `pattern` matches anywhere (Python `re.search` ' +
    'semantics).\n\nExample: `&target=exclude(servers*.instance*.threads.busy,"server02")`',
  params: [seriesListParam, { name: 'pattern', type: 'string', required: true }],
  run(_ctx, series, pattern) {
    const re = pythonRegex(pattern);
    return series.filter((s) => !re.test(s.name));
  },
});

export const grep = defineFunction({
  name: 'grep',
  group: 'Filter Series',
  description:
    'Keeps only the series whose name the regular expression `pattern` matches anywhere (Python `re.search` ' +
    'semantics).\n\nExample: `&target=grep(servers*.instance*.threads.busy,"server02")`',
  params: [seriesListParam, { name: 'pattern', type: 'string', required: true }],
  run(_ctx, series, pattern) {
    const re = pythonRegex(pattern);
    return series.filter((s) => re.test(s.name));
  },
});

export const limit = defineFunction({
  name: 'limit',
  group: 'Filter Series',
  description:
    'Keeps the first `n` series of the list (a negative `n` drops that many from the end, as a Python slice).\n\n' +
    'Example: `&target=limit(server*.instance*.memory.free,5)`',
  params: [seriesListParam, countParam],
  run(_ctx, series, n) {
    return series.slice(0, n);
  },
});

export const filterFunctions: FunctionDef[] = [
  filterSeries,
  highestFn,
  lowestFn,
  highestCurrent,
  highestMax,
  highestAverage,
  lowestCurrent,
  lowestAverage,
  currentAbove,
  currentBelow,
  averageAbove,
  averageBelow,
  maximumAbove,
  maximumBelow,
  minimumAbove,
  minimumBelow,
  removeAboveValue,
  removeBelowValue,
  removeEmptySeries,
  exclude,
  grep,
  limit,
];
