import { QuantileSketch } from '../../aggregate/sketch.js';
import type { RetentionTier } from '../retention.js';
import type { SeriesKind, SeriesRow } from '../series-kind.js';
import type { StoredDashboard, StoredEvent, SummaryRow } from '../sqlite-reader.js';
import type { BulkLoader, PointArrays } from '../storage.js';
import type { ClickHouseHttp } from './http-client.js';
import { RowBinaryReader } from './row-binary.js';
import { pointsTable, type TableNames, timersTable } from './schema.js';
import { type SqlFragment, sql } from './sql.js';

/**
 * Reads from ClickHouse, merging what several collectors wrote into one bucket: counters sum, gauges
 * take the latest write, sets the max, timers add counts and sums, combine M2 and add sketch bins
 * (sumMap). Points come back as one row per series with groupArray'd columns in RowBinary, which Node
 * turns into typed arrays without parsing text (the fast path measured in research/scaleout.md).
 */

const MAX_DATETIME = 4_294_967_295;

export class ClickHouseReader implements BulkLoader {
  constructor(
    private readonly http: ClickHouseHttp,
    private readonly db: string,
    private readonly tables: TableNames,
    private readonly tiers: readonly RetentionTier[],
  ) {}

  async loadValues(stepSec: number, ids: readonly number[], from: number, until: number) {
    const out = new Map<number, PointArrays>();
    const range = timeRange(from, until);
    if (ids.length === 0 || range === null) return out;
    const table = this.tables.read(pointsTable(stepSec));
    const where = sql`series_id IN ${ids} AND ts >= toDateTime(${range[0]}) AND ts <= toDateTime(${range[1]})`;
    const inner = this.isFinest(stepSec)
      ? // One row per write; most buckets have one, which needs no merging.
        sql`SELECT series_id, toUInt32(ts) AS t, if(count() = 1, any(value),
            multiIf(any(kind) = 1, sum(value), any(kind) = 2, argMax(value, at), max(value))) AS v
          FROM ${table} WHERE ${where} GROUP BY series_id, ts`
      : sql`SELECT series_id, toUInt32(ts) AS t,
            multiIf(kind = 1, sumMerge(total), kind = 2, argMaxMerge(last), maxMerge(high)) AS v
          FROM ${table} WHERE ${where} GROUP BY series_id, ts, kind`;
    const body = await this.http.binary(
      sql`SELECT series_id, groupArray(t), groupArray(v) FROM (${inner}) GROUP BY series_id FORMAT RowBinary`,
      this.db,
    );
    const r = new RowBinaryReader(body);
    while (!r.atEnd) {
      const id = r.u64();
      const ts = r.arrayU32();
      const values = r.arrayF64();
      out.set(id, { ts, values });
    }
    return out;
  }

