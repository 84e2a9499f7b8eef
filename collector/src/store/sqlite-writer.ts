import type Database from 'better-sqlite3';
import { chunkSpan } from './chunk-codec.js';
import { ChunkSealer } from './chunk-sealer.js';
import type { RetentionTier } from './retention.js';
import { pointsTable, timerChunksTable, timersTable, valueChunksTable } from './schema.js';
import { SeriesKind, type SeriesRow, splitKey } from './series-kind.js';
import { type Db, openForWrite } from './sqlite-open.js';
import type { StoredDashboard, StoredEvent } from './sqlite-reader.js';
import { type NewEvent, placeTimedPoints, plainSeries, TIMER_STATS_WIDTH, type WriteBatch } from './write-batch.js';

/**
 * The write side of the SQLite store: one transaction per flush into the finest tier, then rollups into
 * the coarser tiers and deletion of what retention no longer keeps. It runs on the writer thread.
 */

export interface WriteResult {
  rows: number;
  newSeries: SeriesRow[];
  /** `|T` points outside the finest tier's window, which can't be stored. */
  droppedTimed: number;
  events: number;
}

/** How a second write into the same bucket combines with the first (a restart, or a flush shorter than a step). */
const MERGE: Record<Exclude<SeriesKind, SeriesKind.Timer>, string> = {
  [SeriesKind.Counter]: 'value = value + excluded.value',
  [SeriesKind.Gauge]: 'value = excluded.value',
  [SeriesKind.Set]: 'value = max(value, excluded.value)',
};

const TIMER_MERGE = `m2 = m2_pair(n, sum, m2, excluded.n, excluded.sum, excluded.m2),
  count = count + excluded.count, n = n + excluded.n, sum = sum + excluded.sum,
  sumsq = sumsq + excluded.sumsq, min = coalesce(min(min, excluded.min), min, excluded.min),
  max = coalesce(max(max, excluded.max), max, excluded.max), sketch = sketch_merge(sketch, excluded.sketch)`;

/** How each kind folds a coarse bucket's fine points into one. */
const ROLLUP_VALUE: Record<Exclude<SeriesKind, SeriesKind.Timer>, string> = {
  [SeriesKind.Counter]: 'SUM(value)',
  [SeriesKind.Gauge]: 'value', // with MAX(ts) below: SQLite takes the bare column from the latest row
  [SeriesKind.Set]: 'MAX(value)',
};

export class SqliteWriter {
  /** Series ids by kind, then by batch key: a lookup per point without building a combined key string. */
  private readonly ids = new Map<SeriesKind, Map<string, number>>();
  private idCount = 0;
  private readonly insertSeries: Database.Statement;
  private readonly upsert: Record<Exclude<SeriesKind, SeriesKind.Timer>, Database.Statement>;
  private readonly upsertTimer: Database.Statement;
  private readonly insertEvent: Database.Statement;
  private readonly insertEventReturning: Database.Statement;
  private readonly deleteEventReturning: Database.Statement;
  private readonly upsertDashboard: Database.Statement;
  private readonly deleteDashboardReturning: Database.Statement;
  private readonly finest: RetentionTier;
  private lastRetentionRun = 0;
  private readonly sealer: ChunkSealer;
  /** The flush interval of the batches written, which paces sealing. */
  private intervalSec = 10;

  static open(path: string, tiers: readonly RetentionTier[]): SqliteWriter {
    return new SqliteWriter(openForWrite(path, tiers), tiers);
  }

  private constructor(
    private readonly db: Db,
    private readonly tiers: readonly RetentionTier[],
  ) {
    this.finest = tiers[0];
    this.sealer = new ChunkSealer(db, tiers, () => this.intervalSec);
    for (const row of db.prepare('SELECT id, name, tags, kind FROM series').all() as SeriesRow[]) {
      this.idsOf(row.kind).set(row.name + row.tags, row.id);
      this.idCount++;
    }
    this.insertSeries = db.prepare('INSERT INTO series (name, tags, kind, created) VALUES (?, ?, ?, ?) RETURNING id');
    const points = pointsTable(this.finest.stepSec);
    const upsert = (kind: Exclude<SeriesKind, SeriesKind.Timer>) =>
      db.prepare(`INSERT INTO ${points} (series_id, ts, value) VALUES (?, ?, ?)
                  ON CONFLICT (series_id, ts) DO UPDATE SET ${MERGE[kind]}`);
    this.upsert = {
      [SeriesKind.Counter]: upsert(SeriesKind.Counter),
      [SeriesKind.Gauge]: upsert(SeriesKind.Gauge),
      [SeriesKind.Set]: upsert(SeriesKind.Set),
    };
    this.upsertTimer = db.prepare(
      `INSERT INTO ${timersTable(this.finest.stepSec)} (series_id, ts, count, n, sum, sumsq, m2, min, max, sketch)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (series_id, ts) DO UPDATE SET ${TIMER_MERGE}`,
    );
    this.insertEvent = db.prepare('INSERT INTO events (ts, what, data, tags) VALUES (?, ?, ?, ?)');
    this.insertEventReturning = db.prepare(
      'INSERT INTO events (ts, what, data, tags) VALUES (?, ?, ?, ?) RETURNING id, ts, what, data, tags',
    );
    this.deleteEventReturning = db.prepare('DELETE FROM events WHERE id = ? RETURNING id, ts, what, data, tags');
    this.upsertDashboard = db.prepare(
      `INSERT INTO dashboards (id, title, body, updated) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET
       title = excluded.title, body = excluded.body, updated = excluded.updated RETURNING id, title, body, updated`,
    );
    this.deleteDashboardReturning = db.prepare(
      'DELETE FROM dashboards WHERE id = ? RETURNING id, title, body, updated',
    );
  }

