import { describe, expect, it } from 'vitest';
import { QuantileSketch } from '../../collector/src/aggregate/sketch.js';
import {
  computeTimerStat,
  parseTimerStat,
  statNeedsMoments,
  statNeedsSketch,
  timerStatNames,
} from '../../collector/src/aggregate/timer-stats.js';
import {
  CHUNK_POINTS,
  chunkStart,
  decodeSummaries,
  decodeTimerStatInto,
  decodeValues,
  decodeValuesInto,
  encodeSummaries,
  encodeValues,
  type StoredSummary,
  sketchHeadAnswers,
  summaryView,
} from '../../collector/src/store/chunk-codec.js';
import { inlineMomentsChunk } from '../support/timer-chunk-v2.js';

describe('value chunks', () => {
  it('round-trip, trimmed to the stretch that has points', () => {
    const values = new Float64Array(CHUNK_POINTS).fill(Number.NaN);
    values[10] = 1.5;
    values[11] = -0;
    values[20] = 1e300;
    const blob = encodeValues(values);
    expect(blob?.byteLength).toBe(4 + 11 * 8);
    const back = decodeValues(blob as Uint8Array);
    expect(back[10]).toBe(1.5);
    expect(Object.is(back[11], -0)).toBe(true);
    expect(back[20]).toBe(1e300);
    expect(Number.isNaN(back[0]) && Number.isNaN(back[12]) && Number.isNaN(back[359])).toBe(true);
  });

  it('encode nothing for an empty chunk', () => {
    expect(encodeValues(new Float64Array(CHUNK_POINTS).fill(Number.NaN))).toBeNull();
  });

  it('decode into a window that cuts the chunk on either side', () => {
    const values = new Float64Array(CHUNK_POINTS).map((_, i) => i);
    const blob = encodeValues(values) as Uint8Array;
    const out = new Float64Array(5).fill(Number.NaN);
    decodeValuesInto(blob, out, -100); // the window starts at the chunk's index 100
    expect([...out]).toEqual([100, 101, 102, 103, 104]);
    const tail = new Float64Array(5).fill(Number.NaN);
    decodeValuesInto(blob, tail, 3); // the chunk starts 3 steps into the window
    expect([...tail]).toEqual([Number.NaN, Number.NaN, Number.NaN, 0, 1]);
  });

  it('rejects a corrupt chunk', () => {
    expect(() => decodeValues(Uint8Array.of(0, 0, 9, 0, 1, 2))).toThrow(/corrupt value chunk/);
  });

  it('aligns chunk starts to the span, for negative times too', () => {
    expect(chunkStart(3600 * 5 + 17, 10)).toBe(3600 * 5);
    expect(chunkStart(-1, 10)).toBe(-3600);
  });
});

