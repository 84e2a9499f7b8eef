import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { soak } from '../../bench/lib/soak.js';
import { tempDir } from '../support/collector.js';

/**
 * The thirty-second soak (the ten-minute one is `node bench/soak.js`, see docs/reliability.md): steady
 * mixed UDP load on the real CLI while readers keep rendering graphs. Nothing may be lost, no read may
 * fail, and memory must not run away. Latency targets are the benchmark's business, not this test's.
 */

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('soak', () => {
  it('loses nothing and answers every read during thirty seconds of load', async () => {
    const result = await soak({ dir, durationMs: 30_000, rate: 40_000, names: 5000, flushInterval: '2s' });
    expect(result.sentLines).toBeGreaterThan(30 * 40_000 * 0.9);
    expect(result.lostLines).toBe(0);
    expect(result.badLines).toBe(0);
    expect(result.flushErrors).toBe(0);
    expect(result.readErrors).toBe(0);
    expect(result.renders).toBeGreaterThan(10);
    // Thirty seconds is too short for a slope (heaps are still sizing themselves); the ten-minute bench
    // reports it. Here memory must simply stay bounded.
    expect(result.rssEndMB).toBeLessThan(400);
  }, 120_000);
});
