import { describe, expect, it } from 'vitest';
import { EncodedSketch, QuantileSketch } from '../../collector/src/aggregate/sketch.js';

describe('EncodedSketch (a stored sketch read in place)', () => {
  it('answers every rank exactly as the decoded sketch does', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const sketch = new QuantileSketch();
    for (let i = 0; i < 2000; i++) sketch.add(i % 50 === 0 ? 0 : Math.exp(random() * 12 - 4));
    const encoded = new EncodedSketch(sketch.encode());
    for (let rank = 1; rank <= sketch.count; rank++) {
      expect(encoded.valueAtRank(rank), `rank ${rank}`).toBe(sketch.valueAtRank(rank));
    }
    expect(encoded.partialSums(100, true)).toEqual(sketch.partialSums(100, true));
  });

  it('gives NaN for an empty sketch and 0 inside the zero bin', () => {
    expect(new EncodedSketch(new QuantileSketch().encode()).valueAtRank(1)).toBeNaN();
    const zeros = new QuantileSketch();
    zeros.add(0);
    zeros.add(5);
    const encoded = new EncodedSketch(zeros.encode());
    expect(encoded.valueAtRank(1)).toBe(0);
    expect(encoded.valueAtRank(2)).toBeCloseTo(5, 1);
  });
});
