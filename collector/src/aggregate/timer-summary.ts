import { QuantileSketch } from './sketch.js';

/**
 * What Trendline keeps of a timer per interval instead of etsy's derived series: enough to derive all of
 * them later, and mergeable across intervals, collectors and rollups.
 */
export interface TimerSummary {
  /** Samples adjusted by their sample rate (etsy's `count`). */
  count: number;
  /** Samples actually received: the denominator of `mean` (etsy divides by values.length). */
  n: number;
  sum: number;
  sumSquares: number;
  /** NaN when n = 0. */
  min: number;
  max: number;
  sketch: QuantileSketch;
}

export function emptySummary(): TimerSummary {
  return {
    count: 0,
    n: 0,
    sum: 0,
    sumSquares: 0,
    min: Number.NaN,
    max: Number.NaN,
    sketch: new QuantileSketch(),
  };
}

export function addSample(s: TimerSummary, value: number, sampleRate: number): void {
  s.count += 1 / sampleRate;
  s.n++;
  s.sum += value;
  s.sumSquares += value * value;
  if (!(value >= s.min)) s.min = value;
  if (!(value <= s.max)) s.max = value;
  s.sketch.add(value);
}

export function mergeSummary(into: TimerSummary, other: TimerSummary): void {
  into.count += other.count;
  into.n += other.n;
  into.sum += other.sum;
  into.sumSquares += other.sumSquares;
  if (other.n > 0) {
    if (!(other.min >= into.min)) into.min = other.min;
    if (!(other.max <= into.max)) into.max = other.max;
  }
  into.sketch.merge(other.sketch);
}
