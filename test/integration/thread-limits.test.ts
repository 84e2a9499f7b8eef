import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_AGGREGATOR_OPTIONS } from '../../collector/dist/aggregate/aggregator.js';
import { IngestThread } from '../../collector/dist/ingest/ingest-handle.js';
import { StoreWriter } from '../../collector/dist/store/store-writer.js';
import { ingestResourceLimits, WORKER_RESOURCE_LIMITS } from '../../collector/dist/thread-limits.js';
import { tempDir, waitFor } from '../support/collector.js';

/** The worker threads run with a small young generation (thread-limits.ts), restarted ones too. */

// The workers run compiled code, so the test drives the built modules (npm test builds first).
const young = WORKER_RESOURCE_LIMITS.maxYoungGenerationSizeMb;
const old = WORKER_RESOURCE_LIMITS.maxOldGenerationSizeMb;

describe('worker thread resource limits', () => {
  it('are small enough to matter', () => {
    expect(young).toBeGreaterThan(0);
    expect(young).toBeLessThan(48); // V8's default on 64-bit
    expect(old).toBeLessThan(1024); // where V8 starts growing old generations 4× their live size
  });

  it("give the ingest thread's old generation room for a raised series cap", () => {
    expect(ingestResourceLimits(DEFAULT_AGGREGATOR_OPTIONS.maxSeries)).toEqual(WORKER_RESOURCE_LIMITS);
    expect(ingestResourceLimits(2_000_000)).toMatchObject({
      maxYoungGenerationSizeMb: young,
      maxOldGenerationSizeMb: 4000,
    });
  });

  it('apply to the writer thread, and to the thread that replaces it', async () => {
    const writer = await StoreWriter.start(join(tempDir(), 'w.db'), [{ stepSec: 10, retentionSec: 3600 }]);
    try {
      expect(writer.thread.worker.resourceLimits).toMatchObject(WORKER_RESOURCE_LIMITS);
      await writer.thread.worker.terminate();
      await waitFor(async () => writer.thread.alive, 'the writer thread to be restarted');
      expect(writer.thread.worker.resourceLimits).toMatchObject(WORKER_RESOURCE_LIMITS);
    } finally {
      await writer.close();
    }
  });

  it('apply to the ingest thread', async () => {
    const ingest = await IngestThread.start({
      statsd: {
        host: '127.0.0.1',
        port: 0,
        udpReceiveBufferBytes: 1 << 20,
        maxTcpConnections: 4,
        parse: { maxLineLength: 1024 },
      },
      aggregator: DEFAULT_AGGREGATOR_OPTIONS,
    });
    try {
      expect(ingest.thread.worker.resourceLimits).toMatchObject(
        ingestResourceLimits(DEFAULT_AGGREGATOR_OPTIONS.maxSeries),
      );
    } finally {
      await ingest.stopListening();
      await ingest.terminate();
    }
  });
});
