import { describe, expect, it } from 'vitest';
import { RELATIVE_ACCURACY } from '../../collector/src/aggregate/sketch.js';
import {
  computeTimerStat,
  parseTimerStat,
  percentileSuffix,
  statNeedsSketch,
  timerStatNames,
} from '../../collector/src/aggregate/timer-stats.js';
import {
  addSample,
  emptySummary,
  mergeSummary,
  type TimerSummary,
} from '../../collector/src/aggregate/timer-summary.js';

const INTERVAL = 10;
const ALPHA = RELATIVE_ACCURACY + 1e-9;
const ALPHA_SQUARED = (1 + RELATIVE_ACCURACY) ** 2 - 1 + 1e-9;

function summaryOf(values: readonly number[], sampleRate = 1): TimerSummary {
  const s = emptySummary();
  for (const v of values) addSample(s, v, sampleRate);
  return s;
}

function stat(name: string, s: TimerSummary, intervalSec = INTERVAL): number {
  const parsed = parseTimerStat(name);
  if (parsed === null) throw new Error(`not a timer stat: ${name}`);
  return computeTimerStat(parsed, s, intervalSec);
}

/** How close a Trendline stat must be to etsy's: exact ones to rounding, sketch-derived ones to α. */
function tolerance(name: string): number {
  if (/^(count|count_ps|lower|upper|sum|sum_squares|mean|std)$/.test(name) || name.startsWith('count_')) return 1e-9;
  if (name.startsWith('sum_squares_')) return ALPHA_SQUARED;
  return ALPHA;
}

function expectStat(name: string, s: TimerSummary, expected: number): void {
  const actual = stat(name, s);
  if (Number.isNaN(expected)) {
    expect(actual, name).toBeNaN();
    return;
  }
  const err = expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
  expect(err, `${name}: got ${actual}, etsy ${expected}`).toBeLessThanOrEqual(tolerance(name));
}

function expectStats(s: TimerSummary, expected: Record<string, number>): void {
  for (const [name, value] of Object.entries(expected)) expectStat(name, s, value);
}

/**
 * etsy statsd 0.9 lib/process_metrics.js for one timer, line for line, with one deliberate difference:
 * etsy reads cumulativeValues[-1] for pct -100 (NaN); here it is 0, so top100 is the sum of all values.
 */
function etsyTimer(
  raw: readonly number[],
  timerCounter: number,
  pcts: readonly number[],
  flushIntervalMs: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  const values = [...raw].sort((a, b) => a - b);
  const count = values.length;
  const min = values[0] as number;
  const max = values[count - 1] as number;
  const cumulativeValues = [min];
  const cumulSumSquaresValues = [min * min];
  for (let i = 1; i < count; i++) {
    cumulativeValues.push((values[i] as number) + (cumulativeValues[i - 1] as number));
    cumulSumSquaresValues.push((values[i] as number) ** 2 + (cumulSumSquaresValues[i - 1] as number));
  }
  const cum = (i: number) => (i < 0 ? 0 : (cumulativeValues[i] as number));
  const cumSq = (i: number) => (i < 0 ? 0 : (cumulSumSquaresValues[i] as number));
  let sum = min;
  let sumSquares = min * min;
  let mean = min;
  let thresholdBoundary = max;
  for (const pct of pcts) {
    let numInThreshold = count;
    if (count > 1) {
      numInThreshold = Math.round((Math.abs(pct) / 100) * count);
      if (numInThreshold === 0) continue;
      if (pct > 0) {
        thresholdBoundary = values[numInThreshold - 1] as number;
        sum = cum(numInThreshold - 1);
        sumSquares = cumSq(numInThreshold - 1);
      } else {
        thresholdBoundary = values[count - numInThreshold] as number;
        sum = cum(count - 1) - cum(count - numInThreshold - 1);
        sumSquares = cumSq(count - 1) - cumSq(count - numInThreshold - 1);
      }
      mean = sum / numInThreshold;
    }
    const clean = String(pct).replace('.', '_').replace('-', 'top');
    out[`count_${clean}`] = numInThreshold;
    out[`mean_${clean}`] = mean;
    out[`${pct > 0 ? 'upper_' : 'lower_'}${clean}`] = thresholdBoundary;
    out[`sum_${clean}`] = sum;
    out[`sum_squares_${clean}`] = sumSquares;
  }
  sum = cum(count - 1);
  sumSquares = cumSq(count - 1);
  mean = sum / count;
  let sumOfDiffs = 0;
  for (const v of values) sumOfDiffs += (v - mean) * (v - mean);
  const mid = Math.floor(count / 2);
  out.std = Math.sqrt(sumOfDiffs / count);
  out.upper = max;
  out.lower = min;
  out.count = timerCounter;
  out.count_ps = timerCounter / (flushIntervalMs / 1000);
  out.sum = sum;
  out.sum_squares = sumSquares;
  out.mean = mean;
  out.median = count % 2 ? (values[mid] as number) : ((values[mid - 1] as number) + (values[mid] as number)) / 2;
  return out;
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function logNormal(n: number, median: number, sigma: number, seed: number): number[] {
  const rand = prng(seed);
  return Array.from(
    { length: n },
    () => median * Math.exp(sigma * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())),
  );
}

