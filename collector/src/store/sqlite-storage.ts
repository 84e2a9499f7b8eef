import type { RetentionTier } from './retention.js';
import { SqliteReader } from './sqlite-reader.js';
import type { Storage } from './storage.js';
import { StoreWriter } from './store-writer.js';

/** The embedded backend: the writer thread plus a synchronous reader on the main thread (WAL). */
export async function openSqliteStorage(path: string, tiers: readonly RetentionTier[]): Promise<Storage> {
  let writer: StoreWriter;
  try {
    writer = await StoreWriter.start(path, tiers);
  } catch (err) {
    throw new Error(`cannot open database ${path}: ${(err as Error).message}`);
  }
  const reader = SqliteReader.open(path);
  return {
    backend: 'sqlite',
    writer,
    source: reader,
    bulk: null,
    events: reader,
    dashboards: reader,
    listSeries: async () => reader.listSeries(),
    // Only this process writes the file, so there is nothing to re-read.
    refresh: null,
    async close() {
      await writer.close();
      reader.close();
    },
  };
}
