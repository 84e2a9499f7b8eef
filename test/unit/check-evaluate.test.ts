import { describe, expect, it } from 'vitest';
import {
  type CheckPolicy,
  type CheckSeries,
  combineStates,
  evaluateCheck,
  evaluateSeries,
} from '../../collector/src/check/evaluate.js';
import { parseThresholds } from '../../collector/src/check/range.js';
import { parseReducer, percentile, ReducerError, reduce } from '../../collector/src/check/reduce.js';
import { CRITICAL, OK, type State, UNKNOWN, WARNING } from '../../collector/src/check/state.js';

const N = Number.NaN;

function series(name: string, values: number[], start = 1000, step = 10): CheckSeries {
  return { name, start, step, values: Float64Array.from(values) };
}

function policy(
  over: Partial<Omit<CheckPolicy, 'reducer' | 'thresholds'>> & { agg?: string; w?: string; c?: string } = {},
) {
  const { agg = 'avg', w, c, ...rest } = over;
  return {
    thresholds: parseThresholds(w, c),
    reducer: parseReducer(agg),
    skipPartial: false,
    onMissing: UNKNOWN,
    combine: 'worst',
    ...rest,
  } as CheckPolicy;
}

describe('reducers', () => {
  const values = Float64Array.from([4, N, 1, 3, N, 2]);
  it.each([
    ['last', 2],
    ['avg', 2.5],
    ['min', 1],
    ['max', 4],
    ['sum', 10],
    ['median', 2.5],
    ['count', 4],
    ['nullcnt', 2],
    ['nullpct', (100 * 2) / 6],
    ['p50', 3],
    ['p95', 4],
    ['p100', 4],
    ['p1', 1],
  ])('%s', (agg, want) => {
    expect(reduce(parseReducer(agg), values)).toBeCloseTo(want, 12);
  });

  it('never reads null as 0', () => {
    const gaps = Float64Array.from([N, 5, N, 7, N]);
    expect(reduce(parseReducer('min'), gaps)).toBe(5);
    expect(reduce(parseReducer('avg'), gaps)).toBe(6);
    expect(reduce(parseReducer('last'), gaps)).toBe(7);
    expect(reduce(parseReducer('median'), gaps)).toBe(6);
  });

  it('has no value without points, except the counting reducers', () => {
    const empty = Float64Array.from([N, N]);
    for (const agg of ['last', 'avg', 'min', 'max', 'sum', 'median', 'p99']) {
      expect(reduce(parseReducer(agg), empty), agg).toBeUndefined();
    }
    expect(reduce(parseReducer('count'), empty)).toBe(0);
    expect(reduce(parseReducer('nullcnt'), empty)).toBe(2);
    expect(reduce(parseReducer('nullpct'), empty)).toBe(100);
    expect(reduce(parseReducer('nullpct'), new Float64Array(0))).toBeUndefined();
  });

  it("computes percentiles as graphite-web's nPercentile", () => {
    // _getPercentile([1..10], p): rank ceil(p/100 * 11)
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(ten, 50)).toBe(6);
    expect(percentile(ten, 90)).toBe(10);
    expect(percentile(ten, 25)).toBe(3);
    expect(percentile(ten, 5)).toBe(1);
    expect(percentile([42], 99)).toBe(42);
  });

  it('parses names, aliases and percentiles', () => {
    expect(parseReducer('AVG')).toMatchObject({ text: 'avg', name: 'avg' });
    expect(parseReducer('mean')).toMatchObject({ name: 'avg' });
    expect(parseReducer('p99.9')).toMatchObject({ text: 'p99.9', name: 'pct', percentile: 99.9 });
    expect(parseReducer('p99_9')).toMatchObject({ text: 'p99.9', percentile: 99.9 });
    expect(parseReducer('nullpct')).toMatchObject({ countsPoints: true });
    for (const bad of ['p0', 'p101', 'p', 'avg2', '', 'stddev', 'p-5']) {
      expect(() => parseReducer(bad), bad).toThrow(ReducerError);
    }
    expect(() => parseReducer('avg2')).toThrow(/use one of last, avg, min, max, sum, median, pNN, count/);
  });
});

