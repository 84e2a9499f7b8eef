import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { StoreWriter } from '../../collector/dist/store/store-writer.js';
import { toWriteBatch } from '../../collector/dist/store/write-batch.js';
import { tempDir } from '../support/collector.js';

/** The main thread's handle on the writer thread, when that thread dies under it. */

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
  it('fails every later request at once, and still closes, after its thread has died', async () => {
    const writer = await StoreWriter.start(join(tempDir(), 'w.db'), tiers);
    await expect(writer.write(emptyBatch(1_800_000_000))).resolves.toMatchObject({ type: 'written' });

    // The thread is private on purpose; a test is the one place that may kill it.
    const { worker } = (writer as unknown as { rpc: { worker: Worker } }).rpc;
    await worker.terminate();

    await expect(writer.write(emptyBatch(1_800_000_010))).rejects.toThrow('writer thread exited');
    await expect(writer.close()).resolves.toBeUndefined();
  });
});
