import { describe, expect, it } from 'vitest';
import { erfc, mannWhitneyU, normalSf } from '../../collector/src/deploys/mann-whitney.js';

/**
 * The Mann–Whitney U test against scipy 1.17: `scipy.stats.mannwhitneyu(x, y)` (two-sided, continuity
 * correction, method 'auto'), and erfc / the normal tail against scipy.special.erfc and scipy.stats.norm.sf.
 */

const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe('mannWhitneyU', () => {
  it.each([
    // name, x, y, U (of x), p, method
    ['complete separation, 5 v 5', [1, 2, 3, 4, 5], [6, 7, 8, 9, 10], 0, 0.007936507936507936, 'exact'],
    ['small samples', [19, 22, 16, 29, 24], [20, 11, 17, 12], 17, 0.1111111111111111, 'exact'],
    [
      'one sample of 3 against 20',
      [3.5, 10.25, 7.75],
      [1, 2, 4, 5, 6, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23],
      14,
      0.1660079051383399,
      'exact',
    ],
    [
      'one sample of 5 against 300 (exact, large counts)',
      [250.5, 260.5, 270.5, 280.5, 290.5],
      range(300, (i) => i),
      1355,
      0.0005460720915686228,
      'exact',
    ],
    ['U at its mean gives p = 1', [1, 4, 5, 8], [2, 3, 6, 7], 8, 1, 'exact'],
    [
      'ties: normal approximation with tie correction',
      [1, 2, 2, 3, 3, 3, 4, 5, 7, 7],
      [2, 3, 4, 4, 5, 5, 6, 6, 6, 8, 9],
      31.5,
      0.10225915059503264,
      'normal',
    ],
    [
      'both above 8: normal approximation',
      [0.8, 1.1, 1.9, 2.2, 2.7, 3.1, 3.3, 4.0, 4.4, 5.2, 5.9, 6.1],
      [2.5, 3.6, 3.9, 4.7, 5.0, 5.5, 6.4, 6.6, 7.0, 7.7, 8.1, 8.8, 9.4],
      26,
      0.005090810944579924,
      'normal',
    ],
    [
      '200 v 200 with a small p',
      range(200, (i) => i * 0.5 + 20),
      range(200, (i) => i * 0.5 + 0.25),
      27120,
      7.36808911516561e-10,
      'normal',
    ],
    [
      '60 v 70, no difference',
      range(60, (i) => ((i * 7919) % 1000) / 10),
      range(70, (i) => ((i * 104729) % 1000) / 10 + 3),
      1982,
      0.5831794371791812,
      'normal',
    ],
    ['every value tied', Array(9).fill(5), Array(10).fill(5), 45, 1, 'normal'],
  ])('%s: matches scipy', (_name, x, y, u, p, method) => {
    const r = mannWhitneyU(x as number[], y as number[]);
    expect(r.u).toBe(u);
    expect(r.method).toBe(method);
    expect(r.p).toBeCloseTo(p as number, 12);
    expect(Math.abs(r.p - (p as number)) / (p as number)).toBeLessThan(1e-9);
  });

  it('is symmetric: swapping the samples keeps p and mirrors U and the effect', () => {
    const x = [0.8, 1.1, 1.9, 2.2, 2.7, 3.1, 3.3, 4.0, 4.4, 5.2];
    const y = [2.5, 3.6, 3.9, 4.7, 5.0, 5.5, 6.4, 6.6, 7.0, 7.7, 8.1];
    const a = mannWhitneyU(x, y);
    const b = mannWhitneyU(y, x);
    expect(b.p).toBeCloseTo(a.p, 15);
    expect(a.u + b.u).toBe(x.length * y.length);
    expect(b.effect).toBeCloseTo(-a.effect, 15);
  });

  it('gives the rank-biserial effect: +1 when every x is larger, -1 when every x is smaller, 0 at U = n1·n2/2', () => {
    expect(mannWhitneyU([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]).effect).toBe(1);
    expect(mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).effect).toBe(-1);
    expect(mannWhitneyU([1, 4, 5, 8], [2, 3, 6, 7]).effect).toBe(0);
  });

  it('reports z for the normal approximation only', () => {
    expect(mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).z).toBeNull();
    const r = mannWhitneyU(
      range(20, (i) => i),
      range(20, (i) => i + 10.5),
    );
    expect(r.method).toBe('normal');
    expect(r.z).toBeGreaterThan(0);
    expect(r.p).toBeCloseTo(2 * normalSf(r.z as number), 15);
  });

  it('refuses empty samples and non-finite values', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(/at least one value/);
    expect(() => mannWhitneyU([1, Number.NaN], [1])).toThrow(/finite/);
  });
});

describe('erfc and the normal tail', () => {
  it.each([
    [0, 1.0],
    [0.5, 0.4795001221869535],
    [1, 0.15729920705028516],
    [1.96, 0.005573724535172135],
    [2.4999, 0.0004071699003334512],
    [2.5, 0.00040695201744495886],
    [3, 2.2090496998585445e-5],
    [5, 1.5374597944280347e-12],
    [8, 1.1224297172982928e-29],
    [10, 2.0884875837625446e-45],
    [20, 5.395865611607901e-176],
    [26, 5.663192408856145e-296],
  ])('erfc(%f) matches scipy to 1e-13 relative', (x, expected) => {
    expect(Math.abs(erfc(x) - expected) / expected).toBeLessThan(1e-13);
    expect(erfc(-x)).toBeCloseTo(2 - expected, 15);
  });

  it.each([
    [-1, 0.8413447460685429],
    [0, 0.5],
    [1.6448536269514722, 0.05],
    [2.5758293035489004, 0.005],
    [6, 9.865876450376946e-10],
  ])('normalSf(%f) = %f', (z, expected) => {
    expect(Math.abs(normalSf(z) - expected) / expected).toBeLessThan(1e-12);
  });
});
