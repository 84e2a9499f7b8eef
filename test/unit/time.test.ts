import { describe, expect, it } from 'vitest';
import {
  isValidTimeZone,
  parseInterval,
  parseTime,
  TimeParseError,
  wallClock,
  zoneOffset,
} from '../../collector/src/query/time.js';

/** Epoch seconds of a UTC wall time (month 1–12). */
const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => Date.UTC(y, mo - 1, d, h, mi, s) / 1000;

// 2023-11-14T22:13:20Z, a Tuesday; in New York (EST, UTC-5) it is 17:13:20 the same day.
const NOW = 1_700_000_000;
const NY = 'America/New_York';
const H = 3600;
const D = 86_400;

function parseError(input: string, now = NOW, tz?: string): TimeParseError {
  try {
    parseTime(input, now, tz);
  } catch (e) {
    expect(e).toBeInstanceOf(TimeParseError);
    return e as TimeParseError;
  }
  throw new Error(`expected ${JSON.stringify(input)} to fail`);
}

describe('parseTime: now and epochs', () => {
  it('fixes the reference instant used by every other case', () => {
    expect(NOW).toBe(utc(2023, 11, 14, 22, 13, 20));
  });

  it.each([
    ['now', NOW],
    ['', NOW],
    ['  NOW ', NOW],
    ['1699999999', 1_699_999_999],
    ['0', 0],
    ['1,700,000,000', NOW],
    // 8 digits that are not a plausible YYYYMMDD stay epochs
    ['12345678', 12_345_678],
    ['19991399', 19_991_399],
    ['20091301', 20_091_301],
  ])('%j → %d', (input, want) => {
    expect(parseTime(input, NOW)).toBe(want);
  });

  it('refuses times outside years 1-9999 instead of failing in Intl (found by fuzzing)', () => {
    // `now=1941511368860109&tz=Asia/Kathmandu&from=monday` threw a RangeError: a 500 from /render.
    expect(parseError('monday', 1_941_511_368_860_109, 'Asia/Kathmandu').message).toBe(
      'invalid time "monday": now 1941511368860109 is out of range (years 1-9999)',
    );
    expect(parseError('99999999999999').message).toBe(
      'invalid time "99999999999999": epoch out of range (years 1-9999)',
    );
    expect(parseError('now+9000y').message).toBe('invalid time "now+9000y": time out of range (years 1-9999)');
    expect(parseTime('253402300799', NOW)).toBe(253_402_300_799);
  });

  it('floors a fractional now', () => {
    expect(parseTime('now', NOW + 0.75)).toBe(NOW);
  });

  it('reads a valid 8-digit value as YYYYMMDD at midnight', () => {
    expect(parseTime('20091201', NOW)).toBe(utc(2009, 12, 1));
    expect(parseTime('20240229', NOW)).toBe(utc(2024, 2, 29));
  });

  it('rejects an impossible YYYYMMDD', () => {
    expect(parseError('20090230').message).toBe('invalid time "20090230": day 30 out of range');
    expect(parseError('20090001').message).toBe('invalid time "20090001": month 0 out of range');
  });

  it('ignores the time zone for epochs', () => {
    expect(parseTime('1700000000', 0, NY)).toBe(NOW);
  });
});