describe('timer stats: hand-computed etsy results, small n', () => {
  // 1..10 ms, each sent with @0.5: etsy's count is 20, but mean and percentiles use the 10 received values.
  const s = summaryOf([7, 3, 10, 1, 5, 9, 2, 8, 6, 4], 0.5);

  it('count, count_ps, lower, upper, sum, sum_squares, mean, median, std', () => {
    expectStats(s, {
      count: 20,
      count_ps: 2,
      lower: 1,
      upper: 10,
      sum: 55,
      sum_squares: 385,
      mean: 5.5,
      median: 5.5,
      std: Math.sqrt(8.25),
    });
    // The exact ones are exact, not merely within α.
    expect(stat('count', s)).toBe(20);
    expect(stat('lower', s)).toBe(1);
    expect(stat('upper', s)).toBe(10);
    expect(stat('sum', s)).toBe(55);
    expect(stat('mean', s)).toBe(5.5);
  });

  it('count_ps divides by the interval it is asked for', () => {
    expect(stat('count_ps', s, 60)).toBeCloseTo(20 / 60, 12);
    expect(stat('count_ps', s, 1)).toBe(20);
  });

  it('upper_P / mean_P / sum_P / count_P / sum_squares_P for positive percentiles', () => {
    expectStats(s, {
      // P90: k = round(0.9 * 10) = 9 → values 1..9
      count_90: 9,
      upper_90: 9,
      sum_90: 45,
      mean_90: 5,
      sum_squares_90: 285,
      // P50: k = 5 → 1..5
      count_50: 5,
      upper_50: 5,
      sum_50: 15,
      mean_50: 3,
      sum_squares_50: 55,
      // P100: every value; exact
      count_100: 10,
      upper_100: 10,
      sum_100: 55,
      mean_100: 5.5,
      sum_squares_100: 385,
      // P99.9 rounds to all 10
      count_99_9: 10,
      upper_99_9: 10,
      // P15: k = round(1.5) = 2 → 1, 2
      count_15: 2,
      upper_15: 2,
      sum_15: 3,
      mean_15: 1.5,
      sum_squares_15: 5,
    });
    expect(stat('upper_100', s)).toBe(10);
    expect(stat('sum_100', s)).toBe(55);
  });

  it('negative ("top") percentiles: lower_topP is the smallest of the top k', () => {
    expectStats(s, {
      // top10: k = 1 → {10}
      count_top10: 1,
      lower_top10: 10,
      sum_top10: 10,
      mean_top10: 10,
      sum_squares_top10: 100,
      // top20: k = 2 → {9, 10}
      count_top20: 2,
      lower_top20: 9,
      sum_top20: 19,
      mean_top20: 9.5,
      sum_squares_top20: 181,
      // top50: k = 5 → {6..10}
      count_top50: 5,
      lower_top50: 6,
      sum_top50: 40,
      mean_top50: 8,
      sum_squares_top50: 330,
    });
  });

  it('top100 covers every value (etsy reads cum[-1] there and emits NaN; Trendline gives the true sum)', () => {
    expectStats(s, { count_top100: 10, lower_top100: 1, sum_top100: 55, mean_top100: 5.5, sum_squares_top100: 385 });
  });

  it('skips a percentile whose rank rounds to 0: every stat of it is NaN (etsy emits no keys)', () => {
    // k = round(0.04 * 10) = 0
    for (const name of ['count_4', 'upper_4', 'mean_4', 'sum_4', 'sum_squares_4', 'count_top4', 'lower_top4']) {
      expect(stat(name, s), name).toBeNaN();
    }
    // spec-digest: pct 10 with n=2 and -10 with n=3 gave nothing
    const two = summaryOf([1, 2]);
    for (const name of ['count_10', 'upper_10', 'mean_10', 'sum_10', 'sum_squares_10'])
      expect(stat(name, two)).toBeNaN();
    const three = summaryOf([1, 2, 3]);
    for (const name of ['count_top10', 'lower_top10', 'mean_top10', 'sum_top10']) expect(stat(name, three)).toBeNaN();
  });

  it('median of an odd count is the middle value', () => {
    const odd = summaryOf([30, 10, 20, 50, 40]);
    expectStats(odd, { median: 30, mean: 30, std: Math.sqrt(200) });
  });

  it('median of an even count averages the two middle values', () => {
    expectStats(summaryOf([1, 100, 3, 7]), { median: 5 });
    // n = 2: both middle values are the exact min and max
    expect(stat('median', summaryOf([4, 6]))).toBe(5);
  });

  it('std is the population standard deviation', () => {
    // mean 5, deviations² 9,1,1,1,0,0,4,16 → 32/8 = 4 → 2 (the sample std would be 2.138)
    expect(stat('std', summaryOf([2, 4, 4, 4, 5, 5, 7, 9]))).toBeCloseTo(2, 12);
    expect(stat('std', summaryOf([5, 5, 5]))).toBe(0);
  });

  it('mean is sum / values received, not sum / sample-rate-adjusted count', () => {
    const sampled = summaryOf([10, 20], 0.1);
    expect(stat('count', sampled)).toBeCloseTo(20, 9);
    expect(stat('count_ps', sampled)).toBeCloseTo(2, 9);
    expect(stat('mean', sampled)).toBe(15);
    // count_P counts values, as etsy's numInThreshold does
    expect(stat('count_50', sampled)).toBe(1);
  });

  it('mixed sample rates add up per sample', () => {
    const mixed = emptySummary();
    addSample(mixed, 10, 1);
    addSample(mixed, 20, 0.5);
    addSample(mixed, 30, 0.25);
    expect(stat('count', mixed)).toBe(7);
    expect(stat('mean', mixed)).toBe(20);
  });

  it('handles zero-valued samples', () => {
    const z = summaryOf([0, 0, 0, 10]);
    expectStats(z, { lower: 0, upper: 10, median: 0, mean: 2.5, upper_50: 0, sum_50: 0, upper_75: 0, lower_top25: 10 });
  });
});

