import { describe, expect, it } from 'vitest';
import {
  compareWindows,
  DEFAULT_IMPACT_OPTIONS,
  deployImpact,
  type ImpactOptions,
  impactWindows,
  quantile,
  renderRange,
  splitWindows,
  summarise,
} from '../../collector/src/deploys/impact.js';
import type { TimeSeries } from '../../collector/src/query/series.js';

/** The deploy-impact computation: windows, summaries, and the verdict resting on Mann–Whitney U. */

const opts = (o: Partial<ImpactOptions> = {}): ImpactOptions => ({ ...DEFAULT_IMPACT_OPTIONS, ...o });

/** A deterministic noise source (LCG), uniform in [0, 1). */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function sample(n: number, centre: number, spread: number, seed: number): number[] {
  const r = noise(seed);
  return Array.from({ length: n }, () => centre + (r() - 0.5) * 2 * spread);
}

function series(name: string, start: number, step: number, values: number[]): TimeSeries {
  return {
    name,
    tags: { name },
    pathExpression: name,
    start,
    end: start + values.length * step,
    step,
    values: Float64Array.from(values),
    consolidationFunc: 'average',
    xFilesFactor: 0,
  };
}

describe('windows', () => {
  it('puts [deploy − window, deploy) before and [deploy, deploy + window) after, cut at now', () => {
    expect(impactWindows(1000, 300, 5000)).toEqual({
      before: { from: 700, until: 1000 },
      after: { from: 1000, until: 1300 },
    });
    expect(impactWindows(1000, 300, 1100).after).toEqual({ from: 1000, until: 1100 });
  });

  it('renders from just before the before window to the last bucket of the after window', () => {
    expect(renderRange(1000, 300)).toEqual({ from: 699, until: 1299 });
  });

  it('keeps only whole buckets on each side: the one straddling the deploy and unfinished ones are left out', () => {
    // Buckets of 10 s from 940; the deploy at 1005 falls inside the bucket [1000, 1010).
    const values = Array.from({ length: 14 }, (_, i) => i);
    values[2] = Number.NaN; // a missing interval
    const s = series('a', 940, 10, values);
    const windows = impactWindows(1005, 60, 1056);
    // before: [945, 1005) → buckets 950..990 (940 starts before the window, 1000 straddles the deploy).
    // after: [1005, 1056) → buckets 1010..1040 (1050 is not finished at 1056).
    expect(splitWindows(s, windows)).toEqual({ before: [1, 3, 4, 5], after: [7, 8, 9, 10] });
  });

  it('puts a bucket starting exactly at the deploy after it', () => {
    const s = series('a', 900, 100, [1, 2, 3]);
    expect(splitWindows(s, impactWindows(1000, 100, 5000))).toEqual({ before: [1], after: [2] });
  });
});

describe('summaries', () => {
  it('gives mean, p50 and p99 as numpy does (linear interpolation)', () => {
    // numpy.quantile([3,1,4,1,5,9,2,6], [0.5, 0.99]) = [3.5, 8.79]
    const s = summarise([3, 1, 4, 1, 5, 9, 2, 6]);
    expect(s.count).toBe(8);
    expect(s.mean).toBeCloseTo(3.875, 12);
    expect(s.p50).toBeCloseTo(3.5, 12);
    expect(s.p99).toBeCloseTo(8.79, 12);
    expect(summarise([])).toEqual({ count: 0, mean: null, p50: null, p99: null });
    expect(quantile([7], 0.99)).toBe(7);
  });
});

