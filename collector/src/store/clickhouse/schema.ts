import type { RetentionTier } from '../retention.js';
import { SeriesKind } from '../series-kind.js';
import type { ClickHouseHttp } from './http-client.js';
import { ident, quoteString, SqlFragment, sql } from './sql.js';

/**
 * The ClickHouse schema, kept to what 18.16 accepts (no TTL, codecs, LowCardinality or
 * SimpleAggregateFunction) so it runs there and on current servers.
 *
 * Every collector writes into `<table>_local` on the server it points at; with a cluster, `<table>` is a
 * Distributed table over every shard's `<table>_local` and all reads go through it. Several collectors may
 * write the same series and bucket, so nothing is merged on write: reads and rollups merge rows (counters
 * sum, gauges take the latest write, sets the max, timers add their summaries and sketch bins).
 *
 * - finest tier: `points_<step>` and `timers_<step>`, plain MergeTree, one row per series, bucket and write;
 * - coarser tiers: AggregatingMergeTree, filled by each collector with its own rows once a bucket ends
 *   (rollups.ts) through a Null input table (`<table>_in`) whose materialized view makes the states; the
 *   finest tier has no view, so a flush costs the server one plain insert per table;
 * - `series` (ReplacingMergeTree), `events` and `dashboards` (versioned rows, latest wins).
 * Retention drops whole partitions (partition.ts).
 */

export interface TableNames {
  /** Where this collector inserts. */
  local(table: string): SqlFragment;
  /** Where reads go: the Distributed table with a cluster, else the local one. */
  read(table: string): SqlFragment;
}

export function tableNames(cluster: string | null): TableNames {
  return {
    local: (table) => sql`${ident(`${table}_local`)}`,
    read: (table) => sql`${ident(cluster === null ? `${table}_local` : table)}`,
  };
}

export const pointsTable = (stepSec: number) => `points_${stepSec}`;
export const timersTable = (stepSec: number) => `timers_${stepSec}`;
/** A coarse tier's input: rows shaped like the finest tier's, turned into states by its view. */
export const tierInput = (what: 'points' | 'timers', stepSec: number) => `${what}_${stepSec}_in`;
/** Views of older versions that rolled up every insert into the finest tier; dropped at start. */
const OLD_ROLLUP_VIEW = /^(points|timers)_\d+_mv_local$/;

/** Partition width for a tier: a few dozen partitions per retention at most, so dropping stays precise enough. */
export function partitionSec(tier: RetentionTier): number {
  if (tier.retentionSec <= 2 * 86_400) return 3600;
  if (tier.retentionSec <= 90 * 86_400) return 86_400;
  return 30 * 86_400;
}

function partitionBy(tier: RetentionTier): SqlFragment {
  return sql`PARTITION BY intDiv(toUInt32(ts), ${partitionSec(tier)})`;
}

/**
 * A local table's engine: plain, or Replicated with its ZooKeeper path per shard and database (the
 * servers' {shard} and {replica} macros tell the replicas of one shard apart).
 */
function engine(
  name: 'MergeTree' | 'ReplacingMergeTree' | 'AggregatingMergeTree',
  table: string,
  db: string,
  replicated: boolean,
  extra = '',
): SqlFragment {
  if (!replicated) return new SqlFragment(`${name}${extra ? `(${extra})` : ''}`);
  const path = quoteString(`/clickhouse/tables/{shard}/${db}/${table}`);
  return new SqlFragment(`Replicated${name}(${path}, '{replica}'${extra ? `, ${extra}` : ''})`);
}

