import type { EvalContext } from '../evaluator.js';
import { QueryError } from '../query-error.js';
import type { TimeSeries } from '../series.js';
import { AGG_ALIASES } from './aggregation.js';
import { aggKey } from './alias.js';
import { defineFunction, type FunctionDef } from './define.js';
import { commonTags, consolidateBy, joinPathExpressions, makeSeries, normalize } from './series-util.js';

/**
 * graphite-web's 'Combine' functions: several series in, fewer out. Everything here follows graphite-web's
 * render/functions.py, functions/aggfuncs.py and functions/safe.py: a null (NaN) is skipped by every
 * aggregation except `multiply` (any null gives null) and `avg_zero` (null counts as 0), a row with no
 * values is null, and x/0 is null.
 */

// ---------------------------------------------------------------------------------------------------------
// Aggregation functions (aggfuncs.py), applied point by point across aligned series; NaN = None
// ---------------------------------------------------------------------------------------------------------

type AggFunc =
  | 'average'
  | 'avg_zero'
  | 'median'
  | 'sum'
  | 'min'
  | 'max'
  | 'diff'
  | 'stddev'
  | 'count'
  | 'range'
  | 'multiply'
  | 'last';

/** getAggFunc: the aggregation for a name (a `...Series` suffix already stripped), or graphite's error. */
function aggFunc(func: string, raw = func): AggFunc {
  if (!Object.hasOwn(AGG_ALIASES, func)) throw new QueryError(`Unsupported aggregation function: ${raw}`);
  return AGG_ALIASES[func] as AggFunc;
}

const stripSeries = (func: string): string => (func.endsWith('Series') ? func.slice(0, -6) : func);

/**
 * Aggregates aligned series point by point. A point is null unless some values are present and their share
 * reaches xFilesFactor (xffValues); then it is the aggregation of the row with graphite-web's null rules
 * (safe.py): nulls are skipped, except by avg_zero (a null counts as 0) and multiply (any null gives null).
 * Sums run in series order, as Python's sum() over the row does.
 */
function aggregateColumns(func: AggFunc, values: readonly Float64Array[], length: number, xff: number): Float64Array {
  const count = new Uint32Array(length);
  const acc = new Float64Array(length).fill(func === 'multiply' ? 1 : func === 'min' || func === 'max' ? NaN : 0);
  const acc2 = new Float64Array(func === 'range' || func === 'stddev' ? length : 0).fill(func === 'range' ? NaN : 0);
  const nullSeen = new Uint8Array(func === 'multiply' ? length : 0);
  for (const v of values) {
    for (let i = 0; i < length; i++) {
      const x = v[i] ?? NaN;
      if (Number.isNaN(x)) {
        if (func === 'multiply') nullSeen[i] = 1;
        continue;
      }
      const first = count[i] === 0;
      count[i]++;
      switch (func) {
        case 'min':
          if (first || x < acc[i]) acc[i] = x;
          break;
        case 'max':
          if (first || x > acc[i]) acc[i] = x;
          break;
        case 'range':
          if (first || x < acc[i]) acc[i] = x;
          if (first || x > acc2[i]) acc2[i] = x;
          break;
        case 'diff':
          acc[i] = first ? x : acc[i] - x;
          break;
        case 'last':
          acc[i] = x;
          break;
        case 'multiply':
          acc[i] *= x;
          break;
        default:
          acc[i] += x;
      }
    }
  }
  if (func === 'stddev') {
    for (const v of values) {
      for (let i = 0; i < length; i++) {
        const x = v[i] ?? NaN;
        if (Number.isNaN(x)) continue;
        const d = x - acc[i] / count[i];
        acc2[i] += d * d;
      }
    }
  }
  const out = new Float64Array(length);
  const row: number[] = [];
  for (let i = 0; i < length; i++) {
    const n = count[i];
    if (n === 0 || n / values.length < xff) {
      out[i] = NaN;
      continue;
    }
    switch (func) {
      case 'average':
        out[i] = acc[i] / n;
        break;
      case 'avg_zero':
        out[i] = acc[i] / values.length;
        break;
      case 'count':
        out[i] = n;
        break;
      case 'range':
        out[i] = acc2[i] - acc[i];
        break;
      case 'stddev':
        out[i] = Math.sqrt(acc2[i] / n);
        break;
      case 'multiply':
        out[i] = nullSeen[i] ? NaN : acc[i];
        break;
      case 'median': {
        row.length = 0;
        for (const v of values) if (!Number.isNaN(v[i] ?? NaN)) row.push(v[i]);
        row.sort((a, b) => a - b);
        const mid = Math.floor(n / 2);
        out[i] = n % 2 ? row[mid] : (row[mid - 1] + row[mid]) / 2;
        break;
      }
      default:
        out[i] = acc[i];
    }
  }
  return out;
}

