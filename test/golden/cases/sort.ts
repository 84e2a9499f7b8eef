import type { GoldenCase } from '../harness.js';

/**
 * graphite-web's sorting functions: stable sorts (Python list.sort, also with reverse=True) and a None
 * aggregate as -inf. The store returns a glob's series sorted by name, so the inputs arrive as
 * a.w, a.x, a.y, a.z.
 *
 *   series   values        max  min  average  sum  last
 *   a.w      0, 5, 5       5    0    3.333    10   5
 *   a.x      1, 5, null    5    1    3        6    5
 *   a.y      9, 2, 3       9    2    4.667    14   3
 *   a.z      null × 3      None None None     None None
 */
const input = {
  'a.w': [0, 5, 5],
  'a.x': [1, 5, null],
  'a.y': [9, 2, 3],
  'a.z': [null, null, null],
};
const W = { name: 'a.w', values: [0, 5, 5] };
const X = { name: 'a.x', values: [1, 5, null] };
const Y = { name: 'a.y', values: [9, 2, 3] };
const Z = { name: 'a.z', values: [null, null, null] };

const servers = {
  'srv.server02': [1],
  'srv.server1': [2],
  'srv.server11': [3],
  'srv.server2': [4],
};
const s = (n: string, v: number) => ({ name: `srv.${n}`, values: [v] });

export const sortCases: GoldenCase[] = [
  {
    title: 'sortByMaxima: largest maximum first, the tie in input order, the all-null series last',
    target: 'sortByMaxima(a.*)',
    input,
    expect: [Y, W, X, Z],
  },
  {
    title: 'sortByTotal: largest sum first, the all-null series last',
    target: 'sortByTotal(a.*)',
    input,
    expect: [Y, W, X, Z],
  },
  {
    title: 'sortByMinima: smallest minimum first, dropping series whose maximum is not above 0 (all-null included)',
    target: 'sortByMinima(a.*)',
    input: { ...input, 'a.n': [-1, 0, -2] },
    expect: [W, X, Y],
  },
  {
    title: 'sortBy defaults to ascending average, where an all-null series (-inf) comes first',
    target: 'sortBy(a.*)',
    input,
    expect: [Z, X, W, Y],
  },
  {
    title: 'sortBy with a function and reverse',
    target: "sortBy(a.*, 'min', true)",
    input,
    expect: [Y, X, W, Z],
  },
  {
    title: 'sortBy with reverse keeps tied series in input order (Python reverse=True is stable)',
    target: "sortBy(a.*, 'last', reverse=true)",
    input,
    expect: [W, X, Y, Z],
  },
  {
    title: 'sortBy refuses a series-function name for the aggregation',
    target: "sortBy(a.*, 'totalSeries')",
    input,
    error: /Unsupported aggregation function: totalSeries/,
  },
  {
    title: 'sortByName sorts alphabetically (undoing another sort)',
    target: 'sortByName(sortByMaxima(srv.*))',
    input: servers,
    expect: [s('server02', 1), s('server1', 2), s('server11', 3), s('server2', 4)],
  },
  {
    title: 'sortByName natural compares digit runs as numbers; server02 and server2 tie and keep input order',
    target: 'sortByName(srv.*, true)',
    input: servers,
    expect: [s('server1', 2), s('server02', 1), s('server2', 4), s('server11', 3)],
  },
  {
    title: 'sortByName reverse',
    target: 'sortByName(srv.*, false, true)',
    input: servers,
    expect: [s('server2', 4), s('server11', 3), s('server1', 2), s('server02', 1)],
  },
  {
    title: 'sortByName natural and reverse: ties still keep input order',
    target: 'sortByName(srv.*, natural=true, reverse=true)',
    input: servers,
    expect: [s('server11', 3), s('server02', 1), s('server2', 4), s('server1', 2)],
  },
  {
    title: 'sortByName wants booleans',
    target: 'sortByName(srv.*, 1)',
    input: servers,
    error: /Invalid "boolean" value/,
  },
];
