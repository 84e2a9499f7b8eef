import type { ThreadCrash } from '../thread-crash.js';
import type { SlotBatch } from './slot-batch.js';
import type { StoredDashboard, StoredEvent } from './sqlite-reader.js';
import type { WriteResult } from './sqlite-writer.js';
import type { NewEvent } from './write-batch.js';

/** Messages between the main thread and the writer thread. */
export type WriterRequest =
  | { type: 'write'; id: number; batch: SlotBatch }
  | { type: 'addEvent'; id: number; event: NewEvent }
  | { type: 'deleteEvent'; id: number; eventId: number }
  | { type: 'putDashboard'; id: number; dashboard: StoredDashboard }
  | { type: 'deleteDashboard'; id: number; dashboardId: string }
  | { type: 'close' }
  /** Test hook (TRENDLINE_TEST_HOOKS=1 only). */
  | ThreadCrash;

export type WriterReply =
  | { type: 'ready' }
  /** Sent as soon as the batch is committed, before rollups and retention: a thread that dies after this
   * message has the batch on disk, and it must not be written again. */
  | { type: 'written'; id: number; result: WriteResult; writtenMs: number }
  /** Then, once rollups and retention ran (error: why they failed; they are retried after the next write). */
  | { type: 'maintained'; id: number; totalMs: number; error: string | null }
  /** The event added, or deleted (null when there was none with that id). */
  | { type: 'event'; id: number; event: StoredEvent | null }
  /** The dashboard stored, or deleted (null when there was none with that id). */
  | { type: 'dashboard'; id: number; dashboard: StoredDashboard | null }
  | { type: 'failed'; id: number; message: string }
  | { type: 'closed' };