/**
 * graphite-web's normalize(): one step (the lcm), one start, the values aligned. Series that already share
 * start, step and length are used as they are.
 */
function aligned(series: readonly TimeSeries[]): {
  start: number;
  step: number;
  length: number;
  values: Float64Array[];
} {
  const [first] = series;
  if (
    series.every((s) => s.start === first.start && s.step === first.step && s.values.length === first.values.length)
  ) {
    return { start: first.start, step: first.step, length: first.values.length, values: series.map((s) => s.values) };
  }
  const { start, step, values } = normalize(series);
  return { start, step, length: Math.max(0, ...values.map((v) => v.length)), values };
}

/**
 * graphite-web's aggregate(): normalises the series, aggregates each point, names the result
 * `<func>Series(<pathExpressions>)` and keeps the shared tags, plus `aggregatedBy` and a `name` (the shared
 * one if every input has the same, else the new name).
 */
function aggregateSeries(series: readonly TimeSeries[], rawFunc: string, xFilesFactor = 0): TimeSeries | null {
  const func = stripSeries(rawFunc);
  const fn = aggFunc(func, rawFunc);
  if (series.length === 0) return null;
  const { start, step, length, values } = aligned(series);
  const name = `${func}Series(${joinPathExpressions(series)})`;
  const tags = commonTags(series);
  if (!Object.hasOwn(tags, 'name')) tags.name = name;
  tags.aggregatedBy = func;
  const result = makeSeries(name, start, step, aggregateColumns(fn, values, length, xFilesFactor), tags);
  result.xFilesFactor = xFilesFactor;
  // A sum of counts is still a count: when every input folds the same way under maxDataPoints, so does the
  // sum (graphite-web resets it to average, which halves a count whose bucket holds an idle zero).
  const folds = new Set(series.map((s) => s.consolidationFunc));
  if (fn === 'sum' && folds.size === 1) result.consolidationFunc = series[0].consolidationFunc;
  return result;
}

/** Combines two aligned rows of values point by point. */
function zipWith(a: Float64Array, b: Float64Array, length: number, fn: (x: number, y: number) => number): Float64Array {
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = fn(a[i] ?? NaN, b[i] ?? NaN);
  return out;
}

const one = (s: TimeSeries | null): TimeSeries[] => (s ? [s] : []);

/** countSeries: the number of series at every point; with no arguments at all, a constant 0 line. */
function countOf(ctx: EvalContext, lists: readonly TimeSeries[][]): TimeSeries[] {
  if (lists.length === 0) {
    const { from, until } = ctx.range;
    const s = makeSeries('0', from, Math.max(1, Math.floor((until - from) / 2)), new Float64Array(3));
    s.pathExpression = 'countSeries()';
    return [s];
  }
  const all = lists.flat();
  if (all.length === 0) return [];
  const { start, step, length } = aligned(all);
  return [
    makeSeries(`countSeries(${joinPathExpressions(all)})`, start, step, new Float64Array(length).fill(all.length)),
  ];
}

/**
 * A groupByNode(s)/groupByTags callback: one of graphite-web's series functions that takes a single series
 * list (sumSeries, averageSeries, multiplySeries, countSeries, … and the short `sum`/`avg`), else an
 * aggregation name, with or without a `Series` suffix, handed to aggregate().
 */
function callbackFor(ctx: EvalContext, callback: string): (group: TimeSeries[]) => TimeSeries | null {
  switch (callback) {
    case 'sum':
    case 'sumSeries':
      return (g) => aggregateSeries(g, 'sum');
    case 'avg':
    case 'averageSeries':
      return (g) => aggregateSeries(g, 'average');
    case 'multiplySeries':
      return (g) => (g.length === 1 ? g[0] : aggregateSeries(g, 'multiply'));
    case 'countSeries':
      return (g) => countOf(ctx, [g])[0] ?? null;
    case 'rangeOfSeries':
      return (g) => aggregateSeries(g, 'rangeOf');
  }
  aggFunc(stripSeries(callback), callback); // rejects names graphite-web has no aggregation for
  return (g) => aggregateSeries(g, callback);
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number): number => (a / gcd(a, b)) * b;

