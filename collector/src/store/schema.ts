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
 * per CHUNK_POINTS steps; see chunk-codec.ts). WITHOUT ROWID keyed by (series, time): one B-tree each, and
 * a series' range is one contiguous scan.
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
      PRIMARY KEY (series_id, ts)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS ${valueChunksTable(stepSec)} (
      series_id INTEGER NOT NULL, start INTEGER NOT NULL, data BLOB NOT NULL,
      PRIMARY KEY (series_id, start)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS ${timerChunksTable(stepSec)} (
      series_id INTEGER NOT NULL, start INTEGER NOT NULL, data BLOB NOT NULL, sketches BLOB,
      PRIMARY KEY (series_id, start)) WITHOUT ROWID;
    -- Retention deletes chunks by age alone. Chunks overflow their b-tree cell, and a seek by primary key
    -- reads the whole overflowing cell to compare keys, so deleting series by series took minutes.
    CREATE INDEX IF NOT EXISTS ${valueChunksTable(stepSec)}_start ON ${valueChunksTable(stepSec)} (start);
    CREATE INDEX IF NOT EXISTS ${timerChunksTable(stepSec)}_start ON ${timerChunksTable(stepSec)} (start);`);
  // Sketch tails (chunk-codec.ts) came after the first chunk tables; older chunks keep whole sketches in data.
  const columns = db.pragma(`table_info(${timerChunksTable(stepSec)})`) as Array<{ name: string }>;
  if (!columns.some((c) => c.name === 'sketches'))
    db.exec(`ALTER TABLE ${timerChunksTable(stepSec)} ADD COLUMN sketches BLOB`);
}