describe('missing data', () => {
  it.each([
    ['unknown', UNKNOWN],
    ['ok', OK],
    ['warning', WARNING],
    ['critical', CRITICAL],
  ] as Array<[string, State]>)('onMissing=%s applies to a series with no data', (_name, state) => {
    const v = evaluateSeries(series('a', [N, N, N]), policy({ onMissing: state, c: '10' }), 1030);
    expect(v).toMatchObject({ state, missing: 'no-data', reason: 'no data', points: 0, nulls: 3 });
    expect(v.value).toBeUndefined();
  });

  it.each([
    ['unknown', UNKNOWN],
    ['ok', OK],
    ['warning', WARNING],
    ['critical', CRITICAL],
  ] as Array<[string, State]>)('onMissing=%s applies when no series matched', (_name, state) => {
    expect(evaluateCheck([], policy({ onMissing: state }), 1000)).toEqual({ state, series: [], decisive: -1 });
  });

  it.each([
    ['unknown', UNKNOWN],
    ['ok', OK],
    ['warning', WARNING],
    ['critical', CRITICAL],
  ] as Array<[string, State]>)('onMissing=%s applies to too few points and to stale data', (_name, state) => {
    const few = evaluateSeries(series('a', [1, N, 2]), policy({ onMissing: state, minPoints: 3 }), 1030);
    expect(few).toMatchObject({ state, missing: 'too-few-points', reason: '2 points, fewer than 3' });
    // newest point at 1010; now 1400 → 390 s old
    const stale = evaluateSeries(series('a', [1, 2, N]), policy({ onMissing: state, maxAgeSec: 300 }), 1400);
    expect(stale).toMatchObject({ state, missing: 'stale', ageSec: 390, newest: 1010 });
    expect(stale.reason).toBe('stale: newest point 390 s old (max 300 s)');
  });

  it('is not missing when enough fresh points are there', () => {
    const v = evaluateSeries(series('a', [1, 2, 30]), policy({ minPoints: 3, maxAgeSec: 300, w: '5', c: '10' }), 1300);
    expect(v).toMatchObject({ state: CRITICAL, value: 11, points: 3, ageSec: 280 });
    expect(v.missing).toBeUndefined();
  });

  it('reads maxAge with no point at all as no data', () => {
    const v = evaluateSeries(series('a', [N]), policy({ agg: 'count', maxAgeSec: 60 }), 1000);
    expect(v).toMatchObject({ state: UNKNOWN, missing: 'no-data' });
  });

  it('lets the counting reducers judge an empty series themselves', () => {
    const empty = series('a', [N, N, N, N]);
    expect(evaluateSeries(empty, policy({ agg: 'count', c: '1:' }), 1040)).toMatchObject({ state: CRITICAL, value: 0 });
    expect(evaluateSeries(empty, policy({ agg: 'nullcnt', w: '2' }), 1040)).toMatchObject({ state: WARNING, value: 4 });
    expect(evaluateSeries(empty, policy({ agg: 'nullpct', c: '50' }), 1040)).toMatchObject({
      state: CRITICAL,
      value: 100,
    });
    // unless a minimum point count says otherwise
    expect(evaluateSeries(empty, policy({ agg: 'count', minPoints: 1 }), 1040)).toMatchObject({
      state: UNKNOWN,
      missing: 'no-data',
    });
  });

  it('does not read null as 0: a gap does not pull the minimum down', () => {
    const v = evaluateSeries(series('a', [N, 50, N, 60]), policy({ agg: 'min', c: '10:' }), 1040);
    expect(v).toMatchObject({ state: OK, value: 50 });
  });
});

describe('skip-partial', () => {
  // buckets at 1000, 1010, 1020; the last one runs until 1030
  const s = series('a', [1, 2, 90]);
  it('drops the interval that has not ended', () => {
    const v = evaluateSeries(s, policy({ agg: 'last', skipPartial: true, c: '10' }), 1025);
    expect(v).toMatchObject({ state: OK, value: 2, skipped: 1, points: 2 });
  });
  it('keeps an interval that has ended', () => {
    const v = evaluateSeries(s, policy({ agg: 'last', skipPartial: true, c: '10' }), 1030);
    expect(v).toMatchObject({ state: CRITICAL, value: 90, skipped: 0 });
  });
  it('keeps everything without the option', () => {
    expect(evaluateSeries(s, policy({ agg: 'last', c: '10' }), 1025)).toMatchObject({ value: 90, skipped: 0 });
  });
  it('can leave nothing, which is missing data', () => {
    const v = evaluateSeries(series('a', [5], 1000, 60), policy({ skipPartial: true }), 1030);
    expect(v).toMatchObject({ state: UNKNOWN, missing: 'no-data', skipped: 1 });
  });
});

describe('several series', () => {
  it('worst state wins, UNKNOWN above OK', () => {
    expect(combineStates([OK, WARNING, CRITICAL], 'worst')).toBe(CRITICAL);
    expect(combineStates([OK, WARNING], 'worst')).toBe(WARNING);
    expect(combineStates([OK, UNKNOWN], 'worst')).toBe(UNKNOWN);
    expect(combineStates([UNKNOWN, WARNING], 'worst')).toBe(WARNING);
    expect(combineStates([OK, OK], 'worst')).toBe(OK);
  });
  it('any: alert when any series alerts; series without a verdict do not count', () => {
    expect(combineStates([OK, CRITICAL], 'any')).toBe(CRITICAL);
    expect(combineStates([OK, UNKNOWN], 'any')).toBe(OK);
    expect(combineStates([UNKNOWN, WARNING], 'any')).toBe(WARNING);
    expect(combineStates([UNKNOWN, UNKNOWN], 'any')).toBe(UNKNOWN);
  });
  it('all: alert only when every series alerts', () => {
    expect(combineStates([OK, CRITICAL], 'all')).toBe(OK);
    expect(combineStates([CRITICAL, CRITICAL], 'all')).toBe(CRITICAL);
    expect(combineStates([CRITICAL, WARNING], 'all')).toBe(WARNING);
    expect(combineStates([CRITICAL, UNKNOWN], 'all')).toBe(UNKNOWN);
  });

  it('judges each series and names the one that decides', () => {
    const all = [series('a', [1]), series('b', [7]), series('c', [12]), series('d', [N])];
    const v = evaluateCheck(all, policy({ w: '5', c: '10' }), 1010);
    expect(v.series.map((s) => s.state)).toEqual([OK, WARNING, CRITICAL, UNKNOWN]);
    expect(v.state).toBe(CRITICAL);
    expect(v.decisive).toBe(2);
    const any = evaluateCheck([all[0] as CheckSeries, all[3] as CheckSeries], policy({ combine: 'any' }), 1010);
    expect(any).toMatchObject({ state: OK, decisive: 0 });
    const every = evaluateCheck(all.slice(1, 3), policy({ combine: 'all', w: '5', c: '10' }), 1010);
    expect(every).toMatchObject({ state: WARNING, decisive: 0 });
  });
});
