import { describe, expect, it } from 'vitest';
import { FlushRetry } from '../../collector/src/store/flush-retry.js';
import type { Written } from '../../collector/src/store/store-writer.js';
import type { WriteBatch } from '../../collector/src/store/write-batch.js';

function batch(ts: number, points: number): WriteBatch {
  const keys = Array.from({ length: points }, (_, i) => `stats.counters.k${i}`);
  return {
    ts,
    intervalSec: 10,
    counters: { keys, values: keys.map(() => 1) },
    gauges: { keys: [], values: [] },
    sets: { keys: [], values: [] },
    timers: { keys: [], stats: new Float64Array(0), sketches: [] },
    timed: [],
    events: [],
  };
}

const ok = (b: WriteBatch): Written => ({
  result: { rows: b.counters.keys.length, newSeries: [], droppedTimed: 0, events: 0 },
  writtenMs: 1,
  totalMs: 1,
});

/** A store that fails while `down` is set and records what it stored, in order. */
function store() {
  const s = {
    down: false,
    stored: [] as number[],
    write: async (b: WriteBatch) => {
      if (s.down) throw new Error('store is down');
      s.stored.push(b.ts);
      return ok(b);
    },
  };
  return s;
}

describe('FlushRetry', () => {
  it('writes straight through while the store works', async () => {
    const s = store();
    const r = new FlushRetry(100);
    const d = await r.write(batch(10, 3), s.write);
    expect(d.error).toBeNull();
    expect(d.written.map((w) => w.batch.ts)).toEqual([10]);
    expect(r.stats).toMatchObject({ pendingBatches: 0, pendingPoints: 0, failedWrites: 0, lastError: null });
  });

  it('keeps failed flushes and writes them first, in order, once the store is back', async () => {
    const s = store();
    const r = new FlushRetry(100);
    s.down = true;
    expect((await r.write(batch(10, 3), s.write)).error?.message).toBe('store is down');
    await r.write(batch(20, 2), s.write);
    expect(r.stats).toMatchObject({ pendingBatches: 2, pendingPoints: 5, failedWrites: 2, lastError: 'store is down' });
    s.down = false;
    const d = await r.write(batch(30, 1), s.write);
    expect(d.written.map((w) => w.batch.ts)).toEqual([10, 20, 30]);
    expect(s.stored).toEqual([10, 20, 30]);
    expect(r.stats).toMatchObject({ pendingBatches: 0, pendingPoints: 0, recoveredBatches: 2, lastError: null });
  });

  it('drops the oldest batches beyond the bound and counts their points', async () => {
    const s = store();
    const r = new FlushRetry(5);
    s.down = true;
    for (const ts of [10, 20, 30, 40]) await r.write(batch(ts, 2), s.write);
    expect(r.stats).toMatchObject({ pendingBatches: 2, pendingPoints: 4, droppedBatches: 2, droppedPoints: 4 });
    s.down = false;
    await r.write(batch(50, 2), s.write);
    expect(s.stored).toEqual([30, 40, 50]);
  });

  it('always keeps the newest batch, even when it alone exceeds the bound', async () => {
    const s = store();
    const r = new FlushRetry(1);
    s.down = true;
    await r.write(batch(10, 5), s.write);
    expect(r.stats).toMatchObject({ pendingBatches: 1, droppedPoints: 0 });
  });
});

describe('FlushRetry while a write hangs', () => {
  it('holds new flushes within the bound, never dropping the batch being written', async () => {
    const r = new FlushRetry(5);
    const stored: number[] = [];
    let release: () => void = () => undefined;
    const hanging = new Promise<void>((resolve) => {
      release = resolve;
    });
    const write = async (b: WriteBatch) => {
      if (b.ts === 10) await hanging;
      stored.push(b.ts);
      return ok(b);
    };
    r.hold(batch(10, 2));
    const draining = r.drain(write);
    for (const ts of [20, 30, 40]) r.hold(batch(ts, 2));
    expect(r.stats).toMatchObject({ pendingBatches: 2, pendingPoints: 4, droppedBatches: 2, droppedPoints: 4 });
    release();
    await draining;
    expect(stored).toEqual([10, 40]);
    expect(r.stats).toMatchObject({ pendingBatches: 0, pendingPoints: 0 });
  });
});
