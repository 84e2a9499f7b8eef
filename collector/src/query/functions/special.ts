import { pythonRegex } from '../python-regex.js';
import { QueryError } from '../query-error.js';
import type { TimeSeries } from '../series.js';
import { seriesByTagExpression } from '../tag-index.js';
import { defineFunction, type FunctionDef } from './define.js';
import { makeSeries } from './series-util.js';

/** graphite-web's 'Special' functions, and the 'Graph' ones that change what /render returns. */

/**
 * Python's `str(value)` for a number argument, as graphite-web names constantLine/threshold series. The
 * evaluator hands functions numbers, not the literal as written, so an integral value is taken to have been
 * written as an int (`100` → "100"; graphite would print "100.0" for a literal `100.0`). Other values print
 * as Python's float repr: shortest round-trip digits, exponent form below 1e-4 or from 1e16.
 */
export function pythonStr(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return Object.is(v, -0) ? '0' : BigInt(v).toString();
  const [mantissa, e] = v.toExponential().split('e');
  const exp = Number(e);
  const sign = v < 0 ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  return `${sign}${whole}.${digits.slice(exp + 1) || '0'}`;
}

/** graphite's constantLine(): three points at from, the middle and until, named str(value). */
function constantSeries(from: number, until: number, value: number): TimeSeries {
  const start = Math.trunc(from);
  const end = Math.trunc(until);
  // graphite: step = int((end - start) / 2); a zero step would not render, so at least 1 s.
  const step = Math.max(1, Math.trunc((end - start) / 2));
  const s = makeSeries(pythonStr(value), start, step, Float64Array.of(value, value, value));
  s.pathExpression = `constantLine(${pythonStr(value)})`;
  return s;
}

export const constantLine = defineFunction({
  name: 'constantLine',
  group: 'Special',
  description:
    'A horizontal line at `value` across the whole range: three points, at the start, the middle and the end, ' +
    'named after the value.\n\nExample: `&target=constantLine(123.456)`',
  params: [{ name: 'value', type: 'float', required: true }],
  run(ctx, value) {
    return [constantSeries(ctx.range.from, ctx.range.until, value)];
  },
});

export const threshold = defineFunction({
  name: 'threshold',
  group: 'Graph',
  description:
    'A horizontal line at `value`, like constantLine, named `label` when one is given. `color` only affects ' +
    'rendered graphs, which Trendline does not draw, and is accepted and ignored.\n\n' +
    'Example: `&target=threshold(123.456, "omgwtfbbq", "red")`',
  params: [
    { name: 'value', type: 'float', required: true },
    { name: 'label', type: 'string' },
    { name: 'color', type: 'string' },
  ],
  run(ctx, value, label) {
    const s = constantSeries(ctx.range.from, ctx.range.until, value);
    // graphite renames only for a non-empty label, and only the name: the tags (name=str(value)) and the
    // pathExpression (constantLine(value)) stay.
    if (label) s.name = label;
    return [s];
  },
});

/** events() makes one point per second of the range; beyond this many it is refused instead of allocated. */
export const MAX_EVENT_POINTS = 10_000_000;

export const events = defineFunction({
  name: 'events',
  group: 'Special',
  description:
    'The number of events in each second of the range (null where there is none), for events carrying all ' +
    'the given tags, or any event for `"*"`. One point per second, consolidated by sum. Pairs with ' +
    'drawAsInfinite() to mark deploys.\n\n' +
    'Example: `&target=drawAsInfinite(events("deploy", "api"))` or `&target=events("*")`',
  params: [{ name: 'tags', type: 'string', required: true, multiple: true }],
  run(ctx, tags) {
    const name = `events("${tags.join('", "')}")`;
    const start = Math.floor(ctx.range.from);
    const end = Math.floor(ctx.range.until);
    const points = Math.max(0, end - start);
    if (points > MAX_EVENT_POINTS) {
      throw new QueryError(
        `${name} over ${points} s: events() has one point per second, at most ${MAX_EVENT_POINTS}; use a shorter range`,
      );
    }
    const values = new Float64Array(points).fill(Number.NaN);
    for (const t of ctx.eventTimes(tags, ctx.range)) {
      // graphite finds events in [start, end] and indexes (t - start) // 1; one at `end` itself would be past
      // the last point (graphite fails there), so it is left out.
      if (!(t >= start && t < end)) continue;
      const i = Math.floor(t - start);
      values[i] = Number.isNaN(values[i]) ? 1 : values[i] + 1;
    }
    const s = makeSeries(name, start, 1, values);
    s.consolidationFunc = 'sum';
    return [s];
  },
});

