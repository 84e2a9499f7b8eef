import { type GoldenCase, START, STEP } from '../harness.js';

/** The time of point k of a default input (START + k steps). */
const at = (k: number) => START + k * STEP;

/**
 * A series with two points of history before the range: the range (START - 60, START + 180] reads
 * [1, 2, 3, 4]; a moving window reads 10 and 20 from before it.
 */
const withHistory = { start: at(-2), values: [10, 20, 1, 2, 3, 4] };

/**
 * graphite-web's Calculate functions (render/functions.py movingWindow and friends, nPercentile). The
 * moving windows follow graphite-web exactly: the window of the point at t is the N points strictly
 * before t, read from before the range start.
 */
export const calculateCases: GoldenCase[] = [
  {
    title: 'movingAverage: the first point has no history here, the window excludes the current point',
    target: 'movingAverage(a.b,2)',
    input: { 'a.b': [1, 2, 3, 4, 5] },
    expect: [
      {
        name: 'movingAverage(a.b,2)',
        values: [null, 1, 1.5, 2.5, 3.5],
        start: START,
        tags: { name: 'a.b', movingAverage: '2' },
      },
    ],
  },
  {
    title: 'movingAverage reads points from before the range so the first windows are full',
    target: 'movingAverage(a.b,2)',
    input: { 'a.b': withHistory },
    expect: [{ name: 'movingAverage(a.b,2)', values: [15, 10.5, 1.5, 2.5], start: START }],
  },
  {
    title: 'movingSum',
    target: 'movingSum(a.b,2)',
    input: { 'a.b': withHistory },
    expect: [{ name: 'movingSum(a.b,2)', values: [30, 21, 3, 5], tags: { name: 'a.b', movingSum: '2' } }],
  },
  {
    title: 'movingMin',
    target: 'movingMin(a.b,2)',
    input: { 'a.b': withHistory },
    expect: [{ name: 'movingMin(a.b,2)', values: [10, 1, 1, 2] }],
  },
  {
    title: 'movingMax',
    target: 'movingMax(a.b,2)',
    input: { 'a.b': withHistory },
    expect: [{ name: 'movingMax(a.b,2)', values: [20, 20, 2, 3] }],
  },
  {
    title: 'movingMedian over 3 points; a null in the window is skipped (median of two is their mean)',
    target: 'movingMedian(a.b,3)',
    input: { 'a.b': withHistory },
    expect: [{ name: 'movingMedian(a.b,3)', values: [15, 10, 2, 2] }],
  },
  {
    title: 'movingMedian as the window slides over duplicates and nulls',
    target: 'movingMedian(a.b,3)',
    input: { 'a.b': [3, 1, 3, null, 2, 2, 5] },
    expect: [{ name: 'movingMedian(a.b,3)', values: [null, 3, 2, 3, 2, 2.5, 2] }],
  },
  {
    title: 'movingWindow with range (other aggregations see only the non-null values)',
    target: "movingWindow(a.b,3,'range')",
    input: { 'a.b': [3, 1, 3, null, 2, 2, 5] },
    expect: [{ name: 'movingRange(a.b,3)', values: [null, 0, 2, 2, 2, 1, 0], tags: { name: 'a.b', movingRange: '3' } }],
  },
  {
    title: 'movingAverage over an interval: the name quotes it with double quotes',
    target: "movingAverage(a.b,'2min')",
    input: { 'a.b': withHistory },
    expect: [
      {
        name: 'movingAverage(a.b,"2min")',
        values: [15, 10.5, 1.5, 2.5],
        start: START,
        tags: { name: 'a.b', movingAverage: '2min' },
      },
    ],
  },
  {
    title: 'movingSum over a negative interval uses its length',
    target: 'movingSum(a.b,"-2min")',
    input: { 'a.b': withHistory },
    expect: [{ name: 'movingSum(a.b,"-2min")', values: [30, 21, 3, 5], start: START }],
  },
  {
    title: 'an interval that is not a whole number of steps shifts the result, exactly as graphite-web does',
    target: 'movingMax(a.b,"90s")',
    input: { 'a.b': withHistory },
    // One point per window (90 s // 60 s), and the result starts 90 s after the re-read series' start.
    expect: [{ name: 'movingMax(a.b,"90s")', values: [10, 20, 1, 2, 3], start: START - 30 }],
  },
  {
    title: 'moving windows skip nulls; without xFilesFactor one value in the window is enough',
    target: 'movingAverage(a.b,4)',
    input: { 'a.b': [1, null, null, null, 5, 6, null, 8] },
    expect: [{ name: 'movingAverage(a.b,4)', values: [null, 1, 1, 1, 1, 5, 5.5, 5.5] }],
  },
  {
    title: 'xFilesFactor: at least that share of the window must be non-null',
    target: 'movingAverage(a.b,4,0.5)',
    input: { 'a.b': [1, null, null, null, 5, 6, null, 8] },
    expect: [{ name: 'movingAverage(a.b,4)', values: [null, null, null, null, null, null, 5.5, 5.5] }],
  },
  {
    title: 'xFilesFactor as a keyword, 1 needs a full window',
    target: 'movingMax(a.b,2,xFilesFactor=1)',
    input: { 'a.b': { start: at(-2), values: [null, 4, 6, null, 8, 10] } },
    expect: [{ name: 'movingMax(a.b,2)', values: [null, 6, null, null] }],
  },
  {
    title: 'a moving window over an all-null series stays null',
    target: 'movingSum(a.b,2)',
    input: { 'a.b': [null, null, null] },
    expect: [{ name: 'movingSum(a.b,2)', values: [null, null, null] }],
  },
  {
    title: 'a moving window over a glob re-reads the glob once and keeps each series',
    target: 'movingAverage(a.*,2)',
    input: { 'a.x': withHistory, 'a.y': { start: at(-2), values: [null, 4, 6, null, 8, 10] } },
    expect: [
      { name: 'movingAverage(a.x,2)', values: [15, 10.5, 1.5, 2.5] },
      { name: 'movingAverage(a.y,2)', values: [4, 5, 6, 8] },
    ],
  },
  {
    title: 'a moving window over a function re-evaluates the function further back',
    target: 'movingAverage(scale(a.b,10),2)',
    input: { 'a.b': withHistory },
    expect: [{ name: 'movingAverage(scale(a.b,10),2)', values: [150, 105, 15, 25], start: START }],
  },
  {
    title: 'movingWindow defaults to average',
    target: 'movingWindow(a.b,2)',
    input: { 'a.b': withHistory },
    expect: [{ name: 'movingAverage(a.b,2)', values: [15, 10.5, 1.5, 2.5] }],
  },
  {
    title: 'movingWindow names itself after the function (Python capitalize)',
    target: "movingWindow(a.b,2,'avg')",
    input: { 'a.b': withHistory },
    expect: [{ name: 'movingAvg(a.b,2)', values: [15, 10.5, 1.5, 2.5], tags: { name: 'a.b', movingAvg: '2' } }],
  },
  {
    title: 'movingWindow with an interval, a function and an xFilesFactor',
    target: "movingWindow(a.b,'2min','median',0.5)",
    input: { 'a.b': withHistory },
    expect: [{ name: 'movingMedian(a.b,"2min")', values: [15, 10.5, 1.5, 2.5] }],
  },
  {
    title: 'movingWindow with max',
    target: "movingWindow(a.b,2,'max')",
    input: { 'a.b': withHistory },
    expect: [{ name: 'movingMax(a.b,2)', values: [20, 20, 2, 3] }],
  },
  {
    title: 'a window of 0 points is refused',
    target: 'movingAverage(a.b,0)',
    input: { 'a.b': [1] },
    error: /Invalid "intOrInterval" value specified for function "movingAverage" parameter "windowSize": 0/,
  },
  {
    title: 'a fractional number of points is refused',
    target: 'movingSum(a.b,1.5)',
    input: { 'a.b': [1] },
    error: /Invalid "intOrInterval" value specified for function "movingSum" parameter "windowSize"/,
  },
  {
    title: 'a window string without a unit is refused',
    target: "movingMedian(a.b,'5')",
    input: { 'a.b': [1] },
    error: /Invalid "intOrInterval" value specified for function "movingMedian" parameter "windowSize"/,
  },
  {
    title: '"m" is not a unit',
    target: "movingMin(a.b,'5m')",
    input: { 'a.b': [1] },
    error: /Invalid "intOrInterval" value specified for function "movingMin" parameter "windowSize"/,
  },
  {
    title: 'movingWindow refuses an unknown aggregation',
    target: "movingWindow(a.b,2,'bogus')",
    input: { 'a.b': [1] },
    error: /Invalid "aggFunc" value specified for function "movingWindow" parameter "func"/,
  },
  {
    title: 'movingWindow refuses the ...Series spelling',
    target: "movingWindow(a.b,2,'sumSeries')",
    input: { 'a.b': [1] },
    error: /Invalid "aggFunc" value specified for function "movingWindow" parameter "func": "sumSeries"/,
  },

  // nPercentile
  {
    title: 'nPercentile draws the percentile of the non-null values as a flat line (name with a space)',
    target: 'nPercentile(a.b,50)',
    input: { 'a.b': [5, null, 1, 4, 2, 3] },
    expect: [{ name: 'nPercentile(a.b, 50)', values: [3, 3, 3, 3, 3, 3], tags: { name: 'a.b', nPercentile: '50' } }],
  },
  {
    title: 'nPercentile rounds the rank up',
    target: 'nPercentile(a.b,30)',
    input: { 'a.b': [5, null, 1, 4, 2, 3] },
    expect: [{ name: 'nPercentile(a.b, 30)', values: [2, 2, 2, 2, 2, 2] }],
  },
  {
    title: 'nPercentile: a low percentile is the smallest value',
    target: 'nPercentile(a.b,10)',
    input: { 'a.b': [5, null, 1, 4, 2, 3] },
    expect: [{ name: 'nPercentile(a.b, 10)', values: [1, 1, 1, 1, 1, 1] }],
  },
  {
    title: 'nPercentile: a rank past the last value is the largest value; %g in the name',
    target: 'nPercentile(a.b,99.9)',
    input: { 'a.b': [5, null, 1, 4, 2, 3] },
    expect: [{ name: 'nPercentile(a.b, 99.9)', values: [5, 5, 5, 5, 5, 5] }],
  },
  {
    title: 'nPercentile drops a series with no values',
    target: 'nPercentile(a.*,95)',
    input: { 'a.x': [1, 2, 3], 'a.y': [null, null, null] },
    expect: [{ name: 'nPercentile(a.x, 95)', values: [3, 3, 3] }],
  },
  {
    title: 'nPercentile refuses 0',
    target: 'nPercentile(a.b,0)',
    input: { 'a.b': [1] },
    error: /Invalid "float" value specified for function "nPercentile" parameter "n": 0/,
  },
  {
    title: 'nPercentile refuses more than 100',
    target: 'nPercentile(a.b,101)',
    input: { 'a.b': [1] },
    error: /Invalid "float" value specified for function "nPercentile" parameter "n": 101/,
  },
  {
    title: 'a moving window re-reads its argument as written, so a filtered and renamed list gets full windows',
    target: 'movingSum(aliasByNode(highestMax(a.*,1),1),2)',
    input: { 'a.x': [1, 2, 3, 4, 5], 'a.y': [10, 20, 30, 40, 50] },
    from: START + 2 * STEP,
    expect: [{ name: 'movingSum(y,2)', values: [50, 70], start: START + 3 * STEP }],
  },
];
