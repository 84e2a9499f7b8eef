import { QuantileSketch } from '../../aggregate/sketch.js';
import type { RetentionTier } from '../retention.js';
import { SeriesKind } from '../series-kind.js';
import type { StoredDashboard, StoredEvent } from '../sqlite-reader.js';
import type { WriteResult } from '../sqlite-writer.js';
import type { StorageWriter } from '../storage.js';
import type { Written } from '../store-writer.js';
import { type NewEvent, placeTimedPoints, plainSeries, TIMER_STATS_WIDTH, type WriteBatch } from '../write-batch.js';
import type { Catalog } from './catalog.js';
import type { ClickHouseHttp } from './http-client.js';
import { nextEventId, nextVersion } from './ids.js';
import { dropExpiredPartitions } from './retention.js';
import { type FinestPoints, Rollups } from './rollups.js';
import { RowBinaryWriter } from './row-binary.js';
import { writePointRow, writeTimerRows } from './rows.js';
import { pointsTable, type TableNames, timersTable } from './schema.js';
import { SeriesSlots } from './series-slots.js';
import { TimerColumns } from './timer-columns.js';

/**
 * Writes flushes into this collector's ClickHouse server: one RowBinary insert each of new series rows,
 * points and timer summaries, sent side by side; then the coarse buckets that ended go to the rollup
 * tiers (rollups.ts). Writes are serialised (one flush at a time, in order). A batch retried after a
 * failure skips the inserts that already succeeded, so a retry never counts twice.
 */

type Part = 'series' | 'points' | 'timers' | 'events' | 'rollup';

interface Prepared {
  result: WriteResult;
  /** Slots of the series whose rows this batch stores (points', timers'), marked stored once they are. */
  newSlots: [number[], number[]];
  series: Uint8Array | null;
  points: Uint8Array | null;
  timers: Uint8Array | null;
  /** What the batch adds to the coarse tiers, once its rows are stored. */
  finestPoints: FinestPoints;
  finestTimers: TimerColumns;
  events: StoredEvent[];
  done: Set<Part>;
  /** Inserts sent and not answered yet (the points go while the timers are encoded). */
  inflight: Map<Part, Promise<void>>;
}

export class ClickHouseWriter implements StorageWriter {
  /** Counters, gauges and sets, and timers, numbered apart: the rollups index each by its own slots. */
  private readonly pointSlots = new SeriesSlots();
  private readonly timerSlots = new SeriesSlots();
  private readonly prepared = new WeakMap<WriteBatch, Prepared>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private lastRetentionRun = 0;
  private readonly rollups: Rollups;
  private maintenance: Promise<void> = Promise.resolve();
  private maintenanceError: Error | null = null;

  constructor(
    private readonly http: ClickHouseHttp,
    private readonly db: string,
    private readonly tables: TableNames,
    private readonly tiers: readonly RetentionTier[],
    private readonly catalog: Catalog,
    private readonly refreshCatalog: () => Promise<void>,
    /** For the rollups' inserts (without Replicated tables' block deduplication). */
    rollupHttp: ClickHouseHttp = http,
  ) {
    this.rollups = new Rollups(rollupHttp, db, tables, tiers);
  }

  write(batch: WriteBatch): Promise<Written> {
    return this.serial(async () => {
      const started = performance.now();
      let p = this.prepared.get(batch);
      if (!p) {
        p = await this.prepare(batch);
        this.prepared.set(batch, p);
      }
      const finest = this.tiers[0].stepSec;
      // Independent inserts, side by side: a point whose series row is not in yet is just not listed yet.
      await Promise.all([
        this.insertOnce(p, 'series', p.series, 'series').then(() => {
          this.pointSlots.markStored(p.newSlots[0]);
          this.timerSlots.markStored(p.newSlots[1]);
        }),
        this.insertOnce(p, 'points', p.points, pointsTable(finest)),
        this.insertOnce(p, 'timers', p.timers, timersTable(finest)),
      ]);
      if (!p.done.has('events') && p.events.length > 0) {
        await this.insertEvents(p.events, 0);
        for (const e of p.events) this.catalog.putEvent(e);
      }
      p.done.add('events');
      const writtenMs = performance.now() - started;
      if (!p.done.has('rollup')) {
        this.rollups.feed(p.finestPoints, p.finestTimers);
        p.done.add('rollup');
      }
      const completeUntil = batch.ts + batch.intervalSec;
      if (this.maintenanceError !== null) {
        // The last rollup or retention failed: try again here, so a failure fails the write and shows.
        await this.maintain(completeUntil);
      } else {
        // Stored: say so, and roll up behind this write (the next write, and coarse reads, wait for it).
        this.maintenance = this.serial(() => this.maintain(completeUntil)).catch(() => undefined);
      }
      return { result: p.result, writtenMs, totalMs: performance.now() - started };
    });
  }

