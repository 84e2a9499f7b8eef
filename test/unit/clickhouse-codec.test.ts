import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { QuantileSketch, ZERO_BIN_KEY } from '../../collector/src/aggregate/sketch.js';
import { mergeWrites } from '../../collector/src/store/clickhouse/reader.js';
import { RowBinaryReader, RowBinaryWriter } from '../../collector/src/store/clickhouse/row-binary.js';
import { seriesIdOf } from '../../collector/src/store/clickhouse/series-id.js';
import { sha256 } from '../../collector/src/store/clickhouse/sha256.js';
import { ident, literal, quoteString, sql } from '../../collector/src/store/clickhouse/sql.js';
import { SeriesKind } from '../../collector/src/store/series-kind.js';
import { binsOfEncoded } from '../support/encoded-bins.js';

/** The ClickHouse backend's pure parts: SQL escaping, RowBinary, series ids, sketch bins, merging writes. */

describe('sql: every interpolated value is escaped by its type', () => {
  it('quotes strings, escaping backslashes and quotes', () => {
    expect(quoteString("it's")).toBe("'it\\'s'");
    expect(quoteString('a\\b')).toBe("'a\\\\b'");
    expect(quoteString("x\\' OR 1=1 --")).toBe("'x\\\\\\' OR 1=1 --'");
    expect(quoteString('nul\0')).toBe("'nul\\0'");
  });

  it('places numbers, lists and identifiers, and refuses what has no SQL form', () => {
    const q = sql`SELECT * FROM ${ident('points_10')} WHERE id IN ${[1, 2]} AND name = ${"a'b"} AND ts >= ${1.5}`;
    expect(q.text).toBe("SELECT * FROM `points_10` WHERE id IN (1, 2) AND name = 'a\\'b' AND ts >= 1.5");
    expect(() => literal(Number.NaN)).toThrow();
    expect(() => literal(Number.POSITIVE_INFINITY)).toThrow();
    expect(() => literal([])).toThrow();
    expect(() => ident('points; DROP TABLE x')).toThrow();
    expect(() => ident('a`b')).toThrow();
  });
});

describe('RowBinary', () => {
  it('round-trips every type the store writes and reads', () => {
    const w = new RowBinaryWriter(4);
    w.u8(7);
    w.u32(4_000_000_000);
    w.u64(2 ** 53 - 1);
    w.f64(-1.25);
    w.string('żółw;env=prod');
    w.arrayI32([-50_000, 3, 700]);
    w.arrayU64([1, 2 ** 40]);
    const r = new RowBinaryReader(Buffer.from(w.finish()));
    expect(r.u8()).toBe(7);
    expect(r.u32()).toBe(4_000_000_000);
    expect(r.u64()).toBe(2 ** 53 - 1);
    expect(r.f64()).toBe(-1.25);
    expect(r.string()).toBe('żółw;env=prod');
    expect([...r.arrayI32()]).toEqual([-50_000, 3, 700]);
    expect(r.arrayU64()).toEqual([1, 2 ** 40]);
    expect(r.atEnd).toBe(true);
  });

  it('reads typed arrays at any offset, and fails on a short answer', () => {
    const w = new RowBinaryWriter();
    w.u8(1);
    w.varint(2);
    w.f64(0.5);
    w.f64(2.5);
    const r = new RowBinaryReader(Buffer.from(w.finish()));
    r.u8();
    expect([...r.arrayF64()]).toEqual([0.5, 2.5]);
    expect(() => new RowBinaryReader(Buffer.from([5, 1])).arrayU32()).toThrow(/ends early/);
  });
});