describe('compareWindows', () => {
  it('says unknown, with the counts, when a window holds too few values', () => {
    const c = compareWindows([1, 2, 3], [10, 11, 12, 13, 14, 15], opts());
    expect(c.verdict).toBe('unknown');
    expect(c.test).toBeNull();
    expect(c.reason).toBe('insufficient data: 3 values before and 6 after the deploy; at least 5 each are needed');
    expect(c.before.count).toBe(3);
    expect(c.after.count).toBe(6);
  });

  it('calls a real rise in latency worse, and better when higher is better', () => {
    const before = sample(60, 100, 15, 1);
    const after = sample(60, 140, 15, 2);
    const worse = compareWindows(before, after, opts());
    expect(worse.verdict).toBe('worse');
    expect(worse.test?.p).toBeLessThan(1e-10);
    expect(worse.test?.effect).toBeGreaterThan(0.8);
    expect(worse.change.mean).toBeGreaterThan(30);
    expect(worse.change.p50).toBeGreaterThan(30);
    expect(worse.reason).toMatch(
      /^higher after the deploy \(p50 \+\d+\.\d%, mean \+\d+\.\d%; Mann-Whitney U p=.+ < α=0.01\), and lower is better$/,
    );
    expect(compareWindows(before, after, opts({ better: 'higher' })).verdict).toBe('better');
  });

  it('calls a real drop better for latency and worse for throughput', () => {
    const before = sample(40, 500, 50, 3);
    const after = sample(40, 300, 50, 4);
    expect(compareWindows(before, after, opts()).verdict).toBe('better');
    expect(compareWindows(before, after, opts({ better: 'higher' })).verdict).toBe('worse');
  });

  it('calls noise with no shift unchanged', () => {
    const c = compareWindows(sample(60, 100, 30, 5), sample(60, 100, 30, 6), opts());
    expect(c.verdict).toBe('unchanged');
    expect(c.test?.p).toBeGreaterThan(0.01);
    expect(c.reason).toMatch(/^no significant difference \(Mann-Whitney U p=0\.\d{3} ≥ α=0.01\)$/);
  });

  it('calls a significant but tiny shift unchanged, under the minimum change', () => {
    // Very little noise: a 2% rise is certain, but smaller than the 10% that counts.
    const c = compareWindows(sample(60, 100, 0.5, 7), sample(60, 102, 0.5, 8), opts());
    expect(c.test?.p).toBeLessThan(1e-10);
    expect(c.verdict).toBe('unchanged');
    expect(c.reason).toMatch(/^significant \(Mann-Whitney U p=.+\) but the median and the mean moved less than 10% up/);
    expect(compareWindows(sample(60, 100, 0.5, 7), sample(60, 102, 0.5, 8), opts({ minChangePct: 1 })).verdict).toBe(
      'worse',
    );
  });

  it('respects alpha', () => {
    const before = sample(12, 100, 30, 9);
    const after = sample(12, 125, 30, 10);
    const c = compareWindows(before, after, opts());
    expect(c.test?.p).toBeGreaterThan(0.01);
    expect(c.test?.p).toBeLessThan(0.1);
    expect(c.verdict).toBe('unchanged');
    expect(compareWindows(before, after, opts({ alpha: 0.1 })).verdict).toBe('worse');
  });

  it('counts errors appearing where there were none as worse, with no percentage', () => {
    const c = compareWindows([0, 0, 0, 0, 0, 0, 0, 0], [2, 3, 1, 4, 2, 3, 5, 2], opts());
    expect(c.change).toEqual({ mean: null, p50: null, p99: null });
    expect(c.verdict).toBe('worse');
    expect(c.reason).toMatch(/p50 n\/a, mean n\/a/);
  });

  it('gives the change in percent of the value before', () => {
    const c = compareWindows([10, 10, 10, 10, 10], [20, 20, 20, 20, 20], opts());
    expect(c.change).toEqual({ mean: 100, p50: 100, p99: 100 });
    expect(c.test?.method).toBe('normal'); // ties
    expect(c.verdict).toBe('worse');
    expect(compareWindows([0, 0, 0, 0, 0], [0, 0, 0, 0, 0], opts()).change).toEqual({ mean: 0, p50: 0, p99: 0 });
    expect(compareWindows([-10, -10, -10, -10, -10], [-5, -5, -5, -5, -5], opts()).change.mean).toBe(50);
  });
});

describe('deployImpact', () => {
  it('compares each series around the deploy and names it', () => {
    const step = 10;
    const start = 10_000;
    const deploy = start + 30 * step;
    const flat = sample(60, 50, 5, 11);
    const shifted = [...sample(30, 50, 5, 12), ...sample(30, 90, 5, 13)];
    const out = deployImpact(
      [series('lat.p99', start, step, shifted), series('lat.mean', start, step, flat)],
      deploy,
      start + 60 * step,
      opts({ windowSec: 30 * step }),
    );
    expect(out.map((s) => [s.target, s.step, s.before.count, s.after.count, s.verdict])).toEqual([
      ['lat.p99', 10, 30, 30, 'worse'],
      ['lat.mean', 10, 30, 30, 'unchanged'],
    ]);
    expect(out[0].tags).toEqual({ name: 'lat.p99' });
  });
});
