import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TIMER_STATS_WIDTH } from '../../collector/src/aggregate/flush-batch.js';
import { QuantileSketch } from '../../collector/src/aggregate/sketch.js';
import { TimerStore } from '../../collector/src/aggregate/timer-store.js';
import { addSample, emptySummary, type TimerSummary } from '../../collector/src/aggregate/timer-summary.js';

/** What a TimerSummary with the same samples would flush: its stats and its encoded sketch. */
function expected(s: TimerSummary): { stats: number[]; sketch: number[] | null } {
  return {
    stats: [s.count, s.n, s.sum, s.sumSquares, s.m2, s.min, s.max],
    sketch: s.n > 0 ? [...s.sketch.encode()] : null,
  };
}

function flushed(store: TimerStore, timers: number[]) {
  const { stats, sketches } = store.flush(timers);
  return timers.map((_, i) => ({
    stats: [...stats.subarray(i * TIMER_STATS_WIDTH, (i + 1) * TIMER_STATS_WIDTH)],
    sketch: sketches[i] === null ? null : [...(sketches[i] as Uint8Array)],
  }));
}

const sample = fc.record({
  value: fc.oneof(
    fc.double({ min: 0.001, max: 1e6, noNaN: true }),
    fc.constantFrom(0, 1e-12, -3, 5, 5, 20.25),
    // Values spanning up to 1e15: within the 2,048 bins a sketch keeps before it collapses its lowest ones
    // (a list of up to 128 keys is encoded as it is, where a QuantileSketch past 32 samples would collapse).
    fc.double({ min: 1e-6, max: 1e9, noNaN: true }),
  ),
  rate: fc.constantFrom(1, 0.5, 0.1),
});

describe('TimerStore', () => {
  it('flushes exactly what a TimerSummary of the same samples holds, over intervals that reuse its room', () => {
    fc.assert(
      fc.property(
        // Intervals of samples for up to 6 timers; some get past the key list (128) into a sketch with bins.
        fc.array(fc.array(fc.tuple(fc.nat(5), fc.array(sample, { maxLength: 300, size: 'max' })), { maxLength: 6 }), {
          minLength: 1,
          maxLength: 4,
        }),
        (intervals) => {
          const store = new TimerStore();
          const timers = [0, 1, 2, 3, 4, 5].map(() => store.add());
          for (const interval of intervals) {
            const summaries = timers.map(() => emptySummary());
            for (const [t, samples] of interval) {
              for (const { value, rate } of samples) {
                store.sample(timers[t], value, rate);
                addSample(summaries[t], value, rate);
              }
            }
            expect(flushed(store, timers)).toEqual(summaries.map(expected));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps count, sum, min and max exact and the percentiles within 1% past the key list', () => {
    const store = new TimerStore();
    const t = store.add();
    const values = Array.from({ length: 1000 }, (_, i) => 1 + ((i * 7919) % 1000) / 10);
    for (const v of values) store.sample(t, v, 1);
    const { stats, sketches } = store.flush([t]);
    expect([...stats.subarray(0, 2)]).toEqual([1000, 1000]);
    expect(stats[2]).toBe(values.reduce((a, b) => a + b, 0));
    expect([stats[5], stats[6]]).toEqual([1, 100.9]);
    const sketch = QuantileSketch.decode(sketches[0] as Uint8Array);
    const sorted = [...values].sort((a, b) => a - b);
    expect(sketch.count).toBe(1000);
    expect(Math.abs(sketch.valueAtRank(990) / sorted[989] - 1)).toBeLessThanOrEqual(0.01);
  });

  it('flushes the timers asked for, in that order; a quiet one has no sketch and NaN min and max', () => {
    const store = new TimerStore();
    const [a, b, c] = [store.add(), store.add(), store.add()];
    store.sample(a, 3, 1);
    store.sample(c, 9, 1);
    const out = flushed(store, [c, b, a]);
    expect(out.map((o) => o.stats[2])).toEqual([9, 0, 3]);
    expect(out[1].sketch).toBeNull();
    expect(out[1].stats.slice(5)).toEqual([Number.NaN, Number.NaN]);
  });

  it('hands a removed timer out again, empty', () => {
    const store = new TimerStore();
    const a = store.add();
    store.sample(a, 3, 1);
    store.flush([a]);
    store.remove(a);
    const again = store.add();
    expect(again).toBe(a);
    expect(flushed(store, [again])[0]).toEqual(expected(emptySummary()));
  });

  it('grows past its initial room for timers and keys, and keeps every timer apart', () => {
    const store = new TimerStore();
    const timers = Array.from({ length: 3000 }, () => store.add());
    const summaries = timers.map(() => emptySummary());
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < timers.length; i++) {
        const v = 1 + ((i * 31 + round * 17) % 500);
        store.sample(timers[i], v, 1);
        addSample(summaries[i], v, 1);
      }
    }
    expect(flushed(store, timers)).toEqual(summaries.map(expected));
    // After the burst, one sample each: the pool shrinks, and what it flushes stays right.
    store.sample(timers[7], 2, 1);
    const one = emptySummary();
    addSample(one, 2, 1);
    expect(flushed(store, [timers[7], timers[8]])).toEqual([expected(one), expected(emptySummary())]);
  });
});
