import type { GoldenCase } from '../harness.js';
import { START, STEP } from '../harness.js';

/**
 * graphite-web's 'Combine' group. Expected names, values and tags follow graphite-web's render/functions.py
 * (aggregate, asPercent, divideSeries, groupByNodes, groupByTags, aggregateWithWildcards) and
 * functions/aggfuncs.py + safe.py for null handling.
 */

const agg = (name: string, by: string) => ({ name, aggregatedBy: by });

/** Three series with nulls in different places; the third column is null everywhere. */
const abc = {
  'a.x': [1, 2, null, null],
  'a.y': [3, null, null, 5],
  'a.z': [5, 4, null, null],
};

const dc = {
  'dc.web1.cpu': [1, 2, null],
  'dc.web1.disk': [3, null, null],
  'dc.web2.cpu': [5, 6, 7],
};

const tagged = {
  'cpu.a': { values: [1, 2, null], tags: { dc: 'east', env: 'prod' } },
  'cpu.b': { values: [3, null, null], tags: { dc: 'west', env: 'prod' } },
  'cpu.c': { values: [5, 6, null], tags: { dc: 'east', env: 'dev' } },
};

const pct = { 'a.x': [1, 2, null, 0], 'a.y': [3, null, null, 0] };

export const combineCases: GoldenCase[] = [
  // ---- sumSeries / sum ------------------------------------------------------------------------------------
  {
    title: 'sumSeries adds point by point, ignoring nulls, and names itself after the path expression',
    target: 'sumSeries(a.*)',
    input: { 'a.x': [1, 2, null, null], 'a.y': [10, null, 30, null] },
    expect: [
      { name: 'sumSeries(a.*)', values: [11, 2, 30, null], tags: { aggregatedBy: 'sum', name: 'sumSeries(a.*)' } },
    ],
  },
  {
    title: 'sum is sumSeries; several lists give their distinct path expressions joined by ","',
    target: 'sum(a.x,a.y,a.x)',
    input: { 'a.x': [1, 2], 'a.y': [10, 20] },
    expect: [{ name: 'sumSeries(a.x,a.y)', values: [12, 24], tags: agg('sumSeries(a.x,a.y)', 'sum') }],
  },
  {
    title: 'sumSeries over different steps: the coarsest step wins and finer series are averaged into it',
    target: 'sumSeries(a.*)',
    input: { 'a.x': [1, 2, 3, 4], 'a.y': { values: [10, 20], step: 120 } },
    expect: [{ name: 'sumSeries(a.*)', values: [11.5, 23.5], step: 120, start: START }],
  },
  {
    title: 'sumSeries of one series keeps its name tag (every input shares it) and adds aggregatedBy',
    target: 'sumSeries(a.x)',
    input: { 'a.x': [1, null] },
    expect: [{ name: 'sumSeries(a.x)', values: [1, null], tags: { name: 'a.x', aggregatedBy: 'sum' } }],
  },
  {
    title: 'sumSeries keeps the tags all inputs share with the same value',
    target: 'sumSeries(h.*)',
    input: {
      'h.a': { values: [1], tags: { dc: 'east', env: 'prod' } },
      'h.b': { values: [2], tags: { dc: 'east', env: 'dev' } },
    },
    expect: [{ name: 'sumSeries(h.*)', values: [3], tags: { dc: 'east', ...agg('sumSeries(h.*)', 'sum') } }],
  },
  {
    title: 'sumSeries of a path that matches nothing is no series at all',
    target: 'sumSeries(nothing.*)',
    input: { 'a.x': [1] },
    expect: [],
  },
  {
    title: 'an aggregate of an aliased series still names itself after the path expression',
    target: 'sumSeries(alias(a.x,"foo"),a.y)',
    input: { 'a.x': [1], 'a.y': [2] },
    expect: [{ name: 'sumSeries(a.x,a.y)', values: [3] }],
  },

  // ---- averageSeries / avg ------------------------------------------------------------------------------
  {
    title: 'averageSeries is the mean of the non-null values; an all-null column stays null',
    target: 'averageSeries(a.*)',
    input: abc,
    expect: [{ name: 'averageSeries(a.*)', values: [3, 3, null, 5], tags: agg('averageSeries(a.*)', 'average') }],
  },
  {
    title: 'avg is averageSeries',
    target: 'avg(a.x,a.z)',
    input: abc,
    expect: [{ name: 'averageSeries(a.x,a.z)', values: [3, 3, null, null] }],
  },
  {
    title: 'averageSeries of a 60 s and a 120 s series averages the fine one into 120 s buckets first',
    target: 'averageSeries(a.*)',
    input: { 'a.x': [1, null, 3, 5, 7, 9], 'a.y': { values: [10, null, 20], step: 120 } },
    expect: [{ name: 'averageSeries(a.*)', values: [5.5, 4, 14], step: 120 }],
  },

  // ---- minSeries / maxSeries / rangeOfSeries -----------------------------------------------------------
  {
    title: 'minSeries picks the smallest non-null value',
    target: 'minSeries(a.*)',
    input: abc,
    expect: [{ name: 'minSeries(a.*)', values: [1, 2, null, 5], tags: agg('minSeries(a.*)', 'min') }],
  },
  {
    title: 'maxSeries picks the largest non-null value',
    target: 'maxSeries(a.*)',
    input: abc,
    expect: [{ name: 'maxSeries(a.*)', values: [5, 4, null, 5], tags: agg('maxSeries(a.*)', 'max') }],
  },
  {
    title: 'rangeOfSeries is max minus min of the non-null values (aggregatedBy rangeOf)',
    target: 'rangeOfSeries(a.*)',
    input: abc,
    expect: [{ name: 'rangeOfSeries(a.*)', values: [4, 2, null, 0], tags: agg('rangeOfSeries(a.*)', 'rangeOf') }],
  },

  // ---- diffSeries ---------------------------------------------------------------------------------------
  {
    title: 'diffSeries subtracts the rest from the first non-null value of each row',
    target: 'diffSeries(a.x,a.y,a.z)',
    input: { 'a.x': [10, null, 10, null], 'a.y': [3, 3, null, null], 'a.z': [1, 1, 1, null] },
    expect: [
      { name: 'diffSeries(a.x,a.y,a.z)', values: [6, 2, 9, null], tags: agg('diffSeries(a.x,a.y,a.z)', 'diff') },
    ],
  },

  // ---- multiplySeries -----------------------------------------------------------------------------------
  {
    title: 'multiplySeries is null wherever any series is null (safeMul)',
    target: 'multiplySeries(a.*)',
    input: { 'a.x': [2, 3, null, 4], 'a.y': [5, null, null, 0.5] },
    expect: [
      { name: 'multiplySeries(a.*)', values: [10, null, null, 2], tags: agg('multiplySeries(a.*)', 'multiply') },
    ],
  },
  {
    title: 'multiplySeries of a single series returns it unchanged',
    target: 'multiplySeries(a.x)',
    input: { 'a.x': [2, null, 4] },
    expect: [{ name: 'a.x', values: [2, null, 4], tags: { name: 'a.x' } }],
  },

  // ---- countSeries --------------------------------------------------------------------------------------
  {
    title: 'countSeries counts the series at every point, nulls included',
    target: 'countSeries(a.*)',
    input: abc,
    expect: [{ name: 'countSeries(a.*)', values: [3, 3, 3, 3], tags: { name: 'countSeries(a.*)' } }],
  },
  {
    title: 'countSeries with no arguments is a constant 0 line across the range',
    target: 'countSeries()',
    input: {},
    from: START,
    until: START + 4 * STEP,
    expect: [{ name: '0', values: [0, 0, 0], start: START, step: 2 * STEP }],
  },
  {
    title: 'countSeries of a path that matches nothing is no series',
    target: 'countSeries(nothing.*)',
    input: abc,
    expect: [],
  },

  // ---- aggregate ----------------------------------------------------------------------------------------
  {
    title: 'aggregate "sum" is sumSeries',
    target: 'aggregate(a.*, "sum")',
    input: abc,
    expect: [{ name: 'sumSeries(a.*)', values: [9, 6, null, 5], tags: agg('sumSeries(a.*)', 'sum') }],
  },
  {
    title: 'aggregate names itself after the function as given: "avg" gives avgSeries',
    target: 'aggregate(a.*, "avg")',
    input: abc,
    expect: [{ name: 'avgSeries(a.*)', values: [3, 3, null, 5], tags: agg('avgSeries(a.*)', 'avg') }],
  },
  {
    title: 'aggregate strips a Series suffix from the function',
    target: 'aggregate(a.*, "maxSeries")',
    input: abc,
    expect: [{ name: 'maxSeries(a.*)', values: [5, 4, null, 5], tags: agg('maxSeries(a.*)', 'max') }],
  },
  {
    title: 'aggregate "total" sums, named totalSeries',
    target: 'aggregate(a.*, "total")',
    input: abc,
    expect: [{ name: 'totalSeries(a.*)', values: [9, 6, null, 5] }],
  },
  {
    title: 'aggregate "median" averages the two middle values of an even row',
    target: 'aggregate(a.*, "median")',
    input: abc,
    expect: [{ name: 'medianSeries(a.*)', values: [3, 3, null, 5] }],
  },
  {
    title: 'aggregate "avg_zero" counts nulls as zero, but an all-null row stays null',
    target: 'aggregate(a.*, "avg_zero")',
    input: abc,
    expect: [{ name: 'avg_zeroSeries(a.*)', values: [3, 2, null, 5 / 3] }],
  },
  {
    title: 'aggregate "stddev" is the population standard deviation of the non-null values',
    target: 'aggregate(a.*, "stddev")',
    input: abc,
    expect: [{ name: 'stddevSeries(a.*)', values: [Math.sqrt(8 / 3), 1, null, 0] }],
  },
  {
    title: 'aggregate "count" counts non-null values; an all-null row is null',
    target: 'aggregate(a.*, "count")',
    input: abc,
    expect: [{ name: 'countSeries(a.*)', values: [3, 2, null, 1], tags: agg('countSeries(a.*)', 'count') }],
  },
  {
    title: 'aggregate "last" takes the last non-null value of the row',
    target: 'aggregate(a.*, "last")',
    input: abc,
    expect: [{ name: 'lastSeries(a.*)', values: [5, 4, null, 5] }],
  },
  {
    title: 'aggregate "multiply" is null when any value of the row is null',
    target: 'aggregate(a.*, "multiply")',
    input: abc,
    expect: [{ name: 'multiplySeries(a.*)', values: [15, null, null, null] }],
  },
  {
    title: 'aggregate with xFilesFactor 0.5 nulls rows where fewer than half the values are present',
    target: 'aggregate(a.*, "sum", 0.5)',
    input: abc,
    expect: [{ name: 'sumSeries(a.*)', values: [9, 6, null, null] }],
  },
  {
    title: 'aggregate takes keyword arguments',
    target: 'aggregate(a.*, func="sum", xFilesFactor=1)',
    input: abc,
    expect: [{ name: 'sumSeries(a.*)', values: [9, null, null, null] }],
  },
  {
    title: 'aggregate rejects an unknown function',
    target: 'aggregate(a.*, "bogus")',
    input: abc,
    error: /Invalid "aggFunc" value specified for function "aggregate" parameter "func"/,
  },
  {
    title: 'aggregate rejects an unknown function with a Series suffix',
    target: 'aggregate(a.*, "blahSeries")',
    input: abc,
    error: /Invalid "aggFunc"/,
  },
  {
    title: 'aggregate needs its function',
    target: 'aggregate(a.*)',
    input: abc,
    error: /Missing required parameter "func" for function "aggregate"/,
  },

  // ---- sumSeriesWithWildcards / averageSeriesWithWildcards -----------------------------------------------
  {
    title: 'sumSeriesWithWildcards sums groups that differ only at the position, named without it',
    target: 'sumSeriesWithWildcards(h.*.*, 1)',
    input: {
      'h.cpu-0.user': [1, 2],
      'h.cpu-0.system': [10, 20],
      'h.cpu-1.user': [3, null],
      'h.cpu-1.system': [30, 40],
    },
    expect: [
      { name: 'h.system', values: [40, 60], tags: agg('sumSeries(h.*.*)', 'sum') },
      { name: 'h.user', values: [4, 2], tags: agg('sumSeries(h.*.*)', 'sum') },
    ],
  },
  {
    title: 'sumSeriesWithWildcards removes several positions',
    target: 'sumSeriesWithWildcards(h.*.*, 0, 1)',
    input: { 'h.cpu-0.user': [1, 2], 'h.cpu-0.system': [10, 20], 'h.cpu-1.user': [3, null] },
    expect: [
      { name: 'system', values: [10, 20] },
      { name: 'user', values: [4, 2] },
    ],
  },
  {
    title: 'sumSeriesWithWildcards with no position aggregates each series on its own',
    target: 'sumSeriesWithWildcards(h.cpu-0.*)',
    input: { 'h.cpu-0.user': [1, null], 'h.cpu-0.system': [10, 20] },
    expect: [
      { name: 'h.cpu-0.system', values: [10, 20], tags: { name: 'h.cpu-0.system', aggregatedBy: 'sum' } },
      { name: 'h.cpu-0.user', values: [1, null], tags: { name: 'h.cpu-0.user', aggregatedBy: 'sum' } },
    ],
  },
  {
    title: 'averageSeriesWithWildcards averages each group',
    target: 'averageSeriesWithWildcards(h.*.*, 1)',
    input: {
      'h.cpu-0.user': [1, 2],
      'h.cpu-0.system': [10, 20],
      'h.cpu-1.user': [3, null],
      'h.cpu-1.system': [30, 40],
    },
    expect: [
      { name: 'h.system', values: [20, 30], tags: agg('averageSeries(h.*.*)', 'average') },
      { name: 'h.user', values: [2, 2] },
    ],
  },
  {
    title: 'sumSeriesWithWildcards positions must be integers',
    target: 'sumSeriesWithWildcards(h.*.*, "x")',
    input: { 'h.a.b': [1] },
    error: /Invalid "node" value specified for function "sumSeriesWithWildcards" parameter "position"/,
  },

  // ---- groupByNode / groupByNodes -----------------------------------------------------------------------
  {
    title: 'groupByNode averages by default and names each group after its node',
    target: 'groupByNode(dc.*.*, 1)',
    input: dc,
    expect: [
      { name: 'web1', values: [2, 2, null], tags: agg('averageSeries(dc.*.*)', 'average') },
      { name: 'web2', values: [5, 6, 7], tags: { name: 'dc.web2.cpu', aggregatedBy: 'average' } },
    ],
  },
  {
    title: 'groupByNode with a series function name as callback',
    target: 'groupByNode(dc.*.*, 1, "sumSeries")',
    input: dc,
    expect: [
      { name: 'web1', values: [4, 2, null], tags: agg('sumSeries(dc.*.*)', 'sum') },
      { name: 'web2', values: [5, 6, 7] },
    ],
  },
  {
    title: 'groupByNode with a negative node counts from the end',
    target: 'groupByNode(dc.*.*, -1, "sum")',
    input: dc,
    expect: [
      { name: 'cpu', values: [6, 8, 7] },
      { name: 'disk', values: [3, null, null] },
    ],
  },
  {
    title: 'groupByNode with "maxSeries"',
    target: 'groupByNode(dc.*.*, 1, "maxSeries")',
    input: dc,
    expect: [
      { name: 'web1', values: [3, 2, null], tags: agg('maxSeries(dc.*.*)', 'max') },
      { name: 'web2', values: [5, 6, 7] },
    ],
  },
  {
    title: 'groupByNode with "multiplySeries": a group of one is that series, renamed',
    target: 'groupByNode(dc.*.*, 1, "multiplySeries")',
    input: dc,
    expect: [
      { name: 'web1', values: [3, null, null], tags: agg('multiplySeries(dc.*.*)', 'multiply') },
      { name: 'web2', values: [5, 6, 7], tags: { name: 'dc.web2.cpu' } },
    ],
  },
  {
    title: 'groupByNode with a string node groups by that tag',
    target: 'groupByNode(h.*, "dc", "sum")',
    input: {
      'h.a': { values: [1, 2], tags: { dc: 'east' } },
      'h.b': { values: [3, 4], tags: { dc: 'west' } },
      'h.c': { values: [5, 6], tags: { dc: 'east' } },
    },
    expect: [
      { name: 'east', values: [6, 8], tags: { dc: 'east', ...agg('sumSeries(h.*)', 'sum') } },
      { name: 'west', values: [3, 4], tags: { dc: 'west', name: 'h.b', aggregatedBy: 'sum' } },
    ],
  },
  {
    title: 'groupByNode reads a function-wrapped name at its first path expression',
    target: 'groupByNode(divideSeries(dc.*.cpu, dc.web2.cpu), 1, "sum")',
    input: dc,
    expect: [
      { name: 'web1', values: [0.2, 2 / 6, null] },
      { name: 'web2', values: [1, 1, 1] },
    ],
  },
  {
    title: 'groupByNode rejects a Series callback that is no aggregation',
    target: 'groupByNode(dc.*.*, 1, "fooSeries")',
    input: dc,
    error: /Unsupported aggregation function: fooSeries/,
  },
  {
    title: 'groupByNode rejects an unknown callback',
    target: 'groupByNode(dc.*.*, 1, "bogus")',
    input: dc,
    error: /Invalid "aggOrSeriesFunc" value specified for function "groupByNode" parameter "callback"/,
  },
  {
    title: 'groupByNode needs its node',
    target: 'groupByNode(dc.*.*)',
    input: dc,
    error: /Missing required parameter "nodeNum" for function "groupByNode"/,
  },
  {
    title: 'groupByNodes joins the nodes with "."',
    target: 'groupByNodes(dc.*.*, "sum", 1, 2)',
    input: dc,
    expect: [
      { name: 'web1.cpu', values: [1, 2, null], tags: { name: 'dc.web1.cpu', aggregatedBy: 'sum' } },
      { name: 'web1.disk', values: [3, null, null] },
      { name: 'web2.cpu', values: [5, 6, 7] },
    ],
  },
  {
    title: 'groupByNodes with a node beyond the name gives an empty part',
    target: 'groupByNodes(dc.*.*, "sum", 1, 7)',
    input: dc,
    expect: [
      { name: 'web1.', values: [4, 2, null] },
      { name: 'web2.', values: [5, 6, 7] },
    ],
  },
  {
    title: 'groupByNodes with no nodes puts everything in one group named ""',
    target: 'groupByNodes(dc.*.*, "max")',
    input: dc,
    expect: [{ name: '', values: [5, 6, 7], tags: agg('maxSeries(dc.*.*)', 'max') }],
  },
  {
    title: 'groupByNodes with "avg" calls averageSeries',
    target: 'groupByNodes(dc.*.*, "avg", 2)',
    input: dc,
    expect: [
      { name: 'cpu', values: [3, 4, 7], tags: agg('averageSeries(dc.*.*)', 'average') },
      { name: 'disk', values: [3, null, null] },
    ],
  },

  // ---- groupByTags --------------------------------------------------------------------------------------
  {
    title: 'groupByTags names each group "<callback>;tag=value" when the inputs have different names',
    target: 'groupByTags(cpu.*, "sumSeries", "dc")',
    input: tagged,
    expect: [
      { name: 'sumSeries;dc=east', values: [6, 8, null], tags: { name: 'sumSeries', dc: 'east' } },
      { name: 'sumSeries;dc=west', values: [3, null, null], tags: { name: 'sumSeries', dc: 'west' } },
    ],
  },
  {
    title: 'groupByTags sorts the tag pairs in the key and keeps the order groups first appear in',
    target: 'groupByTags(cpu.*, "avg", "env", "dc")',
    input: tagged,
    expect: [
      { name: 'avg;dc=east;env=prod', values: [1, 2, null], tags: { name: 'avg', dc: 'east', env: 'prod' } },
      { name: 'avg;dc=west;env=prod', values: [3, null, null] },
      { name: 'avg;dc=east;env=dev', values: [5, 6, null] },
    ],
  },
  {
    title: 'groupByTags by "name" uses each series name tag',
    target: 'groupByTags(cpu.*, "max", "name", "dc")',
    input: tagged,
    expect: [
      { name: 'cpu.a;dc=east', values: [1, 2, null], tags: { name: 'cpu.a', dc: 'east' } },
      { name: 'cpu.b;dc=west', values: [3, null, null] },
      { name: 'cpu.c;dc=east', values: [5, 6, null] },
    ],
  },
  {
    title: 'groupByTags with a tag no series has groups them all under an empty value',
    target: 'groupByTags(cpu.*, "sum", "rack")',
    input: tagged,
    expect: [{ name: 'sum;rack=', values: [9, 8, null], tags: { name: 'sum', rack: '' } }],
  },
  {
    title: 'groupByTags needs at least one tag',
    target: 'groupByTags(cpu.*, "sum")',
    input: tagged,
    error: /Missing required parameter "tags" for function "groupByTags"/,
  },

  // ---- divideSeries -------------------------------------------------------------------------------------
  {
    title: 'divideSeries: x/0 and nulls on either side are null; named after both series',
    target: 'divideSeries(a.x, a.y)',
    input: { 'a.x': [10, null, 6, 0, 5], 'a.y': [2, 4, 0, 0, null] },
    expect: [
      { name: 'divideSeries(a.x,a.y)', values: [5, null, null, null, null], tags: { name: 'divideSeries(a.x,a.y)' } },
    ],
  },
  {
    title: 'divideSeries divides every dividend by the one divisor, each named after its own series',
    target: 'divideSeries(a.{x,z}, a.y)',
    input: { 'a.x': [10, 0], 'a.y': [2, 4], 'a.z': [4, 8] },
    expect: [
      { name: 'divideSeries(a.x,a.y)', values: [5, 0] },
      { name: 'divideSeries(a.z,a.y)', values: [2, 2] },
    ],
  },
  {
    title: 'divideSeries brings both series to the coarser step first',
    target: 'divideSeries(b.x, b.y)',
    input: { 'b.x': [2, 4, 6, 8], 'b.y': { values: [3, 0], step: 120 } },
    expect: [{ name: 'divideSeries(b.x,b.y)', values: [1, null], step: 120, start: START }],
  },
  {
    title: 'divideSeries with no divisor gives the dividends named with MISSING and all null',
    target: 'divideSeries(a.x, nothing.*)',
    input: { 'a.x': [1, 2] },
    expect: [{ name: 'divideSeries(a.x,MISSING)', values: [null, null], start: START, step: STEP }],
  },
  {
    title: 'divideSeries rejects a divisor of more than one series',
    target: 'divideSeries(a.x, a.*)',
    input: { 'a.x': [1], 'a.y': [2] },
    error: /divideSeries second argument must reference exactly 1 series \(got 2\)/,
  },
  {
    title: 'divideSeries rejects a constant divisor',
    target: 'divideSeries(a.x, 2)',
    input: { 'a.x': [1] },
    error: /Invalid "seriesList" value specified for function "divideSeries" parameter "divisorSeries"/,
  },
  {
    title: 'divideSeries needs a divisor',
    target: 'divideSeries(a.x)',
    input: { 'a.x': [1] },
    error: /Missing required parameter "divisorSeries"/,
  },

  // ---- asPercent ----------------------------------------------------------------------------------------
  {
    title: 'asPercent with no total uses the sum of the list, named sumSeries(<pathExpression>)',
    target: 'asPercent(a.*)',
    input: pct,
    expect: [
      {
        name: 'asPercent(a.x,sumSeries(a.*))',
        values: [25, 100, null, null],
        tags: { name: 'asPercent(a.x,sumSeries(a.*))' },
      },
      { name: 'asPercent(a.y,sumSeries(a.*))', values: [75, null, null, null] },
    ],
  },
  {
    title: 'asPercent of a number names the number as Python prints it',
    target: 'asPercent(a.x, 10)',
    input: pct,
    expect: [{ name: 'asPercent(a.x,10)', values: [10, 20, null, 0] }],
  },
  {
    title: 'asPercent of a fractional number',
    target: 'asPercent(a.x, 0.5)',
    input: pct,
    expect: [{ name: 'asPercent(a.x,0.5)', values: [200, 400, null, 0] }],
  },
  {
    title: 'asPercent of 0 is null everywhere',
    target: 'asPercent(a.x, 0)',
    input: pct,
    expect: [{ name: 'asPercent(a.x,0)', values: [null, null, null, null] }],
  },
  {
    title: 'asPercent of one total series divides every series by it',
    target: 'asPercent(a.*, t.total)',
    input: { ...pct, 't.total': [8, 4, 2, null] },
    expect: [
      { name: 'asPercent(a.x,t.total)', values: [12.5, 50, null, null] },
      { name: 'asPercent(a.y,t.total)', values: [37.5, null, null, null] },
    ],
  },
  {
    title: 'asPercent of as many totals as series pairs them by sorted name',
    target: 'asPercent(a.*, u.*)',
    input: { ...pct, 'u.p': [2, 2, 2, 2], 'u.q': [4, 4, 4, 4] },
    expect: [
      { name: 'asPercent(a.x,u.p)', values: [50, 100, null, 0] },
      { name: 'asPercent(a.y,u.q)', values: [75, null, null, 0] },
    ],
  },
  {
    title: 'asPercent rejects a total list of another length',
    target: 'asPercent(a.*, v.*)',
    input: { ...pct, 'v.a': [1, 1, 1, 1], 'v.b': [1, 1, 1, 1], 'v.c': [1, 1, 1, 1] },
    error:
      /asPercent second argument must be missing, a single digit, reference exactly 1 series or reference the same number of series as the first argument/,
  },
  {
    title: 'asPercent with nodes matches series and totals by node, with MISSING for unmatched ones',
    target: 'asPercent(srv{1,2}.used, srv{1,3}.total, 0)',
    input: { 'srv1.used': [1, 2], 'srv2.used': [3, null], 'srv1.total': [4, 4], 'srv3.total': [10, 10] },
    expect: [
      { name: 'asPercent(srv1.used,srv1.total)', values: [25, 50] },
      { name: 'asPercent(srv2.used,MISSING)', values: [null, null] },
      { name: 'asPercent(MISSING,srv3.total)', values: [null, null] },
    ],
  },
  {
    title: 'asPercent with nodes and no total uses the sum of each group (a group of one is its own total)',
    target: 'asPercent(h*.*, None, 0)',
    input: { 'h1.a': [1, 3], 'h1.b': [3, 1], 'h2.a': [5, null] },
    expect: [
      { name: 'asPercent(h1.a,sumSeries(h*.*))', values: [25, 75] },
      { name: 'asPercent(h1.b,sumSeries(h*.*))', values: [75, 25] },
      { name: 'asPercent(h2.a,h2.a)', values: [100, null] },
    ],
  },
  {
    title: 'asPercent with nodes rejects a numeric total',
    target: 'asPercent(a.x, 1000, 1)',
    input: pct,
    error: /total must be None or a seriesList/,
  },
  {
    title: 'pct is asPercent',
    target: 'pct(a.y, 3)',
    input: pct,
    expect: [{ name: 'asPercent(a.y,3)', values: [100, null, null, 0] }],
  },
  {
    title: 'asPercent over different steps works at the coarsest step',
    target: 'asPercent(m.*)',
    input: { 'm.x': [1, 3, 5, 7], 'm.y': { values: [2, 6], step: 120 } },
    expect: [
      { name: 'asPercent(m.x,sumSeries(m.*))', values: [50, 50], step: 120 },
      { name: 'asPercent(m.y,sumSeries(m.*))', values: [50, 50], step: 120 },
    ],
  },

  // ---- parse and validation errors ------------------------------------------------------------------------
  {
    title: 'an unclosed call is a syntax error naming the position',
    target: 'sumSeries(a.x',
    input: { 'a.x': [1] },
    error: /syntax error in target at position 14: expected "," or "\)"/,
  },
  {
    title: 'sumSeries needs at least one series list',
    target: 'sumSeries()',
    input: { 'a.x': [1] },
    error: /Missing required parameter "seriesLists" for function "sumSeries"/,
  },
  {
    title: 'sumSeries rejects a number in place of a series list',
    target: 'sumSeries(a.x, 3)',
    input: { 'a.x': [1] },
    error: /Invalid "seriesList" value specified for function "sumSeries" parameter "seriesLists"/,
  },
  {
    title: 'an unknown keyword argument is rejected',
    target: 'aggregate(a.*, "sum", bogus=1)',
    input: { 'a.x': [1] },
    error: /unexpected keyword argument "bogus" for function "aggregate"/,
  },
  {
    title: 'too many arguments are rejected',
    target: 'divideSeries(a.x, a.x, a.x)',
    input: { 'a.x': [1] },
    error: /too many arguments for function "divideSeries"/,
  },
];
