import { QueryError } from '../query-error.js';
import type { TimeSeries } from '../series.js';
import { parseInterval } from '../time.js';
import { aggregateValues, resolveAggFunc } from './aggregation.js';
import { defineFunction, type FunctionDef } from './define.js';
import { derive, pyPow, pyRound, pyStr } from './graphite-compat.js';
import { formatG, mapValues } from './series-util.js';
import { reread } from './window.js';

/**
 * graphite-web's 'Transform' functions (and consolidateBy, which graphite files under 'Special'): one
 * series in, one series out, with graphite-web's values, null handling and output names.
 */

const SERIES_LIST = { name: 'seriesList', type: 'seriesList', required: true } as const;
const INTERVAL_SUGGESTIONS = ['10min', '1h', '1d'] as const;
const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/** Python's `%` for a positive divisor: never negative. */
function pyMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** A bucket interval for summarize/hitcount: a positive number of seconds (graphite loops forever otherwise). */
function positiveInterval(fn: string, param: string, value: string): number {
  const seconds = parseInterval(value);
  if (seconds <= 0) {
    throw new QueryError(
      `Invalid "interval" value specified for function "${fn}" parameter "${param}": ${JSON.stringify(value)}` +
        ' (must be a positive length of time)',
    );
  }
  return seconds;
}

export const scale = defineFunction({
  name: 'scale',
  group: 'Transform',
  description:
    'Multiplies every point of each series by a constant; nulls stay null. The factor appears in the name in ' +
    "Python's %g form.\n\nExample: `&target=scale(Server.instance01.threads.busy,10)`",
  params: [SERIES_LIST, { name: 'factor', type: 'float', required: true }],
  run(_ctx, seriesList, factor) {
    return seriesList.map((s) =>
      derive(
        s,
        `scale(${s.name},${formatG(factor)})`,
        mapValues(s.values, (v) => v * factor),
        {
          scale: pyStr(factor),
        },
      ),
    );
  },
});

export const scaleToSeconds = defineFunction({
  name: 'scaleToSeconds',
  group: 'Transform',
  description:
    'Turns each value into "value per `seconds`" by scaling it with seconds / step, rounded to 6 decimals. ' +
    'Useful after derivative or integral to normalise to a known resolution whatever the retention.' +
    '\n\nExample: `&target=scaleToSeconds(derivative(app.requests.count),1)`',
  params: [SERIES_LIST, { name: 'seconds', type: 'float', required: true }],
  run(_ctx, seriesList, seconds) {
    if (!Number.isFinite(seconds)) {
      throw new QueryError(
        `Invalid "float" value specified for function "scaleToSeconds" parameter "seconds": ${pyStr(seconds)}`,
      );
    }
    return seriesList.map((s) => {
      const factor = seconds / s.step;
      const values = mapValues(s.values, (v) => pyRound(v * factor, 6));
      return derive(s, `scaleToSeconds(${s.name},${Math.trunc(seconds)})`, values, { scaleToSeconds: pyStr(seconds) });
    });
  },
});

export const offset = defineFunction({
  name: 'offset',
  group: 'Transform',
  description:
    'Adds a constant to every point of each series; nulls stay null.\n\nExample: `&target=offset(Server.instance01.threads.busy,10)`',
  params: [SERIES_LIST, { name: 'factor', type: 'float', required: true }],
  run(_ctx, seriesList, factor) {
    return seriesList.map((s) =>
      derive(
        s,
        `offset(${s.name},${formatG(factor)})`,
        mapValues(s.values, (v) => v + factor),
        {
          offset: pyStr(factor),
        },
      ),
    );
  },
});

export const absolute = defineFunction({
  name: 'absolute',
  group: 'Transform',
  description:
    'Replaces every point with its absolute value; nulls stay null.\n\nExample: `&target=absolute(Server.instance01.threads.busy)`',
  params: [SERIES_LIST],
  run(_ctx, seriesList) {
    return seriesList.map((s) => derive(s, `absolute(${s.name})`, mapValues(s.values, Math.abs), { absolute: '1' }));
  },
});

