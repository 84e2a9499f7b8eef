import type { RetentionTier } from '../retention.js';
import type { ClickHouseHttp } from './http-client.js';
import { type PointRow, RollupBuckets, type TimerRow } from './rollup-buckets.js';
import { RowBinaryWriter } from './row-binary.js';
import { writePointRow, writeTimerRow } from './rows.js';
import { type TableNames, tierInput } from './schema.js';

/**
 * The coarse tiers, filled by this collector from what it wrote (no materialized view on the finest tier,
 * so a flush only writes the finest tables). Once a coarse bucket has ended by the flush clock, its merged
 * rows go to the tier's input (`points_<step>_in`, a Null table), whose view turns them into aggregate
 * states in the tier's AggregatingMergeTree, where other collectors' rows for that bucket merge. Each tier
 * is fed by the one below it as that one's rows are stored, so a flush touches only the first coarse tier.
 * A failed insert keeps its rows for the next try; late rows (a retried flush) make a second row for their
 * bucket, which merges like any other collector's.
 */
export class Rollups {
  private readonly buckets: RollupBuckets[];

  constructor(
    private readonly http: ClickHouseHttp,
    private readonly db: string,
    private readonly tables: TableNames,
    tiers: readonly RetentionTier[],
  ) {
    this.buckets = tiers.slice(1).map((t) => new RollupBuckets(t.stepSec));
  }

  /** Adds a flush's stored finest-tier rows. */
  feed(points: FinestPoints, timers: readonly TimerRow[]): void {
    const first = this.buckets[0];
    if (first === undefined) return;
    first.addPoints(points);
    for (const t of timers) first.addTimer(t);
  }

  /** Stores every bucket that ended by `until` (Infinity: everything, even buckets still open). */
  async emit(until: number): Promise<void> {
    let error: Error | null = null;
    for (let k = 0; k < this.buckets.length; k++) {
      const tier = this.buckets[k];
      const next = this.buckets[k + 1];
      const { points, timers } = tier.take(until);
      const [p, t] = await Promise.allSettled([
        this.insert(tier, 'points', points, (w, r) => writePointRow(w, r.sid, r.ts, r.kind, r.at, r.value)),
        this.insert(tier, 'timers', timers, writeTimerRow),
      ]);
      for (const r of [p, t]) if (r.status === 'rejected') error ??= r.reason as Error;
      const storedPoints = p.status === 'fulfilled' ? p.value : [];
      const storedTimers = t.status === 'fulfilled' ? t.value : [];
      if (next === undefined) continue;
      for (const p of storedPoints) next.addPoint(p.slot, p.sid, p.kind, p.ts, p.at, p.value);
      for (const t of storedTimers) next.addTimer(t);
    }
    if (error !== null) throw error;
  }

  /** Inserts rows into the tier's input; on failure puts them back and rethrows. */
  private async insert<T extends PointRow | TimerRow>(
    tier: RollupBuckets,
    what: 'points' | 'timers',
    rows: T[],
    write: (w: RowBinaryWriter, row: T) => void,
  ): Promise<T[]> {
    if (rows.length === 0) return rows;
    const w = new RowBinaryWriter(rows.length * (what === 'points' ? 29 : 96));
    for (const row of rows) write(w, row);
    try {
      await this.http.insertRowBinary(this.tables.local(tierInput(what, tier.stepSec)), w.finish(), this.db);
    } catch (err) {
      if (what === 'points') tier.putBack({ points: rows as PointRow[], timers: [] });
      else tier.putBack({ points: [], timers: rows as TimerRow[] });
      throw err;
    }
    return rows;
  }
}

/** The finest tier's points of one flush, column by column (`count` of each used). */
export interface FinestPoints {
  count: number;
  slot: Int32Array;
  sid: Float64Array;
  kind: Uint8Array;
  ts: Uint32Array;
  value: Float64Array;
  /** The flush's write time, ms. */
  at: number;
}
