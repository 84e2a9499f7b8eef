import { parentPort, workerData } from 'node:worker_threads';
import { crashThisThread } from '../thread-crash.js';
import type { RetentionTier } from './retention.js';
import { SlotDecoder } from './slot-batch.js';
import { SqliteWriter, type WriteResult } from './sqlite-writer.js';
import type { WriterReply, WriterRequest } from './writer-protocol.js';

/**
 * The writer thread: owns the only write connection, so a slow commit, rollup or retention pass never
 * stalls the sockets on the main thread.
 */
const port = parentPort;
if (!port) throw new Error('writer-thread must run as a worker');
const { path, tiers } = workerData as { path: string; tiers: RetentionTier[] };

const reply = (message: WriterReply) => port.postMessage(message);
/** The keys of the series the main thread numbered (slot-batch.ts). */
const slots = new SlotDecoder();

let writer: SqliteWriter | null = null;
try {
  writer = SqliteWriter.open(path, tiers);
  reply({ type: 'ready' });
} catch (err) {
  reply({ type: 'failed', id: 0, message: (err as Error).message });
}

port.on('message', (request: WriterRequest) => {
  if (request.type === 'crash') {
    crashThisThread(request.how);
    return;
  }
  if (!writer) return;
  if (request.type === 'close') {
    writer.close();
    writer = null;
    reply({ type: 'closed' });
    port.close();
    return;
  }
  if (request.type === 'addEvent' || request.type === 'deleteEvent') {
    try {
      const event =
        request.type === 'addEvent' ? writer.addEvent(request.event) : (writer.deleteEvent(request.eventId) ?? null);
      reply({ type: 'event', id: request.id, event });
    } catch (err) {
      reply({ type: 'failed', id: request.id, message: (err as Error).message });
    }
    return;
  }
  if (request.type === 'putDashboard' || request.type === 'deleteDashboard') {
    try {
      const dashboard =
        request.type === 'putDashboard'
          ? writer.putDashboard(request.dashboard)
          : (writer.deleteDashboard(request.dashboardId) ?? null);
      reply({ type: 'dashboard', id: request.id, dashboard });
    } catch (err) {
      reply({ type: 'failed', id: request.id, message: (err as Error).message });
    }
    return;
  }
  const started = performance.now();
  const batch = slots.decode(request.batch);
  let result: WriteResult;
  try {
    result = writer.write(batch);
  } catch (err) {
    reply({ type: 'failed', id: request.id, message: (err as Error).message });
    return;
  }
  // Committed: say so before anything else can fail, so the batch is never retried (and counted twice).
  reply({ type: 'written', id: request.id, result, writtenMs: performance.now() - started });
  let error: string | null = null;
  try {
    writer.maintain(batch.ts + batch.intervalSec);
  } catch (err) {
    error = (err as Error).message;
  }
  reply({ type: 'maintained', id: request.id, totalMs: performance.now() - started, error });
});
