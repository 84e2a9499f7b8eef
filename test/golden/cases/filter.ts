import type { GoldenCase } from '../harness.js';

/**
 * graphite-web's filters (render/functions.py highest/lowest/filterSeries and friends, over functions/safe.py).
 *
 * The shared input has a tie on the current value and on the maximum (a.w and a.x), a series whose last
 * point is null (a.x: its "current" is the last non-null value, 5) and an all-null series (a.z, whose
 * aggregates are None: -inf when ranking, failing `>` and passing `<=` when filtering).
 *
 *   series   values        current  max  min  average  sum
 *   a.w      0, 5, 5       5        5    0    3.333    10
 *   a.x      1, 5, null    5        5    1    3        6
 *   a.y      9, 2, 3       3        9    2    4.667    14
 *   a.z      null × 3      None     None None None     None
 */
const ranked = {
  'a.w': [0, 5, 5],
  'a.x': [1, 5, null],
  'a.y': [9, 2, 3],
  'a.z': [null, null, null],
};
const W = { name: 'a.w', values: [0, 5, 5] };
const X = { name: 'a.x', values: [1, 5, null] };
const Y = { name: 'a.y', values: [9, 2, 3] };
const Z = { name: 'a.z', values: [null, null, null] };

export const filterCases: GoldenCase[] = [
  // highest*/lowest*: sort by the aggregate (None = -inf), stable, keep n; series come back unchanged.
  {
    title: 'highestCurrent ranks by the last non-null value; the tie keeps input order',
    target: 'highestCurrent(a.*, 2)',
    input: ranked,
    expect: [W, X],
  },
  {
    title: 'highestCurrent puts an all-null series last and returns fewer series when n exceeds the list',
    target: 'highestCurrent(a.*, 10)',
    input: ranked,
    expect: [W, X, Y, Z],
  },
  {
    title: 'lowestCurrent counts an all-null series as -inf, so it comes first (as graphite-web does)',
    target: 'lowestCurrent(a.*, 2)',
    input: ranked,
    expect: [Z, Y],
  },
  {
    title: 'highestCurrent with n = 0 keeps nothing',
    target: 'highestCurrent(a.*, 0)',
    input: ranked,
    expect: [],
  },
  {
    title: 'highestMax keeps the series with the largest maximum',
    target: 'highestMax(a.*, 1)',
    input: ranked,
    expect: [Y],
  },
  {
    title: 'highestMax breaks a tie on the maximum by input order',
    target: 'highestMax(a.*, 3)',
    input: ranked,
    expect: [Y, W, X],
  },
  {
    title: 'highestAverage averages the non-null values only',
    target: 'highestAverage(a.*, 2)',
    input: ranked,
    expect: [Y, W],
  },
  {
    title: 'lowestAverage: the all-null series first, then the lowest averages',
    target: 'lowestAverage(a.*, 3)',
    input: ranked,
    expect: [Z, X, W],
  },
  {
    title: 'highest takes an aggregation function',
    target: "highest(a.*, 2, 'max')",
    input: ranked,
    expect: [Y, W],
  },
  {
    title: 'highest defaults to the average',
    target: 'highest(a.*, 1)',
    input: ranked,
    expect: [Y],
  },
  {
    title: 'lowest by sum puts the all-null series (sum None) first',
    target: "lowest(a.*, 2, 'sum')",
    input: ranked,
    expect: [Z, X],
  },
  {
    title: 'highest refuses a series-function name where the aggregation goes, as graphite getAggFunc does',
    target: "highest(a.*, 1, 'sumSeries')",
    input: ranked,
    error: /Unsupported aggregation function: sumSeries/,
  },
  {
    title: 'highest checks the aggregation before looking at series, so it fails even when nothing matched',
    target: "highest(nothing.*, 1, 'maxSeries')",
    input: ranked,
    error: /Unsupported aggregation function: maxSeries/,
  },
  {
    title: 'highestCurrent requires n',
    target: 'highestCurrent(a.*)',
    input: ranked,
    error: /Missing required parameter "n"/,
  },
  {
    title: 'highestCurrent wants an integer n',
    target: 'highestCurrent(a.*, 1.5)',
    input: ranked,
    error: /Invalid "integer" value/,
  },

  // currentAbove & co: filterSeries with '>' (None fails) or '<=' (None passes).
  {
    title: 'currentAbove is strictly above; a null current value uses the last non-null one; all-null fails',
    target: 'currentAbove(a.*, 3)',
    input: ranked,
    expect: [W, X],
  },
  {
    title: 'currentBelow is at or below, and keeps an all-null series',
    target: 'currentBelow(a.*, 3)',
    input: ranked,
    expect: [Y, Z],
  },
  {
    title: 'averageAbove is strictly above the average of the non-null values',
    target: 'averageAbove(a.*, 3)',
    input: ranked,
    expect: [W, Y],
  },
  {
    title: 'averageBelow is at or below, and keeps an all-null series',
    target: 'averageBelow(a.*, 3)',
    input: ranked,
    expect: [X, Z],
  },
  {
    title: 'maximumAbove is strictly above',
    target: 'maximumAbove(a.*, 5)',
    input: ranked,
    expect: [Y],
  },
  {
    title: 'maximumAbove drops an all-null series even with a negative threshold',
    target: 'maximumAbove(a.*, -100)',
    input: ranked,
    expect: [W, X, Y],
  },
  {
    title: 'maximumBelow is at or below, and keeps an all-null series',
    target: 'maximumBelow(a.*, 5)',
    input: ranked,
    expect: [W, X, Z],
  },
  {
    title: 'minimumAbove is strictly above',
    target: 'minimumAbove(a.*, 0)',
    input: ranked,
    expect: [X, Y],
  },
  {
    title: 'minimumBelow is at or below, and keeps an all-null series',
    target: 'minimumBelow(a.*, 0)',
    input: ranked,
    expect: [W, Z],
  },
  {
    title: 'filterSeries compares an aggregate with an operator',
    target: "filterSeries(a.*, 'sum', '>=', 10)",
    input: ranked,
    expect: [W, Y],
  },
  {
    title: "filterSeries '!=' lets a None aggregate through",
    target: "filterSeries(a.*, 'last', '!=', 5)",
    input: ranked,
    expect: [Y, Z],
  },
  {
    title: 'filterSeries refuses an unknown operator',
    target: "filterSeries(a.*, 'max', '<>', 1)",
    input: ranked,
    error: /Invalid "string" value specified for function "filterSeries" parameter "operator"/,
  },

  // removeAboveValue / removeBelowValue: values to null, renamed with ", %g".
  {
    title: 'removeBelowValue nulls values strictly below n and names the series "removeBelowValue(x, n)"',
    target: 'removeBelowValue(a.*, 3)',
    input: { 'a.x': [1, 5, null, 3], 'a.y': [9, 2, 3, -1] },
    expect: [
      { name: 'removeBelowValue(a.x, 3)', values: [null, 5, null, 3], tags: { name: 'a.x' } },
      { name: 'removeBelowValue(a.y, 3)', values: [9, null, 3, null], tags: { name: 'a.y' } },
    ],
  },
  {
    title: 'removeAboveValue nulls values strictly above n; n prints with %g',
    target: 'removeAboveValue(a.x, 2.5)',
    input: { 'a.x': [1, 5, null, 2.5] },
    expect: [{ name: 'removeAboveValue(a.x, 2.5)', values: [1, null, null, 2.5], tags: { name: 'a.x' } }],
  },
  {
    title: 'removeAboveValue prints a large threshold in %g exponent form',
    target: 'removeAboveValue(a.x, 1234567)',
    input: { 'a.x': [1, 2000000] },
    expect: [{ name: 'removeAboveValue(a.x, 1.23457e+06)', values: [1, null] }],
  },
  {
    title: 'removeBelowValue leaves an all-null series all null',
    target: 'removeBelowValue(a.z, 0)',
    input: { 'a.z': [null, null] },
    expect: [{ name: 'removeBelowValue(a.z, 0)', values: [null, null] }],
  },

  // removeEmptySeries: xffValues over the whole series.
  {
    title: 'removeEmptySeries drops series without a single non-null value',
    target: 'removeEmptySeries(a.*)',
    input: { 'a.x': [1, null, null, null], 'a.y': [null, null, null, null], 'a.z': [1, 2, 3, null] },
    expect: [
      { name: 'a.x', values: [1, null, null, null] },
      { name: 'a.z', values: [1, 2, 3, null] },
    ],
  },
  {
    title: 'removeEmptySeries with xFilesFactor keeps series with at least that fraction of non-null values',
    target: 'removeEmptySeries(a.*, 0.75)',
    input: { 'a.x': [1, null, null, null], 'a.y': [null, null, null, null], 'a.z': [1, 2, 3, null] },
    expect: [{ name: 'a.z', values: [1, 2, 3, null] }],
  },
  {
    title: 'removeEmptySeries with xFilesFactor 1 keeps only complete series',
    target: 'removeEmptySeries(a.*, xFilesFactor=1)',
    input: { 'a.x': [1, null], 'a.y': [2, 3] },
    expect: [{ name: 'a.y', values: [2, 3] }],
  },

  // exclude / grep: Python re.search on the name.
  {
    title: 'exclude drops names the regex matches anywhere',
    target: 'exclude(a.*, "x|y")',
    input: ranked,
    expect: [W, Z],
  },
  {
    title: 'grep keeps names the regex matches anywhere',
    target: 'grep(a.*, "[wz]")',
    input: ranked,
    expect: [W, Z],
  },
  {
    title: 'grep follows Python: \\d matches any Unicode digit and $ matches at the end',
    target: 'grep(s.*, "web\\d$")',
    input: { 's.web1': [1], 's.webx': [2], 's.web\u0661': [3] },
    expect: [
      { name: 's.web1', values: [1] },
      { name: 's.web\u0661', values: [3] },
    ],
  },
  {
    title: 'grep accepts Python named groups and back-references',
    target: 'grep(s.*, "(?P<h>ab)(?P=h)")',
    input: { 's.abab': [1], 's.abba': [2] },
    expect: [{ name: 's.abab', values: [1] }],
  },
  {
    title: 'grep with a leading (?i) flag ignores case',
    target: 'grep(s.*, "(?i)WEB")',
    input: { 's.Web1': [1], 's.db1': [2] },
    expect: [{ name: 's.Web1', values: [1] }],
  },
  {
    title: 'grep treats a { that is not a repeat count as a literal, as Python does',
    target: 'grep(s.*, "b{")',
    input: { 's.b{': [1], 's.bb': [2] },
    expect: [{ name: 's.b{', values: [1] }],
  },
  {
    title: 'grep refuses an invalid regex with a 400',
    target: 'grep(a.*, "(")',
    input: ranked,
    error: /Invalid regular expression "\(":/,
  },
  {
    title: 'exclude refuses a bad escape, as Python does',
    target: 'exclude(a.*, "\\q")',
    input: ranked,
    error: /Invalid regular expression .*bad escape/,
  },

  // limit: a Python slice.
  { title: 'limit keeps the first n series', target: 'limit(a.*, 2)', input: ranked, expect: [W, X] },
  {
    title: 'limit with a negative n drops that many from the end (Python slice)',
    target: 'limit(a.*, -1)',
    input: ranked,
    expect: [W, X, Y],
  },
  { title: 'limit larger than the list keeps all', target: 'limit(a.*, 9)', input: ranked, expect: [W, X, Y, Z] },
];
