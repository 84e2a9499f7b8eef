import type { GoldenCase } from '../harness.js';
import { START, STEP } from '../harness.js';

export const specialCases: GoldenCase[] = [
  {
    title: 'constantLine draws three points across the range, named with %g',
    target: 'constantLine(100)',
    input: {},
    from: START,
    until: START + 4 * STEP,
    expect: [{ name: '100', values: [100, 100, 100], start: START, step: 2 * STEP }],
  },
];
