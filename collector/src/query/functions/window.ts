import type { EvalContext } from '../evaluator.js';
import type { TimeRange } from '../fetch-series.js';
import { QueryError } from '../query-error.js';
import type { TimeSeries } from '../series.js';

/**
 * Re-reading a function's input over another time range, as graphite-web's timeShift, movingWindow and
 * hitcount do with `evaluateTarget(newContext, requestContext['args'][0])`.
 *
 * Functions here see evaluated series, not their argument's text, so each input is re-read through its
 * `pathExpression` (the glob it was fetched with, or the name a function gave it). Series sharing a
 * pathExpression are re-read with one evaluation, and every input is paired with the re-read series of
 * the same name, so a filtered list (`highestMax(a.*, 1)`) stays filtered. When names differ (a function
 * renamed the series but kept its pathExpression) series are paired by position if the counts agree.
 *
 * Returns, per input, the re-read series carrying the input's name and tags, or undefined when the
 * pathExpression cannot be re-read (not a valid target, or no matching series).
 */
export function reread(ctx: EvalContext, inputs: readonly TimeSeries[], range: TimeRange): (TimeSeries | undefined)[] {
  const out: (TimeSeries | undefined)[] = inputs.map(() => undefined);
  // Best: re-evaluate the argument as written, as graphite-web does; pair by name, else by position.
  const argument = ctx.args?.[0];
  if (argument !== undefined) {
    let fresh: TimeSeries[] | null = null;
    try {
      fresh = ctx.evaluate(argument, range);
    } catch (err) {
      if (!(err instanceof QueryError)) throw err;
    }
    if (fresh) {
      const byName = new Map(fresh.map((f) => [f.name, f]));
      const samePositions = fresh.length === inputs.length;
      inputs.forEach((s, i) => {
        out[i] = byName.get(s.name) ?? (samePositions ? fresh[i] : undefined);
      });
      if (out.every((f) => f !== undefined)) {
        return out.map((f, i) => f && { ...f, name: inputs[i].name, tags: { ...inputs[i].tags } });
      }
    }
  }
  const groups = new Map<string, number[]>();
  inputs.forEach((s, i) => {
    if (out[i] !== undefined) return;
    const group = groups.get(s.pathExpression);
    if (group) group.push(i);
    else groups.set(s.pathExpression, [i]);
  });

  for (const [expression, members] of groups) {
    let fresh: TimeSeries[];
    try {
      fresh = ctx.evaluate(expression, range);
    } catch (err) {
      if (err instanceof QueryError) continue;
      throw err;
    }
    const used = new Set<number>();
    const unmatched: number[] = [];
    for (const i of members) {
      const j = fresh.findIndex((f, k) => !used.has(k) && f.name === inputs[i].name);
      if (j === -1) {
        unmatched.push(i);
        continue;
      }
      used.add(j);
      out[i] = fresh[j];
    }
    if (unmatched.length > 0 && fresh.length === members.length) {
      for (const i of unmatched) {
        const position = members.indexOf(i);
        if (used.has(position)) continue;
        used.add(position);
        out[i] = fresh[position];
      }
    }
  }

  return out.map((fresh, i) => fresh && { ...fresh, name: inputs[i].name, tags: { ...inputs[i].tags } });
}

/** `series` with `count` nulls in front: a stand-in for a re-read that could not reach further back. */
export function withLeadingNulls(series: TimeSeries, count: number): TimeSeries {
  const values = new Float64Array(series.values.length + count).fill(Number.NaN);
  values.set(series.values, count);
  return { ...series, values, start: series.start - count * series.step };
}