  /** Resolves once the rollups and retention queued behind the writes so far are done (or failed). */
  maintained(): Promise<void> {
    return this.maintenance;
  }

  /** Stores the coarse buckets that ended, then drops expired partitions (at most once a minute). */
  private async maintain(completeUntil: number): Promise<void> {
    try {
      await this.rollups.emit(completeUntil);
      if (completeUntil - this.lastRetentionRun >= 60) {
        await dropExpiredPartitions(this.http, this.db, this.tiers, completeUntil);
        this.lastRetentionRun = completeUntil;
      }
      this.maintenanceError = null;
    } catch (err) {
      this.maintenanceError = err as Error;
      throw err;
    }
  }

  addEvent(event: NewEvent): Promise<StoredEvent> {
    return this.serial(async () => {
      const stored: StoredEvent = {
        id: nextEventId(),
        ts: event.ts,
        what: event.what,
        data: event.data,
        tags: event.tags,
      };
      await this.insertEvents([stored], 0);
      this.catalog.putEvent(stored);
      return stored;
    });
  }

  deleteEvent(id: number): Promise<StoredEvent | undefined> {
    return this.serial(async () => {
      let event = this.catalog.getEvent(id);
      if (!event) {
        await this.refreshCatalog();
        event = this.catalog.getEvent(id);
      }
      if (!event) return undefined;
      await this.insertEvents([event], 1);
      this.catalog.removeEvent(id);
      return event;
    });
  }

  putDashboard(d: StoredDashboard): Promise<StoredDashboard> {
    return this.serial(async () => {
      await this.insertDashboard(d, 0);
      this.catalog.putDashboard(d);
      return d;
    });
  }

  deleteDashboard(id: string): Promise<StoredDashboard | undefined> {
    return this.serial(async () => {
      let d = this.catalog.getDashboard(id);
      if (!d) {
        await this.refreshCatalog();
        d = this.catalog.getDashboard(id);
      }
      if (!d) return undefined;
      await this.insertDashboard(d, 1);
      this.catalog.removeDashboard(id);
      return d;
    });
  }

  /** Waits for the writes queued, then stores the buckets still open (later rows for them merge in). */
  async close(): Promise<void> {
    if (!this.closed) {
      await this.serial(() => this.rollups.emit(Number.POSITIVE_INFINITY)).catch(() => undefined);
    }
    this.closed = true;
    await this.queue.catch(() => undefined);
  }

