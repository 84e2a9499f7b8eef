import { ByteWriter } from '../byte-writer.js';

/**
 * A growing byte buffer for large ASCII JSON bodies: /render's 100 series × 8,640 points are ~20 MB, and
 * building them as one string per point, then joining, took most of the request. Numbers are spelled
 * exactly as JavaScript's String(v) spells them; the common shapes (integers, one decimal: counts and
 * per-second rates) are written digit by digit, the rest through String().
 */
export class JsonBytes extends ByteWriter {
  /** Text that is ASCII already (callers escape, as jsonString does). */
  ascii(s: string): void {
    this.room(s.length);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** A finite number as String(v) would write it. */
  number(v: number): void {
    if (Number.isSafeInteger(v)) {
      this.integer(v);
      return;
    }
    const tenths = Math.round(v * 10);
    // Up to 15 significant digits a decimal survives the round trip through a double, so when v is
    // exactly tenths / 10 this is also the shortest spelling, the one String() picks.
    if (tenths / 10 === v && Math.abs(tenths) < 1e15) {
      const abs = Math.abs(tenths);
      if (tenths < 0) this.u8(0x2d);
      this.integer(Math.floor(abs / 10));
      this.room(2);
      this.buf[this.pos++] = 0x2e;
      this.buf[this.pos++] = 0x30 + (abs % 10);
      return;
    }
    this.ascii(String(v));
  }

  /** A safe integer. */
  integer(v: number): void {
    this.room(17);
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
    do {
      const q = Math.floor(n / 10);
      buf[--p] = 0x30 + (n - q * 10);
      n = q;
    } while (n > 0);
  }
}