  /** Creates or replaces one dashboard (PUT /dashboards/:id). */
  putDashboard(d: StoredDashboard): StoredDashboard {
    return this.upsertDashboard.get(d.id, d.title, d.body, d.updated) as StoredDashboard;
  }

  /** Deletes one dashboard; returns what was deleted, or undefined when there was none with that id. */
  deleteDashboard(id: string): StoredDashboard | undefined {
    return this.deleteDashboardReturning.get(id) as StoredDashboard | undefined;
  }

  /** Stores one event (POST /events) in its own transaction and returns it with its id. */
  addEvent(e: NewEvent): StoredEvent {
    return eventFromRow(this.insertEventReturning.get(e.ts, e.what, e.data, JSON.stringify(e.tags)) as EventRow);
  }

  /** Deletes one event; returns what was deleted, or undefined when no event has that id. */
  deleteEvent(id: number): StoredEvent | undefined {
    const row = this.deleteEventReturning.get(id) as EventRow | undefined;
    return row ? eventFromRow(row) : undefined;
  }

  write(batch: WriteBatch): WriteResult {
    this.intervalSec = batch.intervalSec;
    const result: WriteResult = { rows: 0, newSeries: [], droppedTimed: 0, events: 0 };
    const step = this.finest.stepSec;
    const bucket = batch.ts - (batch.ts % step);
    try {
      this.writeAll(batch, bucket, result);
    } catch (err) {
      // The rollback took back the ids of the series this transaction created, and SQLite will hand them to
      // other series: forget them, or a retried flush writes one series' points under another's id.
      for (const s of result.newSeries) this.idsOf(s.kind).delete(s.name + s.tags);
      this.idCount -= result.newSeries.length;
      throw err;
    }
    return result;
  }

  private writeAll(batch: WriteBatch, bucket: number, result: WriteResult): void {
    this.db.transaction(() => {
      for (const [kind, { keys, values }] of plainSeries(batch)) {
        const stmt = this.upsert[kind];
        for (let i = 0; i < keys.length; i++) {
          stmt.run(this.seriesId(kind, keys[i], bucket, result), bucket, values[i]);
        }
        result.rows += keys.length;
      }
      const { keys, stats, sketches } = batch.timers;
      for (let i = 0; i < keys.length; i++) {
        const o = i * TIMER_STATS_WIDTH;
        const n = stats[o + 1];
        this.upsertTimer.run(
          this.seriesId(SeriesKind.Timer, keys[i], bucket, result),
          bucket,
          stats[o],
          n,
          stats[o + 2],
          stats[o + 3],
          stats[o + 4],
          n > 0 ? stats[o + 5] : null,
          n > 0 ? stats[o + 6] : null,
          sketches[i],
        );
      }
      result.rows += keys.length;
      const timed = placeTimedPoints(batch, this.finest);
      result.droppedTimed += timed.dropped;
      for (const p of timed.placed) {
        this.upsert[p.kind].run(this.seriesId(p.kind, p.key, p.ts, result), p.ts, p.value);
        result.rows++;
      }
      for (const e of batch.events) {
        this.insertEvent.run(e.ts, e.what, e.data, JSON.stringify(e.tags));
        result.events++;
      }
    })();
  }

