import type { AggregatorOptions, SelfCounter } from '../aggregate/aggregator.js';
import type { SlotBatch } from '../store/slot-batch.js';
import type { ThreadCrash } from '../thread-crash.js';
import type { Failed } from '../worker-rpc.js';
import type { StatsdServerOptions } from './statsd-server.js';

/** Messages between the main thread and the ingest thread (ingest-thread.ts). */

export interface IngestThreadData {
  statsd: StatsdServerOptions;
  aggregator: AggregatorOptions;
}

export type SelfTotals = Record<SelfCounter, number>;

export type IngestRequest =
  /** End the interval at tickSec and hand over its batch. */
  | { type: 'flush'; id: number; tickSec: number }
  /** The collector's own counters since start. */
  | { type: 'totals'; id: number }
  /** Packets the main thread received (the Unix datagram socket), in arrival order. */
  | { type: 'packets'; texts: string[] }
  /** Counts something the main thread saw (points the store dropped) in one of the collector's counters. */
  | { type: 'count'; counter: SelfCounter; n: number }
  /** Stop reading the sockets; the aggregator stays for the last flush. */
  | { type: 'stopListening'; id: number }
  /** Test hook (TRENDLINE_TEST_HOOKS=1 only): die as a bug would, to prove the thread is restarted. */
  | ThreadCrash;

export type IngestReply =
  | { type: 'ready'; id: 0; statsdPort: number; udpReceiveBufferBytes: number }
  /** `totals` are the thread's own counters up to this flush (what survives it if it dies later). */
  | { type: 'flushed'; id: number; batch: SlotBatch; processingMs: number; totals: SelfTotals }
  | { type: 'totals'; id: number; totals: SelfTotals }
  | { type: 'stopped'; id: number }
  | Failed;
