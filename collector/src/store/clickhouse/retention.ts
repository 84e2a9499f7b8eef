import type { RetentionTier } from '../retention.js';
import type { ClickHouseHttp } from './http-client.js';
import { partitionSec, pointsTable, timersTable } from './schema.js';
import { ident, sql } from './sql.js';

/**
 * Retention without TTL (18.16 has none): a tier's partition goes once all of it is older than the tier
 * keeps. Each collector drops partitions on the server it writes to; reads never look past a tier's
 * retention, so what waits for its partition to end is not seen.
 */
export async function dropExpiredPartitions(
  http: ClickHouseHttp,
  db: string,
  tiers: readonly RetentionTier[],
  now: number,
): Promise<number> {
  let dropped = 0;
  for (const tier of tiers) {
    const width = partitionSec(tier);
    const cutoff = now - tier.retentionSec;
    for (const table of [pointsTable(tier.stepSec), timersTable(tier.stepSec)]) {
      const local = `${table}_local`;
      const text = await http.text(
        sql`SELECT DISTINCT partition FROM system.parts WHERE database = ${db} AND table = ${local} AND active FORMAT TSV`,
      );
      for (const line of text.split('\n')) {
        if (!/^\d+$/.test(line)) continue;
        const partition = Number(line);
        if ((partition + 1) * width > cutoff) continue;
        await http.text(sql`ALTER TABLE ${ident(local)} DROP PARTITION ${partition}`, db);
        dropped++;
      }
    }
  }
  return dropped;
}