  /**
   * Rolls every finished coarse bucket up from the tier below it, seals the next slice of series' finished
   * chunks, then (at most once a minute) deletes points older than each tier keeps. `completeUntil` is the
   * end of the last interval written. Rollups read hot rows, so they run before sealing.
   */
  maintain(completeUntil: number): void {
    let sourceDone = completeUntil - (completeUntil % this.finest.stepSec);
    for (let i = 1; i < this.tiers.length; i++) {
      const from = this.tiers[i - 1];
      const to = this.tiers[i];
      const until = sourceDone - (sourceDone % to.stepSec);
      const state = this.db.prepare('SELECT done_until AS d FROM rollup_state WHERE step = ?').get(to.stepSec) as
        | { d: number }
        | undefined;
      const start = state ? state.d : until - to.stepSec;
      if (until > start) this.rollup(from.stepSec, to.stepSec, start, until);
      sourceDone = Math.max(until, start);
    }
    this.sealer.sealSome(completeUntil, this.idCount);
    if (completeUntil - this.lastRetentionRun >= 60) {
      this.lastRetentionRun = completeUntil;
      this.db.transaction(() => {
        for (const tier of this.tiers) {
          const cutoff = completeUntil - tier.retentionSec;
          for (const table of [pointsTable(tier.stepSec), timersTable(tier.stepSec)]) {
            this.db.prepare(`DELETE FROM ${table} WHERE series_id IN (SELECT id FROM series) AND ts < ?`).run(cutoff);
          }
          // A chunk goes once its last step is past the cutoff.
          const lastStart = cutoff - chunkSpan(tier.stepSec);
          for (const table of [valueChunksTable(tier.stepSec), timerChunksTable(tier.stepSec)]) {
            this.db.prepare(`DELETE FROM ${table} WHERE start < ?`).run(lastStart);
          }
        }
      })();
    }
  }

  close(): void {
    if (this.db.open) {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.db.close();
    }
  }

  private rollup(fromStep: number, toStep: number, start: number, until: number): void {
    const src = pointsTable(fromStep);
    const dst = pointsTable(toStep);
    const bucket = `(ts - ts % ${toStep})`;
    const range = `series_id IN (SELECT id FROM series WHERE kind = ?) AND ts >= ? AND ts < ?`;
    this.db.transaction(() => {
      for (const kind of [SeriesKind.Counter, SeriesKind.Gauge, SeriesKind.Set] as const) {
        const latest = kind === SeriesKind.Gauge ? ', MAX(ts)' : '';
        this.db
          .prepare(
            `INSERT INTO ${dst} (series_id, ts, value)
             SELECT series_id, b, v FROM (
               SELECT series_id, ${bucket} AS b, ${ROLLUP_VALUE[kind]} AS v${latest}
               FROM ${src} WHERE ${range} GROUP BY series_id, b)
             WHERE true ON CONFLICT (series_id, ts) DO UPDATE SET value = excluded.value`,
          )
          .run(kind, start, until);
      }
      this.db
        .prepare(
          `INSERT INTO ${timersTable(toStep)} (series_id, ts, count, n, sum, sumsq, m2, min, max, sketch)
           SELECT series_id, ${bucket} AS b, SUM(count), SUM(n), SUM(sum), SUM(sumsq), m2_merge_all(n, sum, m2),
                  MIN(min), MAX(max), sketch_merge_all(sketch)
           FROM ${timersTable(fromStep)} WHERE ${range} GROUP BY series_id, b
           ON CONFLICT (series_id, ts) DO UPDATE SET count = excluded.count, n = excluded.n, sum = excluded.sum,
             sumsq = excluded.sumsq, m2 = excluded.m2, min = excluded.min, max = excluded.max, sketch = excluded.sketch`,
        )
        .run(SeriesKind.Timer, start, until);
      this.db
        .prepare(
          'INSERT INTO rollup_state (step, done_until) VALUES (?, ?) ON CONFLICT (step) DO UPDATE SET done_until = excluded.done_until',
        )
        .run(toStep, until);
    })();
  }

  private seriesId(kind: SeriesKind, key: string, ts: number, result: WriteResult): number {
    const ids = this.idsOf(kind);
    const known = ids.get(key);
    if (known !== undefined) return known;
    const { name, tags } = splitKey(key);
    const { id } = this.insertSeries.get(name, tags, kind, ts) as { id: number };
    ids.set(key, id);
    this.idCount++;
    result.newSeries.push({ id, name, tags, kind });
    return id;
  }

  private idsOf(kind: SeriesKind): Map<string, number> {
    let ids = this.ids.get(kind);
    if (ids === undefined) {
      ids = new Map();
      this.ids.set(kind, ids);
    }
    return ids;
  }
}

interface EventRow {
  id: number;
  ts: number;
  what: string;
  data: string;
  tags: string;
}

function eventFromRow(row: EventRow): StoredEvent {
  return { id: row.id, ts: row.ts, what: row.what, data: row.data, tags: JSON.parse(row.tags) as string[] };
}
