import { randomUUID } from 'node:crypto';
import { post } from './http-post.js';
import { sql } from './sql.js';

/**
 * Reads the collector gives up on are cancelled on the server too. Each read carries its own query_id and
 * a server-side time limit (max_execution_time, the read timeout rounded up); one cut off by the client's
 * timeout is then killed by id over another connection. Not cancel_http_readonly_queries_on_client_close:
 * 18.16 refuses it as an unknown setting (every read would fail), and 19.13.5–19.17 hang requests that carry
 * it (ClickHouse issues #7019, #7939).
 */

/** What became of one KILL: the server's kill_status (`waiting`, `finished`, …), or why it was not sent. */
export interface KillOutcome {
  url: string;
  queryId: string;
  /** kill_status as the server answered it; null when the KILL itself failed. */
  status: string | null;
  error: string | null;
}

/** A KILL is one short statement: if its server does not answer it within this, it is hung too. */
const KILL_TIMEOUT_MS = 5000;

export function newReadQueryId(): string {
  return `trendline-read-${randomUUID()}`;
}

/** URL settings that make the server itself stop a read after `timeoutMs` (whole seconds, at least 1). */
export function readLimitSettings(queryId: string, timeoutMs: number): Record<string, string> {
  return {
    query_id: queryId,
    max_execution_time: String(Math.max(1, Math.ceil(timeoutMs / 1000))),
    timeout_overflow_mode: 'throw',
  };
}

/**
 * Sends `KILL QUERY … ASYNC` for `queryId` to the server at `base`; never throws. ASYNC because the caller has
 * its answer already, and a query blocked on a hung shard could hold a SYNC kill as long as itself.
 */
export async function killQuery(base: string, queryId: string): Promise<KillOutcome> {
  const statement = sql`KILL QUERY WHERE query_id = ${queryId} ASYNC FORMAT TabSeparated`;
  try {
    const answer = await post(`${base}/`, statement.text, KILL_TIMEOUT_MS);
    const text = answer.body.toString('utf8');
    if (answer.status !== 200) return { url: base, queryId, status: null, error: text.split('\n')[0].slice(0, 300) };
    // One row per query matched: kill_status first; none when the query had already ended.
    return { url: base, queryId, status: text.split('\t')[0].trim() || 'finished', error: null };
  } catch (err) {
    return { url: base, queryId, status: null, error: (err as Error).message };
  }
}
