import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  parseDuration,
  parseRetention,
  pickTier,
  type RetentionTier,
} from '../../collector/src/store/retention.js';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseRetention', () => {
  it('parses the default policy', () => {
    expect(parseRetention('10s:6h,1m:7d,10m:5y')).toEqual([
      { stepSec: 10, retentionSec: 21_600 },
      { stepSec: 60, retentionSec: 604_800 },
      { stepSec: 600, retentionSec: 157_680_000 },
    ]);
  });

  it('reads a unitless retention as a point count, as carbon does', () => {
    expect(parseRetention('60:1440')).toEqual([{ stepSec: 60, retentionSec: 86_400 }]);
    expect(parseRetention('10:2160,60:10080')).toEqual([
      { stepSec: 10, retentionSec: 21_600 },
      { stepSec: 60, retentionSec: 604_800 },
    ]);
  });

  it('accepts unit spellings that prefix the full name', () => {
    expect(parseRetention('1sec:1hour,1min:1week,1hours:1year')).toEqual([
      { stepSec: 1, retentionSec: 3600 },
      { stepSec: 60, retentionSec: 604_800 },
      { stepSec: 3600, retentionSec: 31_536_000 },
    ]);
    expect(parseRetention('1seconds:2days')).toEqual([{ stepSec: 1, retentionSec: 172_800 }]);
    expect(parseRetention('1m:1minutes')).toEqual([{ stepSec: 60, retentionSec: 60 }]);
  });

  it('ignores case and spaces', () => {
    expect(parseRetention(' 10S:6H , 1M : 7D ')).toEqual([
      { stepSec: 10, retentionSec: 21_600 },
      { stepSec: 60, retentionSec: 604_800 },
    ]);
  });

  it.each([
    ['', '--retention "": no retention tiers'],
    ['10s', '--retention "10s": tier "10s" is not step:retention'],
    ['10s:6h:1d', '--retention "10s:6h:1d": tier "10s:6h:1d" is not step:retention'],
    ['10s:6h,,1m:7d', '--retention "10s:6h,,1m:7d": empty tier'],
    ['abc:6h', '--retention "abc:6h": bad step "abc"'],
    ['1.5s:6h', '--retention "1.5s:6h": bad step "1.5s"'],
    ['10x:6h', '--retention "10x:6h": unknown unit in step "10x"'],
    ['10s:6mon', '--retention "10s:6mon": unknown unit in retention "6mon"'],
    ['10s:', '--retention "10s:": bad retention ""'],
    ['0s:6h', '--retention "0s:6h": step "0s" must be at least 1s'],
    ['10s:5s', '--retention "10s:5s": retention 5s is shorter than its step 10s'],
    ['10s:6h,7s:7d', '--retention "10s:6h,7s:7d": step 7s is not a multiple of 10s'],
    ['10s:6h,15s:7d', '--retention "10s:6h,15s:7d": step 15s is not a multiple of 10s'],
    ['1m:7d,10s:6h', '--retention "1m:7d,10s:6h": tiers must go from finest to coarsest, but 10s comes after 1m'],
    ['10s:6h,10s:7d', '--retention "10s:6h,10s:7d": step 10s appears twice'],
    ['10s:7d,1m:6h', '--retention "10s:7d,1m:6h": retention 6h of step 1m must be longer than 7d of step 10s'],
    ['10s:6h,1m:6h', '--retention "10s:6h,1m:6h": retention 6h of step 1m must be longer than 6h of step 10s'],
    ['10:100,60:10', '--retention "10:100,60:10": retention 10m of step 1m must be longer than 1000s of step 10s'],
    ['60:0', '--retention "60:0": retention 0s is shorter than its step 1m'],
  ])('rejects %j', (spec, message) => {
    const e = configError(() => parseRetention(spec));
    expect(e.message).toBe(message);
    expect(e.name).toBe('ConfigError');
  });

  it('names the setting it was given', () => {
    expect(configError(() => parseRetention('x', 'retention (trendline.json)')).message).toBe(
      'retention (trendline.json) "x": tier "x" is not step:retention',
    );
  });
});

describe('parseDuration', () => {
  it.each([
    ['10s', 10],
    ['500ms', 0.5],
    ['1m', 60],
    ['2h', 7200],
    ['1d', 86_400],
    ['1w', 604_800],
    ['1y', 31_536_000],
    ['1.5s', 1.5],
    ['0.5m', 30],
    ['.5s', 0.5],
    ['10 s', 10],
    ['10S', 10],
    ['250msec', 0.25],
    ['100millis', 0.1],
    ['2minutes', 120],
    ['3min', 180],
    ['1hour', 3600],
    ['0s', 0],
  ])('%j → %d', (input, want) => {
    expect(parseDuration(input)).toBeCloseTo(want, 12);
  });

  it.each([
    ['', 'invalid duration "": expected a number and a unit, e.g. 10s or 500ms'],
    ['abc', 'invalid duration "abc": expected a number and a unit, e.g. 10s or 500ms'],
    ['-5s', 'invalid duration "-5s": expected a number and a unit, e.g. 10s or 500ms'],
    ['1e3s', 'invalid duration "1e3s": expected a number and a unit, e.g. 10s or 500ms'],
    ['10', 'invalid duration "10": missing unit (ms, s, m, h, d, w or y)'],
    ['10x', `invalid duration "10x": unknown unit 'x' (ms, s, m, h, d, w or y)`],
    ['10mon', `invalid duration "10mon": unknown unit 'mon' (ms, s, m, h, d, w or y)`],
  ])('rejects %j', (input, message) => {
    expect(configError(() => parseDuration(input)).message).toBe(message);
  });

  it('names the flag it was given', () => {
    expect(configError(() => parseDuration('soon', '--flush-interval')).message).toBe(
      '--flush-interval "soon": expected a number and a unit, e.g. 10s or 500ms',
    );
  });
});

describe('pickTier', () => {
  const tiers = parseRetention('10s:6h,1m:7d,10m:5y');
  const [fine, mid, coarse] = tiers as [RetentionTier, RetentionTier, RetentionTier];
  const now = 1_700_000_000;

  it.each([
    ['an hour ago', now - 3600, fine],
    ['exactly 6h ago (retention covers it)', now - 21_600, fine],
    ['one second past 6h', now - 21_601, mid],
    ['exactly 7d ago', now - 604_800, mid],
    ['one second past 7d', now - 604_801, coarse],
    ['exactly 5y ago', now - 157_680_000, coarse],
    ['beyond every retention (coarsest)', now - 10 * 157_680_000, coarse],
    ['now', now, fine],
    ['in the future', now + 3600, fine],
  ])('%s', (_, from, want) => {
    expect(pickTier(tiers, from, now)).toBe(want);
  });

  it('works with one tier', () => {
    const [only] = parseRetention('1m:1d');
    expect(pickTier([only as RetentionTier], now - 10 * 86_400, now)).toBe(only);
  });

  it('refuses an empty policy', () => {
    expect(() => pickTier([], now, now)).toThrow(RangeError);
  });
});
