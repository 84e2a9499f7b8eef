import type { TransferListItem, Worker } from 'node:worker_threads';

/**
 * Request and answer over a worker thread's port: each request carries an id, each answer names it.
 * When the thread dies, every open request fails with the reason, and so does every later one, instead
 * of waiting for an answer that will never come.
 */

export interface Answered {
  type: string;
  id: number;
}

/** The thread's answer to a request it could not carry out. */
export interface Failed {
  type: 'failed';
  id: number;
  message: string;
}

/** The thread is gone (being restarted, or stopped): HTTP answers a request that needed it with a 503. */
export class ThreadDownError extends Error {
  readonly statusCode = 503;
}

export class WorkerRpc<Reply extends Answered> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private dead: ThreadDownError | null = null;

  constructor(
    readonly worker: Worker,
    what: string,
  ) {
    worker.on('message', (message: Reply | Failed | { type: string; id?: number }) => {
      if (typeof message.id !== 'number' || message.id === 0) return;
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      if (message.type === 'failed') p.reject(new Error((message as Failed).message));
      else p.resolve(message as Reply);
    });
    worker.on('error', (err) => this.failAll(new ThreadDownError(`${what} failed: ${err.message}`)));
    worker.on('exit', () => this.failAll(new ThreadDownError(`${what} is down`)));
  }

  get alive(): boolean {
    return this.dead === null;
  }

  /** Sends the request `make(id)` builds and resolves with the thread's answer to it. */
  request(make: (id: number) => unknown, transfer: readonly TransferListItem[] = []): Promise<Reply> {
    if (this.dead !== null) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(make(id), transfer);
    });
  }

  /** A message that needs no answer; dropped once the thread is gone. */
  tell(message: unknown): void {
    if (this.dead === null) this.worker.postMessage(message);
  }

  private failAll(err: ThreadDownError): void {
    this.dead ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

/**
 * Starts a worker and waits for its first message: `ready` (resolved with it) or `failed` (rejected with
 * the thread's one-line reason, after which the thread is stopped).
 */
export function startWorker<Ready extends { type: 'ready' }>(worker: Worker): Promise<Ready> {
  return new Promise((resolve, reject) => {
    const onFirst = (message: Ready | Failed) => {
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (message.type === 'ready') resolve(message);
      else {
        void worker.terminate();
        reject(new Error(message.message));
      }
    };
    const onError = (err: Error) => {
      worker.off('message', onFirst);
      reject(err);
    };
    const onExit = (code: number) => {
      worker.off('message', onFirst);
      reject(new Error(`thread exited (${code}) before it was ready`));
    };
    worker.once('message', onFirst);
    worker.once('error', onError);
    worker.once('exit', onExit);
  });
}