describe('timer chunks', () => {
  it('round-trip summaries with and without sketches', () => {
    const sketch = new QuantileSketch();
    for (const v of [1, 2, 3, 500]) sketch.add(v);
    const a: StoredSummary = [4, 4, 506, 250014, 187264.75, 1, 500, sketch.encode()];
    const idle: StoredSummary = [0, 0, 0, 0, 0, null, null, null];
    const start = 36_000;
    const back = decodeSummaries(
      encodeSummaries([
        [0, a],
        [359, idle],
      ]),
      start,
      10,
    );
    expect(back).toEqual([
      [start, ...a],
      [start + 3590, ...idle],
    ]);
    expect(QuantileSketch.decode(back[0][8] as Uint8Array).valueAtRank(4)).toBeCloseTo(500, -1);
  });

  it('keep a sample-rate adjusted count, and spend 4 bytes on an idle interval', () => {
    const sampled: StoredSummary = [50, 5, 10, 30, 10, 1, 3, new QuantileSketch().encode()];
    const idle: StoredSummary = [0, 0, 0, 0, 0, null, null, null];
    expect(decodeSummaries(encodeSummaries([[7, sampled]]), 0, 1)).toEqual([[7, ...sampled]]);
    expect(encodeSummaries([[0, idle]]).data.byteLength).toBe(2 + 4);
  });

  it('rejects a truncated chunk', () => {
    const blob = encodeSummaries([[0, [1, 1, 1, 1, 0, 1, 1, new QuantileSketch().encode()]]]);
    expect(() => decodeSummaries({ ...blob, data: blob.data.subarray(0, blob.data.byteLength - 1) }, 0, 10)).toThrow(
      /corrupt timer chunk/,
    );
  });

  it('decode one stat straight into an array, equal to the stat of each decoded row', () => {
    let seed = 11;
    const random = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const entries: Array<[number, StoredSummary]> = [];
    for (let index = 0; index < CHUNK_POINTS; index += 1 + Math.floor(random() * 3)) {
      if (index % 7 === 3) {
        entries.push([index, [0.5, 0, 0, 0, 0, null, null, null]]);
        continue;
      }
      // Long intervals need two-byte lengths and counts, and some sketches hold zeros.
      const n = 1 + Math.floor(random() * (index % 5 === 0 ? 400 : 40));
      const values = Array.from({ length: n }, () => (random() < 0.05 ? 0 : Math.exp(random() * 8)));
      const sketch = new QuantileSketch();
      for (const v of values) sketch.add(v);
      const sum = values.reduce((a, b) => a + b, 0);
      const mean = sum / n;
      const stored: StoredSummary = [
        index % 2 === 0 ? n : n * 10,
        n,
        sum,
        values.reduce((a, b) => a + b * b, 0),
        values.reduce((a, b) => a + (b - mean) ** 2, 0),
        Math.min(...values),
        Math.max(...values),
        sketch.encode(),
      ];
      entries.push([index, stored]);
    }
    const blob = encodeSummaries(entries);
    const rows = decodeSummaries(blob, 0, 10);
    for (const name of [...timerStatNames([50, 90, 99.9, -10]), 'upper_75', 'upper_100']) {
      const stat = parseTimerStat(name);
      if (stat === null) throw new Error(name);
      const expected = new Float64Array(CHUNK_POINTS).fill(Number.NaN);
      for (const row of rows) expected[row[0] / 10] = computeTimerStat(stat, summaryView(row), 10);
      const got = new Float64Array(CHUNK_POINTS).fill(Number.NaN);
      decodeTimerStatInto(blob, stat, 10, got, 0);
      expect([...got], name).toEqual([...expected]);
      // A window that starts 100 steps into the chunk and ends before it does.
      const window = new Float64Array(50).fill(Number.NaN);
      decodeTimerStatInto(blob, stat, 10, window, -100);
      expect([...window], `${name} window`).toEqual([...expected.subarray(100, 150)]);
      // High percentiles and the exact stats are answered from `data` alone, without the sketch tails.
      const heads = new Float64Array(CHUNK_POINTS).fill(Number.NaN);
      const withoutTails = () => decodeTimerStatInto({ ...blob, sketches: null }, stat, 10, heads, 0);
      if (sketchHeadAnswers(stat) || !statNeedsSketch(stat)) {
        withoutTails();
        expect([...heads], `${name} from heads`).toEqual([...expected]);
      } else expect(withoutTails, name).toThrow(/corrupt timer chunk/);
      // Only the mean-like stats read the moments.
      const apart = new Float64Array(CHUNK_POINTS).fill(Number.NaN);
      const withoutMoments = () => decodeTimerStatInto({ ...blob, moments: null }, stat, 10, apart, 0);
      if (!statNeedsMoments(stat)) {
        withoutMoments();
        expect([...apart], `${name} without moments`).toEqual([...expected]);
      } else expect(withoutMoments, name).toThrow(/corrupt timer chunk/);
      // Chunks sealed before the moments moved out (with or without sketch tails) read the same.
      for (const split of [true, false]) {
        const old = new Float64Array(CHUNK_POINTS).fill(Number.NaN);
        decodeTimerStatInto(inlineMomentsChunk(entries, split), stat, 10, old, 0);
        expect([...old], `${name} from an older chunk, split ${split}`).toEqual([...expected]);
      }
    }
    for (const split of [true, false]) expect(decodeSummaries(inlineMomentsChunk(entries, split), 0, 10)).toEqual(rows);
    // The tails hold most of the sketch bytes, so `data` alone is the smaller part.
    expect(blob.sketches?.byteLength ?? 0).toBeGreaterThan(blob.data.byteLength);
  });

  it('rejects a truncated chunk when decoding one stat', () => {
    const sketch = new QuantileSketch();
    sketch.add(3);
    const blob = encodeSummaries([[0, [1, 1, 3, 9, 0, 3, 3, sketch.encode()]]]);
    const out = new Float64Array(1);
    const cut = { ...blob, data: blob.data.subarray(0, blob.data.byteLength - 2) };
    expect(() => decodeTimerStatInto(cut, { kind: 'mean' }, 10, out, 0)).toThrow(/corrupt timer chunk/);
    const noMoments = { ...blob, moments: (blob.moments as Uint8Array).subarray(0, 16) };
    expect(() => decodeTimerStatInto(noMoments, { kind: 'mean' }, 10, out, 0)).toThrow(/corrupt timer chunk/);
  });
});
