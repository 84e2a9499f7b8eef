import { defineFunction, type FunctionDef } from './define.js';
import { combine, joinPathExpressions } from './series-util.js';

/** graphite-web's 'Combine' functions: several series in, fewer out. */

export const sumSeries = defineFunction({
  name: 'sumSeries',
  aliases: ['sum'],
  group: 'Combine',
  description:
    'Adds the series point by point; nulls are ignored, and a point where every series is null stays null.\n\nExample: `&target=sumSeries(company.server.*.requests)`',
  params: [{ name: 'seriesLists', type: 'seriesList', required: true, multiple: true }],
  run(_ctx, lists) {
    const all = lists.flat();
    const out = combine(all, 'sum', `sumSeries(${joinPathExpressions(all)})`);
    return out ? [out] : [];
  },
});

export const combineFunctions: FunctionDef[] = [sumSeries];
