import type { RetentionTier } from '../retention.js';
import type { ClickHouseHttp } from './http-client.js';
import { type PointRow, RollupBuckets } from './rollup-buckets.js';
import { RowBinaryWriter } from './row-binary.js';
import { writePointRow, writeTimerRows } from './rows.js';
import { type TableNames, tierInput } from './schema.js';
import type { TimerColumns } from './timer-columns.js';

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
  feed(points: FinestPoints, timers: TimerColumns): void {
    const first = this.buckets[0];
    if (first === undefined) return;
    first.addPoints(points);
    first.addTimers(timers);
  }

  /** Stores every bucket that ended by `until` (Infinity: everything, even buckets still open). */
  async emit(until: number): Promise<void> {
    let error: Error | null = null;
    for (let k = 0; k < this.buckets.length; k++) {
      const tier = this.buckets[k];
      const next = this.buckets[k + 1];
      const { points, timers } = tier.take(until);
      const [p, t] = await Promise.allSettled([this.insertPoints(tier, points), this.insertTimers(tier, timers)]);
      for (const r of [p, t]) if (r.status === 'rejected') error ??= r.reason as Error;
      if (next === undefined) continue;
      if (p.status === 'fulfilled') for (const r of points) next.addPoint(r.slot, r.sid, r.kind, r.ts, r.at, r.value);
      if (t.status === 'fulfilled') next.addTimers(timers);
    }
    if (error !== null) throw error;
  }

  /** Inserts rows into the tier's input; on failure puts them back and rethrows. */
  private async insertPoints(tier: RollupBuckets, rows: PointRow[]): Promise<void> {
    if (rows.length === 0) return;
    const w = new RowBinaryWriter(rows.length * 29);
    for (const r of rows) writePointRow(w, r.sid, r.ts, r.kind, r.at, r.value);
    await this.send(tier, 'points', w, () => tier.putBack({ points: rows }));
  }

  private async insertTimers(tier: RollupBuckets, rows: TimerColumns): Promise<void> {
    if (rows.count === 0) return;
    const w = new RowBinaryWriter(rows.rowBinaryBytes);
    writeTimerRows(w, rows);
    await this.send(tier, 'timers', w, () => tier.putBack({ timers: rows }));
  }

  private async send(tier: RollupBuckets, what: 'points' | 'timers', w: RowBinaryWriter, putBack: () => void) {
    try {
      await this.http.insertRowBinary(this.tables.local(tierInput(what, tier.stepSec)), w.finish(), this.db);
    } catch (err) {
      putBack();
      throw err;
    }
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