/** Statements that create what is missing, in order. */
export function schemaStatements(
  tiers: readonly RetentionTier[],
  cluster: string | null,
  db: string,
  replicated = false,
): SqlFragment[] {
  const out: SqlFragment[] = [];
  const eng = (name: Parameters<typeof engine>[0], table: string, extra = '') =>
    engine(name, `${table}_local`, db, replicated, extra);
  const finest = tiers[0];
  const local = (t: string) => ident(`${t}_local`);
  const fineP = local(pointsTable(finest.stepSec));
  const fineT = local(timersTable(finest.stepSec));
  out.push(
    sql`CREATE TABLE IF NOT EXISTS ${local('series')} (series_id UInt64, name String, tags String, kind UInt8,
      inserted DateTime) ENGINE = ${eng('ReplacingMergeTree', 'series', 'inserted')} ORDER BY series_id`,
    sql`CREATE TABLE IF NOT EXISTS ${local('events')} (id UInt64, ts Int64, what String, data String, tags String,
      deleted UInt8, version UInt64) ENGINE = ${eng('MergeTree', 'events')} ORDER BY id`,
    sql`CREATE TABLE IF NOT EXISTS ${local('dashboards')} (id String, title String, body String, updated Int64,
      deleted UInt8, version UInt64) ENGINE = ${eng('MergeTree', 'dashboards')} ORDER BY id`,
    // kind decides how rows of one bucket merge; `at` (write time, ms) orders gauge writes.
    sql`CREATE TABLE IF NOT EXISTS ${fineP} (series_id UInt64, ts DateTime, kind UInt8, at UInt64, value Float64)
      ENGINE = ${eng('MergeTree', pointsTable(finest.stepSec))} ${partitionBy(finest)} ORDER BY (series_id, ts)`,
    // min/max are +inf/-inf when n = 0; the sketch's zero bin has key ZERO_BIN_KEY.
    sql`CREATE TABLE IF NOT EXISTS ${fineT} (series_id UInt64, ts DateTime, scount Float64, n UInt64, vsum Float64,
      vsumsq Float64, m2 Float64, vmin Float64, vmax Float64, sk_keys Array(Int32), sk_counts Array(UInt64))
      ENGINE = ${eng('MergeTree', timersTable(finest.stepSec))} ${partitionBy(finest)} ORDER BY (series_id, ts)`,
  );
  for (const tier of tiers.slice(1)) {
    const step = tier.stepSec;
    const bucket = sql`toDateTime(intDiv(toUInt32(ts), ${step}) * ${step})`;
    const p = local(pointsTable(step));
    const t = local(timersTable(step));
    out.push(
      sql`CREATE TABLE IF NOT EXISTS ${p} (series_id UInt64, ts DateTime, kind UInt8,
        total AggregateFunction(sum, Float64), high AggregateFunction(max, Float64),
        last AggregateFunction(argMax, Float64, Tuple(DateTime, UInt64)))
        ENGINE = ${eng('AggregatingMergeTree', pointsTable(step))} ${partitionBy(tier)} ORDER BY (series_id, ts, kind)`,
      sql`CREATE TABLE IF NOT EXISTS ${local(tierInput('points', step))} AS ${fineP} ENGINE = Null`,
      // Each kind computes only the state it is read by (-If): a third less work than all three.
      sql`CREATE MATERIALIZED VIEW IF NOT EXISTS ${local(`${tierInput('points', step)}_mv`)} TO ${p} AS
        SELECT series_id, ${bucket} AS ts, kind, sumStateIf(value, kind = ${SeriesKind.Counter}) AS total,
          maxStateIf(value, kind = ${SeriesKind.Set}) AS high,
          argMaxStateIf(value, tuple(ts, at), kind = ${SeriesKind.Gauge}) AS last
        FROM ${local(tierInput('points', step))} GROUP BY series_id, ts, kind`,
      // s2n = Σ vsum²/n lets a read rebuild the merged M2 (see reader).
      sql`CREATE TABLE IF NOT EXISTS ${t} (series_id UInt64, ts DateTime,
        c_count AggregateFunction(sum, Float64), c_n AggregateFunction(sum, UInt64),
        c_sum AggregateFunction(sum, Float64), c_sumsq AggregateFunction(sum, Float64),
        c_m2 AggregateFunction(sum, Float64), c_s2n AggregateFunction(sum, Float64),
        c_min AggregateFunction(min, Float64), c_max AggregateFunction(max, Float64),
        c_sketch AggregateFunction(sumMap, Array(Int32), Array(UInt64)))
        ENGINE = ${eng('AggregatingMergeTree', timersTable(step))} ${partitionBy(tier)} ORDER BY (series_id, ts)`,
      sql`CREATE TABLE IF NOT EXISTS ${local(tierInput('timers', step))} AS ${fineT} ENGINE = Null`,
      sql`CREATE MATERIALIZED VIEW IF NOT EXISTS ${local(`${tierInput('timers', step)}_mv`)} TO ${t} AS
        SELECT series_id, ${bucket} AS ts, sumState(scount) AS c_count, sumState(n) AS c_n, sumState(vsum) AS c_sum,
          sumState(vsumsq) AS c_sumsq, sumState(m2) AS c_m2, sumState(if(n > 0, vsum * vsum / n, 0)) AS c_s2n,
          minState(vmin) AS c_min, maxState(vmax) AS c_max, sumMapState(sk_keys, sk_counts) AS c_sketch
        FROM ${local(tierInput('timers', step))} GROUP BY series_id, ts`,
    );
  }
  if (cluster !== null) {
    const tables = ['series', 'events', 'dashboards'];
    for (const tier of tiers) tables.push(pointsTable(tier.stepSec), timersTable(tier.stepSec));
    for (const table of tables) {
      // Inserts go to local tables, so the sharding key only matters to someone inserting by hand.
      out.push(
        sql`CREATE TABLE IF NOT EXISTS ${ident(table)} AS ${local(table)}
          ENGINE = Distributed(${ident(cluster)}, ${ident(db)}, ${local(table)}, rand())`,
      );
    }
  }
  return out;
}

/** Creates the database and every missing table and view on the server `http` points at. */
export async function ensureSchema(
  http: ClickHouseHttp,
  tiers: readonly RetentionTier[],
  cluster: string | null,
  db: string,
  replicated = false,
): Promise<void> {
  await http.text(sql`CREATE DATABASE IF NOT EXISTS ${ident(db)}`);
  if (cluster !== null) {
    const known = await http.text(sql`SELECT count() FROM system.clusters WHERE cluster = ${cluster} FORMAT TSV`);
    if (Number(known.trim()) === 0) throw new Error(`cluster ${cluster} is not in the server's remote_servers`);
  }
  await dropOldRollupViews(http, db);
  for (const statement of schemaStatements(tiers, cluster, db, replicated)) await http.text(statement, db);
}

/**
 * Older versions rolled up through views on the finest tier: with this version's own rollups too, every
 * point would be counted twice in the coarse tiers. All collectors of a database must be upgraded together.
 */
async function dropOldRollupViews(http: ClickHouseHttp, db: string): Promise<void> {
  const names = await http.text(
    sql`SELECT name FROM system.tables WHERE database = ${db} AND engine = 'MaterializedView' FORMAT TSV`,
  );
  for (const name of names.split('\n')) {
    if (OLD_ROLLUP_VIEW.test(name)) await http.text(sql`DROP TABLE IF EXISTS ${ident(name)}`, db);
  }
}