describe('parseTime: offsets', () => {
  it.each([
    ['-1h', NOW - H],
    ['-1h30min', NOW - H - 1800],
    ['+2d', NOW + 2 * D],
    ['-10s', NOW - 10],
    ['-5min', NOW - 300],
    ['-2minutes', NOW - 120],
    ['-3hours', NOW - 3 * H],
    ['-1w', NOW - 7 * D],
    ['-2weeks', NOW - 14 * D],
    ['-1mon', NOW - 30 * D],
    ['-3months', NOW - 90 * D],
    ['-1y', NOW - 365 * D],
    ['-1seconds', NOW - 1],
    ['now-1d', NOW - D],
    ['NOW-1D', NOW - D],
    ['now+1h', NOW + H],
    ['-1d2h', NOW - D - 2 * H],
    ['- 1 h', NOW - H],
  ])('%j', (input, want) => {
    expect(parseTime(input, NOW)).toBe(want);
  });

  it('adds offsets to references', () => {
    expect(parseTime('midnight-1d', NOW)).toBe(utc(2023, 11, 13));
    expect(parseTime('yesterday+6h', NOW)).toBe(utc(2023, 11, 13, 6));
    expect(parseTime('tomorrow-1h', NOW)).toBe(utc(2023, 11, 14, 23));
    expect(parseTime('midnight+90min', NOW)).toBe(utc(2023, 11, 14, 1, 30));
    expect(parseTime('noon_yesterday-30min', NOW)).toBe(utc(2023, 11, 13, 11, 30));
  });

  it.each([
    ['-1m', `invalid time "-1m": invalid offset unit 'm' (use min or mon)`],
    ['-10', 'invalid time "-10": missing unit after 10 (use s, min, h, d, w, mon or y)'],
    ['-h', 'invalid time "-h": expected a number at "h"'],
    ['now-', 'invalid time "now-": offset has no amount'],
    ['-1x', `invalid time "-1x": invalid offset unit 'x'`],
    ['now-1d-2h', 'invalid time "now-1d-2h": expected a number at "-2h"'],
    ['now-yesterday', 'invalid time "now-yesterday": expected a number at "yesterday"'],
  ])('rejects %j', (input, message) => {
    expect(parseError(input).message).toBe(message);
  });

  it('treats a literal + before a word as joining reference words (attime would fail)', () => {
    expect(parseTime('+yesterday', NOW)).toBe(utc(2023, 11, 13));
    expect(parseTime('noon+yesterday-1h', NOW)).toBe(utc(2023, 11, 13, 11));
  });
});

describe('parseTime: references (UTC)', () => {
  it.each([
    ['noon', utc(2023, 11, 14, 12)],
    ['midnight', utc(2023, 11, 14)],
    ['teatime', utc(2023, 11, 14, 16)],
    ['8am', utc(2023, 11, 14, 8)],
    ['10pm', utc(2023, 11, 14, 22)],
    ['12am', utc(2023, 11, 14, 0)],
    ['12pm', utc(2023, 11, 14, 12)],
    ['9:30am', utc(2023, 11, 14, 9, 30)],
    ['11:45pm', utc(2023, 11, 14, 23, 45)],
    ['12:15am', utc(2023, 11, 14, 0, 15)],
    ['23:59', utc(2023, 11, 14, 23, 59)],
    ['8:05', utc(2023, 11, 14, 8, 5)],
    ['04:00', utc(2023, 11, 14, 4)],
    ['today', utc(2023, 11, 14)],
    ['yesterday', utc(2023, 11, 13)],
    ['tomorrow', utc(2023, 11, 15)],
    ['noon yesterday', utc(2023, 11, 13, 12)],
    ['noonyesterday', utc(2023, 11, 13, 12)],
    ['noon+yesterday', utc(2023, 11, 13, 12)],
    ['6pm today', utc(2023, 11, 14, 18)],
    ['8am tomorrow', utc(2023, 11, 15, 8)],
    ['04:00_20110501', utc(2011, 5, 1, 4)],
    ['16:00 20110501', utc(2011, 5, 1, 16)],
    ['07:01_20140226', 1_393_398_060],
    ['11/14/23', utc(2023, 11, 14)],
    ['1/1/70', utc(1970, 1, 1)],
    ['12/31/69', utc(2069, 12, 31)],
    ['01/01/09', utc(2009, 1, 1)],
    ['02/29/2024', utc(2024, 2, 29)],
    ['3:15pm 12/25/2023', utc(2023, 12, 25, 15, 15)],
    ['jan1', utc(2023, 1, 1)],
    ['january15', utc(2023, 1, 15)],
    ['Dec 25', utc(2023, 12, 25)],
    ['sept9', utc(2023, 9, 9)],
    ['noon feb 3', utc(2023, 2, 3, 12)],
    ['tuesday', utc(2023, 11, 14)],
    ['tues', utc(2023, 11, 14)],
    ['monday', utc(2023, 11, 13)],
    ['mon', utc(2023, 11, 13)],
    ['sunday', utc(2023, 11, 12)],
    ['sat', utc(2023, 11, 11)],
    ['wednesday', utc(2023, 11, 8)],
    ['noon friday', utc(2023, 11, 10, 12)],
    [' Midnight ', utc(2023, 11, 14)],
  ])('%j', (input, want) => {
    expect(parseTime(input, NOW)).toBe(want);
  });

  it.each([
    ['12345x', 'invalid time "12345x": unknown day reference'],
    ['blah', 'invalid time "blah": unknown day reference'],
    ['2011-05-01', 'invalid time "2011-05-01": unknown day reference'],
    ['25:00', 'invalid time "25:00": hour 25 out of range'],
    ['10:61', 'invalid time "10:61": minute 61 out of range'],
    ['13pm', 'invalid time "13pm": hour 13 out of range for pm'],
    ['0am', 'invalid time "0am": hour 0 out of range for am'],
    ['ab:cd', 'invalid time "ab:cd": bad time of day'],
    ['jan', 'invalid time "jan": day of month required after month name'],
    ['feb30', 'invalid time "feb30": day 30 out of range'],
    ['jan123', 'invalid time "jan123": bad day of month'],
    ['02/29/2023', 'invalid time "02/29/2023": day 29 out of range'],
    ['13/01/2023', 'invalid time "13/01/2023": month 13 out of range'],
    ['a/b/c', 'invalid time "a/b/c": bad MM/DD/YY date'],
    ['ju5', 'invalid time "ju5": unknown day reference'],
    ['noon tomorrowish', 'invalid time "noon tomorrowish": unknown day reference'],
  ])('rejects %j', (input, message) => {
    expect(parseError(input).message).toBe(message);
  });

  it('keeps error messages on one line', () => {
    const e = parseError('bad\ninput');
    expect(e.message).toBe('invalid time "bad\\ninput": unknown day reference');
    expect(e.message).not.toContain('\n');
    expect(e.name).toBe('TimeParseError');
  });
});

