import { QuantileSketch } from '../../aggregate/sketch.js';
import type { RetentionTier } from '../retention.js';
import { SeriesKind, type SeriesRow, splitKey } from '../series-kind.js';
import type { StoredDashboard, StoredEvent } from '../sqlite-reader.js';
import type { WriteResult } from '../sqlite-writer.js';
import type { StorageWriter } from '../storage.js';
import type { Written } from '../store-writer.js';
import { type NewEvent, placeTimedPoints, plainSeries, TIMER_STATS_WIDTH, type WriteBatch } from '../write-batch.js';
import type { Catalog } from './catalog.js';
import type { ClickHouseHttp } from './http-client.js';
import { nextEventId, nextVersion } from './ids.js';
import { dropExpiredPartitions } from './retention.js';
import { RowBinaryWriter } from './row-binary.js';
import { pointsTable, type TableNames, timersTable } from './schema.js';
import { seriesIdOf } from './series-id.js';

/**
 * Writes flushes into this collector's ClickHouse server: new series rows, then one RowBinary insert of
 * points and one of timer summaries. Writes are serialised (one flush at a time, in order). A batch
 * retried after a failure skips the inserts that already succeeded, so a retry never counts twice.
 */

type Part = 'series' | 'points' | 'timers' | 'events';

interface Prepared {
  result: WriteResult;
  /** Ids of the series first seen in this batch, remembered once their rows are stored. */
  newIds: Array<[SeriesKind, string, number]>;
  series: Uint8Array | null;
  points: Uint8Array | null;
  timers: Uint8Array | null;
  events: StoredEvent[];
  done: Set<Part>;
}

export class ClickHouseWriter implements StorageWriter {
  /** Series ids this collector has stored a series row for, per kind, by key (no concatenated cache key). */
  private readonly ids = new Map<SeriesKind, Map<string, number>>([
    [SeriesKind.Counter, new Map()],
    [SeriesKind.Gauge, new Map()],
    [SeriesKind.Set, new Map()],
    [SeriesKind.Timer, new Map()],
  ]);
  private readonly prepared = new WeakMap<WriteBatch, Prepared>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private lastRetentionRun = 0;

  constructor(
    private readonly http: ClickHouseHttp,
    private readonly db: string,
    private readonly tables: TableNames,
    private readonly tiers: readonly RetentionTier[],
    private readonly catalog: Catalog,
    private readonly refreshCatalog: () => Promise<void>,
  ) {}

  write(batch: WriteBatch): Promise<Written> {
    return this.serial(async () => {
      const started = performance.now();
      let p = this.prepared.get(batch);
      if (!p) {
        p = this.prepare(batch);
        this.prepared.set(batch, p);
      }
      const finest = this.tiers[0].stepSec;
      await this.insertOnce(p, 'series', p.series, 'series');
      for (const [kind, key, sid] of p.newIds) this.ids.get(kind)?.set(key, sid);
      // Two independent inserts: the server takes them in parallel.
      await Promise.all([
        this.insertOnce(p, 'points', p.points, pointsTable(finest)),
        this.insertOnce(p, 'timers', p.timers, timersTable(finest)),
      ]);
      if (!p.done.has('events') && p.events.length > 0) {
        await this.insertEvents(p.events, 0);
        for (const e of p.events) this.catalog.putEvent(e);
      }
      p.done.add('events');
      const writtenMs = performance.now() - started;
      const completeUntil = batch.ts + batch.intervalSec;
      if (completeUntil - this.lastRetentionRun >= 60) {
        this.lastRetentionRun = completeUntil;
        await dropExpiredPartitions(this.http, this.db, this.tiers, completeUntil);
      }
      return { result: p.result, writtenMs, totalMs: performance.now() - started };
    });
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

  async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => undefined);
  }

  private serial<T>(run: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async insertOnce(p: Prepared, part: Part, body: Uint8Array | null, table: string): Promise<void> {
    if (p.done.has(part)) return;
    if (body !== null) await this.http.insertRowBinary(this.tables.local(table), body, this.db);
    p.done.add(part);
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

  /** Encodes the whole batch once; retries send the same bytes. */
  private prepare(batch: WriteBatch): Prepared {
    const result: WriteResult = { rows: 0, newSeries: [], droppedTimed: 0, events: 0 };
    const finest = this.tiers[0];
    const step = finest.stepSec;
    const bucket = batch.ts - (batch.ts % step);
    const at = Date.now();
    const series = new RowBinaryWriter(1024);
    const points = new RowBinaryWriter(1 << 16);
    let pointRows = 0;
    const newIds: Array<[SeriesKind, string, number]> = [];
    const fresh = new Map<SeriesKind, Map<string, number>>();
    const id = (kind: SeriesKind, key: string): number => {
      const known = this.ids.get(kind)?.get(key) ?? fresh.get(kind)?.get(key);
      if (known !== undefined) return known;
      const { name, tags } = splitKey(key);
      const sid = seriesIdOf(kind, name, tags);
      const seen = fresh.get(kind) ?? new Map<string, number>();
      fresh.set(kind, seen);
      seen.set(key, sid);
      newIds.push([kind, key, sid]);
      const row: SeriesRow = { id: sid, name, tags, kind };
      result.newSeries.push(row);
      series.u64(sid);
      series.string(name);
      series.string(tags);
      series.u8(kind);
      series.u32(Math.floor(at / 1000));
      return sid;
    };
    const point = (sid: number, ts: number, kind: SeriesKind, value: number) => {
      points.u64(sid);
      points.u32(ts);
      points.u8(kind);
      points.u64(at);
      points.f64(value);
      pointRows++;
    };
    for (const [kind, { keys, values }] of plainSeries(batch)) {
      for (let i = 0; i < keys.length; i++) point(id(kind, keys[i]), bucket, kind, values[i]);
    }
    const timed = placeTimedPoints(batch, finest);
    result.droppedTimed += timed.dropped;
    for (const p of timed.placed) point(id(p.kind, p.key), p.ts, p.kind, p.value);
    const timers = new RowBinaryWriter(1 << 16);
    const { keys, stats, sketches } = batch.timers;
    for (let i = 0; i < keys.length; i++) {
      const o = i * TIMER_STATS_WIDTH;
      const n = stats[o + 1];
      const sketch = sketches[i];
      const bins = sketch ? QuantileSketch.binsOfEncoded(sketch) : { keys: [], counts: [] };
      timers.u64(id(SeriesKind.Timer, keys[i]));
      timers.u32(bucket);
      timers.f64(stats[o]);
      timers.u64(n);
      timers.f64(stats[o + 2]);
      timers.f64(stats[o + 3]);
      timers.f64(stats[o + 4]);
      timers.f64(n > 0 ? stats[o + 5] : Number.POSITIVE_INFINITY);
      timers.f64(n > 0 ? stats[o + 6] : Number.NEGATIVE_INFINITY);
      timers.arrayI32(bins.keys);
      timers.arrayU64(bins.counts);
    }
    result.rows = pointRows + keys.length;
    const events = batch.events.map((e) => ({ id: nextEventId(), ts: e.ts, what: e.what, data: e.data, tags: e.tags }));
    result.events = events.length;
    return {
      result,
      newIds,
      series: result.newSeries.length > 0 ? series.finish() : null,
      points: pointRows > 0 ? points.finish() : null,
      timers: keys.length > 0 ? timers.finish() : null,
      events,
      done: new Set(),
    };
  }
}