export const invert = defineFunction({
  name: 'invert',
  group: 'Transform',
  description:
    'Replaces every point x with 1/x. Zero has no inverse and becomes null, as do nulls.' +
    '\n\nExample: `&target=invert(Server.instance01.threads.busy)`',
  params: [SERIES_LIST],
  run(_ctx, seriesList) {
    return seriesList.map((s) =>
      derive(
        s,
        `invert(${s.name})`,
        mapValues(s.values, (v) => pyPow(v, -1)),
        { invert: '1' },
      ),
    );
  },
});

export const pow = defineFunction({
  name: 'pow',
  group: 'Transform',
  description:
    'Raises every point to the power `factor`. Results Python cannot compute (a negative base with a ' +
    'fractional power, 0 to a negative power, overflow) become null.' +
    '\n\nExample: `&target=pow(Server.instance01.threads.busy,2)`',
  params: [SERIES_LIST, { name: 'factor', type: 'float', required: true }],
  run(_ctx, seriesList, factor) {
    return seriesList.map((s) =>
      derive(
        s,
        `pow(${s.name},${formatG(factor)})`,
        mapValues(s.values, (v) => pyPow(v, factor)),
        {
          pow: pyStr(factor),
        },
      ),
    );
  },
});

export const derivative = defineFunction({
  name: 'derivative',
  group: 'Transform',
  description:
    'The difference between each point and the one before it; a point next to a null is null. Does not ' +
    'divide by time (see perSecond).\n\nExample: `&target=derivative(company.server.application01.ifconfig.TXPackets)`',
  params: [SERIES_LIST],
  run(_ctx, seriesList) {
    return seriesList.map((s) => {
      const values = new Float64Array(s.values.length);
      let prev = Number.NaN;
      s.values.forEach((v, i) => {
        values[i] = v - prev; // NaN when either is null
        prev = v;
      });
      return derive(s, `derivative(${s.name})`, values, { derivative: '1' });
    });
  },
});

/**
 * graphite-web's _nonNegativeDelta: the increase since the previous reading, with counter wrap handled
 * through maxValue/minValue. Returns [delta, new previous].
 */
function nonNegativeDelta(val: number, prev: number, maxValue?: number, minValue?: number): [number, number] {
  if (Number.isNaN(val)) return [Number.NaN, Number.NaN];
  if (maxValue !== undefined && val > maxValue) return [Number.NaN, Number.NaN];
  if (minValue !== undefined && val < minValue) return [Number.NaN, Number.NaN];
  if (Number.isNaN(prev)) return [Number.NaN, val];
  if (val >= prev) return [val - prev, val];
  if (maxValue !== undefined) return [maxValue + 1 + val - prev - (minValue ?? 0), val];
  if (minValue !== undefined) return [val - minValue, val];
  return [Number.NaN, val];
}

const WRAP_PARAMS = [SERIES_LIST, { name: 'maxValue', type: 'float' }, { name: 'minValue', type: 'float' }] as const;

export const nonNegativeDerivative = defineFunction({
  name: 'nonNegativeDerivative',
  group: 'Transform',
  description:
    'Like derivative, but a decrease (a counter reset) gives null instead of a negative delta. With ' +
    '`maxValue` a decrease is taken as a wrap at maxValue (delta = maxValue + 1 + value - previous - minValue); ' +
    'with only `minValue` as a wrap to minValue (delta = value - minValue). Values above maxValue or below ' +
    'minValue are null and restart the count.' +
    '\n\nExample: `&target=nonNegativeDerivative(company.server.application01.ifconfig.TXPackets)`',
  params: WRAP_PARAMS,
  run(_ctx, seriesList, maxValue, minValue) {
    return seriesList.map((s) => {
      const values = new Float64Array(s.values.length);
      let prev = Number.NaN;
      s.values.forEach((v, i) => {
        [values[i], prev] = nonNegativeDelta(v, prev, maxValue, minValue);
      });
      return derive(s, `nonNegativeDerivative(${s.name})`, values, { nonNegativeDerivative: '1' });
    });
  },
});

