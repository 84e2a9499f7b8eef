import type Database from 'better-sqlite3';
import { pointsTable, timersTable } from './schema.js';
import type { SeriesRow } from './series-kind.js';
import { type Db, openForRead } from './sqlite-open.js';
import type { NewEvent } from './write-batch.js';

/** One stored timer interval, as read back: count, n, sum, sumsq, m2, min, max, sketch. */
export type SummaryRow = [
  ts: number,
  count: number,
  n: number,
  sum: number,
  sumsq: number,
  m2: number,
  min: number | null,
  max: number | null,
  sketch: Uint8Array | null,
];

export interface StoredEvent extends NewEvent {
  id: number;
}

/** The read side of the SQLite store, on the main thread; WAL lets it read while the writer thread commits. */
export class SqliteReader {
  private readonly statements = new Map<string, Database.Statement>();

  static open(path: string): SqliteReader {
    return new SqliteReader(openForRead(path));
  }

  private constructor(private readonly db: Db) {}

  listSeries(): SeriesRow[] {
    return this.db.prepare('SELECT id, name, tags, kind FROM series ORDER BY id').all() as SeriesRow[];
  }

  /** [ts, value] rows with from <= ts <= until, in time order. */
  readValues(seriesId: number, stepSec: number, from: number, until: number): Array<[number, number]> {
    const stmt = this.statement(
      `SELECT ts, value FROM ${pointsTable(stepSec)} WHERE series_id = ? AND ts >= ? AND ts <= ? ORDER BY ts`,
    );
    return stmt.raw(true).all(seriesId, from, until) as Array<[number, number]>;
  }

  readSummaries(seriesId: number, stepSec: number, from: number, until: number): SummaryRow[] {
    const stmt = this.statement(
      `SELECT ts, count, n, sum, sumsq, m2, min, max, sketch FROM ${timersTable(stepSec)}
       WHERE series_id = ? AND ts >= ? AND ts <= ? ORDER BY ts`,
    );
    return stmt.raw(true).all(seriesId, from, until) as SummaryRow[];
  }

  listEvents(from: number, until: number): StoredEvent[] {
    const rows = this.statement(
      'SELECT id, ts, what, data, tags FROM events WHERE ts >= ? AND ts <= ? ORDER BY ts, id',
    ).all(from, until) as Array<{ id: number; ts: number; what: string; data: string; tags: string }>;
    return rows.map((r) => ({ ...r, tags: JSON.parse(r.tags) as string[] }));
  }

  getEvent(id: number): StoredEvent | undefined {
    const row = this.statement('SELECT id, ts, what, data, tags FROM events WHERE id = ?').get(id) as
      | { id: number; ts: number; what: string; data: string; tags: string }
      | undefined;
    return row ? { ...row, tags: JSON.parse(row.tags) as string[] } : undefined;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private statement(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }
}
