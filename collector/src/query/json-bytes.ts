import { ByteWriter } from '../byte-writer.js';
import { ASCII_PAIRS, spellDouble } from './double-spelling.js';

/** Room for one `, [value, ts]`: the longest String(number) is 24 characters, a safe integer 17. */
const PAIR_BYTES = 64;

/** The decimal digits of 0 ≤ x < 2^31, by comparisons. */
function int32Digits(x: number): number {
  if (x < 100000) return x < 100 ? (x < 10 ? 1 : 2) : x < 1000 ? 3 : x < 10000 ? 4 : 5;
  return x < 10000000 ? (x < 1000000 ? 6 : 7) : x < 100000000 ? 8 : x < 1000000000 ? 9 : 10;
}

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
    // Below 2^31 (timestamps until 2038, most counts) int32 division is several times cheaper, and two
    // digits come from each division.
    if (n < 0x80000000) {
      let x = n | 0;
      let p = this.pos + int32Digits(x);
      this.pos = p;
      while (x >= 100) {
        const q = (x / 100) | 0;
        const d = (x - q * 100) << 1;
        buf[--p] = ASCII_PAIRS[d + 1] as number;
        buf[--p] = ASCII_PAIRS[d] as number;
        x = q;
      }
      if (x >= 10) {
        buf[--p] = ASCII_PAIRS[(x << 1) + 1] as number;
        buf[--p] = ASCII_PAIRS[x << 1] as number;
      } else buf[--p] = 0x30 + x;
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
