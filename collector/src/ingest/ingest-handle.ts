import { Worker } from 'node:worker_threads';
import type { SelfCounter } from '../aggregate/aggregator.js';
import type { WriteBatch } from '../store/write-batch.js';
import { startWorker, WorkerRpc } from '../worker-rpc.js';
import type { IngestReply, IngestThreadData, SelfTotals } from './ingest-protocol.js';

/** The main thread's handle on the ingest thread: flushes, the collector's own counters, and stopping. */
export class IngestThread {
  private constructor(
    private readonly rpc: WorkerRpc<IngestReply>,
    readonly statsdPort: number,
    readonly udpReceiveBufferBytes: number,
  ) {}

  /** Starts the thread; rejects with its one-line reason when a socket cannot be opened. */
  static async start(data: IngestThreadData): Promise<IngestThread> {
    const worker = new Worker(new URL('./ingest-thread.js', import.meta.url), { workerData: data });
    const ready = await startWorker<Extract<IngestReply, { type: 'ready' }>>(worker);
    return new IngestThread(new WorkerRpc(worker, 'ingest thread'), ready.statsdPort, ready.udpReceiveBufferBytes);
  }

  /** Ends the interval at tickSec: its batch, and how long the ingest thread spent building it. */
  async flush(tickSec: number): Promise<{ batch: WriteBatch; processingMs: number }> {
    const answer = await this.rpc.request((id) => ({ type: 'flush', id, tickSec }));
    if (answer.type !== 'flushed') throw new Error(`ingest thread answered ${answer.type} to a flush`);
    return answer;
  }

  async totals(): Promise<SelfTotals> {
    const answer = await this.rpc.request((id) => ({ type: 'totals', id }));
    if (answer.type !== 'totals') throw new Error(`ingest thread answered ${answer.type} to totals`);
    return answer.totals;
  }

  count(counter: SelfCounter, n: number): void {
    this.rpc.tell({ type: 'count', counter, n });
  }

  /** Closes the sockets; flushes still work, so the last interval can be written. */
  async stopListening(): Promise<void> {
    if (this.rpc.alive) await this.rpc.request((id) => ({ type: 'stopListening', id }));
  }

  async terminate(): Promise<void> {
    await this.rpc.worker.terminate();
  }
}
