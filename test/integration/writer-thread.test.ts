import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreWriter } from '../../collector/dist/store/store-writer.js';
import { toWriteBatch } from '../../collector/dist/store/write-batch.js';
import { tempDir, waitFor } from '../support/collector.js';

/** The main thread's handle on the writer thread, when that thread dies under it (restarted: supervised-thread.ts). */

// The worker runs compiled code, so the test drives the built module (npm test builds first).
const tiers = [{ stepSec: 10, retentionSec: 86400 }];
const emptyBatch = (ts: number) =>
  toWriteBatch({
    ts,
    intervalSec: 10,
    counters: { keys: ['a.b'], values: [1] },
    gauges: { keys: [], values: [] },
    sets: { keys: [], values: [] },
    timers: { keys: [], summaries: [] },
    timed: [],
    events: [],
  });

describe('StoreWriter', () => {
  it('fails every request at once while its thread is down, writes again once it is restarted, and closes', async () => {
    const writer = await StoreWriter.start(join(tempDir(), 'w.db'), tiers);
    await expect(writer.write(emptyBatch(1_800_000_000))).resolves.toMatchObject({ result: { rows: 1 } });

    // terminate() from outside: the thread ends without an error of its own.
    await writer.thread.worker.terminate();
    const failing = Date.now();
    await expect(writer.write(emptyBatch(1_800_000_010))).rejects.toThrow('writer thread is down');
    expect(Date.now() - failing).toBeLessThan(100);
    expect(writer.thread.health).toMatchObject({ state: 'restarting', restarts: 0, lastError: 'exited with code 1' });

    await waitFor(async () => writer.thread.alive, 'the writer thread to be restarted');
    expect(writer.thread.health).toMatchObject({ state: 'up', restarts: 1, downSince: null });
    await expect(writer.write(emptyBatch(1_800_000_020))).resolves.toMatchObject({ maintainError: null });
    await expect(writer.close()).resolves.toBeUndefined();
  });

  it('closes while its thread is being restarted, and starts no thread after', async () => {
    const writer = await StoreWriter.start(join(tempDir(), 'w.db'), tiers);
    await writer.thread.worker.terminate();
    await expect(writer.close()).resolves.toBeUndefined();
    await new Promise((r) => setTimeout(r, 700));
    expect(writer.thread.health.state).toBe('stopped');
    expect(writer.thread.alive).toBe(false);
  });
});
