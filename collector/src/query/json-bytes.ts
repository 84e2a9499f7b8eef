import { ByteWriter } from '../byte-writer.js';
import { ASCII_PAIRS, spellDouble } from './double-spelling.js';

/** Room for one `, [value, ts]`: the longest String(number) is 24 characters, a safe integer 17. */
const PAIR_BYTES = 64;

/** The decimal digits of 0 ≤ x < 2^31, by comparisons. */
function int32Digits(x: number): number {
  if (x < 100000) return x < 100 ? (x < 10 ? 1 : 2) : x < 1000 ? 3 : x < 10000 ? 4 : 5;
  return x < 10000000 ? (x < 1000000 ? 6 : 7) : x < 100000000 ? 8 : x < 1000000000 ? 9 : 10;
}

/**
 * Writes 0 ≤ x < 2^31 at buf[p…] and returns the position after it. int32 division is several times
 * cheaper than a double's, and two digits come from each (timestamps until 2038, most counts).
 */
function putInt32(buf: Uint8Array, p: number, x: number): number {
  const end = p + int32Digits(x);
  let q = end;
  let rest = x;
  while (rest >= 100) {
    const next = (rest / 100) | 0;
    const d = (rest - next * 100) << 1;
    buf[--q] = ASCII_PAIRS[d + 1] as number;
    buf[--q] = ASCII_PAIRS[d] as number;
    rest = next;
  }
  if (rest >= 10) {
    buf[--q] = ASCII_PAIRS[(rest << 1) + 1] as number;
    buf[--q] = ASCII_PAIRS[rest << 1] as number;
  } else buf[--q] = 0x30 + rest;
  return end;
}

/** The digits of the time being written above its last four (datapoints). */
const TIME_PREFIX = new Uint8Array(10);

/** One value passed on as an array, as spellDouble takes it. */
const ONE = new Float64Array(1);

/**
 * A growing byte buffer for large ASCII JSON bodies: /render's 100 series × 8,640 points are ~20 MB, and
 * building them as one string per point, then joining, took most of the request. Numbers are spelled
 * exactly as JavaScript's String(v) spells them; the common shapes (integers, one decimal: counts and
 * per-second rates) are written digit by digit, other fractions through spellDouble, the rest through String().
 */
export class JsonBytes extends ByteWriter {
  /** Text that is ASCII already (callers escape, as jsonString does). */
  ascii(s: string): void {
    this.room(s.length);
    this.put(s);
  }

  /** A finite number as String(v) would write it. */
  number(v: number): void {
    this.room(PAIR_BYTES);
    ONE[0] = v;
    this.putNumberAt(ONE, 0);
  }

  /** A safe integer. */
  integer(v: number): void {
    this.room(PAIR_BYTES);
    this.putInteger(v);
  }

  /**
   * `[value, ts]` with Python's separator, preceded by `, ` unless first: a /render datapoint. The value
   * is null for NaN and ±1e9999 for ±Infinity, as graphite-web writes them.
   */
  pair(value: number, ts: number, first: boolean): void {
    ONE[0] = value;
    this.pairAt(ONE, 0, ts, first);
  }

  /** pair() for the value values[i]: the form /render's loop uses, which never boxes a double (putNumberAt). */
  pairAt(values: Float64Array, i: number, ts: number, first: boolean): void {
    this.room(PAIR_BYTES);
    if (!first) this.put(', ');
    this.buf[this.pos++] = 0x5b;
    const value = values[i] as number;
    if (Number.isNaN(value)) this.put('null');
    // graphite-web rewrites Python's Infinity into these overflowing literals, which JSON parsers read as ±Infinity.
    else if (value === Infinity) this.put('1e9999');
    else if (value === -Infinity) this.put('-1e9999');
    else this.putNumberAt(values, i);
    this.put(', ');
    this.putInteger(ts);
    this.buf[this.pos++] = 0x5d;
  }

