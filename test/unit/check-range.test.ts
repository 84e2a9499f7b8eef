import { describe, expect, it } from 'vitest';
import {
  alerts,
  parseRange,
  parseThresholds,
  ThresholdError,
  thresholdState,
} from '../../collector/src/check/range.js';
import { CRITICAL, OK, type State, WARNING } from '../../collector/src/check/state.js';

/** Nagios threshold ranges: the guidelines' table, their command-line examples, and monitoring-plugins' own tests. */

const inf = Number.POSITIVE_INFINITY;
/** atof("12345678901234567890"), as the C test compares with. */
const BIG = Number('12345678901234567890');

describe('the guidelines range table', () => {
  // [range, values that alert, values that do not]
  it.each([
    ['10', [-0.001, -1, 10.001, 11, 1e9], [0, 5, 10]],
    ['10:', [9.999, 0, -5], [10, 10.5, 1e12]],
    ['~:10', [10.001, 11, 1e12], [10, 0, -1e12]],
    ['10:20', [9.999, -1, 20.001, 100], [10, 15, 20]],
    ['@10:20', [10, 15, 20], [9.999, 20.001, -1, 100]],
  ] as const)('%s', (text, alerting, quiet) => {
    const range = parseRange(text);
    for (const v of alerting) expect(alerts(range, v), `${text} should alert on ${v}`).toBe(true);
    for (const v of quiet) expect(alerts(range, v), `${text} should not alert on ${v}`).toBe(false);
  });

  it('parses the parts', () => {
    expect(parseRange('10')).toEqual({ text: '10', start: 0, end: 10, inside: false });
    expect(parseRange('10:')).toEqual({ text: '10:', start: 10, end: inf, inside: false });
    expect(parseRange('~:10')).toEqual({ text: '~:10', start: -inf, end: 10, inside: false });
    expect(parseRange('10:20')).toEqual({ text: '10:20', start: 10, end: 20, inside: false });
    expect(parseRange('@10:20')).toEqual({ text: '@10:20', start: 10, end: 20, inside: true });
  });
});

describe('the guidelines command-line examples (CRITICAL is checked before WARNING)', () => {
  const status = (w: string | undefined, c: string | undefined, v: number): State =>
    thresholdState(v, parseThresholds(w, c));
  // [warning, critical, [[value, state], ...]]
  it.each([
    // -w10 -c20: critical if over 20, else warning if over 10; critical below 0
    [
      '10',
      '20',
      [
        [-1, CRITICAL],
        [0, OK],
        [10, OK],
        [10.5, WARNING],
        [20, WARNING],
        [20.5, CRITICAL],
      ],
    ],
    // -w~:10 -c~:20: the same, but negative values are OK
    [
      '~:10',
      '~:20',
      [
        [-1, OK],
        [-1e9, OK],
        [10, OK],
        [10.5, WARNING],
        [20, WARNING],
        [21, CRITICAL],
      ],
    ],
    // -w10: -c20: critical over 20, warning below 10, critical below 0
    [
      '10:',
      '20',
      [
        [-1, CRITICAL],
        [0, WARNING],
        [9.99, WARNING],
        [10, OK],
        [20, OK],
        [20.01, CRITICAL],
      ],
    ],
    // -c1: critical below 1
    [
      undefined,
      '1:',
      [
        [0.99, CRITICAL],
        [-5, CRITICAL],
        [1, OK],
        [1e9, OK],
      ],
    ],
    // -w~:0 -c10: critical over 10, warning over 0, critical below 0
    [
      '~:0',
      '10',
      [
        [-0.1, CRITICAL],
        [0, OK],
        [0.1, WARNING],
        [10, WARNING],
        [10.1, CRITICAL],
      ],
    ],
    // -c5:6: critical below 5 or over 6
    [
      undefined,
      '5:6',
      [
        [4.99, CRITICAL],
        [5, OK],
        [5.5, OK],
        [6, OK],
        [6.01, CRITICAL],
      ],
    ],
    // -c@10:20: OK below 10 or over 20, critical within
    [
      undefined,
      '@10:20',
      [
        [9.99, OK],
        [10, CRITICAL],
        [15, CRITICAL],
        [20, CRITICAL],
        [20.01, OK],
      ],
    ],
  ] as Array<[string | undefined, string, Array<[number, State]>]>)('-w %s -c %s', (w, c, cases) => {
    for (const [v, want] of cases) expect(status(w, c, v), `value ${v}`).toBe(want);
  });

  it('with no thresholds everything is OK', () => {
    expect(status(undefined, undefined, -1e9)).toBe(OK);
    expect(status('', ' ', 1e9)).toBe(OK);
  });
});

