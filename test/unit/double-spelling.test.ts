import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { spellDouble } from '../../collector/src/query/double-spelling.js';

const out = Buffer.alloc(64);

/** spellDouble's answer, or null where it leaves the value to String(). */
function spell(v: number): string | null {
  const end = spellDouble(Float64Array.of(v), 0, out, 0);
  return end < 0 ? null : out.toString('latin1', 0, end);
}

/** Checks every value: spelled exactly as String() or left to it. Returns how many were left. */
function leftOf(values: number[]): number {
  let left = 0;
  for (const v of values) {
    const s = spell(v);
    if (s === null) left++;
    else if (s !== String(v)) expect(s, `spelling of ${String(v)}`).toBe(String(v));
  }
  return left;
}

/** A seeded generator (mulberry32), so a failure names values that reproduce. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const many = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe('spellDouble', () => {
  it('spells the doubles a gauge or a percentile holds as String() does, and all of them itself', () => {
    const r = rng(1);
    // Random full-precision doubles (15–17 digits), as bench/render.js writes for gauges.
    expect(leftOf(many(100_000, () => 50 + r() * 10))).toBe(0);
    expect(leftOf(many(100_000, () => -r() * 1000))).toBe(0);
    expect(leftOf(many(50_000, () => r()))).toBe(0);
    // Short decimals: the closest of several 17-digit spellings is not the shortest.
    expect(leftOf(many(50_000, () => Math.round(r() * 1e6) / 1e3 + 0.001))).toBeLessThan(50);
  });

  it('breaks exact ties toward the even digit, as String() does and toPrecision() does not', () => {
    // Binary fractions with 18 significant digits sit exactly half-way between two 17-digit spellings.
    const cases = [18614717957466 + 9 / 16, 27116951753444 + 1 / 16, 3919818196658 + 1 / 32, 2074949 + 1029 / 2048];
    for (const v of cases) expect(spell(v)).toBe(String(v));
    const r = rng(2);
    leftOf(many(100_000, () => Math.floor(r() * 2 ** 40) / 2 ** Math.floor(r() * 30 + 1)));
    leftOf(many(100_000, () => Math.floor(r() * 2 ** 52) / 2 ** Math.floor(r() * 8 + 1)));
  });

  it('carries across nines, keeps leading zeros and signs, and stays in its range', () => {
    for (const v of [0.30000000000000004, 9.999999999999998, 99.99999999999999, 0.1 + 0.7, 1.0000000000000002]) {
      expect(spell(v)).toBe(String(v));
    }
    for (const v of [1e-6 + 1e-22, 0.000123456789, -0.00001, 999999999999999.9, 123456789012345.67]) {
      const s = spell(v);
      if (s !== null) expect(s).toBe(String(v));
    }
    const r = rng(3);
    leftOf(many(50_000, (i) => 10 ** ((i % 21) - 6) * (1 + (r() - 0.5) * 1e-14)));
    // Outside 1e-6…1e15 String() switches notation or the value is an integer: left to String().
    for (const v of [1e-7, 5e-324, 1e15 + 0.5, 1e21, 2 ** 60 + 0.0]) expect(spell(v)).toBeNull();
    // A power of two has a narrower gap below than above: left to String().
    expect(spell(0.5)).toBeNull();
    expect(spell(2 ** -10)).toBeNull();
  });

  it('never writes a spelling other than String()’s, for any double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        if (Number.isInteger(v)) return true;
        const s = spell(v);
        return s === null || s === String(v);
      }),
      { numRuns: 50_000 },
    );
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e15, noNaN: true }), (v) => {
        const s = Number.isInteger(v) ? null : spell(v);
        return s === null || s === String(v);
      }),
      { numRuns: 50_000 },
    );
  });
});