describe('timer stats: n == 1', () => {
  const one = summaryOf([7]);

  it('every simple stat equals the single value (std 0)', () => {
    expectStats(one, {
      count: 1,
      count_ps: 0.1,
      lower: 7,
      upper: 7,
      sum: 7,
      sum_squares: 49,
      mean: 7,
      median: 7,
      std: 0,
    });
  });

  for (const pct of [50, 90, 99.9, 100, -50, -100]) {
    it(`percentile ${pct}: k = 1 and every stat equals the value`, () => {
      const p = percentileSuffix(pct);
      expect(stat(`count_${p}`, one)).toBe(1);
      expect(stat(`${pct > 0 ? 'upper' : 'lower'}_${p}`, one)).toBe(7);
      expect(stat(`mean_${p}`, one)).toBe(7);
      expect(stat(`sum_${p}`, one)).toBe(7);
      expect(stat(`sum_squares_${p}`, one)).toBe(49);
    });
  }

  // etsy only computes k = round(|pct|/100 * n) when n > 1; with one value numInThreshold = 1 for every pct.
  for (const pct of [10, 25, -10]) {
    it(`percentile ${pct} (k would round to 0) is still the single value, as etsy does for n == 1`, () => {
      const p = percentileSuffix(pct);
      expect(stat(`count_${p}`, one)).toBe(1);
      expect(stat(`${pct > 0 ? 'upper' : 'lower'}_${p}`, one)).toBe(7);
      expect(stat(`mean_${p}`, one)).toBe(7);
      expect(stat(`sum_${p}`, one)).toBe(7);
      expect(stat(`sum_squares_${p}`, one)).toBe(49);
    });
  }
});

