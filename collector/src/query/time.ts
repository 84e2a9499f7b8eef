/**
 * Graphite's from/until grammar (graphite-web render/attime.py) and interval strings.
 * Everything works on epoch seconds; wall-clock fields come from Intl so any IANA zone works.
 */

export class TimeParseError extends Error {
  override name = 'TimeParseError';
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const DAY = 86_400;

// ---------------------------------------------------------------------------------------------
// Time zones

export interface WallClock {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function isUtc(tz: string | undefined): boolean {
  return tz === undefined || tz === 'UTC' || tz === 'Etc/UTC';
}

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new TimeParseError(`unknown time zone ${JSON.stringify(tz)}`);
    }
    formatters.set(tz, f);
  }
  return f;
}

/** True when `tz` is an IANA zone name this runtime knows (callers may fall back to UTC, as graphite-web does). */
export function isValidTimeZone(tz: string): boolean {
  try {
    formatterFor(tz);
    return true;
  } catch {
    return false;
  }
}

/** Seconds to add to UTC to get wall-clock time in `tz` at instant `epochSec`. */
export function zoneOffset(epochSec: number, tz?: string): number {
  if (isUtc(tz)) return 0;
  const t = Math.floor(epochSec);
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const p of formatterFor(tz as string).formatToParts(new Date(t * 1000))) {
    switch (p.type) {
      case 'year':
        year = Number(p.value);
        break;
      case 'month':
        month = Number(p.value);
        break;
      case 'day':
        day = Number(p.value);
        break;
      case 'hour':
        hour = Number(p.value);
        break;
      case 'minute':
        minute = Number(p.value);
        break;
      case 'second':
        second = Number(p.value);
        break;
      case 'era':
        bc = p.value.startsWith('B');
        break;
    }
  }
  if (bc) year = 1 - year;
  return utcSeconds(year, month, day, hour, minute, second) - t;
}

/** Wall-clock fields of `epochSec` in `tz` (UTC by default). */
export function wallClock(epochSec: number, tz?: string): WallClock {
  const wall = Math.floor(epochSec) + zoneOffset(epochSec, tz);
  const d = new Date(wall * 1000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
  };
}

function utcSeconds(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const d = new Date(0);
  // setUTCFullYear avoids Date.UTC's 0–99 → 1900s mapping.
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime() / 1000;
}

/**
 * The instant at which the wall clock in `tz` reads `wallSec` (wall time expressed as if it were UTC).
 * Ambiguous or skipped wall times resolve to the standard-time reading, as pytz's localize(is_dst=False).
 */
function wallToEpoch(wallSec: number, tz: string | undefined): number {
  if (isUtc(tz)) return wallSec;
  const candidates = new Set([zoneOffset(wallSec - DAY, tz), zoneOffset(wallSec, tz), zoneOffset(wallSec + DAY, tz)]);
  const valid: number[] = [];
  for (const off of candidates) if (zoneOffset(wallSec - off, tz) === off) valid.push(off);
  // Both ambiguous (two valid) and skipped (none valid) pick the smaller offset, i.e. standard time.
  const pool = valid.length > 0 ? valid : [...candidates];
  return wallSec - Math.min(...pool);
}

// ---------------------------------------------------------------------------------------------
// Offsets and intervals

function unitSeconds(unit: string): number | undefined {
  // Order matters: attime matches by prefix, so `min` must win over `mon` and a lone `m` matches nothing.
  if (unit.startsWith('s')) return 1;
  if (unit.startsWith('min')) return 60;
  if (unit.startsWith('h')) return 3600;
  if (unit.startsWith('d')) return DAY;
  if (unit.startsWith('w')) return 7 * DAY;
  if (unit.startsWith('mon')) return 30 * DAY;
  if (unit.startsWith('y')) return 365 * DAY;
  return undefined;
}

/** Parses `[+-]<int><unit>...`; returns signed seconds or an error reason. */
function parseOffset(offset: string): number | string {
  let i = 0;
  let sign = 1;
  if (offset[0] === '+' || offset[0] === '-') {
    sign = offset[0] === '-' ? -1 : 1;
    i = 1;
  }
  if (i >= offset.length) return 'offset has no amount';
  let total = 0;
  while (i < offset.length) {
    const numStart = i;
    while (i < offset.length && isDigit(offset.charCodeAt(i))) i++;
    if (i === numStart) return `expected a number at ${JSON.stringify(offset.slice(numStart))}`;
    const num = Number(offset.slice(numStart, i));
    const unitStart = i;
    while (i < offset.length && isLetter(offset.charCodeAt(i))) i++;
    const unit = offset.slice(unitStart, i);
    if (unit === '') return `missing unit after ${num} (use s, min, h, d, w, mon or y)`;
    const mult = unitSeconds(unit);
    if (mult === undefined) {
      const hint = unit === 'm' ? ' (use min or mon)' : '';
      return `invalid offset unit '${unit}'${hint}`;
    }
    total += num * mult;
  }
  if (!Number.isSafeInteger(total)) return 'offset out of range';
  return sign * total;
}

