import { Worker } from 'node:worker_threads';
import { SELF_COUNTERS, type SelfCounter } from '../aggregate/aggregator.js';
import { SlotDecoder } from '../store/slot-batch.js';
import type { WriteBatch } from '../store/write-batch.js';
import { SupervisedThread } from '../supervised-thread.js';
import type { ThreadCrash } from '../thread-crash.js';
import { ingestResourceLimits } from '../thread-limits.js';
import type { IngestReply, IngestThreadData, SelfTotals } from './ingest-protocol.js';

/** Packets per message to the ingest thread: one message per datagram would cost more than parsing it. */
const FORWARD_BATCH = 256;

type Ready = Extract<IngestReply, { type: 'ready' }>;

const zeros = (): SelfTotals => Object.fromEntries(SELF_COUNTERS.map((k) => [k, 0])) as SelfTotals;

/**
 * The main thread's handle on the ingest thread: flushes, the collector's own counters, and stopping. The
 * thread is restarted when it dies (supervised-thread.ts) on the port the first one bound; what it had
 * aggregated since its last flush dies with it.
 */
export class IngestThread {
  /** Packets from the main thread's sockets, sent over in batches. */
  private queued: string[] = [];
  /** Own counters of the threads that died, up to their last flush, so totals never go back after a restart. */
  private readonly carried = zeros();
  /** The current thread's own counters at its last flush. */
  private flushedTotals = zeros();
  /** The keys of the series the thread numbered (slot-batch.ts). */
  private readonly slots = new SlotDecoder();

  private constructor(
    readonly thread: SupervisedThread<IngestReply, Ready>,
    readonly statsdPort: number,
    readonly udpReceiveBufferBytes: number,
  ) {
    thread.onEvent((e) => {
      if (e.type !== 'died') return;
      for (const k of SELF_COUNTERS) this.carried[k] += this.flushedTotals[k];
      this.flushedTotals = zeros();
      this.queued = [];
      this.slots.reset();
    });
  }

  /** Starts the thread; rejects with its one-line reason when a socket cannot be opened. */
  static async start(data: IngestThreadData): Promise<IngestThread> {
    let workerData = data;
    const thread = await SupervisedThread.start<IngestReply, Ready>(
      'ingest thread',
      () =>
        new Worker(new URL('./ingest-thread.js', import.meta.url), {
          workerData,
          resourceLimits: ingestResourceLimits(data.aggregator.maxSeries),
        }),
    );
    // A restarted thread binds the port the first one got (the configured one may be 0: any free port).
    workerData = { ...data, statsd: { ...data.statsd, port: thread.ready.statsdPort } };
    return new IngestThread(thread, thread.ready.statsdPort, thread.ready.udpReceiveBufferBytes);
  }

  /** Ends the interval at tickSec: its batch, and how long the ingest thread spent building it. */
  async flush(tickSec: number): Promise<{ batch: WriteBatch; processingMs: number }> {
    this.sendQueued();
    const answer = await this.thread.request((id) => ({ type: 'flush', id, tickSec }));
    if (answer.type !== 'flushed') throw new Error(`ingest thread answered ${answer.type} to a flush`);
    this.flushedTotals = answer.totals;
    return { batch: this.slots.decode(answer.batch), processingMs: answer.processingMs };
  }

  /** The collector's own counters since start; while the thread is down, as of its last flush. */
  async totals(): Promise<SelfTotals> {
    let live = this.flushedTotals;
    if (this.thread.alive) {
      const answer = await this.thread.request((id) => ({ type: 'totals', id })).catch(() => null);
      if (answer?.type === 'totals') live = answer.totals;
    }
    const out = zeros();
    for (const k of SELF_COUNTERS) out[k] = this.carried[k] + live[k];
    return out;
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
    this.thread.tell({ type: 'packets', texts: this.queued });
    this.queued = [];
  }

  count(counter: SelfCounter, n: number): void {
    this.thread.tell({ type: 'count', counter, n });
  }

  /** Test hook: makes the thread die (see thread-crash.ts). */
  crash(how: ThreadCrash['how']): void {
    this.thread.tell({ type: 'crash', how } satisfies ThreadCrash);
  }

  /** Closes the sockets; flushes still work, so the last interval can be written. */
  async stopListening(): Promise<void> {
    if (this.thread.alive) await this.thread.request((id) => ({ type: 'stopListening', id })).catch(() => undefined);
  }

  /** Ends the thread for good: no restart after this. */
  async terminate(): Promise<void> {
    await this.thread.stop();
    await this.thread.worker.terminate();
  }
}