describe('timer stats: n == 0', () => {
  it('an idle timer has only count and count_ps (0); every other stat is NaN', () => {
    const empty = emptySummary();
    expect(stat('count', empty)).toBe(0);
    expect(stat('count_ps', empty)).toBe(0);
    for (const name of timerStatNames([50, 90, -10, 99.9])) {
      if (name === 'count' || name === 'count_ps') continue;
      expect(stat(name, empty), name).toBeNaN();
    }
  });
});

describe('timer stats: large n against a port of etsy process_metrics.js', () => {
  const PCTS = [50, 90, 95, 99, 99.9, 100, -1, -10, -50, 7];

  for (const [label, n, seed] of [
    ['n = 1,000', 1000, 21],
    ['n = 1,001 (odd)', 1001, 22],
    ['n = 50,000', 50_000, 23],
  ] as const) {
    it(`${label}: exact stats are exact, sketch-derived stats within 1% (sum_squares_P within 2%)`, () => {
      const values = logNormal(n, 40, 1, seed).map((v) => Math.round(v * 1000) / 1000);
      const s = summaryOf(values, 0.25);
      const etsy = etsyTimer(values, n / 0.25, PCTS, INTERVAL * 1000);
      expect(Object.keys(etsy)).toHaveLength(9 + 5 * PCTS.length);
      for (const [name, expected] of Object.entries(etsy)) expectStat(name, s, expected);
    });
  }

  it('a summary merged from many intervals gives the stats of all their samples', () => {
    const values = logNormal(20_000, 15, 1.3, 24);
    const merged = emptySummary();
    for (let i = 0; i < values.length; i += 1000) mergeSummary(merged, summaryOf(values.slice(i, i + 1000)));
    const etsy = etsyTimer(values, values.length, PCTS, INTERVAL * 1000);
    for (const [name, expected] of Object.entries(etsy)) expectStat(name, merged, expected);
  });

  it('std matches etsy two-pass result for large values with a small spread (µs-scale timings)', () => {
    // 10 s measured in µs, ±3 µs jitter: sum_squares/n - mean² cancels ~14 of 16 significant digits.
    const values = Array.from({ length: 1000 }, (_, i) => 1e7 + (i % 7));
    const etsy = etsyTimer(values, values.length, [], INTERVAL * 1000);
    expect(etsy.std).toBeCloseTo(2, 2);
    const got = stat('std', summaryOf(values));
    expect(Math.abs(got - (etsy.std as number)) / (etsy.std as number), `std ${got} vs ${etsy.std}`).toBeLessThan(1e-6);
  });
});

describe('percentileSuffix', () => {
  it('follows etsy: . → _, - → top', () => {
    expect(percentileSuffix(90)).toBe('90');
    expect(percentileSuffix(99.9)).toBe('99_9');
    expect(percentileSuffix(-10)).toBe('top10');
    expect(percentileSuffix(-99.9)).toBe('top99_9');
    expect(percentileSuffix(0.5)).toBe('0_5');
    expect(percentileSuffix(100)).toBe('100');
  });
});

