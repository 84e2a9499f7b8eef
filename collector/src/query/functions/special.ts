import { defineFunction, type FunctionDef } from './define.js';
import { formatG, makeSeries } from './series-util.js';

/** graphite-web's 'Special' functions. */

export const constantLine = defineFunction({
  name: 'constantLine',
  group: 'Special',
  description:
    'A horizontal line at `value` across the whole range: three points, at the start, the middle and the end.\n\nExample: `&target=constantLine(123.456)`',
  params: [{ name: 'value', type: 'float', required: true }],
  run(ctx, value) {
    const { from, until } = ctx.range;
    // graphite-web: three points, step (until - from) / 2.
    const step = Math.max(1, Math.floor((until - from) / 2));
    const s = makeSeries(formatG(value), from, step, Float64Array.of(value, value, value));
    s.pathExpression = `constantLine(${formatG(value)})`;
    return [s];
  },
});

export const specialFunctions: FunctionDef[] = [constantLine];
