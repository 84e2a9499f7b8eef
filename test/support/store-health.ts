import { expect } from 'vitest';
import type { FlushRetryStats } from '../../collector/src/store/flush-retry.js';
import { type TestCollector, waitFor } from './collector.js';

/** What /health says about the store, for the tests of a store that stops taking writes. */
export type StoreHealth = Record<string, unknown> & {
  status: string;
  metrics_received: number;
  /** Epoch seconds. */
  lastFlushAt: number | null;
  lastFlushError: string | null;
  storeStalledMs: number | null;
  store: FlushRetryStats;
};

export const storeHealth = async (t: TestCollector) => (await t.health()) as unknown as StoreHealth;

/**
 * Expects `t` to have written on since `since` (epoch ms) and after `before` (its /health then): ok, nothing
 * held, failed, stalled or dropped. Returns its /health.
 */
export async function expectWritingOn(t: TestCollector, before: StoreHealth, since: number): Promise<StoreHealth> {
  // A flush in flight counts as held until its write answers: on a busy machine /health may catch one.
  const h = await waitFor(
    async () => {
      const now = await storeHealth(t);
      return now.store.pendingBatches === 0 ? now : null;
    },
    'the flush in flight to be written',
    5000,
  ).catch(() => storeHealth(t));
  expect(h).toMatchObject({ status: 'ok', storeStalledMs: null, lastFlushError: null });
  expect(h.store).toMatchObject({ pendingBatches: 0, failedWrites: 0, droppedPoints: 0 });
  expect(h.lastFlushAt).toBeGreaterThan(since / 1000);
  expect(h.lastFlushAt).toBeGreaterThan(before.lastFlushAt ?? 0);
  return h;
}

/** Waits until `t` has written everything it held and /health is ok again: that /health, and how long it took. */
export async function waitUntilWritten(t: TestCollector, ms: number): Promise<{ healed: StoreHealth; ms: number }> {
  const started = Date.now();
  const healed = await waitFor(
    async () => {
      const h = await storeHealth(t);
      return h.status === 'ok' && h.store.pendingBatches === 0 ? h : null;
    },
    'the held flushes to be written',
    ms,
  );
  return { healed, ms: Date.now() - started };
}
