import { type GoldenCase, START, STEP } from '../harness.js';

/** The time of point k of a default input (START + k steps). */
const at = (k: number) => START + k * STEP;

/**
 * graphite-web's Transform functions (render/functions.py), expected values worked out from its
 * algorithms. Default range: from START - 60 (exclusive) to the last input point, so a default input's
 * points are read back exactly.
 */
export const transformCases: GoldenCase[] = [
  // scale, offset, absolute, invert, pow
  {
    title: 'scale multiplies, keeps nulls, names with %g and tags the factor',
    target: 'scale(a.b,2)',
    input: { 'a.b': [1, null, -3, 2.5] },
    expect: [{ name: 'scale(a.b,2)', values: [2, null, -6, 5], tags: { name: 'a.b', scale: '2' } }],
  },
  {
    title: 'scale names every series of a glob, the factor in %g exponent form',
    target: 'scale(a.*,0.0000123456789)',
    input: { 'a.y': [null, 2], 'a.x': [1, null] },
    expect: [
      { name: 'scale(a.x,1.23457e-05)', values: [0.0000123456789, null] },
      { name: 'scale(a.y,1.23457e-05)', values: [null, 0.0000246913578] },
    ],
  },
  {
    title: 'scale through a pipe, large factors in %g form',
    target: 'a.b|scale(1234567)',
    input: { 'a.b': [1, 2] },
    expect: [{ name: 'scale(a.b,1.23457e+06)', values: [1234567, 2469134] }],
  },
  {
    title: 'scale of a series with only nulls stays null',
    target: 'scale(a.b,-0.5)',
    input: { 'a.b': [null, null, null] },
    expect: [{ name: 'scale(a.b,-0.5)', values: [null, null, null] }],
  },
  {
    title: 'scale refuses a string factor',
    target: 'scale(a.b,"2")',
    input: { 'a.b': [1] },
    error: /Invalid "float" value specified for function "scale" parameter "factor"/,
  },
  {
    title: 'scale needs its factor',
    target: 'scale(a.b)',
    input: { 'a.b': [1] },
    error: /Missing required parameter "factor"/,
  },
  {
    title: 'scaleToSeconds scales by seconds/step and rounds to 6 decimals; the name truncates seconds (%d)',
    target: 'scaleToSeconds(a.b,1)',
    input: { 'a.b': [60, 120, null, 1] },
    expect: [
      { name: 'scaleToSeconds(a.b,1)', values: [1, 2, null, 0.016667], tags: { name: 'a.b', scaleToSeconds: '1' } },
    ],
  },
  {
    title: 'scaleToSeconds with a fractional number of seconds on a 10 s step',
    target: 'scaleToSeconds(a.b,2.5)',
    input: { 'a.b': { values: [5, 7, null], step: 10 } },
    from: START - 10,
    expect: [{ name: 'scaleToSeconds(a.b,2)', values: [1.25, 1.75, null], step: 10 }],
  },
  {
    title: 'offset adds a constant and leaves nulls alone',
    target: 'offset(a.b,-1.5)',
    input: { 'a.b': [1, null, 3] },
    expect: [{ name: 'offset(a.b,-1.5)', values: [-0.5, null, 1.5], tags: { name: 'a.b', offset: '-1.5' } }],
  },
  {
    title: 'absolute',
    target: 'absolute(a.b)',
    input: { 'a.b': [-1, null, 2, -0.25] },
    expect: [{ name: 'absolute(a.b)', values: [1, null, 2, 0.25], tags: { name: 'a.b', absolute: '1' } }],
  },
  {
    title: 'invert gives 1/x; zero and null give null',
    target: 'invert(a.b)',
    input: { 'a.b': [2, 0, null, -4, 0.5] },
    expect: [{ name: 'invert(a.b)', values: [0.5, null, null, -0.25, 2] }],
  },
  {
    title: 'pow squares, keeping nulls',
    target: 'pow(a.b,2)',
    input: { 'a.b': [3, -2, null, 0.5] },
    expect: [{ name: 'pow(a.b,2)', values: [9, 4, null, 0.25], tags: { name: 'a.b', pow: '2' } }],
  },
  {
    title: 'pow: a negative base with a fractional power is null (math domain error)',
    target: 'pow(a.b,0.5)',
    input: { 'a.b': [4, -4, 0, null] },
    expect: [{ name: 'pow(a.b,0.5)', values: [2, null, 0, null] }],
  },
  {
    title: 'pow: zero to a negative power is null',
    target: 'pow(a.b,-2)',
    input: { 'a.b': [0, 2] },
    expect: [{ name: 'pow(a.b,-2)', values: [null, 0.25] }],
  },

  // derivative, nonNegativeDerivative, perSecond, integral
  {
    title: 'derivative: difference to the previous point; a null makes both neighbours null',
    target: 'derivative(a.b)',
    input: { 'a.b': [1, 3, null, 10, 15, 12] },
    expect: [{ name: 'derivative(a.b)', values: [null, 2, null, null, 5, -3], tags: { name: 'a.b', derivative: '1' } }],
  },
  {
    title: 'derivative with leading nulls',
    target: 'derivative(a.b)',
    input: { 'a.b': [null, 5, 7] },
    expect: [{ name: 'derivative(a.b)', values: [null, null, 2] }],
  },
  {
    title: 'nonNegativeDerivative: a counter reset gives null, and a null restarts the count',
    target: 'nonNegativeDerivative(a.b)',
    input: { 'a.b': [1, 3, 2, 6, null, 9, 10] },
    expect: [{ name: 'nonNegativeDerivative(a.b)', values: [null, 2, null, 4, null, null, 1] }],
  },
  {
    title: 'nonNegativeDerivative with maxValue: wraps at maxValue; values above it are null and restart',
    target: 'nonNegativeDerivative(a.b,255)',
    input: { 'a.b': [250, 253, 2, 5, 300, 10] },
    expect: [{ name: 'nonNegativeDerivative(a.b)', values: [null, 3, 5, 3, null, null] }],
  },
  {
    title: 'nonNegativeDerivative with only minValue (keyword): a drop counts from minValue; values below it are null',
    target: 'nonNegativeDerivative(a.b,minValue=10)',
    input: { 'a.b': [20, 30, 15, 5, 12] },
    expect: [{ name: 'nonNegativeDerivative(a.b)', values: [null, 10, 5, null, null] }],
  },
  {
    title: 'nonNegativeDerivative with maxValue and minValue: maxValue + 1 + value - previous - minValue',
    target: 'nonNegativeDerivative(a.b,100,10)',
    input: { 'a.b': [95, 12, 20] },
    expect: [{ name: 'nonNegativeDerivative(a.b)', values: [null, 8, 8] }],
  },
  {
    title: 'perSecond: non-negative delta divided by the step, rounded to 6 decimals',
    target: 'perSecond(a.b)',
    input: { 'a.b': [0, 60, 150, 100, 130, null, 200, 201] },
    expect: [
      {
        name: 'perSecond(a.b)',
        values: [null, 1, 1.5, null, 0.5, null, null, 0.016667],
        tags: { name: 'a.b', perSecond: '1' },
      },
    ],
  },
  {
    title: "perSecond rounds as Python's round(): an exact tie goes to the even digit",
    target: 'perSecond(a.b)',
    input: { 'a.b': [0, 0.46875, 0.9375] },
    // 0.46875 / 60 = 0.0078125 exactly: round(0.0078125, 6) is 0.007812 in Python (JS toFixed gives 0.007813).
    expect: [{ name: 'perSecond(a.b)', values: [null, 0.007812, 0.007812] }],
  },
  {
    title: 'perSecond with maxValue handles the counter wrap',
    target: 'perSecond(a.b,100)',
    input: { 'a.b': [90, 10] },
    expect: [{ name: 'perSecond(a.b)', values: [null, 0.35] }],
  },
  {
    title: 'integral: running total; nulls stay null without resetting it',
    target: 'integral(a.b)',
    input: { 'a.b': [null, 1, null, 2, 3, null] },
    expect: [{ name: 'integral(a.b)', values: [null, 1, null, 3, 6, null], tags: { name: 'a.b', integral: '1' } }],
  },

  // delay
  {
    title: 'delay shifts values later by whole steps, padding with nulls',
    target: 'delay(a.b,2)',
    input: { 'a.b': [1, 2, 3, 4, 5] },
    expect: [{ name: 'delay(a.b,2)', values: [null, null, 1, 2, 3], tags: { name: 'a.b', delay: '2' } }],
  },
  {
    title: 'delay by a negative number of steps shifts earlier',
    target: 'delay(a.b,-1)',
    input: { 'a.b': [1, 2, 3, 4, 5] },
    expect: [{ name: 'delay(a.b,-1)', values: [2, 3, 4, 5, null] }],
  },
  {
    title: 'delay past the whole series leaves only nulls',
    target: 'delay(a.b,7)',
    input: { 'a.b': [1, 2, 3] },
    expect: [{ name: 'delay(a.b,7)', values: [null, null, null] }],
  },
  {
    title: 'delay needs a whole number of steps',
    target: 'delay(a.b,1.5)',
    input: { 'a.b': [1] },
    error: /Invalid "integer" value specified for function "delay" parameter "steps"/,
  },

  // timeShift
  {
    title: 'timeShift re-reads the range shifted back (no sign means minus) and draws it over the current one',
    target: 'timeShift(a.b,"5min")',
    input: { 'a.b': { start: at(-5), values: [10, 11, 12, 13, 14, 15, 16, 17, 18, 19] } },
    expect: [
      {
        name: 'timeShift(a.b, "-5min")',
        values: [10, 11, 12, 13, 14],
        start: START,
        tags: { name: 'a.b', timeShift: '-5min' },
      },
    ],
  },
  {
    title: 'timeShift forward with "+", data from after the range',
    target: 'timeShift(a.b,"+2min")',
    input: { 'a.b': { start: at(-5), values: [10, 11, 12, 13, 14, 15, 16, 17, 18, 19] } },
    until: at(2),
    expect: [{ name: 'timeShift(a.b, "+2min")', values: [17, 18, 19], start: START }],
  },
  {
    title: 'timeShift into a range with no data gives nulls',
    target: "timeShift(a.b,'1d')",
    input: { 'a.b': [1, 2, 3] },
    expect: [{ name: 'timeShift(a.b, "-1d")', values: [null, null, null], start: START }],
  },
  {
    title: 'timeShift with resetEnd false keeps the same span',
    target: 'timeShift(a.b,"-2min",false)',
    input: { 'a.b': { start: at(-2), values: [1, 2, 3, 4, 5] } },
    expect: [{ name: 'timeShift(a.b, "-2min")', values: [1, 2, 3], start: START }],
  },
  {
    title: 'timeShift of a glob shifts every series',
    target: 'timeShift(a.*,"1min")',
    input: { 'a.x': { start: at(-1), values: [1, 2, 3] }, 'a.y': { start: at(-1), values: [7, null, 9] } },
    expect: [
      { name: 'timeShift(a.x, "-1min")', values: [1, 2] },
      { name: 'timeShift(a.y, "-1min")', values: [7, null] },
    ],
  },
  {
    title: 'a moving window over timeShift reads the shifted data further back',
    target: 'movingAverage(timeShift(a.b,"5min"),2)',
    input: { 'a.b': { start: at(-5), values: [10, 11, 12, 13, 14, 15, 16, 17, 18, 19] } },
    expect: [{ name: 'movingAverage(timeShift(a.b, "-5min"),2)', values: [null, 10, 10.5, 11.5, 12.5], start: START }],
  },
  {
    title: 'timeShift refuses "m" as a unit',
    target: 'timeShift(a.b,"1m")',
    input: { 'a.b': [1] },
    error: /Invalid "interval" value specified for function "timeShift" parameter "timeShift"/,
  },

  // summarize
  {
    title: 'summarize sums into interval-aligned buckets; nulls are skipped',
    target: 'summarize(a.b,"5min")',
    input: { 'a.b': [1, 2, null, 4, 5, 6, null] },
    expect: [
      {
        name: 'summarize(a.b, "5min", "sum")',
        values: [12, 6],
        step: 300,
        start: START,
        tags: { name: 'a.b', summarize: '5min', summarizeFunction: 'sum' },
      },
    ],
  },
  {
    title: 'summarize avg',
    target: 'summarize(a.b,"5min","avg")',
    input: { 'a.b': [1, 2, null, 4, 5, 6, null] },
    expect: [{ name: 'summarize(a.b, "5min", "avg")', values: [3, 6], step: 300 }],
  },
  {
    title: 'summarize max',
    target: 'summarize(a.b,"5min","max")',
    input: { 'a.b': [1, 2, null, 4, 5, 6, null] },
    expect: [{ name: 'summarize(a.b, "5min", "max")', values: [5, 6], step: 300 }],
  },
  {
    title: 'summarize count counts the non-null points',
    target: 'summarize(a.b,"5min","count")',
    input: { 'a.b': [1, 2, null, 4, 5, 6, null] },
    expect: [{ name: 'summarize(a.b, "5min", "count")', values: [4, 1], step: 300 }],
  },
  {
    title: 'summarize avg_zero counts nulls as zero',
    target: 'summarize(a.b,"5min","avg_zero")',
    input: { 'a.b': [1, 2, null, 4, 5, 6, null] },
    expect: [{ name: 'summarize(a.b, "5min", "avg_zero")', values: [2.4, 3], step: 300 }],
  },
  {
    title: 'summarize multiply is null when the bucket holds a null (safeMul)',
    target: 'summarize(a.b,"5min","multiply")',
    input: { 'a.b': [1, 2, 3, 4, 5, 6, null] },
    expect: [{ name: 'summarize(a.b, "5min", "multiply")', values: [120, null], step: 300 }],
  },
  {
    title: 'summarize of a series ending on a bucket boundary has a trailing null bucket, as graphite-web',
    target: 'summarize(a.b,"5min","last")',
    input: { 'a.b': [1, 1, 1, 1, 7] },
    expect: [{ name: 'summarize(a.b, "5min", "last")', values: [7, null], step: 300, start: START }],
  },
  {
    title: 'summarize with leading nulls and an all-null bucket',
    target: 'summarize(a.b,"2min")',
    input: { 'a.b': [null, null, null, 4, 5] },
    expect: [{ name: 'summarize(a.b, "2min", "sum")', values: [null, 4, 5], step: 120, start: START }],
  },
  {
    title: 'summarize buckets are aligned to multiples of the interval, not to the series start',
    target: 'summarize(a.b,"7min")',
    input: { 'a.b': [1, 2, 3, 4, 5] },
    expect: [{ name: 'summarize(a.b, "7min", "sum")', values: [1, 14], step: 420, start: START - 360 }],
  },
  {
    title: 'summarize with alignToFrom starts buckets at the series start and says ", true"',
    target: 'summarize(a.b,"7min","sum",true)',
    input: { 'a.b': [1, 2, 3, 4, 5] },
    expect: [{ name: 'summarize(a.b, "7min", "sum", true)', values: [15], step: 420, start: START }],
  },
  {
    title: 'summarize with alignToFrom, several buckets',
    target: 'summarize(a.b,"2min","sum",alignToFrom=true)',
    input: { 'a.b': [1, 2, 3, 4, 5] },
    expect: [{ name: 'summarize(a.b, "2min", "sum", true)', values: [3, 7, 5], step: 120, start: START }],
  },
  {
    title: 'summarize of an all-null series',
    target: 'summarize(a.b,"2min","max")',
    input: { 'a.b': [null, null] },
    expect: [{ name: 'summarize(a.b, "2min", "max")', values: [null, null], step: 120 }],
  },
  {
    title: 'summarize refuses an unknown aggregation',
    target: 'summarize(a.b,"5min","bogus")',
    input: { 'a.b': [1] },
    error: /Invalid "aggFunc" value specified for function "summarize" parameter "func"/,
  },
  {
    title: 'summarize refuses the ...Series spelling, as graphite getAggFunc does',
    target: 'summarize(a.b,"5min","sumSeries")',
    input: { 'a.b': [1] },
    error: /Invalid "aggFunc" value specified for function "summarize" parameter "func": "sumSeries"/,
  },
  {
    title: 'summarize refuses an interval without a unit',
    target: 'summarize(a.b,"5")',
    input: { 'a.b': [1] },
    error: /Invalid "interval" value specified for function "summarize" parameter "intervalString"/,
  },
  {
    title: 'summarize refuses a negative interval',
    target: 'summarize(a.b,"-5min")',
    input: { 'a.b': [1] },
    error: /Invalid "interval" value specified for function "summarize" parameter "intervalString": "-5min"/,
  },

  // hitcount
  {
    title: 'hitcount turns hits per second into hits per bucket (value × seconds covered)',
    target: 'hitcount(a.b,"2min")',
    input: { 'a.b': [1, 2, null, 4] },
    expect: [
      {
        name: 'hitcount(a.b, "2min")',
        values: [180, 240],
        step: 120,
        start: START,
        tags: { name: 'a.b', hitcount: '2min' },
      },
    ],
  },
  {
    title: 'hitcount buckets are aligned to the end of the series; a step across a boundary is split',
    target: 'hitcount(a.b,"5min")',
    input: { 'a.b': [1, 1, 1, 1, 1, 1, 1] },
    expect: [{ name: 'hitcount(a.b, "5min")', values: [120, 300], step: 300, start: START - 180 }],
  },
  {
    title: 'hitcount spreads a coarse step over several buckets',
    target: 'hitcount(a.b,"5min")',
    input: { 'a.b': { values: [1, 2], step: 600 } },
    expect: [{ name: 'hitcount(a.b, "5min")', values: [300, 300, 600, 600], step: 300, start: START }],
  },
  {
    title: 'hitcount of an all-null series',
    target: 'hitcount(a.b,"2min")',
    input: { 'a.b': [null, null, null] },
    expect: [{ name: 'hitcount(a.b, "2min")', values: [null, null], step: 120, start: START - 60 }],
  },
  {
    title: 'hitcount without alignment: one bucket ending at the series end',
    target: 'hitcount(a.b,"1h")',
    input: { 'a.b': { start: at(-3), values: [1, 1, 1, 1, 1, 1, 1, 1] } },
    expect: [{ name: 'hitcount(a.b, "1h")', values: [300], step: 3600, start: START + 300 - 3600 }],
  },
  {
    title: 'hitcount with alignToInterval re-reads from the start of the hour',
    target: 'hitcount(a.b,"1h",true)',
    input: { 'a.b': { start: at(-3), values: [1, 1, 1, 1, 1, 1, 1, 1] } },
    // START is 20 minutes past the hour: the re-read covers (START - 1200, until], first point START - 1140.
    expect: [{ name: 'hitcount(a.b, "1h", true)', values: [480], step: 3600, start: START - 1140 }],
  },
  {
    title: 'hitcount refuses a zero interval',
    target: 'hitcount(a.b,"0min")',
    input: { 'a.b': [1] },
    error: /Invalid "interval" value specified for function "hitcount" parameter "intervalString"/,
  },

  // keepLastValue
  {
    title: 'keepLastValue fills every gap with the last value; leading nulls stay, trailing ones are filled',
    target: 'keepLastValue(a.b)',
    input: { 'a.b': [null, 1, null, null, 2, null, null, null, 3, null] },
    expect: [{ name: 'keepLastValue(a.b)', values: [null, 1, 1, 1, 2, 2, 2, 2, 3, 3], tags: { name: 'a.b' } }],
  },
  {
    title: 'keepLastValue with a limit leaves longer gaps entirely null; the limit is not in the name',
    target: 'keepLastValue(a.b,2)',
    input: { 'a.b': [null, 1, null, null, 2, null, null, null, 3, null] },
    expect: [{ name: 'keepLastValue(a.b)', values: [null, 1, 1, 1, 2, null, null, null, 3, 3] }],
  },
  {
    title: 'keepLastValue with an explicit inf limit, and an all-null series',
    target: 'keepLastValue(a.*,inf)',
    input: { 'a.x': [5, null], 'a.y': [null, null] },
    expect: [
      { name: 'keepLastValue(a.x)', values: [5, 5] },
      { name: 'keepLastValue(a.y)', values: [null, null] },
    ],
  },
  {
    title: 'keepLastValue refuses a fractional limit',
    target: 'keepLastValue(a.b,1.5)',
    input: { 'a.b': [1] },
    error: /Invalid "intOrInf" value specified for function "keepLastValue" parameter "limit"/,
  },

  // transformNull
  {
    title: 'transformNull replaces nulls with 0 by default',
    target: 'transformNull(a.b)',
    input: { 'a.b': [null, 1, null] },
    expect: [{ name: 'transformNull(a.b,0)', values: [0, 1, 0], tags: { name: 'a.b', transformNull: '0' } }],
  },
  {
    title: 'transformNull with a default, %g in the name',
    target: 'transformNull(a.b,-1.5)',
    input: { 'a.b': [null, 1, null] },
    expect: [{ name: 'transformNull(a.b,-1.5)', values: [-1.5, 1, -1.5] }],
  },
  {
    title: 'transformNull with referenceSeries replaces only where a reference has a value',
    target: 'transformNull(a.b,0,ref.*)',
    input: { 'a.b': [null, null, 3, null], 'ref.x': [1, null, null, null], 'ref.y': [null, null, null, 2] },
    expect: [
      {
        name: 'transformNull(a.b,0,referenceSeries)',
        values: [0, null, 3, 0],
        tags: { name: 'a.b', transformNull: '0', referenceSeries: '1' },
      },
    ],
  },
  {
    title: 'a moving window over transformNull with referenceSeries re-reads the references too',
    target: 'movingAverage(transformNull(a.b,0,ref.*),2)',
    input: {
      'a.b': { start: at(-2), values: [null, 4, null, 6, null, 8] },
      'ref.x': { start: at(-2), values: [1, null, null, 1, 1, null] },
    },
    expect: [{ name: 'movingAverage(transformNull(a.b,0,referenceSeries),2)', values: [2, 4, 6, 3], start: START }],
  },
  {
    title: 'transformNull with a reference list that matches nothing acts as if none was given',
    target: 'transformNull(a.b,5,nothing.*)',
    input: { 'a.b': [null, 1, null] },
    expect: [{ name: 'transformNull(a.b,5)', values: [5, 1, 5] }],
  },

  // consolidateBy
  {
    title: 'consolidateBy names with double quotes and keeps the values',
    target: "consolidateBy(a.b,'max')",
    input: { 'a.b': [1, null, 3] },
    expect: [{ name: 'consolidateBy(a.b,"max")', values: [1, null, 3], tags: { name: 'a.b', consolidateBy: 'max' } }],
  },
  {
    title: 'consolidateBy accepts avg',
    target: 'consolidateBy(a.*,"avg")',
    input: { 'a.x': [1], 'a.y': [2] },
    expect: [
      { name: 'consolidateBy(a.x,"avg")', values: [1] },
      { name: 'consolidateBy(a.y,"avg")', values: [2] },
    ],
  },
  {
    title: 'consolidateBy refuses a function it does not know',
    target: "consolidateBy(a.b,'median')",
    input: { 'a.b': [1] },
    error: /Invalid "string" value specified for function "consolidateBy" parameter "consolidationFunc"/,
  },
];
