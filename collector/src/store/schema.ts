import type { Database } from 'better-sqlite3';

/**
 * The SQLite schema, versioned through PRAGMA user_version. Each migration runs once, in order, in one
 * transaction. Tables per retention tier are created from the configured policy (tierTables), since
 * their set depends on the configuration rather than on the code's version.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE series (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL,
     tags TEXT NOT NULL DEFAULT '',
     kind INTEGER NOT NULL,
     created INTEGER NOT NULL,
     UNIQUE (name, tags, kind)
   );
   CREATE TABLE events (
     id INTEGER PRIMARY KEY,
     ts INTEGER NOT NULL,
     what TEXT NOT NULL,
     data TEXT NOT NULL DEFAULT '',
     tags TEXT NOT NULL DEFAULT '[]'
   );
   CREATE INDEX events_ts ON events (ts);
   CREATE TABLE rollup_state (step INTEGER PRIMARY KEY, done_until INTEGER NOT NULL);`,
  // Event ids are never reused once DELETE /events/:id exists: a deleted deploy's id must not name another one.
  `CREATE TABLE events_v2 (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     ts INTEGER NOT NULL,
     what TEXT NOT NULL,
     data TEXT NOT NULL DEFAULT '',
     tags TEXT NOT NULL DEFAULT '[]'
   );
   INSERT INTO events_v2 (id, ts, what, data, tags) SELECT id, ts, what, data, tags FROM events;
   DROP TABLE events;
   ALTER TABLE events_v2 RENAME TO events;
   CREATE INDEX events_ts ON events (ts);`,
  // Saved dashboards (PUT /dashboards/:id): the JSON body as the UI sent it, with the title for the list.
  `CREATE TABLE dashboards (
     id TEXT PRIMARY KEY,
     title TEXT NOT NULL,
     body TEXT NOT NULL,
     updated INTEGER NOT NULL
   ) WITHOUT ROWID;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`database schema version ${current} is newer than this Trendline (${SCHEMA_VERSION})`);
  }
  for (let v = current; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

export function pointsTable(stepSec: number): string {
  return `points_${stepSec}`;
}

export function timersTable(stepSec: number): string {
  return `timers_${stepSec}`;
}

export function valueChunksTable(stepSec: number): string {
  return `chunks_${stepSec}`;
}

export function timerChunksTable(stepSec: number): string {
  return `timer_chunks_${stepSec}`;
}

/**
 * Per tier: hot rows (one per point, where flushes write and merge) and sealed chunks (one row per series
 * per CHUNK_POINTS steps; see chunk-codec.ts). Hot rows are small and WITHOUT ROWID keyed by (series, time):
 * one B-tree each, and a series' range is one contiguous scan. Chunks are tens of KB and overflow their
 * B-tree cell, so they live in rowid tables with the key in an index (see chunkTable).
 */
export function createTierTables(db: Database, stepSec: number): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS ${pointsTable(stepSec)} (
      series_id INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL,
      PRIMARY KEY (series_id, ts)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS ${timersTable(stepSec)} (
      series_id INTEGER NOT NULL, ts INTEGER NOT NULL,
      count REAL NOT NULL, n INTEGER NOT NULL, sum REAL NOT NULL, sumsq REAL NOT NULL, m2 REAL NOT NULL,
      min REAL, max REAL, sketch BLOB,
      PRIMARY KEY (series_id, ts)) WITHOUT ROWID;`);
  chunkTable(db, valueChunksTable(stepSec), ['data BLOB NOT NULL']);
  chunkTable(db, timerChunksTable(stepSec), ['data BLOB NOT NULL', 'sketches BLOB', 'moments BLOB']);
}

/**
 * A chunk table: a rowid table, unique on (series_id, start), and indexed by start for retention.
 *
 * Chunk tables were WITHOUT ROWID until chunks outgrew a cell: SQLite compares an index B-tree's keys
 * against whole records, so every chunk a range scan or a seek passed was copied out in full (a day of 100
 * timers read 170 MB to return 66 MB, and retention's deletes took minutes). Such a table is rebuilt once,
 * in one transaction. Columns added since (sketch tails, then moments) are added as NULL to older tables.
 */
function chunkTable(db: Database, table: string, blobs: readonly string[]): void {
  const columns = ['series_id INTEGER NOT NULL', 'start INTEGER NOT NULL', ...blobs];
  const existing = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(table) as
    | string
    | undefined;
  db.transaction(() => {
    if (existing !== undefined && /WITHOUT\s+ROWID/i.test(existing)) {
      const kept = columnsOf(db, table).join(', ');
      db.exec(`CREATE TABLE ${table}_rowid (${columns.join(', ')});
        INSERT INTO ${table}_rowid (${kept}) SELECT ${kept} FROM ${table} ORDER BY series_id, start;
        DROP TABLE ${table};
        ALTER TABLE ${table}_rowid RENAME TO ${table};`);
    }
    db.exec(`CREATE TABLE IF NOT EXISTS ${table} (${columns.join(', ')});
      CREATE UNIQUE INDEX IF NOT EXISTS ${table}_key ON ${table} (series_id, start);
      CREATE INDEX IF NOT EXISTS ${table}_start ON ${table} (start);`);
    const have = new Set(columnsOf(db, table));
    for (const column of blobs) {
      if (!have.has(column.split(' ')[0])) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column}`);
    }
  })();
}

function columnsOf(db: Database, table: string): string[] {
  return (db.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name);
}
