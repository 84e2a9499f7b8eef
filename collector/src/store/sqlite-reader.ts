import type Database from 'better-sqlite3';
import { EncodedSketch } from '../aggregate/sketch.js';
import {
  computeTimerStat,
  type SummaryView,
  statNeedsMoments,
  statNeedsSketch,
  type TimerStat,
} from '../aggregate/timer-stats.js';
import {
  chunkSpan,
  decodeSummaries,
  decodeTimerStatInto,
  decodeValuesInto,
  sketchHeadAnswers,
  timerChunk,
} from './chunk-codec.js';
import { pointsTable, timerChunksTable, timersTable, valueChunksTable } from './schema.js';
import type { SeriesRow } from './series-kind.js';
import { type Db, openForRead } from './sqlite-open.js';
import type { NewEvent } from './write-batch.js';

const EMPTY_SKETCH = new Uint8Array(0);

/** A stored timer interval's numbers: count, n, sum, sumsq, m2, min, max. */
type StoredScalars = [
  count: number,
  n: number,
  sum: number,
  sumsq: number,
  m2: number,
  min: number | null,
  max: number | null,
];

/** A timer chunk row as selected: start, data, sketches, moments (each blob NULL when not asked for). */
type StoredTimerChunk = [start: number, data: Uint8Array, sketches: Uint8Array | null, moments: Uint8Array | null];

/** A hot timer row as readTimerStatInto reads it: the count and moments only when the stat needs them. */
type HotRow = [
  ts: number,
  n: number,
  min: number | null,
  max: number | null,
  sketchLength: number | null,
  count?: number,
  sum?: number,
  sumsq?: number,
  m2?: number,
];

/** One stored timer interval, as read back: count, n, sum, sumsq, m2, min, max, sketch. */
export type SummaryRow = [ts: number, ...StoredScalars, sketch: Uint8Array | null];

export interface StoredEvent extends NewEvent {
  id: number;
}

/** A saved dashboard: its JSON body (title, panels, range) as stored, with its id and last change (epoch s). */
export interface StoredDashboard {
  id: string;
  title: string;
  body: string;
  updated: number;
}

/** The read side of the SQLite store, on the main thread; WAL lets it read while the writer thread commits. */
export class SqliteReader {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly valueReadsByStep = new Map<number, { chunks: Database.Statement; hot: Database.Statement }>();

  static open(path: string): SqliteReader {
    return new SqliteReader(openForRead(path));
  }

  private constructor(private readonly db: Db) {}

  listSeries(): SeriesRow[] {
    return this.db.prepare('SELECT id, name, tags, kind FROM series ORDER BY id').all() as SeriesRow[];
  }

  /**
   * Fills `out` with the points of [start, start + out.length * step): sealed chunks first, then the hot
   * rows not yet sealed. The caller pre-fills `out` with NaN.
   */
  readInto(seriesId: number, stepSec: number, start: number, out: Float64Array): void {
    // One read transaction: a seal committing between the two reads would otherwise hide its points.
    this.snapshot(() => this.readIntoUnlocked(seriesId, stepSec, start, out));
  }

  private readIntoUnlocked(seriesId: number, stepSec: number, start: number, out: Float64Array): void {
    const end = start + out.length * stepSec;
    const { chunks, hot } = this.valueReads(stepSec);
    // all() rather than iterate(): a dashboard reads thousands of series of a few rows each, and an
    // iterator's set-up and per-row calls cost as much as the rows.
    const sealed = chunks.raw(true).all(seriesId, start - chunkSpan(stepSec), end) as Array<[number, Uint8Array]>;
    for (const [chunk, data] of sealed) decodeValuesInto(data, out, (chunk - start) / stepSec);
    for (const [ts, v] of hot.raw(true).all(seriesId, start, end) as Array<[number, number]>) {
      out[(ts - start) / stepSec] = v;
    }
  }