describe('parseTime: time zones', () => {
  it('computes zone offsets and wall clocks with Intl', () => {
    expect(zoneOffset(NOW, NY)).toBe(-5 * H);
    expect(zoneOffset(utc(2023, 7, 1), NY)).toBe(-4 * H);
    expect(zoneOffset(NOW)).toBe(0);
    expect(zoneOffset(NOW, 'Asia/Kolkata')).toBe(5.5 * H);
    expect(wallClock(NOW, NY)).toEqual({
      year: 2023,
      month: 11,
      day: 14,
      hour: 17,
      minute: 13,
      second: 20,
      weekday: 2,
    });
    expect(wallClock(NOW)).toEqual({ year: 2023, month: 11, day: 14, hour: 22, minute: 13, second: 20, weekday: 2 });
  });

  it('reads references in the zone', () => {
    expect(parseTime('midnight', NOW, NY)).toBe(utc(2023, 11, 14, 5));
    expect(parseTime('noon', NOW, NY)).toBe(utc(2023, 11, 14, 17));
    expect(parseTime('yesterday', NOW, NY)).toBe(utc(2023, 11, 13, 5));
    expect(parseTime('tuesday', NOW, NY)).toBe(utc(2023, 11, 14, 5));
    expect(parseTime('20110501', NOW, NY)).toBe(utc(2011, 5, 1, 4));
    expect(parseTime('-1h', NOW, NY)).toBe(NOW - H);
    expect(parseTime('midnight', NOW, 'UTC')).toBe(utc(2023, 11, 14));
  });

  it('uses the zone date, not the UTC date', () => {
    // 02:00Z on the 15th is still the 14th in New York.
    const now = utc(2023, 11, 15, 2);
    expect(parseTime('today', now)).toBe(utc(2023, 11, 15));
    expect(parseTime('today', now, NY)).toBe(utc(2023, 11, 14, 5));
    // In Kolkata NOW is already Wednesday 15th 03:43.
    expect(parseTime('midnight', NOW, 'Asia/Kolkata')).toBe(utc(2023, 11, 14, 18, 30));
    expect(parseTime('wednesday', NOW, 'Asia/Kolkata')).toBe(utc(2023, 11, 14, 18, 30));
    expect(parseTime('tuesday', NOW, 'Asia/Kolkata')).toBe(utc(2023, 11, 13, 18, 30));
  });

  it('matches graphite-web test_correct_timezone', () => {
    expect(parseTime('07:01_20140226', NOW)).toBe(1_393_398_060);
    expect(parseTime('08:01_20140226', NOW, 'Europe/Berlin')).toBe(1_393_398_060);
  });

  it('handles the autumn DST change (New York, 2023-11-05)', () => {
    const now = utc(2023, 11, 5, 15); // 10:00 EST
    expect(parseTime('midnight', now, NY)).toBe(utc(2023, 11, 5, 4)); // 00:00 EDT
    expect(parseTime('noon', now, NY)).toBe(utc(2023, 11, 5, 17)); // 12:00 EST
    expect(parseTime('yesterday', now, NY)).toBe(utc(2023, 11, 4, 4));
    expect(parseTime('now-1d', now, NY)).toBe(now - D);
    // 01:30 happens twice; like pytz's localize(is_dst=False) we take the standard-time one.
    expect(parseTime('01:30', now, NY)).toBe(utc(2023, 11, 5, 6, 30));
  });

  it('handles the spring DST change (New York, 2023-03-12)', () => {
    const sunday = utc(2023, 3, 12, 16); // 12:00 EDT
    expect(parseTime('midnight', sunday, NY)).toBe(utc(2023, 3, 12, 5)); // 00:00 EST
    expect(parseTime('noon', sunday, NY)).toBe(utc(2023, 3, 12, 16)); // 12:00 EDT
    // 02:30 does not exist that day; read with the standard offset, as pytz does.
    expect(parseTime('02:30', sunday, NY)).toBe(utc(2023, 3, 12, 7, 30));

    const monday = utc(2023, 3, 13, 12); // 08:00 EDT
    expect(parseTime('midnight', monday, NY)).toBe(utc(2023, 3, 13, 4));
    // Calendar day references move by wall-clock days…
    expect(parseTime('yesterday', monday, NY)).toBe(utc(2023, 3, 12, 5));
    // …while offsets are absolute (attime adds a timedelta to an aware datetime).
    expect(parseTime('midnight-1d', monday, NY)).toBe(utc(2023, 3, 12, 4));
  });

  it('rejects an unknown zone', () => {
    expect(parseError('now', NOW, 'Mars/Olympus').message).toBe('invalid time "now": unknown time zone "Mars/Olympus"');
    expect(isValidTimeZone(NY)).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('parseInterval', () => {
  it.each([
    ['5min', 300],
    ['1h', 3600],
    ['-1d', -D],
    ['30s', 30],
    ['1mon', 30 * D],
    ['1y', 365 * D],
    ['+2w', 14 * D],
    ['1h30min', 5400],
    ['10minutes', 600],
    ['2hours', 7200],
    ['1 hour', 3600],
    ['1H', 3600],
    ['0s', 0],
  ])('%j → %d', (input, want) => {
    expect(parseInterval(input)).toBe(want);
  });

  it.each([
    ['', 'invalid interval "": empty'],
    ['5m', `invalid interval "5m": invalid offset unit 'm' (use min or mon)`],
    ['10', 'invalid interval "10": missing unit after 10 (use s, min, h, d, w, mon or y)'],
    ['abc', 'invalid interval "abc": expected a number at "abc"'],
    ['5x', `invalid interval "5x": invalid offset unit 'x'`],
    ['-', 'invalid interval "-": offset has no amount'],
  ])('rejects %j', (input, message) => {
    expect(() => parseInterval(input)).toThrow(TimeParseError);
    expect(() => parseInterval(input)).toThrow(message);
  });
});