  async loadSummaries(stepSec: number, ids: readonly number[], from: number, until: number) {
    const out = new Map<number, SummaryRow[]>();
    const range = timeRange(from, until);
    if (ids.length === 0 || range === null) return out;
    const table = this.tables.read(timersTable(stepSec));
    const where = sql`series_id IN ${ids} AND ts >= toDateTime(${range[0]}) AND ts <= toDateTime(${range[1]})`;
    // M2 of merged rows: Σ m2ᵢ + Σ sumᵢ²/nᵢ − (Σ sum)²/Σ n (Chan et al.); a lone row keeps its exact M2.
    const query: SqlFragment = this.isFinest(stepSec)
      ? sql`SELECT series_id, toUInt32(ts), sum(scount), sum(n), sum(vsum), sum(vsumsq),
            if(count() = 1, any(m2), sum(m2) + sum(if(n > 0, vsum * vsum / n, 0))
              - if(sum(n) > 0, sum(vsum) * sum(vsum) / sum(n), 0)),
            min(vmin), max(vmax), sumMap(sk_keys, sk_counts)
          FROM ${table} WHERE ${where} GROUP BY series_id, ts ORDER BY series_id, ts FORMAT RowBinary`
      : sql`SELECT series_id, toUInt32(ts), sumMerge(c_count), sumMerge(c_n), sumMerge(c_sum), sumMerge(c_sumsq),
            sumMerge(c_m2) + sumMerge(c_s2n) - if(sumMerge(c_n) > 0, sumMerge(c_sum) * sumMerge(c_sum) / sumMerge(c_n), 0),
            minMerge(c_min), maxMerge(c_max), sumMapMerge(c_sketch)
          FROM ${table} WHERE ${where} GROUP BY series_id, ts ORDER BY series_id, ts FORMAT RowBinary`;
    const r = new RowBinaryReader(await this.http.binary(query, this.db));
    while (!r.atEnd) {
      const id = r.u64();
      const ts = r.u32();
      const count = r.f64();
      const n = r.u64();
      const sum = r.f64();
      const sumsq = r.f64();
      const m2 = Math.max(0, r.f64());
      const min = r.f64();
      const max = r.f64();
      const keys = r.arrayI32();
      const counts = r.arrayU64();
      const sketch = n > 0 ? QuantileSketch.fromBins(keys, counts).encode() : null;
      const row: SummaryRow = [
        ts,
        count,
        n,
        sum,
        sumsq,
        m2,
        Number.isFinite(min) ? min : null,
        Number.isFinite(max) ? max : null,
        sketch,
      ];
      let rows = out.get(id);
      if (!rows) {
        rows = [];
        out.set(id, rows);
      }
      rows.push(row);
    }
    return out;
  }

  /** Series rows inserted at or after `since` (epoch s), by any collector; every series for 0. */
  async seriesSince(since: number): Promise<SeriesRow[]> {
    const where = since > 0 ? sql`WHERE inserted >= toDateTime(${Math.floor(since)})` : sql``;
    const body = await this.http.binary(
      sql`SELECT series_id, any(name), any(tags), any(kind) FROM ${this.tables.read('series')} ${where}
        GROUP BY series_id FORMAT RowBinary`,
      this.db,
    );
    const r = new RowBinaryReader(body);
    const rows: SeriesRow[] = [];
    while (!r.atEnd) {
      const id = r.u64();
      const name = r.string();
      const tags = r.string();
      const kind = r.u8() as SeriesKind;
      rows.push({ id, name, tags, kind });
    }
    return rows.sort((a, b) => a.id - b.id);
  }

  /** Every event not deleted, at its latest version. */
  async events(): Promise<StoredEvent[]> {
    const body = await this.http.binary(
      sql`SELECT id, argMax(ts, version), argMax(what, version), argMax(data, version), argMax(tags, version)
        FROM ${this.tables.read('events')} GROUP BY id HAVING argMax(deleted, version) = 0 FORMAT RowBinary`,
      this.db,
    );
    const r = new RowBinaryReader(body);
    const out: StoredEvent[] = [];
    while (!r.atEnd) {
      const id = r.u64();
      const ts = r.u64();
      const what = r.string();
      const data = r.string();
      const tags = JSON.parse(r.string()) as string[];
      out.push({ id, ts, what, data, tags });
    }
    return out;
  }

  /** Every dashboard not deleted, at its latest version. */
  async dashboards(): Promise<StoredDashboard[]> {
    const body = await this.http.binary(
      sql`SELECT id, argMax(title, version), argMax(body, version), argMax(updated, version)
        FROM ${this.tables.read('dashboards')} GROUP BY id HAVING argMax(deleted, version) = 0 FORMAT RowBinary`,
      this.db,
    );
    const r = new RowBinaryReader(body);
    const out: StoredDashboard[] = [];
    while (!r.atEnd) {
      const id = r.string();
      const title = r.string();
      const text = r.string();
      const updated = r.u64();
      out.push({ id, title, body: text, updated });
    }
    return out;
  }

  private isFinest(stepSec: number): boolean {
    return stepSec === this.tiers[0].stepSec;
  }
}

/** The range clamped to what a DateTime holds, or null when nothing of it does. */
function timeRange(from: number, until: number): [number, number] | null {
  const lo = Math.max(0, Math.ceil(from));
  const hi = Math.min(MAX_DATETIME, Math.floor(until));
  return lo <= hi ? [lo, hi] : null;
}