  private serial<T>(run: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private insertOnce(p: Prepared, part: Part, body: Uint8Array | null, table: string): Promise<void> {
    if (p.done.has(part)) return Promise.resolve();
    let run = p.inflight.get(part);
    if (run === undefined) {
      const sent =
        body === null ? Promise.resolve() : this.http.insertRowBinary(this.tables.local(table), body, this.db);
      run = sent.then(
        () => {
          p.done.add(part);
          p.inflight.delete(part);
        },
        (err: unknown) => {
          p.inflight.delete(part);
          throw err;
        },
      );
      // Awaited by write(); not an unhandled rejection while the rest of the batch is being encoded.
      run.catch(() => undefined);
      p.inflight.set(part, run);
    }
    return run;
  }

  private async insertEvents(events: StoredEvent[], deleted: 0 | 1): Promise<void> {
    const w = new RowBinaryWriter(1024);
    for (const e of events) {
      w.u64(e.id);
      w.u64(Math.max(0, Math.floor(e.ts))); // Int64 column; event times are positive epoch seconds
      w.string(e.what);
      w.string(e.data);
      w.string(JSON.stringify(e.tags));
      w.u8(deleted);
      w.u64(nextVersion());
    }
    await this.http.insertRowBinary(this.tables.local('events'), w.finish(), this.db);
  }

  private async insertDashboard(d: StoredDashboard, deleted: 0 | 1): Promise<void> {
    const w = new RowBinaryWriter(d.body.length + 256);
    w.string(d.id);
    w.string(d.title);
    w.string(d.body);
    w.u64(d.updated);
    w.u8(deleted);
    w.u64(nextVersion());
    await this.http.insertRowBinary(this.tables.local('dashboards'), w.finish(), this.db);
  }

  /**
   * Encodes the whole batch once (retries send the same bytes). The points are sent as soon as they are
   * encoded, so the server stores them while the timers are encoded.
   */
  private async prepare(batch: WriteBatch): Promise<Prepared> {
    const result: WriteResult = { rows: 0, newSeries: [], droppedTimed: 0, events: 0 };
    const finest = this.tiers[0];
    const step = finest.stepSec;
    const bucket = batch.ts - (batch.ts % step);
    const at = Date.now();
    const newSlots: [number[], number[]] = [[], []];
    const lists = [this.pointSlots.newList(), this.timerSlots.newList()];
    const slotOf = (slots: SeriesSlots, space: 0 | 1, kind: SeriesKind, key: string): number => {
      const slot = slots.slotOf(kind, key);
      // Not stored yet (new, or its series insert failed before): this batch writes its row.
      if (slots.list(slot, lists[space])) newSlots[space].push(slot);
      return slot;
    };
    const timed = placeTimedPoints(batch, finest);
    result.droppedTimed += timed.dropped;
    const capacity =
      batch.counters.keys.length + batch.gauges.keys.length + batch.sets.keys.length + timed.placed.length;
    const fp: FinestPoints = {
      count: 0,
      slot: new Int32Array(capacity),
      sid: new Float64Array(capacity),
      kind: new Uint8Array(capacity),
      ts: new Uint32Array(capacity),
      value: new Float64Array(capacity),
      at,
    };
    const points = new RowBinaryWriter(Math.max(1024, capacity * 29));
    const point = (kind: SeriesKind, key: string, ts: number, value: number) => {
      const slot = slotOf(this.pointSlots, 0, kind, key);
      const sid = this.pointSlots.id(slot);
      writePointRow(points, sid, ts, kind, at, value);
      const i = fp.count++;
      fp.slot[i] = slot;
      fp.sid[i] = sid;
      fp.kind[i] = kind;
      fp.ts[i] = ts;
      fp.value[i] = value;
    };
    for (const [kind, { keys, values }] of plainSeries(batch)) {
      for (let i = 0; i < keys.length; i++) point(kind, keys[i], bucket, values[i]);
    }
    for (const p of timed.placed) point(p.kind, p.key, p.ts, p.value);
    const { keys, stats, sketches } = batch.timers;
    // Filled below, once the points are sent.
    const finestTimers = new TimerColumns(keys.length);
    const prepared: Prepared = {
      result,
      newSlots,
      series: null,
      points: fp.count > 0 ? points.finish() : null,
      timers: null,
      finestPoints: fp,
      finestTimers,
      events: [],
      done: new Set(),
      inflight: new Map(),
    };
    // Sent now, awaited with the other inserts by write() (insertOnce keeps it until answered).
    void this.insertOnce(prepared, 'points', prepared.points, pointsTable(step));
    // Let the request go out before encoding on.
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < keys.length; i++) {
      const o = i * TIMER_STATS_WIDTH;
      const n = stats[o + 1];
      const slot = slotOf(this.timerSlots, 1, SeriesKind.Timer, keys[i]);
      finestTimers.add(
        slot,
        this.timerSlots.id(slot),
        bucket,
        stats[o],
        n,
        stats[o + 2],
        stats[o + 3],
        stats[o + 4],
        n > 0 ? stats[o + 5] : Number.POSITIVE_INFINITY,
        n > 0 ? stats[o + 6] : Number.NEGATIVE_INFINITY,
      );
      const sketch = sketches[i];
      if (sketch) QuantileSketch.readBins(sketch, finestTimers);
    }
    const timers = new RowBinaryWriter(finestTimers.rowBinaryBytes);
    writeTimerRows(timers, finestTimers);
    result.rows = fp.count + keys.length;
    const events = batch.events.map((e) => ({ id: nextEventId(), ts: e.ts, what: e.what, data: e.data, tags: e.tags }));
    result.events = events.length;
    const [newPoints, newTimers] = newSlots;
    if (newPoints.length + newTimers.length > 0) {
      const series = new RowBinaryWriter(this.pointSlots.rowBytes(newPoints) + this.timerSlots.rowBytes(newTimers));
      const firstSeen = Math.floor(at / 1000);
      result.newSeries = this.pointSlots.writeRows(newPoints, firstSeen, series);
      for (const row of this.timerSlots.writeRows(newTimers, firstSeen, series)) result.newSeries.push(row);
      prepared.series = series.finish();
    }
    prepared.timers = keys.length > 0 ? timers.finish() : null;
    prepared.events = events;
    return prepared;
  }
}
