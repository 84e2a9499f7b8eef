import type { GoldenCase } from '../harness.js';

export const combineCases: GoldenCase[] = [
  {
    title: 'sumSeries adds point by point, ignoring nulls, and names itself after the path expression',
    target: 'sumSeries(a.*)',
    input: { 'a.x': [1, 2, null, null], 'a.y': [10, null, 30, null] },
    expect: [
      { name: 'sumSeries(a.*)', values: [11, 2, 30, null], tags: { aggregatedBy: 'sum', name: 'sumSeries(a.*)' } },
    ],
  },
];
