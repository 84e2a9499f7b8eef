import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonBytes } from '../../collector/src/query/json-bytes.js';

function spell(v: number): string {
  const out = new JsonBytes(4);
  out.number(v);
  return out.finish().toString('latin1');
}

describe('JsonBytes', () => {
  it('spells numbers exactly as String() does', () => {
    const cases = [0, -0, 1, -1, 7.5, -7.5, 0.1, -0.1, 12.3, 1e15, 1e15 + 0.5, 2 ** 53, 2 ** 53 + 2, -(2 ** 53)];
    cases.push(1e21, 1e-7, 123456789012345.6, 99999999999999.9, 0.30000000000000004, 5e-324, Number.MAX_VALUE);
    for (const v of cases) expect(spell(v), String(v)).toBe(String(v));
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => spell(v) === String(v)),
      { numRuns: 20_000 },
    );
    // Counts and per-second rates: integers and tenths, the shapes with their own fast path.
    fc.assert(
      fc.property(fc.integer({ min: -(10 ** 15), max: 10 ** 15 }), fc.integer({ min: 1, max: 100 }), (n, d) => {
        const v = n / d;
        return spell(v) === String(v) && spell(n) === String(n);
      }),
      { numRuns: 20_000 },
    );
  });

  it('grows past its first buffer and keeps every byte', () => {
    const out = new JsonBytes(2);
    const expected: string[] = [];
    for (let i = 0; i < 5000; i++) {
      out.number(i / 10);
      out.ascii(' ');
      out.integer(-i);
      out.pair(i % 3 === 0 ? Number.NaN : i / 7, 1_796_000_000 + i * 10, i % 2 === 0);
      const pair = `[${i % 3 === 0 ? 'null' : i / 7}, ${1_796_000_000 + i * 10}]`;
      expected.push(`${i / 10} ${-i}${i % 2 === 0 ? '' : ', '}${pair}`);
    }
    out.pair(Infinity, 0, false);
    out.pair(-Infinity, 1, true);
    expected.push(', [1e9999, 0][-1e9999, 1]');
    expect(out.length).toBe(expected.join('').length);
    expect(out.finish().toString('latin1')).toBe(expected.join(''));
  });

  it('writes a series’ datapoints as pairs would be written, for every time and value shape', () => {
    // What pairAt writes one point at a time, skipping nulls as noNullPoints asks.
    const pairs = (values: Float64Array, start: number, step: number, noNullPoints: boolean) => {
      const out = new JsonBytes(3);
      let first = true;
      values.forEach((v, i) => {
        if (noNullPoints && Number.isNaN(v)) return;
        out.pairAt(values, i, start + i * step, first);
        first = false;
      });
      return out.finish().toString('latin1');
    };
    const value = fc.oneof(
      fc.integer({ min: 0, max: 120 }),
      fc.integer({ min: -(2 ** 31), max: 2 ** 32 }),
      fc.double({ noDefaultInfinity: true }),
      fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 2 ** 31 - 1, 2 ** 31, 0.5),
    );
    // Times from 0 (no digits above the last four) past 10,000-second boundaries, up to 2^31 and beyond
    // it or off whole seconds (the general path), at steps short and long.
    const start = fc.oneof(
      fc.integer({ min: 0, max: 30_000 }),
      fc.integer({ min: 1_796_000_000, max: 2 ** 31 - 1 }),
      fc.constantFrom(2 ** 31 + 10, 1_796_000_000.5, 9_990),
    );
    const step = fc.constantFrom(1, 7, 10, 60, 600, 9_999, 10_000, 21_600, 86_400, 0.5);
    fc.assert(
      fc.property(fc.array(value, { maxLength: 60 }), start, step, fc.boolean(), (list, t0, dt, noNulls) => {
        const values = Float64Array.from(list);
        const out = new JsonBytes(3);
        out.datapoints(values, t0, dt, noNulls);
        return out.finish().toString('latin1') === pairs(values, t0, dt, noNulls);
      }),
      { numRuns: 20_000 },
    );
    // A day at 10 s across many 10,000-second boundaries, every count from 0 to 99.
    const day = Float64Array.from({ length: 8640 }, (_, i) => (i * 37) % 100);
    const out = new JsonBytes(16);
    out.datapoints(day, 1_796_001_230, 10, false);
    expect(out.finish().toString('latin1')).toBe(pairs(day, 1_796_001_230, 10, false));
  });
});
