import type { WriteResult } from './sqlite-writer.js';
import type { WriteBatch } from './write-batch.js';

/** Messages between the main thread and the writer thread. */
export type WriterRequest = { type: 'write'; id: number; batch: WriteBatch } | { type: 'close' };

export type WriterReply =
  | { type: 'ready' }
  | { type: 'written'; id: number; result: WriteResult; writtenMs: number; totalMs: number }
  | { type: 'failed'; id: number; message: string }
  | { type: 'closed' };
