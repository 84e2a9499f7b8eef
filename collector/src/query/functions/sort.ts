import type { TimeSeries } from '../series.js';
import { defineFunction, type FunctionDef } from './define.js';
import { aggregateOrNull, checkAggFunc, sortByKey, sortKey } from './filter.js';

/**
 * graphite-web's 'Sorting' functions. Series are reordered, never changed. Sorts are stable, like Python's
 * list.sort (also with reverse=True), and a null aggregate sorts as -inf.
 */

const seriesListParam = { name: 'seriesList', type: 'seriesList', required: true } as const;

/** Python's str ordering: by code point (JavaScript's `<` compares UTF-16 units). */
function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate stands for a code point above every BMP character.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

const DECIMAL_DIGIT = /\p{Nd}/u;

/** The value of a Unicode decimal digit (Nd digits come in contiguous runs of 0…9). */
function digitValue(cp: number): number {
  let start = cp;
  while (DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

/** graphite's natSortKey: every run of digits (Python `\d`, so any Unicode digit) as its number, zero-padded to 10. */
function naturalKey(name: string): string {
  return name.replace(/\p{Nd}+/gu, (run) => {
    let digits = '';
    for (const ch of run) digits += String(digitValue(ch.codePointAt(0) ?? 0x30));
    return digits.replace(/^0+(?=\d)/, '').padStart(10, '0');
  });
}

export const sortByName = defineFunction({
  name: 'sortByName',
  group: 'Sorting',
  description:
    'Sorts the series by name, alphabetically or, with `natural`, with every run of digits compared as a ' +
    'number (server1, server2, server11 instead of server1, server11, server2). `reverse` sorts descending.\n\n' +
    'Example: `&target=sortByName(server*.instance*.memory.free,true)`',
  params: [
    seriesListParam,
    { name: 'natural', type: 'boolean', default: false },
    { name: 'reverse', type: 'boolean', default: false },
  ],
  run(_ctx, series, natural, reverse) {
    const keyed = series.map((s) => ({ s, k: natural ? naturalKey(s.name) : s.name }));
    keyed.sort((a, b) => (reverse ? compareNames(b.k, a.k) : compareNames(a.k, b.k)));
    return keyed.map((e) => e.s);
  },
});

export const sortBy = defineFunction({
  name: 'sortBy',
  group: 'Sorting',
  description:
    'Sorts the series by an aggregate of their values (`func`, average by default), ascending unless ' +
    '`reverse`. A null aggregate sorts as -inf; ties keep their input order.\n\n' +
    "Example: `&target=sortBy(server*.instance*.threads.busy,'max')`",
  params: [
    seriesListParam,
    { name: 'func', type: 'aggFunc', default: 'average' },
    { name: 'reverse', type: 'boolean', default: false },
  ],
  run(_ctx, series, func, reverse) {
    checkAggFunc(func);
    return sortByKey(series, (s) => sortKey(func, s), reverse);
  },
});

export const sortByTotal = defineFunction({
  name: 'sortByTotal',
  group: 'Sorting',
  description:
    'Sorts the series by the sum of their values, largest first; all-null series go last.\n\n' +
    'Example: `&target=sortByTotal(server*.instance*.requests)`',
  params: [seriesListParam],
  run(_ctx, series) {
    return sortByKey(series, (s) => sortKey('sum', s), true);
  },
});

export const sortByMaxima = defineFunction({
  name: 'sortByMaxima',
  group: 'Sorting',
  description:
    'Sorts the series by their maximum value, largest first; all-null series go last. Useful with ' +
    '`areaMode=all` to keep the lower lines visible.\n\n' +
    'Example: `&target=sortByMaxima(server*.instance*.memory.free)`',
  params: [seriesListParam],
  run(_ctx, series) {
    return sortByKey(series, (s) => sortKey('max', s), true);
  },
});

export const sortByMinima = defineFunction({
  name: 'sortByMinima',
  group: 'Sorting',
  description:
    'Sorts the series by their minimum value, smallest first, keeping only the series whose maximum is ' +
    'above 0 (so all-null and never-positive series are dropped).\n\n' +
    'Example: `&target=sortByMinima(server*.instance*.memory.free)`',
  params: [seriesListParam],
  run(_ctx, series) {
    const positive = series.filter((s: TimeSeries) => (aggregateOrNull('max', s.values) ?? 0) > 0);
    return sortByKey(positive, (s) => sortKey('min', s), false);
  },
});

export const sortFunctions: FunctionDef[] = [sortBy, sortByName, sortByTotal, sortByMaxima, sortByMinima];