  /**
   * A series' datapoints, `[v, t], [v, t], …`, for values[i] at start + i · step (pairAt's spelling);
   * noNullPoints leaves out the nulls. The loop /render spends its time in: the position is kept in a
   * local, an integer value below 2^31 is written in place, and a time is its last four digits after a
   * prefix spelled once per 10,000 s.
   */
  datapoints(values: Float64Array, start: number, step: number, noNullPoints: boolean): void {
    const last = start + (values.length - 1) * step;
    if (!(Number.isInteger(start) && Number.isInteger(step) && step > 0 && start >= 0 && last < 0x80000000)) {
      let first = true;
      for (let i = 0; i < values.length; i++) {
        if (noNullPoints && Number.isNaN(values[i] as number)) continue;
        this.pairAt(values, i, start + i * step, first);
        first = false;
      }
      return;
    }
    let buf = this.buf;
    let p = this.pos;
    let high = Math.floor(start / 10000);
    let low = start - high * 10000;
    let prefix = this.timePrefix(high);
    let first = true;
    for (let i = 0; i < values.length; i++, low += step) {
      if (low >= 10000) {
        high += Math.floor(low / 10000);
        low %= 10000;
        prefix = this.timePrefix(high);
      }
      const v = values[i] as number;
      const isNull = Number.isNaN(v);
      if (noNullPoints && isNull) continue;
      if (p + PAIR_BYTES > buf.length) {
        this.pos = p;
        this.room(PAIR_BYTES);
        buf = this.buf;
      }
      if (!first) {
        buf[p++] = 0x2c;
        buf[p++] = 0x20;
      }
      first = false;
      buf[p++] = 0x5b;
      if (v >= 0 && v < 0x80000000 && (v | 0) === v) p = putInt32(buf, p, v);
      else if (isNull) {
        buf[p++] = 0x6e;
        buf[p++] = 0x75;
        buf[p++] = 0x6c;
        buf[p++] = 0x6c;
      } else {
        this.pos = p;
        if (v === Infinity) this.put('1e9999');
        else if (v === -Infinity) this.put('-1e9999');
        else this.putNumberAt(values, i);
        p = this.pos;
      }
      buf[p++] = 0x2c;
      buf[p++] = 0x20;
      for (let j = 0; j < prefix; j++) buf[p++] = TIME_PREFIX[j] as number;
      // The last four digits, zero-padded after a prefix (0 ≤ low < 10,000).
      const hundreds = (low / 100) | 0;
      const tail = (low - hundreds * 100) << 1;
      if (prefix > 0 || hundreds > 0) {
        if (prefix > 0 || hundreds >= 10) buf[p++] = ASCII_PAIRS[hundreds << 1] as number;
        buf[p++] = ASCII_PAIRS[(hundreds << 1) + 1] as number;
      }
      if (prefix > 0 || hundreds > 0 || low >= 10) buf[p++] = ASCII_PAIRS[tail] as number;
      buf[p++] = ASCII_PAIRS[tail + 1] as number;
      buf[p++] = 0x5d;
    }
    this.pos = p;
  }

  /** Spells `high` (the time's digits above its last four) into TIME_PREFIX; returns their count (0 for 0). */
  private timePrefix(high: number): number {
    if (high === 0) return 0;
    const n = int32Digits(high);
    let x = high;
    for (let j = n - 1; j >= 0; j--) {
      const q = (x / 10) | 0;
      TIME_PREFIX[j] = 0x30 + (x - q * 10);
      x = q;
    }
    return n;
  }

  // The put* methods write without checking for room: callers reserve it first.

  private put(s: string): void {
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  private putNumberAt(values: Float64Array, i: number): void {
    const v = values[i] as number;
    if (Number.isSafeInteger(v)) {
      this.putInteger(v);
      return;
    }
    const tenths = Math.round(v * 10);
    // Up to 15 significant digits a decimal survives the round trip through a double, so when v is
    // exactly tenths / 10 this is also the shortest spelling, the one String() picks.
    if (tenths / 10 === v && Math.abs(tenths) < 1e15) {
      const abs = Math.abs(tenths);
      if (tenths < 0) this.buf[this.pos++] = 0x2d;
      this.putInteger(Math.floor(abs / 10));
      this.buf[this.pos++] = 0x2e;
      this.buf[this.pos++] = 0x30 + (abs % 10);
      return;
    }
    const end = spellDouble(values, i, this.buf, this.pos);
    if (end >= 0) this.pos = end;
    else this.put(String(v));
  }

  private putInteger(v: number): void {
    const buf = this.buf;
    let n = v;
    if (n < 0) {
      buf[this.pos++] = 0x2d;
      n = -n;
    }
    if (n < 0x80000000) {
      this.pos = putInt32(buf, this.pos, n | 0);
      return;
    }
    let digits = 1;
    for (let d = 10; d <= n; d *= 10) digits++;
    let p = this.pos + digits;
    this.pos = p;
    do {
      const q = Math.floor(n / 10);
      buf[--p] = 0x30 + (n - q * 10);
      n = q;
    } while (n > 0);
  }
}