/** A Graphite interval string (`'5min'`, `'-1d'`, `'1mon'`) as signed seconds; units match attime's. */
export function parseInterval(input: string): number {
  const s = input.trim().toLowerCase().replace(/[_ ]/g, '');
  const fail = (why: string) => new TimeParseError(`invalid interval ${JSON.stringify(input)}: ${why}`);
  if (s === '') throw fail('empty');
  const r = parseOffset(s);
  if (typeof r === 'string') throw fail(r);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Absolute references

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetter(c: number): boolean {
  return c >= 97 && c <= 122;
}

function allDigits(s: string): boolean {
  return /^\d+$/.test(s);
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcSeconds(year, month + 1, 0, 0, 0, 0) * 1000).getUTCDate();
}

/** A name matches when it is at least three letters and a prefix of the full word (`tue`, `tues`, `tuesday`). */
function matchName(word: string, names: readonly string[]): number {
  if (word.length < 3) return -1;
  return names.findIndex((n) => n.startsWith(word));
}

interface CivilDate {
  year: number;
  month: number;
  day: number;
}

function shiftDays(d: CivilDate, days: number): CivilDate {
  const t = new Date((utcSeconds(d.year, d.month, d.day, 0, 0, 0) + days * DAY) * 1000);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

function checkedDate(year: number, month: number, day: number): CivilDate | string {
  if (year < 1 || year > 9999) return `year ${year} out of range`;
  if (month < 1 || month > 12) return `month ${month} out of range`;
  if (day < 1 || day > daysInMonth(year, month)) return `day ${day} out of range`;
  return { year, month, day };
}

/** Parses attime's reference part (time of day, then day); returns epoch seconds or an error reason. */
function parseReference(ref: string, nowSec: number, tz: string | undefined): number | string {
  if (ref === '' || ref === 'now') return nowSec;

  const now = wallClock(nowSec, tz);
  let hour = 0;
  let minute = 0;
  let rest = ref;

  // HH:MM with an optional am/pm
  const colon = rest.indexOf(':');
  if (colon > 0 && colon < 3) {
    const h = rest.slice(0, colon);
    const m = rest.slice(colon + 1, colon + 3);
    if (!allDigits(h) || !allDigits(m)) return 'bad time of day';
    hour = Number(h);
    minute = Number(m);
    rest = rest.slice(colon + 3);
    if (minute > 59) return `minute ${minute} out of range`;
    const meridiem = rest.slice(0, 2);
    if (meridiem === 'am' || meridiem === 'pm') {
      const r = applyMeridiem(hour, meridiem);
      if (typeof r === 'string') return r;
      hour = r;
      rest = rest.slice(2);
    } else if (hour > 23) {
      return `hour ${hour} out of range`;
    }
  }

  // Xam, XXpm
  for (const meridiem of ['am', 'pm'] as const) {
    const i = rest.indexOf(meridiem);
    if (i > 0 && i < 3) {
      const h = rest.slice(0, i);
      if (!allDigits(h)) return 'bad time of day';
      const r = applyMeridiem(Number(h), meridiem);
      if (typeof r === 'string') return r;
      hour = r;
      rest = rest.slice(i + 2);
    }
  }

  for (const [word, h] of [
    ['noon', 12],
    ['midnight', 0],
    ['teatime', 16],
  ] as const) {
    if (rest.startsWith(word)) {
      hour = h;
      minute = 0;
      rest = rest.slice(word.length);
      break;
    }
  }

  const today: CivilDate = { year: now.year, month: now.month, day: now.day };
  let date: CivilDate;
  if (rest === '' || rest === 'today') {
    date = today;
  } else if (rest === 'yesterday') {
    date = shiftDays(today, -1);
  } else if (rest === 'tomorrow') {
    date = shiftDays(today, 1);
  } else if (rest.split('/').length === 3) {
    const parts = rest.split('/');
    if (!parts.every(allDigits)) return 'bad MM/DD/YY date';
    const [m, d] = [Number(parts[0]), Number(parts[1])];
    let y = Number(parts[2]);
    // attime's two-digit-year rule: 70–99 → 19xx, 00–69 → 20xx.
    if (y < 1900) y += 1900;
    if (y < 1970) y += 100;
    const r = checkedDate(y, m, d);
    if (typeof r === 'string') return r;
    date = r;
  } else if (rest.length === 8 && allDigits(rest)) {
    const r = checkedDate(Number(rest.slice(0, 4)), Number(rest.slice(4, 6)), Number(rest.slice(6, 8)));
    if (typeof r === 'string') return r;
    date = r;
  } else {
    const named = /^([a-z]+)(\d*)$/.exec(rest);
    const monthIdx = named ? matchName(named[1] as string, MONTHS) : -1;
    const weekdayIdx = named && named[2] === '' ? matchName(named[1] as string, WEEKDAYS) : -1;
    if (named && monthIdx >= 0) {
      const dayText = named[2] as string;
      if (dayText === '') return 'day of month required after month name';
      if (dayText.length > 2) return 'bad day of month';
      const r = checkedDate(now.year, monthIdx + 1, Number(dayText));
      if (typeof r === 'string') return r;
      date = r;
    } else if (weekdayIdx >= 0) {
      // The most recent such day, today included.
      date = shiftDays(today, -((now.weekday - weekdayIdx + 7) % 7));
    } else {
      return 'unknown day reference';
    }
  }

  return wallToEpoch(utcSeconds(date.year, date.month, date.day, hour, minute, 0), tz);
}

function applyMeridiem(hour: number, meridiem: 'am' | 'pm'): number | string {
  // Conventional 12-hour clock (attime maps 12am to noon and 12pm to midnight; we do not).
  if (hour < 1 || hour > 12) return `hour ${hour} out of range for ${meridiem}`;
  return (hour % 12) + (meridiem === 'pm' ? 12 : 0);
}

/**
 * Parses a Graphite `from`/`until`/`now` value against `nowSec`, in the IANA zone `tz` (UTC by default).
 * Returns integer epoch seconds. Offsets are absolute durations (a day is 86400 s even across DST).
 */
export function parseTime(input: string, nowSec: number, tz?: string): number {
  const fail = (why: string) => new TimeParseError(`invalid time ${JSON.stringify(input)}: ${why}`);
  if (!isUtc(tz)) {
    try {
      formatterFor(tz as string);
    } catch (e) {
      throw fail((e as Error).message);
    }
  }
  const now = Math.floor(nowSec);
  // Wall-clock arithmetic (Intl, Date) only works inside years 1-9999; a `now=` beyond that was a 500.
  if (!inCalendar(now)) throw fail(`now ${now} is out of range (years 1-9999)`);
  // A literal '+' before a word (`noon+yesterday`, the docs' URL form) joins reference words: attime would fail.
  const s = input
    .trim()
    .toLowerCase()
    .replace(/[_, ]/g, '')
    .replace(/\+(?=[a-z])/g, '');

  if (allDigits(s)) {
    const looksLikeDate =
      s.length === 8 && Number(s.slice(0, 4)) > 1900 && Number(s.slice(4, 6)) < 13 && Number(s.slice(6)) < 32;
    if (!looksLikeDate) {
      const epoch = Number(s);
      if (!inCalendar(epoch)) throw fail('epoch out of range (years 1-9999)');
      return epoch;
    }
  }

  let ref = s;
  let offset = '';
  const plus = s.indexOf('+');
  const split = plus >= 0 ? plus : s.indexOf('-');
  if (split >= 0) {
    ref = s.slice(0, split);
    offset = s.slice(split);
  }

  const base = parseReference(ref, now, tz);
  if (typeof base === 'string') throw fail(base);
  if (offset === '') return base;
  const delta = parseOffset(offset);
  if (typeof delta === 'string') throw fail(delta);
  const t = base + delta;
  if (!inCalendar(t)) throw fail('time out of range (years 1-9999)');
  return t;
}

/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: graphite-web's (Python datetime's) range. */
const MIN_EPOCH = -62_135_596_800;
const MAX_EPOCH = 253_402_300_799;

function inCalendar(t: number): boolean {
  return Number.isSafeInteger(t) && t >= MIN_EPOCH && t <= MAX_EPOCH;
}
