import type { ClickHouseShard } from './clickhouse.js';

/** One number from one ClickHouse server's own tables (not through the cluster). */
export const scalar = async (server: ClickHouseShard, statement: string) =>
  Number(await server.query(`${statement} FORMAT TSV`));

/**
 * A counter's sum in one server's own finest (1 s) and 1-minute tables of `database`: the rows that shard or
 * replica holds, for the tests that check nothing was lost or counted twice there.
 */
export async function storedOn(
  server: ClickHouseShard,
  database: string,
  name: string,
): Promise<{ finest: number; minute: number }> {
  const ids = `(SELECT series_id FROM ${database}.series_local WHERE name = 'stats.counters.${name}')`;
  return {
    finest: await scalar(server, `SELECT sum(value) FROM ${database}.points_1_local WHERE series_id IN ${ids}`),
    minute: await scalar(server, `SELECT sumMerge(total) FROM ${database}.points_60_local WHERE series_id IN ${ids}`),
  };
}
