import { CRITICAL, OK, type State, WARNING } from './state.js';

/**
 * Nagios threshold ranges, as the Monitoring Plugins development guidelines define them
 * (`[@]start:end`, both ends inclusive; lib/utils_base.c `parse_range_string` and `check_range`):
 *
 * | range    | alert when x is… |
 * | -------- | ---------------- |
 * | `10`     | < 0 or > 10      |
 * | `10:`    | < 10             |
 * | `~:10`   | > 10             |
 * | `10:20`  | < 10 or > 20     |
 * | `@10:20` | ≥ 10 and ≤ 20    |
 *
 * Unlike the C library, which reads numbers with strtod (so `abc` is 0 and `1:12%` is 1:12), anything that
 * is not a plain decimal number is rejected with a message.
 */

export class ThresholdError extends Error {
  override readonly name = 'ThresholdError';
}

export interface Range {
  /** The range as written (trimmed); perfdata repeats it. */
  readonly text: string;
  /** −Infinity for `~`. */
  readonly start: number;
  /** +Infinity when the end is left out (`10:`). */
  readonly end: number;
  /** `@`: alert when the value is inside [start, end] rather than outside. */
  readonly inside: boolean;
}

export interface Thresholds {
  readonly warning?: Range;
  readonly critical?: Range;
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Quoted as JSON, so a newline or control character in the input can't break the one-line reason. */
const q = (s: string) => JSON.stringify(s);

function parseNumber(text: string, range: string): number {
  if (!NUMBER.test(text)) throw new ThresholdError(`invalid range ${q(range)}: ${q(text)} is not a number`);
  const n = Number(text);
  if (!Number.isFinite(n)) throw new ThresholdError(`invalid range ${q(range)}: ${q(text)} is too large`);
  return n;
}

/** Parses one range; throws ThresholdError with a one-line reason for anything else. */
export function parseRange(input: string): Range {
  const text = input.trim();
  if (text === '') throw new ThresholdError('invalid range "": empty');
  let body = text;
  const inside = body.startsWith('@');
  if (inside) body = body.slice(1);
  let start = 0;
  let end = Number.POSITIVE_INFINITY;
  const colon = body.indexOf(':');
  if (colon < 0) {
    if (body === '') throw new ThresholdError(`invalid range ${q(text)}: no end given`);
    end = parseNumber(body, text);
  } else {
    const startText = body.slice(0, colon);
    const endText = body.slice(colon + 1);
    if (startText === '~') start = Number.NEGATIVE_INFINITY;
    else if (startText !== '') start = parseNumber(startText, text);
    if (endText !== '') end = parseNumber(endText, text);
  }
  if (start > end) throw new ThresholdError(`invalid range ${q(text)}: start ${start} is greater than end ${end}`);
  return { text, start, end, inside };
}

/** True when `value` raises an alert for `range` (check_range). */
export function alerts(range: Range, value: number): boolean {
  // The comparisons cover the infinite ends too: −∞ <= v and v <= +∞ always hold.
  const within = range.start <= value && value <= range.end;
  return range.inside ? within : !within;
}

/**
 * Warning and critical ranges as a plugin receives them; a missing or blank one is not set (a Nagios
 * macro that expands to nothing gives `-w ''`). Throws ThresholdError naming which one is wrong.
 */
export function parseThresholds(warning?: string, critical?: string): Thresholds {
  const one = (text: string | undefined, which: string): Range | undefined => {
    if (text === undefined || text.trim() === '') return undefined;
    try {
      return parseRange(text);
    } catch (err) {
      throw new ThresholdError(`${which}: ${(err as Error).message}`);
    }
  };
  const w = one(warning, 'warning');
  const c = one(critical, 'critical');
  return { ...(w ? { warning: w } : {}), ...(c ? { critical: c } : {}) };
}

/** get_status: CRITICAL if the critical range alerts, else WARNING if the warning range does, else OK. */
export function thresholdState(value: number, t: Thresholds): State {
  if (t.critical && alerts(t.critical, value)) return CRITICAL;
  if (t.warning && alerts(t.warning, value)) return WARNING;
  return OK;
}
