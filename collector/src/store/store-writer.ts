import { Worker } from 'node:worker_threads';
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
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void }>();
  private closed: Promise<void> | null = null;
  /** Set once the thread has died: later requests fail at once instead of waiting for an answer forever. */
  private dead: Error | null = null;

  static start(path: string, tiers: readonly RetentionTier[]): Promise<StoreWriter> {
    const worker = new Worker(new URL('./writer-thread.js', import.meta.url), { workerData: { path, tiers } });
    return new Promise((resolve, reject) => {
      const onFirst = (message: WriterReply) => {
        worker.off('error', onError);
        if (message.type === 'ready') resolve(new StoreWriter(worker));
        else {
          void worker.terminate();
          reject(new Error(message.type === 'failed' ? message.message : 'writer thread did not start'));
        }
      };
      const onError = (err: Error) => reject(err);
      worker.once('message', onFirst);
      worker.once('error', onError);
    });
  }

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: WriterReply) => {
      if (message.type === 'ready' || message.type === 'closed') return;
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      if (message.type === 'failed') p.reject(new Error(message.message));
      else p.resolve(message);
    });
    worker.on('error', (err) => this.failAll(new Error(`writer thread failed: ${err.message}`)));
    worker.on('exit', () => this.failAll(new Error('writer thread exited')));
  }

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
      if (this.dead !== null) {
        resolve();
        return;
      }
      this.worker.on('message', (message: WriterReply) => {
        if (message.type === 'closed') resolve();
      });
      this.worker.once('exit', () => resolve());
      this.post({ type: 'close' });
    });
    return this.closed;
  }

  private request(make: (id: number) => WriterRequest): Promise<Answer> {
    if (this.closed !== null) return Promise.reject(new Error('store is closed'));
    if (this.dead !== null) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post(make(id));
    });
  }

  private post(request: WriterRequest): void {
    this.worker.postMessage(request);
  }

  private failAll(err: Error): void {
    this.dead ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
