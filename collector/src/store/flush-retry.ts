import type { Written } from './store-writer.js';
import type { WriteBatch } from './write-batch.js';

/**
 * Keeps flushes the store refused (ClickHouse unreachable, SQLite disk full or locked) and writes them
 * again, oldest first, before anything newer: a failed flush is not lost while memory allows. Backend-
 * agnostic; the store must make a retried batch idempotent (SQLite's transaction rolls back whole, the
 * ClickHouse writer skips the inserts of a batch that already succeeded). Past `maxPendingPoints` the
 * oldest batches are dropped, and what was dropped is counted, never silent.
 */

export interface FlushRetryStats {
  /** Batches not written yet (the one being written included), and their points. */
  pendingBatches: number;
  pendingPoints: number;
  /** Write attempts that failed (each retry counts). */
  failedWrites: number;
  /** Batches written at a later flush than their own. */
  recoveredBatches: number;
  /** Given up on: dropped to stay within the bound. */
  droppedBatches: number;
  droppedPoints: number;
  lastError: string | null;
}

export interface Drained {
  written: Array<{ batch: WriteBatch; written: Written }>;
  /** The error that stopped draining, when one did (the batches after it stay queued). */
  error: Error | null;
}

export function batchPoints(b: WriteBatch): number {
  return b.counters.keys.length + b.gauges.keys.length + b.sets.keys.length + b.timers.keys.length + b.timed.length;
}

export class FlushRetry {
  private readonly queue: Array<{ batch: WriteBatch; points: number; delayed: boolean }> = [];
  /** A drain is writing the head of the queue: trimming must not drop it under the write. */
  private writing = false;
  readonly stats: FlushRetryStats = {
    pendingBatches: 0,
    pendingPoints: 0,
    failedWrites: 0,
    recoveredBatches: 0,
    droppedBatches: 0,
    droppedPoints: 0,
    lastError: null,
  };

  constructor(private readonly maxPendingPoints: number) {}

  /** Queues a new flush behind any that failed before, then writes the queue in order until one fails. */
  async write(batch: WriteBatch, write: (b: WriteBatch) => Promise<Written>): Promise<Drained> {
    this.hold(batch);
    return this.drain(write);
  }

  /** Queues a flush behind any not written yet; `drain` writes it. */
  hold(batch: WriteBatch): void {
    const points = batchPoints(batch);
    this.queue.push({ batch, points, delayed: false });
    this.stats.pendingPoints += points;
    // While a write hangs, the bound still holds (otherwise the drain trims after its attempt).
    if (this.writing) this.trim();
    this.stats.pendingBatches = this.queue.length;
  }

  /** Writes the queue in order until a write fails. One drain at a time: flushes held meanwhile join its loop. */
  async drain(write: (b: WriteBatch) => Promise<Written>): Promise<Drained> {
    const out: Drained = { written: [], error: null };
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0];
        try {
          out.written.push({ batch: head.batch, written: await write(head.batch) });
        } catch (err) {
          this.stats.failedWrites++;
          this.stats.lastError = (err as Error).message;
          out.error = err as Error;
          break;
        }
        this.queue.shift();
        this.stats.pendingPoints -= head.points;
        this.stats.pendingBatches = this.queue.length;
        if (head.delayed) this.stats.recoveredBatches++;
      }
    } finally {
      this.writing = false;
    }
    for (const q of this.queue) q.delayed = true;
    if (out.error === null) this.stats.lastError = null;
    this.trim();
    this.stats.pendingBatches = this.queue.length;
    return out;
  }

  /** Drops the oldest batches beyond the bound; the newest batch, and the one being written, are always kept. */
  private trim(): void {
    const first = this.writing ? 1 : 0;
    while (this.queue.length > first + 1 && this.stats.pendingPoints > this.maxPendingPoints) {
      const [dropped] = this.queue.splice(first, 1);
      if (!dropped) break;
      this.stats.pendingPoints -= dropped.points;
      this.stats.droppedBatches++;
      this.stats.droppedPoints += dropped.points;
    }
  }
}
