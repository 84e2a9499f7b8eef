import { Worker } from 'node:worker_threads';
import type { SelfCounter } from '../aggregate/aggregator.js';
import type { WriteBatch } from '../store/write-batch.js';
import { startWorker, WorkerRpc } from '../worker-rpc.js';
import type { IngestReply, IngestThreadData, SelfTotals } from './ingest-protocol.js';

/** Packets per message to the ingest thread: one message per datagram would cost more than parsing it. */
const FORWARD_BATCH = 256;

/** The main thread's handle on the ingest thread: flushes, the collector's own counters, and stopping. */
export class IngestThread {
  /** Packets from the main thread's sockets, sent over in batches. */
  private queued: string[] = [];

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
    this.sendQueued();
    const answer = await this.rpc.request((id) => ({ type: 'flush', id, tickSec }));
    if (answer.type !== 'flushed') throw new Error(`ingest thread answered ${answer.type} to a flush`);
    return answer;
  }

  async totals(): Promise<SelfTotals> {
    const answer = await this.rpc.request((id) => ({ type: 'totals', id }));
    if (answer.type !== 'totals') throw new Error(`ingest thread answered ${answer.type} to totals`);
    return answer.totals;
  }

  /** Hands one packet received on the main thread to the aggregator (batched; see `sendQueued`). */
  forward(text: string): void {
    if (this.queued.length === 0) setImmediate(() => this.sendQueued());
    this.queued.push(text);
    if (this.queued.length >= FORWARD_BATCH) this.sendQueued();
  }

  /** Sends what `forward` queued; a flush does it first, so no packet misses its interval. */
  sendQueued(): void {
    if (this.queued.length === 0) return;
    this.rpc.tell({ type: 'packets', texts: this.queued });
    this.queued = [];
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
