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
  /** Sum of squared deviations from the mean (Welford), so std stays exact where sumSquares would cancel. */
  m2: number;
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
    m2: 0,
    min: Number.NaN,
    max: Number.NaN,
    sketch: new QuantileSketch(),
  };
}

export function addSample(s: TimerSummary, value: number, sampleRate: number): void {
  s.count += 1 / sampleRate;
  const delta = s.n === 0 ? 0 : value - s.sum / s.n;
  s.n++;
  s.sum += value;
  s.m2 += delta * (value - s.sum / s.n);
  s.sumSquares += value * value;
  if (!(value >= s.min)) s.min = value;
  if (!(value <= s.max)) s.max = value;
  s.sketch.add(value);
}

export function mergeSummary(into: TimerSummary, other: TimerSummary): void {
  into.m2 = mergeM2(into.n, into.sum, into.m2, other.n, other.sum, other.m2);
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

/** Chan et al.'s pairwise combination of two (n, sum, M2) triples: stable where sum-of-squares is not. */
export function mergeM2(na: number, sumA: number, m2a: number, nb: number, sumB: number, m2b: number): number {
  if (na === 0) return m2b;
  if (nb === 0) return m2a;
  const delta = sumB / nb - sumA / na;
  return m2a + m2b + (delta * delta * na * nb) / (na + nb);
}