describe('series ids', () => {
  it('are the same in every collector, 53-bit, and differ by kind, name and tags', () => {
    const id = seriesIdOf(SeriesKind.Counter, 'stats.counters.a;env=prod');
    // Pinned: ids are stored, so the hash must never change.
    expect(id).toBe(8648131336831451);
    expect(Number.isSafeInteger(id) && id > 0).toBe(true);
    expect(seriesIdOf(SeriesKind.Gauge, 'stats.counters.a;env=prod')).not.toBe(id);
    expect(seriesIdOf(SeriesKind.Counter, 'stats.counters.a')).not.toBe(id);
  });

  it('are the first 53 bits of the SHA-256 of node:crypto, for every length and any UTF-8', () => {
    const reference = (kind: SeriesKind, key: string) => {
      const d = createHash('sha256').update(`${kind}\u0000${key}`).digest();
      return (d.readUInt32LE(4) & 0x1f_ffff) * 0x1_0000_0000 + d.readUInt32LE(0);
    };
    const keys = ['', 'é', 'a\ud800b', '😀;tag=ü'];
    for (let n = 0; n < 300; n += 7) keys.push(`stats.timers.${'x'.repeat(n)};env=prod`, 'ж'.repeat(n));
    for (const key of keys) {
      for (const kind of [SeriesKind.Counter, SeriesKind.Timer])
        expect(seriesIdOf(kind, key)).toBe(reference(kind, key));
    }
  });

  it('come from a SHA-256 that matches FIPS 180-4 on one and two blocks', () => {
    const digest = new Uint8Array(32);
    const hex = (s: string) => {
      const bytes = Buffer.from(s);
      sha256(bytes, bytes.length, digest);
      return Buffer.from(digest).toString('hex');
    };
    expect(hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });
});

describe('sketch bins', () => {
  it('binsOfEncoded equals toBins, zero bin included, and fromBins restores the sketch', () => {
    const s = new QuantileSketch();
    for (const v of [0, 0, 0.5, 1, 1, 10, 250, 250, 9000]) s.add(v);
    const bins = s.toBins();
    expect(bins.keys[0]).toBe(ZERO_BIN_KEY);
    expect(binsOfEncoded(s.encode())).toEqual(bins);
    const back = QuantileSketch.fromBins(bins.keys, bins.counts);
    expect(back.encode()).toEqual(s.encode());
  });

  it('fromBins adds counts of repeated keys, as sumMap does', () => {
    const a = new QuantileSketch();
    const b = new QuantileSketch();
    for (let i = 1; i <= 100; i++) (i % 2 ? a : b).add(i);
    const ba = a.toBins();
    const bb = b.toBins();
    const merged = QuantileSketch.fromBins([...ba.keys, ...bb.keys], [...ba.counts, ...bb.counts]);
    const direct = new QuantileSketch();
    for (let i = 1; i <= 100; i++) direct.add(i);
    expect(merged.encode()).toEqual(direct.encode());
  });
});

describe('mergeWrites: repeated buckets from several writers', () => {
  const ts = () => Uint32Array.from([100, 110, 100, 120, 110]);
  const values = () => Float64Array.from([1, 2, 3, 4, 5]);
  it('counters add, sets take the max, gauges ask for the latest write', () => {
    const c = mergeWrites(SeriesKind.Counter, ts(), values(), 100, 10);
    expect(c.repeats).toBe(true);
    expect(Array.from(c.points.ts)).toEqual([100, 110, 120]);
    expect(Array.from(c.points.values)).toEqual([4, 7, 4]);
    expect(Array.from(mergeWrites(SeriesKind.Set, ts(), values(), 100, 10).points.values)).toEqual([3, 5, 4]);
    expect(mergeWrites(SeriesKind.Gauge, ts(), values(), 100, 10).repeats).toBe(true);
  });

  it('passes arrays without repeats through untouched, aligned or not', () => {
    const t = Uint32Array.from([100, 110]);
    const v = Float64Array.from([1, 2]);
    const m = mergeWrites(SeriesKind.Counter, t, v, 95, 10);
    expect(m.repeats).toBe(false);
    expect(m.points.ts).toBe(t);
  });
});
