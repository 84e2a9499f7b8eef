import type { DashboardReader } from '../http/routes/dashboards.js';
import type { SeriesSource } from '../query/fetch-series.js';
import type { EventSource } from '../query/query-engine.js';
import type { SeriesRow } from './series-kind.js';
import type { StoredDashboard, StoredEvent, SummaryRow } from './sqlite-reader.js';
import type { Written } from './store-writer.js';
import type { NewEvent, WriteBatch } from './write-batch.js';

/**
 * The storage contract every backend keeps (SQLite embedded, ClickHouse shared): what the collector
 * writes, and how the query side reads. Reads come in two shapes because the evaluator is synchronous:
 * a backend that can answer at once (SQLite) offers `source`; one that must go over the network
 * (ClickHouse) offers `bulk`, and the engine evaluates twice around one bulk load (query/prefetch.ts).
 */

export interface StorageWriter {
  /** Stores one flush; resolves once it is durable in the backend, rejects when nothing of it was. */
  write(batch: WriteBatch): Promise<Written>;
  addEvent(event: NewEvent): Promise<StoredEvent>;
  deleteEvent(id: number): Promise<StoredEvent | undefined>;
  putDashboard(dashboard: StoredDashboard): Promise<StoredDashboard>;
  deleteDashboard(id: string): Promise<StoredDashboard | undefined>;
  /** Waits for the writes already sent, then releases the backend. */
  close(): Promise<void>;
}

/** Bulk reads for backends that can't answer synchronously: one call per tier and kind of series. */
export interface BulkLoader {
  /** Points of plain series (counters, gauges, sets) with from <= ts <= until, merged across writers. */
  loadValues(stepSec: number, ids: readonly number[], from: number, until: number): Promise<Map<number, PointArrays>>;
  /** Timer intervals with from <= ts <= until, merged across writers, in time order. */
  loadSummaries(
    stepSec: number,
    ids: readonly number[],
    from: number,
    until: number,
  ): Promise<Map<number, SummaryRow[]>>;
}

/** One series' points, in no particular order; ts are step-aligned. */
export interface PointArrays {
  ts: ArrayLike<number>;
  values: ArrayLike<number>;
}

export interface Storage {
  readonly backend: 'sqlite' | 'clickhouse';
  readonly writer: StorageWriter;
  /** Synchronous point reads, when the backend has them. */
  readonly source: SeriesSource | null;
  /** Bulk asynchronous point reads, when `source` is null. */
  readonly bulk: BulkLoader | null;
  readonly events: EventSource;
  readonly dashboards: DashboardReader;
  /** Every series stored (by any collector). */
  listSeries(): Promise<SeriesRow[]>;
  /**
   * Re-reads what other writers may have added since the last call (series, events, dashboards) and
   * returns the series rows seen since then (possibly some already known). Null when only this process writes.
   */
  refresh: (() => Promise<SeriesRow[]>) | null;
  /** Closes the writer first (its queued writes finish), then the read side. */
  close(): Promise<void>;
}