export const perSecond = defineFunction({
  name: 'perSecond',
  group: 'Transform',
  description:
    'nonNegativeDerivative divided by the step: the per-second rate of a running total, rounded to 6 ' +
    'decimals. `maxValue` and `minValue` handle counter wrap as in nonNegativeDerivative.' +
    '\n\nExample: `&target=perSecond(company.server.application01.ifconfig.TXPackets)`',
  params: WRAP_PARAMS,
  run(_ctx, seriesList, maxValue, minValue) {
    return seriesList.map((s) => {
      const values = new Float64Array(s.values.length);
      let prev = Number.NaN;
      s.values.forEach((v, i) => {
        const [delta, next] = nonNegativeDelta(v, prev, maxValue, minValue);
        values[i] = Number.isNaN(delta) ? Number.NaN : pyRound(delta / s.step, 6);
        prev = next;
      });
      return derive(s, `perSecond(${s.name})`, values, { perSecond: '1' });
    });
  },
});

export const integral = defineFunction({
  name: 'integral',
  group: 'Transform',
  description:
    'The running total of each series from the start of the range. Nulls stay null and do not reset the ' +
    'total.\n\nExample: `&target=integral(company.sales.perMinute)`',
  params: [SERIES_LIST],
  run(_ctx, seriesList) {
    return seriesList.map((s) => {
      let total = 0;
      const values = mapValues(s.values, (v) => {
        total += v;
        return total;
      });
      return derive(s, `integral(${s.name})`, values, { integral: '1' });
    });
  },
});

export const delay = defineFunction({
  name: 'delay',
  group: 'Transform',
  description:
    'Shifts the values later by `steps` points (earlier when negative), whatever the step, padding with ' +
    'nulls; the time range stays the same.\n\nExample: `&target=divideSeries(server.FreeSpace,delay(server.FreeSpace,1))`',
  params: [SERIES_LIST, { name: 'steps', type: 'integer', required: true }],
  run(_ctx, seriesList, steps) {
    return seriesList.map((s) => {
      const n = s.values.length;
      const values = new Float64Array(n).fill(Number.NaN);
      for (let i = 0; i < n; i++) {
        const j = i - steps;
        if (j >= 0 && j < n) values[i] = s.values[j];
      }
      return derive(s, `delay(${s.name},${steps})`, values, { delay: String(steps) });
    });
  },
});

export const timeShift = defineFunction({
  name: 'timeShift',
  group: 'Transform',
  description:
    'Draws each series as it was `timeShift` earlier: the input is read again over the shifted range and ' +
    'drawn over the current one. A shift with no sign means minus ("1d" is "-1d"); "+1h" shifts forward. ' +
    'With resetEnd (the default) the result ends where the unshifted series ends; otherwise it keeps its ' +
    'full length.\n\nExample: `&target=timeShift(Sales.widgets.largeBlue,"7d")`',
  params: [
    SERIES_LIST,
    {
      name: 'timeShift',
      type: 'interval',
      required: true,
      suggestions: ['1h', '6h', '12h', '1d', '2d', '7d', '14d', '30d'],
    },
    { name: 'resetEnd', type: 'boolean', default: true },
    { name: 'alignDst', type: 'boolean', default: false },
  ],
  run(ctx, seriesList, shiftParam, resetEnd, _alignDst) {
    // alignDst needs the request's time zone, which evaluation does not carry: ranges are UTC, where no
    // DST change ever happens, so it has nothing to correct.
    const shift = /^[0-9]/.test(shiftParam) ? `-${shiftParam}` : shiftParam;
    const delta = parseInterval(shift);
    if (seriesList.length === 0) return [];
    // graphite-web aligns every result with the first input series.
    const first = seriesList[0];
    const shifted = reread(ctx, seriesList, {
      ...ctx.range,
      from: ctx.range.from + delta,
      until: ctx.range.until + delta,
    });
    return seriesList.map((input, i) => {
      const source = shifted[i] ?? { ...input, values: new Float64Array(input.values.length).fill(Number.NaN) };
      const end = resetEnd ? first.end : source.end - source.start + first.start;
      const count = Math.max(0, Math.min(source.values.length, Math.ceil((end - first.start) / source.step)));
      return {
        ...source,
        name: `timeShift(${input.name}, "${shift}")`,
        // Re-readable by an enclosing timeShift or moving window (graphite-web leaves it unchanged).
        pathExpression: `timeShift(${input.pathExpression}, "${shift}"${resetEnd ? '' : ', false'})`,
        tags: { ...source.tags, timeShift: shift },
        start: first.start,
        end: first.start + count * source.step,
        values: source.values.slice(0, count),
      };
    });
  },
});

