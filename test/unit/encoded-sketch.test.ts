import { describe, expect, it } from 'vitest';
import { EncodedSketch, QuantileSketch } from '../../collector/src/aggregate/sketch.js';
import { binsOfEncoded } from '../support/encoded-bins.js';
import { ascendingEncoding } from '../support/sketch-v1.js';

describe('EncodedSketch (a stored sketch read in place)', () => {
  it('answers every rank exactly as the decoded sketch does', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const sketch = new QuantileSketch();
    for (let i = 0; i < 2000; i++) sketch.add(i % 50 === 0 ? 0 : Math.exp(random() * 12 - 4));
    // With its sample count it ranks from the top, where the encoding starts; without, it decodes.
    for (const encoded of [new EncodedSketch(sketch.encode(), sketch.count), new EncodedSketch(sketch.encode())]) {
      for (let rank = 1; rank <= sketch.count; rank++) {
        expect(encoded.valueAtRank(rank), `rank ${rank}`).toBe(sketch.valueAtRank(rank));
      }
      expect(encoded.valueAtRank(0)).toBe(sketch.valueAtRank(1));
      expect(encoded.valueAtRank(sketch.count + 5)).toBe(sketch.valueAtRank(sketch.count));
      expect(encoded.partialSums(100, true)).toEqual(sketch.partialSums(100, true));
    }
  });

  it('reads sketches stored by earlier versions, lowest key first', () => {
    const sketch = new QuantileSketch();
    for (const v of [0, 0, 1, 1.5, 1.5, 40, 41, 1000]) sketch.add(v);
    const v1 = ascendingEncoding(sketch);
    const back = QuantileSketch.decode(v1);
    expect(back.encode()).toEqual(sketch.encode());
    const inPlace = new EncodedSketch(v1, sketch.count);
    for (let rank = 1; rank <= sketch.count; rank++) {
      expect(inPlace.valueAtRank(rank), `rank ${rank}`).toBe(sketch.valueAtRank(rank));
    }
    expect(binsOfEncoded(v1)).toEqual(sketch.toBins());
  });

  it('reads a sketch in place inside a larger buffer, one after another', () => {
    const a = new QuantileSketch();
    for (let i = 1; i <= 100; i++) a.add(i);
    const b = new QuantileSketch();
    b.add(7);
    const bytesA = a.encode();
    const bytesB = b.encode();
    const buffer = new Uint8Array([9, ...bytesA, ...bytesB, 9]);
    const reader = new EncodedSketch();
    reader.reset(buffer, 1, 1 + bytesA.length, 100);
    expect(reader.valueAtRank(99)).toBe(a.valueAtRank(99));
    reader.reset(buffer, 1 + bytesA.length, 1 + bytesA.length + bytesB.length, 1);
    expect(reader.valueAtRank(1)).toBe(b.valueAtRank(1));
    expect(reader.full().count).toBe(1);
    reader.reset(buffer, 0, 0, 0);
    expect(reader.valueAtRank(1)).toBeNaN();
  });

  it('gives NaN for an empty sketch and 0 inside the zero bin', () => {
    expect(new EncodedSketch(new QuantileSketch().encode()).valueAtRank(1)).toBeNaN();
    const zeros = new QuantileSketch();
    zeros.add(0);
    zeros.add(5);
    const encoded = new EncodedSketch(zeros.encode(), 2);
    expect(encoded.valueAtRank(1)).toBe(0);
    expect(encoded.valueAtRank(2)).toBeCloseTo(5, 1);
  });
});