  /** [ts, value] points with from <= ts <= until, in time order. */
  readValues(seriesId: number, stepSec: number, from: number, until: number): Array<[number, number]> {
    const first = from - (((from % stepSec) + stepSec) % stepSec);
    const values = new Float64Array(Math.max(0, Math.floor((until - first) / stepSec) + 1)).fill(Number.NaN);
    this.readInto(seriesId, stepSec, first, values);
    const out: Array<[number, number]> = [];
    values.forEach((v, i) => {
      const ts = first + i * stepSec;
      if (!Number.isNaN(v) && ts >= from) out.push([ts, v]);
    });
    return out;
  }

  /**
   * Fills `out` with one timer stat per interval of [start, start + out.length * step), computed straight
   * from the stored bytes (chunk-codec's decodeTimerStatInto). The caller pre-fills `out` with NaN.
   */
  readTimerStatInto(seriesId: number, stepSec: number, start: number, out: Float64Array, stat: TimerStat): void {
    this.snapshot(() => {
      const end = start + out.length * stepSec;
      // Sketch tails (most of a chunk's bytes) are read only for the stats that need more than the heads,
      // and the moments only for the mean-like ones.
      const tails = statNeedsSketch(stat) && !sketchHeadAnswers(stat) ? 'sketches' : 'NULL';
      const moments = statNeedsMoments(stat) ? 'moments' : 'NULL';
      const chunks = this.statement(
        `SELECT start, data, ${tails}, ${moments} FROM ${timerChunksTable(stepSec)}
         WHERE series_id = ? AND start > ? AND start < ? ORDER BY start`,
      );
      for (const [chunk, ...blobs] of chunks
        .raw(true)
        .all(seriesId, start - chunkSpan(stepSec), end) as Array<StoredTimerChunk>) {
        decodeTimerStatInto(timerChunk(blobs), stat, stepSec, out, (chunk - start) / stepSec);
      }
      // Hot rows come after the chunks: a late point not sealed yet overrides its chunk's, as in readSummaries.
      this.hotTimerStatInto(seriesId, stepSec, start, end, out, stat);
    });
  }

  /**
   * The hot rows' part of readTimerStatInto. better-sqlite3 makes a Buffer for every blob it returns, which
   * cost three times the rest of the row: the sketches of the range come back as one blob instead, joined
   * by SQLite (group_concat keeps a blob's bytes), and each row gives its sketch's length.
   */
  private hotTimerStatInto(
    seriesId: number,
    stepSec: number,
    start: number,
    end: number,
    out: Float64Array,
    stat: TimerStat,
  ): void {
    const table = timersTable(stepSec);
    // Every column costs per row, and ranks (median, upper_P, lower_topP) need only n, min and max beside
    // the sketch.
    const all = !statNeedsSketch(stat) || statNeedsMoments(stat);
    const rows = this.statement(
      `SELECT ts, n, min, max, length(sketch)${all ? ', count, sum, sumsq, m2' : ''} FROM ${table}
       WHERE series_id = ? AND ts >= ? AND ts < ? ORDER BY ts`,
    )
      .raw(true)
      .all(seriesId, start, end) as Array<HotRow>;
    if (rows.length === 0) return;
    const sketches = statNeedsSketch(stat)
      ? (this.statement(
          // No ORDER BY in the aggregate (it sorts, tripling the cost): the table's one B-tree is keyed by
          // (series_id, ts), so the range scan feeds group_concat in ts order, as the rows above come.
          `SELECT CAST(group_concat(sketch, '') AS BLOB) FROM ${table}
           WHERE series_id = ? AND ts >= ? AND ts < ?`,
        )
          .pluck(true)
          .get(seriesId, start, end) as Uint8Array | null)
      : null;
    const sketch = new EncodedSketch();
    const view: SummaryView = {
      count: Number.NaN,
      n: 0,
      sum: Number.NaN,
      sumSquares: Number.NaN,
      m2: Number.NaN,
      min: 0,
      max: 0,
      sketch,
    };
    let at = 0;
    for (const row of rows) {
      const [ts, n, min, max, length] = row;
      view.n = n;
      view.min = min ?? Number.NaN;
      view.max = max ?? Number.NaN;
      if (all) {
        view.count = row[5] as number;
        view.sum = row[6] as number;
        view.sumSquares = row[7] as number;
        view.m2 = row[8] as number;
      }
      const len = length ?? 0;
      if (sketches !== null && at + len <= sketches.byteLength) sketch.reset(sketches, at, at + len, n);
      else sketch.reset(EMPTY_SKETCH, 0, 0, 0);
      at += len;
      out[(ts - start) / stepSec] = computeTimerStat(stat, view, stepSec);
    }
  }