/** Groups series by a key, keeping the order in which keys first appear. */
function groupBy(series: readonly TimeSeries[], key: (s: TimeSeries) => string): Map<string, TimeSeries[]> {
  const groups = new Map<string, TimeSeries[]>();
  for (const s of series) {
    const k = key(s);
    const group = groups.get(k);
    if (group) group.push(s);
    else groups.set(k, [s]);
  }
  return groups;
}

/** Python's str() of a number as the evaluator hands it over (integers print without ".0"). */
function pyStr(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return String(v);
  const [mantissa, exp] = v.toExponential().split('e');
  const e = Number(exp);
  if (e >= -4 && e < 16) return String(v);
  return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

/** safeMul(safeDiv(v, total), 100): null when either is null or the total is 0. */
const percent = (v: number, total: number): number =>
  Number.isNaN(v) || Number.isNaN(total) || total === 0 ? Number.NaN : (v / total) * 100;

/** Two series normalised together and combined point by point into a new series called `name`. */
function pairwise(name: string, a: TimeSeries, b: TimeSeries, fn: (x: number, y: number) => number): TimeSeries {
  const { start, step, length, values } = aligned([a, b]);
  return makeSeries(name, start, step, zipWith(values[0], values[1], length, fn));
}

/** A series brought to a coarser step (consolidated with its own function), keeping its start. */
function consolidatedTo(series: TimeSeries, step: number): TimeSeries {
  if (step === series.step) return series;
  const values = consolidateBy(series, step / series.step);
  return { ...series, step, values, end: series.start + values.length * step };
}

/** The sum of a group of series, as asPercent totals them: `sumSeries(<pathExpressions>)`, no xFilesFactor. */
function sumTotal(group: readonly TimeSeries[]): TimeSeries {
  if (group.length === 1) return group[0];
  const { start, step, length, values } = aligned(group);
  return makeSeries(
    `sumSeries(${joinPathExpressions(group)})`,
    start,
    step,
    aggregateColumns('sum', values, length, 0),
  );
}

const allNull = (name: string, like: TimeSeries): TimeSeries =>
  makeSeries(name, like.start, like.step, new Float64Array(like.values.length).fill(Number.NaN));

function asPercentByNodes(
  list: readonly TimeSeries[],
  total: TimeSeries[] | null,
  nodes: readonly (number | string)[],
): TimeSeries[] {
  const groups = groupBy(list, (s) => aggKey(s, nodes));
  const keys = [...groups.keys()];
  const totals = new Map<string, TimeSeries>();
  if (total === null) {
    for (const [key, group] of groups) totals.set(key, sumTotal(group));
  } else {
    const totalGroups = groupBy(total, (s) => aggKey(s, nodes));
    for (const [key, group] of totalGroups) {
      if (!groups.has(key)) keys.push(key);
      totals.set(key, sumTotal(group));
    }
  }
  const out: TimeSeries[] = [];
  for (const key of keys) {
    const group = groups.get(key);
    const t = totals.get(key);
    if (!group) {
      if (t) out.push(allNull(`asPercent(MISSING,${t.name})`, t));
      continue;
    }
    for (const s of group) {
      out.push(
        t ? pairwise(`asPercent(${s.name},${t.name})`, s, t, percent) : allNull(`asPercent(${s.name},MISSING)`, s),
      );
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Functions
// ---------------------------------------------------------------------------------------------------------

const seriesLists = { name: 'seriesLists', type: 'seriesList', required: true, multiple: true } as const;
const seriesList = { name: 'seriesList', type: 'seriesList', required: true } as const;

export const sumSeries = defineFunction({
  name: 'sumSeries',
  aliases: ['sum'],
  group: 'Combine',
  description:
    'Adds metrics together and returns the sum at each datapoint; nulls are ignored, and a point where every series is null stays null. Series with different steps are consolidated to the coarsest.\n\nExample: `&target=sumSeries(company.server.application*.requestsHandled)`',
  params: [seriesLists],
  run(_ctx, lists) {
    return one(aggregateSeries(lists.flat(), 'sum'));
  },
});

export const averageSeries = defineFunction({
  name: 'averageSeries',
  aliases: ['avg'],
  group: 'Combine',
  description:
    'Takes one metric or a wildcard seriesList and draws the average value of all metrics passed at each time (the mean of the non-null values).\n\nExample: `&target=averageSeries(company.server.*.threads.busy)`',
  params: [seriesLists],
  run(_ctx, lists) {
    return one(aggregateSeries(lists.flat(), 'average'));
  },
});

export const minSeries = defineFunction({
  name: 'minSeries',
  group: 'Combine',
  description:
    'Takes one metric or a wildcard seriesList. For each datapoint from each metric passed in, picks the minimum value and graphs it.\n\nExample: `&target=minSeries(Server*.connections.total)`',
  params: [seriesLists],
  run(_ctx, lists) {
    return one(aggregateSeries(lists.flat(), 'min'));
  },
});

export const maxSeries = defineFunction({
  name: 'maxSeries',
  group: 'Combine',
  description:
    'Takes one metric or a wildcard seriesList. For each datapoint from each metric passed in, picks the maximum value and graphs it.\n\nExample: `&target=maxSeries(Server*.connections.total)`',
  params: [seriesLists],
  run(_ctx, lists) {
    return one(aggregateSeries(lists.flat(), 'max'));
  },
});

export const diffSeries = defineFunction({
  name: 'diffSeries',
  group: 'Combine',
  description:
    'Subtracts series 2 through n from series 1 (nulls are skipped: the first non-null value minus the other non-null values). To diff a series and a constant, use offset.\n\nExample: `&target=diffSeries(service.connections.total,service.connections.failed)`',
  params: [seriesLists],
  run(_ctx, lists) {
    return one(aggregateSeries(lists.flat(), 'diff'));
  },
});

export const multiplySeries = defineFunction({
  name: 'multiplySeries',
  group: 'Combine',
  description:
    'Takes two or more series and multiplies their points; a point is null if any series is null there. A single series is returned unchanged. To multiply by a constant, use scale.\n\nExample: `&target=multiplySeries(Series.dividends,Series.divisors)`',
  params: [seriesLists],
  run(_ctx, lists) {
    if (lists.length === 1 && lists[0].length === 1) return lists[0];
    return one(aggregateSeries(lists.flat(), 'multiply'));
  },
});

export const rangeOfSeries = defineFunction({
  name: 'rangeOfSeries',
  group: 'Combine',
  description:
    'Takes a wildcard seriesList and distills it down to the range of the series at each point (maximum minus minimum of the non-null values).\n\nExample: `&target=rangeOfSeries(Server*.connections.total)`',
  params: [seriesLists],
  run(_ctx, lists) {
    return one(aggregateSeries(lists.flat(), 'rangeOf'));
  },
});

export const countSeries = defineFunction({
  name: 'countSeries',
  group: 'Combine',
  description:
    'Draws a horizontal line representing the number of nodes found in the seriesList.\n\nExample: `&target=countSeries(carbon.agents.*.*)`',
  params: [{ name: 'seriesLists', type: 'seriesList', multiple: true }],
  run(ctx, lists) {
    return countOf(ctx, lists);
  },
});

export const aggregate = defineFunction({
  name: 'aggregate',
  group: 'Combine',
  description:
    'Aggregates series using the specified function: average (or avg), avg_zero, median, sum (or total), min, max, diff, stddev, count, range (or rangeOf), multiply and last (or current); a `Series` suffix is accepted. A point is null unless the share of non-null values reaches xFilesFactor. The result is named `<func>Series(...)`.\n\nExample: `&target=aggregate(host.cpu-[0-7].cpu-{user,system}.value, "sum")`',
  params: [seriesList, { name: 'func', type: 'aggFunc', required: true }, { name: 'xFilesFactor', type: 'float' }],
  run(_ctx, list, func, xFilesFactor) {
    return one(aggregateSeries(list, func, xFilesFactor ?? 0));
  },
});

function withWildcards(list: readonly TimeSeries[], func: string, positions: readonly number[]): TimeSeries[] {
  const groups = groupBy(list, (s) =>
    s.name
      .split('.')
      .filter((_, i) => !positions.includes(i))
      .join('.'),
  );
  return [...groups].flatMap(([key, group]) => one(aggregateSeries(group, func)).map((s) => ({ ...s, name: key })));
}

export const sumSeriesWithWildcards = defineFunction({
  name: 'sumSeriesWithWildcards',
  group: 'Combine',
  description:
    'Categorizes the series in groups by name, ignoring ("wildcarding") the given position(s), and calls sumSeries on each group; each result is named after its name without those positions.\n\nExample: `&target=sumSeriesWithWildcards(host.cpu-[0-7].cpu-{user,system}.value, 1)`',
  params: [seriesList, { name: 'position', type: 'node', multiple: true }],
  run(_ctx, list, positions) {
    return withWildcards(list, 'sum', positions);
  },
});

export const averageSeriesWithWildcards = defineFunction({
  name: 'averageSeriesWithWildcards',
  group: 'Combine',
  description:
    'Categorizes the series in groups by name, ignoring ("wildcarding") the given position(s), and calls averageSeries on each group; each result is named after its name without those positions.\n\nExample: `&target=averageSeriesWithWildcards(host.cpu-[0-7].cpu-{user,system}.value, 1)`',
  params: [seriesList, { name: 'position', type: 'node', multiple: true }],
  run(_ctx, list, positions) {
    return withWildcards(list, 'average', positions);
  },
});

function byNodes(
  ctx: EvalContext,
  list: readonly TimeSeries[],
  callback: string,
  nodes: readonly (number | string)[],
): TimeSeries[] {
  const apply = callbackFor(ctx, callback);
  const groups = groupBy(list, (s) => aggKey(s, nodes));
  return [...groups].flatMap(([key, group]) => one(apply(group)).map((s) => ({ ...s, name: key })));
}

export const groupByNode = defineFunction({
  name: 'groupByNode',
  group: 'Combine',
  description:
    'Takes a seriesList and maps a callback to subgroups within as defined by a common node (or tag); each result is named after its node. The callback is an aggregation (average, sum, …) or a series function such as "sumSeries".\n\nExample: `&target=groupByNode(ganglia.by-function.*.*.cpu.load5,2,"sumSeries")`',
  params: [
    seriesList,
    { name: 'nodeNum', type: 'nodeOrTag', required: true },
    { name: 'callback', type: 'aggOrSeriesFunc', default: 'average' },
  ],
  run(ctx, list, nodeNum, callback) {
    return byNodes(ctx, list, callback, [nodeNum]);
  },
});

export const groupByNodes = defineFunction({
  name: 'groupByNodes',
  group: 'Combine',
  description:
    'Takes a seriesList and maps a callback to subgroups within as defined by multiple nodes (or tags); each result is named after those nodes joined by ".".\n\nExample: `&target=groupByNodes(ganglia.server*.*.cpu.load*,"sum",1,4)`',
  params: [
    seriesList,
    { name: 'callback', type: 'aggOrSeriesFunc', required: true },
    { name: 'nodes', type: 'nodeOrTag', multiple: true },
  ],
  run(ctx, list, callback, nodes) {
    return byNodes(ctx, list, callback, nodes);
  },
});

/** A tagged name `name;tag=value;…` as tags (graphite-web's TagDB parse of the carbon format). */
function parseTaggedName(path: string): Record<string, string> {
  const [name, ...pairs] = path.split(';');
  const tags: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq > 0) tags[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  tags.name = name;
  return tags;
}

export const groupByTags = defineFunction({
  name: 'groupByTags',
  group: 'Combine',
  description:
    'Takes a seriesList and maps a callback to subgroups within as defined by multiple tags. Each result is named `<name>;tag=value;…`, where name is the common "name" tag of the inputs or else the callback.\n\nExample: `&target=seriesByTag("name=cpu")|groupByTags("average","dc")`',
  params: [
    seriesList,
    { name: 'callback', type: 'aggOrSeriesFunc', required: true },
    { name: 'tags', type: 'tag', required: true, multiple: true },
  ],
  run(ctx, list, callback, tags) {
    if (tags.length === 0) throw new QueryError('groupByTags(): no tags specified');
    const apply = callbackFor(ctx, callback);
    const byName = tags.includes('name');
    const names = new Set(list.map((s) => s.tags.name ?? s.name));
    const common = names.size === 1 ? [...names][0] : callback;
    const key = (s: TimeSeries): string =>
      [
        byName ? (s.tags.name ?? s.name) : common,
        ...tags
          .filter((t) => !byName || t !== 'name')
          .map((t) => `${t}=${s.tags[t] ?? ''}`)
          .sort(),
      ].join(';');
    return [...groupBy(list, key)].flatMap(([k, group]) =>
      one(apply(group)).map((s) => ({ ...s, name: k, pathExpression: k, tags: parseTaggedName(k) })),
    );
  },
});

export const divideSeries = defineFunction({
  name: 'divideSeries',
  group: 'Combine',
  description:
    'Takes a dividend metric and a divisor metric and draws the division result; the divisor must be exactly one series, and x/0 or a null on either side is null. A constant may not be passed: to divide by a constant, use scale with the inverse.\n\nExample: `&target=divideSeries(Series.dividends,Series.divisors)`',
  params: [
    { name: 'dividendSeriesList', type: 'seriesList', required: true },
    { name: 'divisorSeries', type: 'seriesList', required: true },
  ],
  run(_ctx, dividends, divisors) {
    if (divisors.length === 0) {
      return dividends.map((s) => {
        const name = `divideSeries(${s.name},MISSING)`;
        return { ...s, name, pathExpression: name, values: new Float64Array(s.values.length).fill(Number.NaN) };
      });
    }
    if (divisors.length > 1) {
      throw new QueryError(`divideSeries second argument must reference exactly 1 series (got ${divisors.length})`);
    }
    const [divisor] = divisors;
    return dividends.map((s) =>
      pairwise(`divideSeries(${s.name},${divisor.name})`, s, divisor, (a, b) =>
        Number.isNaN(a) || Number.isNaN(b) || b === 0 ? Number.NaN : a / b,
      ),
    );
  },
});

export const asPercent = defineFunction({
  name: 'asPercent',
  aliases: ['pct'],
  group: 'Combine',
  description:
    'Calculates a percentage of the total of a wildcard series. The total may be omitted (the sum of the seriesList), a number, a single series, or as many series as the seriesList (matched by sorted name). With nodes, series and totals are matched by those nodes (as groupByNodes), and unmatched ones give `asPercent(x,MISSING)` / `asPercent(MISSING,y)` with null values.\n\nExample: `&target=asPercent(Server01.connections.{failed,succeeded}, Server01.connections.attempted)`',
  params: [seriesList, { name: 'total', type: 'any' }, { name: 'nodes', type: 'nodeOrTag', multiple: true }],
  run(_ctx, input, total, nodes) {
    if (input.length === 0) return [];
    if (total !== null && total !== undefined && typeof total !== 'number' && !Array.isArray(total)) {
      throw new QueryError(`asPercent total must be a number or a seriesList, not ${JSON.stringify(total)}`);
    }
    // graphite-web first normalises the list itself, so its series share the coarsest step.
    const listStep = input.map((s) => s.step).reduce(lcm);
    const list = input.map((s) => consolidatedTo(s, listStep));
    if (nodes.length > 0) {
      if (total !== null && total !== undefined && !Array.isArray(total)) {
        throw new QueryError('total must be None or a seriesList');
      }
      return asPercentByNodes(list, total ?? null, nodes);
    }
    if (total === null || total === undefined) {
      const { start, step, length, values } = aligned(list);
      const sums = aggregateColumns('sum', values, length, 0);
      const totalName = `sumSeries(${joinPathExpressions(list)})`;
      return list.map((s, i) =>
        makeSeries(`asPercent(${s.name},${totalName})`, start, step, zipWith(values[i], sums, length, percent)),
      );
    }
    if (typeof total === 'number') {
      return list.map((s) =>
        makeSeries(
          `asPercent(${s.name},${pyStr(total)})`,
          s.start,
          s.step,
          s.values.map((v) => percent(v, total)),
        ),
      );
    }
    if (total.length !== 1 && total.length !== list.length) {
      throw new QueryError(
        'asPercent second argument must be missing, a single digit, reference exactly 1 series or reference the same number of series as the first argument',
      );
    }
    if (total.length === list.length) {
      const byName = (a: TimeSeries, b: TimeSeries): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
      const sortedTotal = [...total].sort(byName);
      return [...list]
        .sort(byName)
        .map((s, i) => pairwise(`asPercent(${s.name},${sortedTotal[i].name})`, s, sortedTotal[i], percent));
    }
    const [t] = total;
    const { start, step, length, values } = aligned([...list, t]);
    const totals = values[values.length - 1];
    return list.map((s, i) =>
      makeSeries(`asPercent(${s.name},${t.name})`, start, step, zipWith(values[i], totals, length, percent)),
    );
  },
});

export const combineFunctions: FunctionDef[] = [
  sumSeries,
  averageSeries,
  minSeries,
  maxSeries,
  diffSeries,
  multiplySeries,
  rangeOfSeries,
  countSeries,
  aggregate,
  sumSeriesWithWildcards,
  averageSeriesWithWildcards,
  groupByNode,
  groupByNodes,
  groupByTags,
  divideSeries,
  asPercent,
];