describe('parseTimerStat', () => {
  it('accepts the simple stats', () => {
    for (const name of ['count', 'count_ps', 'lower', 'upper', 'mean', 'median', 'sum', 'sum_squares', 'std']) {
      expect(parseTimerStat(name)).toEqual({ kind: name });
    }
  });

  it('accepts any percentile by name, fractional and top ones included', () => {
    expect(parseTimerStat('upper_99_9')).toEqual({ kind: 'percentile', field: 'upper', pct: 99.9 });
    expect(parseTimerStat('mean_top10')).toEqual({ kind: 'percentile', field: 'mean', pct: -10 });
    expect(parseTimerStat('lower_top10')).toEqual({ kind: 'percentile', field: 'lower', pct: -10 });
    expect(parseTimerStat('sum_squares_90')).toEqual({ kind: 'percentile', field: 'sum_squares', pct: 90 });
    expect(parseTimerStat('sum_90')).toEqual({ kind: 'percentile', field: 'sum', pct: 90 });
    expect(parseTimerStat('count_50')).toEqual({ kind: 'percentile', field: 'count', pct: 50 });
    expect(parseTimerStat('upper_100')).toEqual({ kind: 'percentile', field: 'upper', pct: 100 });
    expect(parseTimerStat('sum_squares_top99_99')).toEqual({ kind: 'percentile', field: 'sum_squares', pct: -99.99 });
    expect(parseTimerStat('upper_0_5')).toEqual({ kind: 'percentile', field: 'upper', pct: 0.5 });
  });

  it('round-trips every name timerStatNames produces', () => {
    for (const name of timerStatNames([50, 90, 99.9, -10, -0.5])) expect(parseTimerStat(name), name).not.toBeNull();
  });

  it('rejects upper_topP, lower_P, out-of-range percentiles and junk', () => {
    for (const name of [
      'upper_top10',
      'lower_90',
      'upper_0',
      'upper_101',
      'mean_top101',
      'upper_',
      'upper_top',
      'upper_abc',
      'upper_90_',
      'upper_9x',
      'upper_-10',
      'upper_1e2',
      'median_90',
      'std_90',
      'count_ps_90',
      'rate',
      'foo',
      '',
      'UPPER_90',
      'upper_90;env=prod',
    ]) {
      expect(parseTimerStat(name), name).toBeNull();
    }
  });
});

describe('timerStatNames', () => {
  it('gives the 9 simple stats and 5 per percentile, in etsy order', () => {
    const names = timerStatNames([50, 90, 95, 99]);
    expect(names).toHaveLength(9 + 20);
    expect(names.slice(0, 9)).toEqual([
      'count',
      'count_ps',
      'lower',
      'upper',
      'mean',
      'median',
      'sum',
      'sum_squares',
      'std',
    ]);
    expect(names.slice(9, 14)).toEqual(['count_50', 'mean_50', 'upper_50', 'sum_50', 'sum_squares_50']);
    expect(names).toContain('upper_99');
    expect(names).toContain('sum_squares_95');
    expect(new Set(names).size).toBe(names.length);
  });

  it('names top percentiles lower_topP and fractional ones P_F', () => {
    expect(timerStatNames([-10, 99.9]).slice(9)).toEqual([
      'count_top10',
      'mean_top10',
      'lower_top10',
      'sum_top10',
      'sum_squares_top10',
      'count_99_9',
      'mean_99_9',
      'upper_99_9',
      'sum_99_9',
      'sum_squares_99_9',
    ]);
    expect(timerStatNames([])).toHaveLength(9);
  });
});

describe('statNeedsSketch', () => {
  it('is false only for stats that come out the same without the sketch', () => {
    const full = summaryOf([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]);
    const bare = { ...full, sketch: emptySummary().sketch };
    const names = timerStatNames([50, 90, 99.9, -10]);
    for (const name of names) {
      const parsed = parseTimerStat(name);
      if (parsed === null) throw new Error(name);
      const same = Object.is(computeTimerStat(parsed, bare, INTERVAL), computeTimerStat(parsed, full, INTERVAL));
      if (!statNeedsSketch(parsed)) expect(same, name).toBe(true);
    }
    expect(
      names.filter((n) => !statNeedsSketch(parseTimerStat(n) as NonNullable<ReturnType<typeof parseTimerStat>>)),
    ).toEqual([
      'count',
      'count_ps',
      'lower',
      'upper',
      'mean',
      'sum',
      'sum_squares',
      'std',
      'count_50',
      'count_90',
      'count_99_9',
      'count_top10',
    ]);
  });
});