  /** Timer intervals with from <= ts <= until, in time order, from sealed chunks and hot rows. */
  readSummaries(seriesId: number, stepSec: number, from: number, until: number): SummaryRow[] {
    return this.snapshot(() => this.readSummariesUnlocked(seriesId, stepSec, from, until));
  }

  private readSummariesUnlocked(seriesId: number, stepSec: number, from: number, until: number): SummaryRow[] {
    const out: SummaryRow[] = [];
    const chunks = this.statement(
      `SELECT start, data, sketches, moments FROM ${timerChunksTable(stepSec)}
       WHERE series_id = ? AND start > ? AND start <= ? ORDER BY start`,
    );
    for (const [chunk, ...blobs] of chunks
      .raw(true)
      .iterate(seriesId, from - chunkSpan(stepSec), until) as Iterable<StoredTimerChunk>) {
      for (const row of decodeSummaries(timerChunk(blobs), chunk, stepSec)) {
        if (row[0] >= from && row[0] <= until) out.push(row);
      }
    }
    const hot = this.statement(
      `SELECT ts, count, n, sum, sumsq, m2, min, max, sketch FROM ${timersTable(stepSec)}
       WHERE series_id = ? AND ts >= ? AND ts <= ? ORDER BY ts`,
    );
    const hotRows = hot.raw(true).all(seriesId, from, until) as SummaryRow[];
    // Sealed chunks hold older points than the hot rows, except for a late point not sealed yet.
    if (out.length === 0 || hotRows.length === 0 || hotRows[0][0] > out[out.length - 1][0]) return out.concat(hotRows);
    const byTs = new Map(out.map((row) => [row[0], row] as const));
    for (const row of hotRows) byTs.set(row[0], row);
    return [...byTs.values()].sort((a, b) => a[0] - b[0]);
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

  listDashboards(): StoredDashboard[] {
    return this.statement(
      'SELECT id, title, body, updated FROM dashboards ORDER BY title, id',
    ).all() as StoredDashboard[];
  }

  getDashboard(id: string): StoredDashboard | undefined {
    return this.statement('SELECT id, title, body, updated FROM dashboards WHERE id = ?').get(id) as
      | StoredDashboard
      | undefined;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs reads in one WAL snapshot (nested calls join the open one). */
  snapshot<T>(read: () => T): T {
    return this.db.inTransaction ? read() : this.db.transaction(read)();
  }

  /**
   * readInto's two statements for a tier, kept by step: it runs per series, thousands of times a render, and
   * building its SQL to look the statements up by text cost more than the lookup.
   */
  private valueReads(stepSec: number): { chunks: Database.Statement; hot: Database.Statement } {
    let reads = this.valueReadsByStep.get(stepSec);
    if (!reads) {
      reads = {
        chunks: this.db.prepare(
          `SELECT start, data FROM ${valueChunksTable(stepSec)} WHERE series_id = ? AND start > ? AND start < ? ORDER BY start`,
        ),
        hot: this.db.prepare(
          `SELECT ts, value FROM ${pointsTable(stepSec)} WHERE series_id = ? AND ts >= ? AND ts < ?`,
        ),
      };
      this.valueReadsByStep.set(stepSec, reads);
    }
    return reads;
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
