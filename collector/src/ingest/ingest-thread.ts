import { parentPort, workerData } from 'node:worker_threads';
import { Aggregator, SELF_COUNTERS } from '../aggregate/aggregator.js';
import { slotBatchOf, slotBatchTransferables } from '../store/slot-batch.js';
import { toWriteBatch } from '../store/write-batch.js';
import { crashThisThread } from '../thread-crash.js';
import type { IngestReply, IngestRequest, IngestThreadData, SelfTotals } from './ingest-protocol.js';
import { packetHandler, type StatsdServer, startStatsdServer } from './statsd-server.js';

/**
 * The ingest thread: owns the StatsD UDP and TCP sockets and the aggregator (the Unix datagram socket's
 * packets arrive from the main thread, see unix-socket.ts). Nothing the main thread does (a long
 * /render, a major GC of its large indexes, building a flush) can stop it reading datagrams, so the
 * kernel's receive buffer is drained as fast as packets come.
 */
const port = parentPort;
if (!port) throw new Error('ingest-thread must run as a worker');
const data = workerData as IngestThreadData;

const reply = (message: IngestReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

const aggregator = new Aggregator(data.aggregator);
/** Own counters up to the last flush; the aggregator resets its cells at each flush. */
const totals = Object.fromEntries(SELF_COUNTERS.map((k) => [k, 0])) as SelfTotals;

const forwarded = packetHandler(aggregator, data.statsd.parse);
let statsd: StatsdServer | null = null;
try {
  statsd = await startStatsdServer(data.statsd, aggregator);
  reply({ type: 'ready', id: 0, statsdPort: statsd.port, udpReceiveBufferBytes: statsd.udpReceiveBufferBytes });
} catch (err) {
  await statsd?.close();
  reply({ type: 'failed', id: 0, message: (err as Error).message });
  port.close();
}

port.on('message', (request: IngestRequest) => {
  switch (request.type) {
    case 'flush': {
      const started = performance.now();
      for (const k of SELF_COUNTERS) totals[k] += aggregator.self[k].value;
      const flushed = aggregator.flush(request.tickSec);
      const batch = slotBatchOf(toWriteBatch(flushed), flushed.slots);
      const processingMs = performance.now() - started;
      reply(
        { type: 'flushed', id: request.id, batch, processingMs, totals: { ...totals } },
        slotBatchTransferables(batch, true),
      );
      return;
    }
    case 'totals': {
      const live = { ...totals };
      for (const k of SELF_COUNTERS) live[k] += aggregator.self[k].value;
      reply({ type: 'totals', id: request.id, totals: live });
      return;
    }
    case 'packets':
      for (const text of request.texts) forwarded(text);
      return;
    case 'count':
      aggregator.self[request.counter].value += request.n;
      return;
    case 'stopListening':
      void (statsd?.close() ?? Promise.resolve()).then(() => reply({ type: 'stopped', id: request.id }));
      return;
    case 'crash':
      crashThisThread(request.how);
      return;
  }
});
