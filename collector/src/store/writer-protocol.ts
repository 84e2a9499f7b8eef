import type { StoredDashboard, StoredEvent } from './sqlite-reader.js';
import type { WriteResult } from './sqlite-writer.js';
import type { NewEvent, WriteBatch } from './write-batch.js';

/** Messages between the main thread and the writer thread. */
export type WriterRequest =
  | { type: 'write'; id: number; batch: WriteBatch }
  | { type: 'addEvent'; id: number; event: NewEvent }
  | { type: 'deleteEvent'; id: number; eventId: number }
  | { type: 'putDashboard'; id: number; dashboard: StoredDashboard }
  | { type: 'deleteDashboard'; id: number; dashboardId: string }
  | { type: 'close' };

export type WriterReply =
  | { type: 'ready' }
  | { type: 'written'; id: number; result: WriteResult; writtenMs: number; totalMs: number }
  /** The event added, or deleted (null when there was none with that id). */
  | { type: 'event'; id: number; event: StoredEvent | null }
  /** The dashboard stored, or deleted (null when there was none with that id). */
  | { type: 'dashboard'; id: number; dashboard: StoredDashboard | null }
  | { type: 'failed'; id: number; message: string }
  | { type: 'closed' };