/** graphite-web's _summarizeValues: one aggregated value per interval bucket from newStart to newEnd. */
function summarizeValues(
  series: TimeSeries,
  func: string,
  interval: number,
  newStart: number,
  newEnd: number,
): Float64Array {
  const { start, step, values } = series;
  const numPoints = Math.min(values.length, Math.max(0, Math.ceil((series.end - start) / step)));
  const intervalPoints = interval / step;
  const out: number[] = [];
  let i = 0;
  for (let bucket = newStart; bucket < newEnd; bucket += interval) {
    let first = i;
    let nonNull = 0;
    while (i < numPoints && start + i * step < bucket + interval) {
      const t = start + i * step;
      if (t <= bucket) first = i;
      if (t >= bucket && !Number.isNaN(values[i])) nonNull++;
      i++;
    }
    const valid = nonNull > 0 && nonNull / intervalPoints >= series.xFilesFactor;
    out.push(valid ? aggregateValues(func, Array.from(values.subarray(first, i))) : Number.NaN);
  }
  return Float64Array.from(out);
}

export const summarize = defineFunction({
  name: 'summarize',
  group: 'Transform',
  description:
    'Aggregates each series into buckets of `intervalString` with `func` (sum by default; any aggregation ' +
    'function: average, median, sum, min, max, diff, stddev, count, range, multiply, last). Buckets are ' +
    'aligned to multiples of the interval and run one bucket past the end of the series; with ' +
    '`alignToFrom` they start at the series start instead. A bucket is null unless at least one point ' +
    "(and the series' xFilesFactor share) is present." +
    '\n\nExample: `&target=summarize(counter.errors, "1hour")` (errors per hour) or `&target=summarize(queue.size, "1hour", "max")`',
  params: [
    SERIES_LIST,
    { name: 'intervalString', type: 'interval', required: true, suggestions: INTERVAL_SUGGESTIONS },
    { name: 'func', type: 'aggFunc', default: 'sum' },
    { name: 'alignToFrom', type: 'boolean', default: false },
  ],
  run(_ctx, seriesList, intervalString, func, alignToFrom) {
    const interval = positiveInterval('summarize', 'intervalString', intervalString);
    const agg = resolveAggFunc(func, 'summarize', 'func');
    return seriesList.map((s) => {
      const newStart = alignToFrom ? s.start : s.start - pyMod(s.start, interval);
      const newEnd = alignToFrom ? s.end : s.end - pyMod(s.end, interval) + interval;
      const values = summarizeValues(s, agg, interval, newStart, newEnd);
      const name = `summarize(${s.name}, "${intervalString}", "${func}"${alignToFrom ? ', true' : ''})`;
      return derive(
        s,
        name,
        values,
        { summarize: intervalString, summarizeFunction: func },
        { start: newStart, step: interval },
      );
    });
  },
});

