import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../collector/src/buffer-pool.js';

const MIB = 1 << 20;

describe('BufferPool', () => {
  it('hands out new buffers in whole MiB, and the same buffer again once given back', () => {
    const pool = new BufferPool(64 * MIB);
    const a = pool.take(3 * MIB + 1);
    expect(a.byteLength).toBe(4 * MIB);
    expect(pool.take(10).byteLength).toBe(MIB);
    pool.give(a);
    expect(pool.held).toBe(4 * MIB);
    expect(pool.take(2 * MIB)).toBe(a);
    expect(pool.held).toBe(0);
    // Nothing free: a new one.
    expect(pool.take(2 * MIB)).not.toBe(a);
  });

  it('takes the smallest free buffer that fits', () => {
    const pool = new BufferPool(64 * MIB);
    const [big, mid, small] = [pool.take(8 * MIB), pool.take(4 * MIB), pool.take(2 * MIB)];
    for (const b of [small, big, mid]) pool.give(b);
    expect(pool.take(3 * MIB)).toBe(mid);
    expect(pool.take(5 * MIB)).toBe(big);
    expect(pool.take(9 * MIB).byteLength).toBe(9 * MIB);
    expect(pool.take(MIB)).toBe(small);
  });

  it('keeps at most its cap, dropping the smallest first', () => {
    const pool = new BufferPool(10 * MIB);
    const [a, b, c] = [pool.take(6 * MIB), pool.take(3 * MIB), pool.take(2 * MIB)];
    for (const x of [a, b, c]) pool.give(x);
    expect(pool.held).toBe(9 * MIB);
    expect(pool.take(5 * MIB)).toBe(a);
    expect(pool.take(MIB)).toBe(b);
  });

  it('hands out shared buffers, and ignores buffers under a MiB, other kinds and one given twice', () => {
    const pool = new BufferPool(64 * MIB);
    const a = pool.take(MIB);
    expect(a).toBeInstanceOf(SharedArrayBuffer);
    pool.give(new SharedArrayBuffer(4096));
    pool.give(new ArrayBuffer(2 * MIB));
    pool.give(a);
    pool.give(a);
    expect(pool.held).toBe(MIB);
    pool.give(pool.take(2 * MIB));
    expect(pool.held).toBe(3 * MIB);
    pool.clear();
    expect(pool.held).toBe(0);
  });
});
