import { Worker } from 'node:worker_threads';
import { SupervisedThread } from '../supervised-thread.js';
import type { ThreadCrash } from '../thread-crash.js';
import { WORKER_RESOURCE_LIMITS } from '../thread-limits.js';
import type { RetentionTier } from './retention.js';
import { SlotEncoder, slotBatchTransferables } from './slot-batch.js';
import type { StoredDashboard, StoredEvent } from './sqlite-reader.js';
import type { WriteResult } from './sqlite-writer.js';
import type { NewEvent, WriteBatch } from './write-batch.js';
import type { WriterReply, WriterRequest } from './writer-protocol.js';

export interface Written {
  result: WriteResult;
  /** Time spent in the flush transaction alone, and with rollups and retention. */
  writtenMs: number;
  totalMs: number;
  /** The batch is stored, but the rollups and retention after it failed (they run again after the next write). */
  maintainError?: string | null;
}

type Answer = Extract<WriterReply, { type: 'written' } | { type: 'event' } | { type: 'dashboard' }>;
type Maintained = Extract<WriterReply, { type: 'maintained' }>;

/**
 * The main thread's handle on the writer thread: writes in order, one promise per batch or event. The
 * thread is restarted when it dies (supervised-thread.ts); meanwhile writes fail at once, and the flushes
 * that failed are held by flush-retry.ts and written to the new thread.
 */
export class StoreWriter {
  private closed: Promise<void> | null = null;
  /** Writes committed whose rollups are still running: resolved with their end, or null if the thread died. */
  private readonly maintaining = new Map<number, (m: Maintained | null) => void>();
  /** Numbers the series for the current thread; a restarted thread gets a new one (slot-batch.ts). */
  private slots = new SlotEncoder();

  static async start(path: string, tiers: readonly RetentionTier[]): Promise<StoreWriter> {
    const thread = await SupervisedThread.start<Answer, { type: 'ready' }>(
      'writer thread',
      () =>
        new Worker(new URL('./writer-thread.js', import.meta.url), {
          workerData: { path, tiers },
          resourceLimits: WORKER_RESOURCE_LIMITS,
        }),
    );
    return new StoreWriter(thread);
  }

  private constructor(readonly thread: SupervisedThread<Answer, { type: 'ready' }>) {
    this.follow(thread.worker);
    thread.onEvent((e) => {
      if (e.type !== 'restarted') return;
      this.follow(thread.worker);
      this.slots = new SlotEncoder();
    });
  }

  async write(batch: WriteBatch): Promise<Written> {
    let maintained: Promise<Maintained | null> = Promise.resolve(null);
    let writeId = 0;
    let answer: Answer;
    const slotted = this.slots.encode(batch);
    try {
      answer = await this.request(
        (id) => {
          writeId = id;
          maintained = new Promise((resolve) => this.maintaining.set(id, resolve));
          return { type: 'write', id, batch: slotted };
        },
        slotBatchTransferables(slotted, false),
      );
    } catch (err) {
      this.maintaining.delete(writeId);
      throw err;
    }
    if (answer.type !== 'written') throw new Error(`writer thread answered ${answer.type} to a write`);
    // Committed. A thread that dies during the rollups leaves the batch stored: it is not written again.
    const m = await maintained;
    return {
      result: answer.result,
      writtenMs: answer.writtenMs,
      totalMs: m?.totalMs ?? answer.writtenMs,
      maintainError: m === null ? 'the writer thread died during rollups and retention' : m.error,
    };
  }

  /** The string this handle holds for a series key it has sent, so callers can share it instead of a copy. */
  heldKey(key: string): string | undefined {
    return this.slots.held(key);
  }

  /** Test hook: makes the thread die (see thread-crash.ts). */
  crash(how: ThreadCrash['how']): void {
    this.thread.tell({ type: 'crash', how } satisfies ThreadCrash);
  }

  /** Stores one event (after the writes already sent) and resolves to it with its id. */
  async addEvent(event: NewEvent): Promise<StoredEvent> {
    const answer = await this.request((id) => ({ type: 'addEvent', id, event }));
    if (answer.type !== 'event' || answer.event === null) throw new Error('writer thread did not store the event');
    return answer.event;
  }

  /** Deletes one event; resolves to what was deleted, or undefined when no event has that id. */
  async deleteEvent(eventId: number): Promise<StoredEvent | undefined> {
    const answer = await this.request((id) => ({ type: 'deleteEvent', id, eventId }));
    if (answer.type !== 'event') throw new Error(`writer thread answered ${answer.type} to a delete`);
    return answer.event ?? undefined;
  }

  /** Creates or replaces one dashboard (after the writes already sent) and resolves to what was stored. */
  async putDashboard(dashboard: StoredDashboard): Promise<StoredDashboard> {
    const answer = await this.request((id) => ({ type: 'putDashboard', id, dashboard }));
    if (answer.type !== 'dashboard' || answer.dashboard === null) throw new Error('writer thread did not store it');
    return answer.dashboard;
  }

  /** Deletes one dashboard; resolves to what was deleted, or undefined when no dashboard has that id. */
  async deleteDashboard(dashboardId: string): Promise<StoredDashboard | undefined> {
    const answer = await this.request((id) => ({ type: 'deleteDashboard', id, dashboardId }));
    if (answer.type !== 'dashboard') throw new Error(`writer thread answered ${answer.type} to a delete`);
    return answer.dashboard ?? undefined;
  }

  /** Waits for the writes already sent, then closes the database. */
  close(): Promise<void> {
    this.closed ??= this.thread.stop().then(
      () =>
        new Promise((resolve) => {
          const { worker } = this.thread;
          if (!this.thread.alive) {
            resolve();
            return;
          }
          worker.on('message', (message: WriterReply) => {
            if (message.type === 'closed') resolve();
          });
          worker.once('exit', () => resolve());
          this.thread.tell({ type: 'close' } satisfies WriterRequest);
        }),
    );
    return this.closed;
  }

  private request(make: (id: number) => WriterRequest, transfer: ArrayBuffer[] = []): Promise<Answer> {
    if (this.closed !== null) return Promise.reject(new Error('store is closed'));
    return this.thread.request(make, transfer);
  }

  /** Hears the end of each write's rollups on this thread; its exit ends the waits it leaves open. */
  private follow(worker: Worker): void {
    worker.on('message', (message: WriterReply) => {
      if (message.type !== 'maintained') return;
      this.maintaining.get(message.id)?.(message);
      this.maintaining.delete(message.id);
    });
    worker.once('exit', () => {
      for (const resolve of this.maintaining.values()) resolve(null);
      this.maintaining.clear();
    });
  }
}