/** graphite-web's hitcount spreading: each value is hits per second over its step, split across buckets. */
function hitcountValues(series: TimeSeries, end: number, interval: number): { start: number; values: Float64Array } {
  const { step } = series;
  const bucketCount = Math.max(0, Math.ceil((end - series.start) / interval));
  const newStart = end - bucketCount * interval;
  const sums = new Float64Array(bucketCount);
  const seen = new Uint8Array(bucketCount);
  const add = (bucket: number, hits: number) => {
    sums[bucket] += hits;
    seen[bucket] = 1;
  };
  series.values.forEach((value, i) => {
    if (Number.isNaN(value)) return;
    const startTime = series.start + i * step;
    const startBucket = Math.floor((startTime - newStart) / interval);
    const startMod = pyMod(startTime - newStart, interval);
    const endTime = startTime + step;
    let endBucket = Math.floor((endTime - newStart) / interval);
    let endMod = pyMod(endTime - newStart, interval);
    if (endBucket >= bucketCount) {
      endBucket = bucketCount - 1;
      endMod = interval;
    }
    if (startBucket === endBucket) {
      if (startBucket >= 0) add(startBucket, value * (endMod - startMod));
      return;
    }
    if (startBucket >= 0) add(startBucket, value * (interval - startMod));
    for (let j = Math.max(0, startBucket + 1); j < endBucket; j++) add(j, value * interval);
    if (endMod > 0) add(endBucket, value * endMod);
  });
  const values = sums.map((sum, b) => (seen[b] ? sum : Number.NaN));
  return { start: newStart, values };
}

export const hitcount = defineFunction({
  name: 'hitcount',
  group: 'Transform',
  description:
    'Estimates hits per `intervalString` from series of hits per second: each value counts for the seconds ' +
    'of its step, spread over the buckets it overlaps, and buckets are aligned to the end of the series. ' +
    'Unlike summarize it gives the same totals at any resolution. With `alignToInterval` the input is read ' +
    'again from the start of the day, hour or minute (by interval size) before the range start.' +
    '\n\nExample: `&target=hitcount(app.requests.rate, "1h")`',
  params: [
    SERIES_LIST,
    { name: 'intervalString', type: 'interval', required: true, suggestions: INTERVAL_SUGGESTIONS },
    { name: 'alignToInterval', type: 'boolean', default: false },
  ],
  run(ctx, seriesList, intervalString, alignToInterval) {
    const interval = Math.trunc(positiveInterval('hitcount', 'intervalString', intervalString));
    let inputs: TimeSeries[] = seriesList;
    let ends = seriesList.map((s) => s.end);
    if (alignToInterval) {
      // Aligned in UTC: evaluation carries no time zone.
      const unit = interval >= DAY ? DAY : interval >= HOUR ? HOUR : interval >= MINUTE ? MINUTE : 1;
      const from = ctx.range.from - pyMod(ctx.range.from, unit);
      const fresh = reread(ctx, seriesList, { ...ctx.range, from });
      inputs = seriesList.map((s, i) => fresh[i] ?? s);
      ends = inputs.map((s) => s.start + Math.floor((s.end - s.start) / interval) * interval + interval);
    }
    return inputs.map((s, i) => {
      const { start, values } = hitcountValues(s, ends[i], interval);
      const name = `hitcount(${s.name}, "${intervalString}"${alignToInterval ? ', true' : ''})`;
      return derive(s, name, values, { hitcount: intervalString }, { start, step: interval });
    });
  },
});

export const keepLastValue = defineFunction({
  name: 'keepLastValue',
  group: 'Transform',
  description:
    'Fills gaps with the last value before them. Only gaps of at most `limit` nulls are filled (a longer gap ' +
    'stays entirely null); leading nulls stay null, trailing ones are filled like a gap.' +
    '\n\nExample: `&target=keepLastValue(Server01.connections.handled,10)`',
  params: [SERIES_LIST, { name: 'limit', type: 'intOrInf', default: Number.POSITIVE_INFINITY }],
  run(_ctx, seriesList, limit) {
    return seriesList.map((s) => {
      const values = Float64Array.from(s.values);
      let nulls = 0;
      let last = Number.NaN;
      values.forEach((v, i) => {
        if (Number.isNaN(v)) {
          nulls++;
          return;
        }
        if (nulls > 0 && nulls <= limit && !Number.isNaN(last)) values.fill(last, i - nulls, i);
        nulls = 0;
        last = v;
      });
      if (nulls > 0 && nulls <= limit && !Number.isNaN(last)) values.fill(last, values.length - nulls);
      return derive(s, `keepLastValue(${s.name})`, values);
    });
  },
});

