import { Worker } from 'node:worker_threads';
import type { RetentionTier } from './retention.js';
import type { WriteResult } from './sqlite-writer.js';
import type { WriteBatch } from './write-batch.js';
import type { WriterReply, WriterRequest } from './writer-protocol.js';

export interface Written {
  result: WriteResult;
  /** Time spent in the flush transaction alone, and with rollups and retention. */
  writtenMs: number;
  totalMs: number;
}

/** The main thread's handle on the writer thread: writes in order, one promise per batch. */
export class StoreWriter {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (w: Written) => void; reject: (e: Error) => void }>();
  private closed: Promise<void> | null = null;

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
      if (message.type !== 'written' && message.type !== 'failed') return;
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      if (message.type === 'written') p.resolve(message);
      else p.reject(new Error(message.message));
    });
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', () => this.failAll(new Error('writer thread exited')));
  }

  write(batch: WriteBatch): Promise<Written> {
    if (this.closed !== null) return Promise.reject(new Error('store is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ type: 'write', id, batch });
    });
  }

  /** Waits for the writes already sent, then closes the database. */
  close(): Promise<void> {
    this.closed ??= new Promise((resolve) => {
      this.worker.on('message', (message: WriterReply) => {
        if (message.type === 'closed') resolve();
      });
      this.worker.once('exit', () => resolve());
      this.post({ type: 'close' });
    });
    return this.closed;
  }

  private post(request: WriterRequest): void {
    this.worker.postMessage(request);
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
