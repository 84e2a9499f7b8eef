import { ByteWriter } from '../byte-writer.js';
import { spellDouble } from './double-spelling.js';

/** Room for one `, [value, ts]`: the longest String(number) is 24 characters, a safe integer 17. */
const PAIR_BYTES = 64;

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
    this.putNumber(v);
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
    this.room(PAIR_BYTES);
    if (!first) this.put(', ');
    this.buf[this.pos++] = 0x5b;
    if (Number.isNaN(value)) this.put('null');
    // graphite-web rewrites Python's Infinity into these overflowing literals, which JSON parsers read as ±Infinity.
    else if (value === Infinity) this.put('1e9999');
    else if (value === -Infinity) this.put('-1e9999');
    else this.putNumber(value);
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

  private putNumber(v: number): void {
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
    const end = spellDouble(v, this.buf, this.pos);
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
    let digits = 1;
    for (let d = 10; d <= n; d *= 10) digits++;
    let p = this.pos + digits;
    this.pos = p;
    // Below 2^31 (timestamps until 2038, most counts) int32 division is several times cheaper.
    if (n < 0x80000000) {
      let x = n | 0;
      do {
        const q = (x / 10) | 0;
        buf[--p] = 0x30 + x - q * 10;
        x = q;
      } while (x > 0);
      return;
    }
    do {
      const q = Math.floor(n / 10);
      buf[--p] = 0x30 + (n - q * 10);
      n = q;
    } while (n > 0);
  }
}