export const transformNull = defineFunction({
  name: 'transformNull',
  group: 'Transform',
  description:
    'Replaces nulls with `default` (0 unless given). With `referenceSeries`, a null is replaced only at ' +
    'points where at least one reference series has a value (matched by position).' +
    '\n\nExample: `&target=transformNull(webapp.pages.*.views,-1)`',
  params: [
    SERIES_LIST,
    { name: 'default', type: 'float', default: 0 },
    { name: 'referenceSeries', type: 'seriesList' },
  ],
  run(_ctx, seriesList, dflt, referenceSeries) {
    // An empty reference list counts as none, as in graphite-web.
    const refs = referenceSeries && referenceSeries.length > 0 ? referenceSeries : undefined;
    const defaults = refs
      ? Float64Array.from({ length: Math.max(...refs.map((r) => r.values.length)) }, (_, k) =>
          refs.some((r) => k < r.values.length && !Number.isNaN(r.values[k])) ? dflt : Number.NaN,
        )
      : undefined;
    return seriesList.map((s) => {
      const values = s.values.map((v, k) => {
        if (!Number.isNaN(v)) return v;
        if (!defaults) return dflt;
        return k < defaults.length ? defaults[k] : Number.NaN;
      });
      const name = `transformNull(${s.name},${formatG(dflt)}${refs ? ',referenceSeries' : ''})`;
      const tags: Record<string, string> = { transformNull: pyStr(dflt) };
      if (refs) tags.referenceSeries = '1';
      const out = derive(s, name, values, tags);
      // graphite-web's pathExpression is the name, whose "referenceSeries" cannot be read again by an
      // enclosing moving window or timeShift; name the references instead when they share one expression.
      const refExpressions = new Set(refs?.map((r) => r.pathExpression));
      if (refs && refExpressions.size === 1) {
        out.pathExpression = `transformNull(${s.pathExpression},${String(dflt)},${[...refExpressions][0]})`;
      }
      return out;
    });
  },
});

const CONSOLIDATION_FUNCS = ['sum', 'average', 'avg', 'avg_zero', 'min', 'max', 'first', 'last'] as const;

export const consolidateBy = defineFunction({
  name: 'consolidateBy',
  group: 'Special',
  description:
    'Sets how points are folded together when a series has more points than can be drawn or than ' +
    'maxDataPoints allows: sum, average (avg), avg_zero, min, max, first or last instead of the default average.' +
    "\n\nExample: `&target=consolidateBy(Sales.widgets.largeBlue, 'sum')`",
  params: [SERIES_LIST, { name: 'consolidationFunc', type: 'string', required: true, options: CONSOLIDATION_FUNCS }],
  run(_ctx, seriesList, func) {
    const consolidationFunc = func === 'avg' ? 'average' : (func as TimeSeries['consolidationFunc']);
    return seriesList.map((s) => ({
      ...derive(s, `consolidateBy(${s.name},"${func}")`, s.values, { consolidateBy: func }),
      consolidationFunc,
    }));
  },
});

export const transformFunctions: FunctionDef[] = [
  scale,
  scaleToSeconds,
  offset,
  absolute,
  invert,
  pow,
  derivative,
  nonNegativeDerivative,
  perSecond,
  integral,
  delay,
  timeShift,
  summarize,
  hitcount,
  keepLastValue,
  transformNull,
  consolidateBy,
];
