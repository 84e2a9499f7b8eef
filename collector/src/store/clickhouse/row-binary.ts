/**
 * ClickHouse's RowBinary format: little-endian fixed-width numbers, LEB128 lengths before strings and
 * arrays, no separators. Rows are written column by column in the table's column order.
 */

import { ByteWriter } from '../../byte-writer.js';

export class RowBinaryWriter extends ByteWriter {
  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32LE(v, this.pos);
    this.pos += 4;
  }

  /** A UInt64 given as a safe integer (series ids are 53-bit). */
  u64(v: number): void {
    this.room(8);
    this.buf.writeUInt32LE(v % 0x1_0000_0000, this.pos);
    this.buf.writeUInt32LE(Math.floor(v / 0x1_0000_0000), this.pos + 4);
    this.pos += 8;
  }

  i32(v: number): void {
    this.room(4);
    this.buf.writeInt32LE(v, this.pos);
    this.pos += 4;
  }

  f64(v: number): void {
    this.room(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  varint(v: number): void {
    this.room(10);
    let n = v;
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  string(s: string): void {
    const bytes = Buffer.byteLength(s);
    this.varint(bytes);
    this.room(bytes);
    this.buf.write(s, this.pos, 'utf8');
    this.pos += bytes;
  }

  arrayI32(values: ArrayLike<number>): void {
    this.varint(values.length);
    for (let i = 0; i < values.length; i++) this.i32(values[i]);
  }

  arrayU64(values: ArrayLike<number>): void {
    this.varint(values.length);
    for (let i = 0; i < values.length; i++) this.u64(values[i]);
  }
}

export class RowBinaryReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  get atEnd(): boolean {
    return this.pos >= this.buf.length;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  u64(): number {
    this.need(8);
    const v = this.buf.readUInt32LE(this.pos) + this.buf.readUInt32LE(this.pos + 4) * 0x1_0000_0000;
    this.pos += 8;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
  }

  string(): string {
    const n = this.varint();
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** Array(UInt16), copied out in one go. */
  arrayU16(): Uint16Array {
    return this.typedArray(2, (buffer) => new Uint16Array(buffer));
  }

  /** Array(UInt32) or Array(DateTime), copied out in one go. */
  arrayU32(): Uint32Array {
    return this.typedArray(4, (buffer) => new Uint32Array(buffer));
  }

  arrayF64(): Float64Array {
    return this.typedArray(8, (buffer) => new Float64Array(buffer));
  }

  arrayI32(): Int32Array {
    return this.typedArray(4, (buffer) => new Int32Array(buffer));
  }

  arrayU64(): number[] {
    const n = this.varint();
    const out: number[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u64();
    return out;
  }

  /** An array of fixed-width little-endian numbers, `width` bytes each, viewed by `make` over a copy. */
  private typedArray<T>(width: number, make: (buffer: ArrayBuffer) => T): T {
    const bytes = this.varint() * width;
    this.need(bytes);
    const out = make(this.copy(bytes));
    this.pos += bytes;
    return out;
  }

  /** A fresh, aligned ArrayBuffer with the next `bytes` bytes (typed arrays need aligned offsets). */
  private copy(bytes: number): ArrayBuffer {
    const start = this.buf.byteOffset + this.pos;
    return this.buf.buffer.slice(start, start + bytes) as ArrayBuffer;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Error('RowBinary answer ends early');
  }
}
