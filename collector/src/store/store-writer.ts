import { Worker } from 'node:worker_threads';
import { startWorker, WorkerRpc } from '../worker-rpc.js';
import type { RetentionTier } from './retention.js';
import type { StoredDashboard, StoredEvent } from './sqlite-reader.js';
import type { WriteResult } from './sqlite-writer.js';
import type { NewEvent, WriteBatch } from './write-batch.js';
import type { WriterReply, WriterRequest } from './writer-protocol.js';

export interface Written {
  result: WriteResult;
  /** Time spent in the flush transaction alone, and with rollups and retention. */
  writtenMs: number;
  totalMs: number;
}

type Answer = Extract<WriterReply, { type: 'written' } | { type: 'event' } | { type: 'dashboard' }>;

/** The main thread's handle on the writer thread: writes in order, one promise per batch or event. */
export class StoreWriter {
  private closed: Promise<void> | null = null;

  static async start(path: string, tiers: readonly RetentionTier[]): Promise<StoreWriter> {
    const worker = new Worker(new URL('./writer-thread.js', import.meta.url), { workerData: { path, tiers } });
    await startWorker(worker);
    return new StoreWriter(new WorkerRpc(worker, 'writer thread'));
  }

  private constructor(private readonly rpc: WorkerRpc<Answer>) {}

  async write(batch: WriteBatch): Promise<Written> {
    const answer = await this.request((id) => ({ type: 'write', id, batch }));
    if (answer.type !== 'written') throw new Error(`writer thread answered ${answer.type} to a write`);
    return answer;
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
    this.closed ??= new Promise((resolve) => {
      const { worker } = this.rpc;
      if (!this.rpc.alive) {
        resolve();
        return;
      }
      worker.on('message', (message: WriterReply) => {
        if (message.type === 'closed') resolve();
      });
      worker.once('exit', () => resolve());
      this.rpc.tell({ type: 'close' } satisfies WriterRequest);
    });
    return this.closed;
  }

  private request(make: (id: number) => WriterRequest): Promise<Answer> {
    if (this.closed !== null) return Promise.reject(new Error('store is closed'));
    return this.rpc.request(make);
  }
}