export const drawAsInfinite = defineFunction({
  name: 'drawAsInfinite',
  group: 'Graph',
  description:
    'Marks the series to be drawn as vertical lines: graphite draws a positive value as a line to infinity, ' +
    'zero at 0 and nothing for null or negative values. The data itself is unchanged; the series is named ' +
    '`drawAsInfinite(<name>)` and tagged `drawAsInfinite=1`.\n\n' +
    'Example: `&target=drawAsInfinite(Testing.script.exitCode)`',
  params: [{ name: 'seriesList', type: 'seriesList', required: true }],
  run(_ctx, series) {
    // graphite only renames (the pathExpression stays) and sets a render option; values are untouched.
    return series.map((s) => ({ ...s, name: `drawAsInfinite(${s.name})`, tags: { ...s.tags, drawAsInfinite: '1' } }));
  },
});

const TAGSPEC = /^([^;!=]+)(!?=~?)([^;]*)$/;

/**
 * graphite's tag database checks (tags/base.py parse_tagspec, localdatabase.py find_series_query): each
 * expression is `tag=spec`, `tag!=spec`, `tag=~regex` or `tag!=~regex`, regexes are Python's anchored at the
 * start, and at least one expression must not match the empty string (a missing tag).
 */
function checkTagExpressions(expressions: readonly string[]): void {
  let allMatchEmpty = true;
  for (const expr of expressions) {
    const m = TAGSPEC.exec(expr);
    if (!m) {
      throw new QueryError(
        `Invalid parameters (invalid tag expression "${expr}": expected tag=value, tag!=value, tag=~regex or tag!=~regex)`,
      );
    }
    const [, , op, spec] = m;
    let matchesEmpty: boolean;
    if (op === '=') matchesEmpty = spec === '';
    else if (op === '!=') matchesEmpty = spec !== '';
    else {
      const re = pythonRegex(spec.startsWith('^') ? spec : `^(${spec})`);
      matchesEmpty = op === '=~' ? re.test('') : !re.test('');
    }
    allMatchEmpty &&= matchesEmpty;
  }
  if (allMatchEmpty) {
    throw new QueryError('Invalid parameters (at least one tag expression must not match the empty string)');
  }
}

/** Python's str ordering (by code point), as graphite sorts fetched series by name. */
function byName(a: TimeSeries, b: TimeSeries): number {
  const x = [...a.name].map((c) => c.codePointAt(0) ?? 0);
  const y = [...b.name].map((c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

export const seriesByTag = defineFunction({
  name: 'seriesByTag',
  group: 'Special',
  description:
    'The series whose tags match every expression: `tag=value`, `tag!=value`, `tag=~regex` and ' +
    '`tag!=~regex` (regexes anchored at the start). An expression that matches the empty string also ' +
    'matches series without that tag, and at least one expression must not. Series are sorted by name; ' +
    "aggregates name them after the call, e.g. `sumSeries(seriesByTag('name=cpu','dc=dc1'))`.\n\n" +
    'Example: `&target=seriesByTag("name=cpu.load","dc=~us-.*","env!=dev")`',
  params: [{ name: 'tagExpressions', type: 'string', required: true, multiple: true }],
  run(ctx, expressions) {
    checkTagExpressions(expressions);
    const pathExpression = seriesByTagExpression(expressions);
    return ctx
      .seriesByTag(expressions, ctx.range)
      .map((s) => ({ ...s, pathExpression }))
      .sort(byName);
  },
});

export const specialFunctions: FunctionDef[] = [constantLine, threshold, events, drawAsInfinite, seriesByTag];