describe("monitoring-plugins' lib/tests/test_utils.c", () => {
  it('accepts its valid ranges with the same bounds', () => {
    expect(parseRange('6')).toMatchObject({ start: 0, end: 6, inside: false });
    expect(parseRange('-7:23')).toMatchObject({ start: -7, end: 23 });
    expect(parseRange(':5.75')).toMatchObject({ start: 0, end: 5.75 });
    expect(parseRange('~:-95.99')).toMatchObject({ start: -inf, end: -95.99 });
    expect(parseRange('12345678901234567890:')).toMatchObject({ start: BIG, end: inf });
    expect(parseRange('1:1')).toMatchObject({ start: 1, end: 1 });
  });

  it('alerts as check_range does', () => {
    const big = parseRange('12345678901234567890:');
    expect(alerts(big, BIG / 1.1)).toBe(true);
    expect(alerts(big, BIG)).toBe(false);
    expect(alerts(big, BIG * 2)).toBe(false);

    const upTo0 = parseRange('~:0');
    expect(alerts(upTo0, 0.5)).toBe(true);
    expect(alerts(upTo0, -10)).toBe(false);
    expect(alerts(upTo0, 0)).toBe(false);

    const inside = parseRange('@0:657.8210567');
    expect(inside).toMatchObject({ start: 0, end: 657.8210567, inside: true });
    expect(alerts(inside, 32.88)).toBe(true);
    expect(alerts(inside, -2)).toBe(false);
    expect(alerts(inside, 657.8210567)).toBe(true);
    expect(alerts(inside, 0)).toBe(true);

    const one = parseRange('1:1');
    expect(alerts(one, 0.5)).toBe(true);
    expect(alerts(one, 1)).toBe(false);
    expect(alerts(one, 5.2)).toBe(true);
  });

  it('sets thresholds and gets the status', () => {
    expect(parseThresholds(undefined, undefined)).toEqual({});
    expect(parseThresholds(undefined, '80')).toEqual({ critical: { text: '80', start: 0, end: 80, inside: false } });
    expect(parseThresholds('5:33', undefined).warning).toMatchObject({ start: 5, end: 33 });
    const t = parseThresholds('30', '60');
    expect(thresholdState(15.3, t)).toBe(OK);
    expect(thresholdState(30.0001, t)).toBe(WARNING);
    expect(thresholdState(69, t)).toBe(CRITICAL);
  });
});

describe('edge cases', () => {
  it('handles infinite ends', () => {
    expect(alerts(parseRange('~:'), -1e300)).toBe(false);
    expect(alerts(parseRange('~:'), 1e300)).toBe(false);
    expect(alerts(parseRange('@~:'), 0)).toBe(true);
    expect(alerts(parseRange('@~:0'), -5)).toBe(true);
    expect(alerts(parseRange('@~:0'), 0.1)).toBe(false);
    expect(alerts(parseRange('@5:'), 5)).toBe(true);
    expect(alerts(parseRange('@5:'), 4)).toBe(false);
  });

  it('reads signs, decimals and exponents, and trims', () => {
    expect(parseRange('+1.5:.5e1')).toMatchObject({ start: 1.5, end: 5 });
    expect(parseRange('  @-3:-1 ')).toMatchObject({ text: '@-3:-1', start: -3, end: -1, inside: true });
    expect(parseRange('0')).toMatchObject({ start: 0, end: 0 });
  });

  it.each([
    ['abc', /invalid range "abc": "abc" is not a number/],
    ['2:1', /invalid range "2:1": start 2 is greater than end 1/],
    ['1:12%', /invalid range "1:12%": "12%" is not a number/],
    ['', /empty/],
    ['@', /no end given/],
    ['~', /"~" is not a number/],
    ['10:~', /"~" is not a number/],
    ['1:2:3', /"2:3" is not a number/],
    ['@@1', /"@1" is not a number/],
    ['0x10', /"0x10" is not a number/],
    ['inf', /"inf" is not a number/],
    ['nan', /"nan" is not a number/],
    ['1e999', /too large/],
    ['1 0', /"1 0" is not a number/],
    ['10,20', /"10,20" is not a number/],
  ])('rejects %j with a message', (text, message) => {
    expect(() => parseRange(text)).toThrow(ThresholdError);
    expect(() => parseRange(text)).toThrow(message);
  });

  it('keeps its reason on one line whatever the input holds (found by fuzzing)', () => {
    // A newline in a range used to reach the plugin output raw, adding a forged line to it.
    expect(() => parseRange('abc\nCRITICAL')).toThrow(
      'invalid range "abc\\nCRITICAL": "abc\\nCRITICAL" is not a number',
    );
  });

  it('names the threshold that is wrong', () => {
    expect(() => parseThresholds('abc', '10')).toThrow('warning: invalid range "abc"');
    expect(() => parseThresholds('10', '2:1')).toThrow('critical: invalid range "2:1"');
  });
});
