import { type Answer, type PostError, post } from './http-post.js';
import { type KillOutcome, killQuery, newReadQueryId, readLimitSettings } from './kill-query.js';
import { type SqlFragment, sql } from './sql.js';

/**
 * ClickHouse over HTTP (http-post.ts): queries as POST bodies, inserts as RowBinary (the fastest path
 * on 18.16 and current servers alike). Errors carry ClickHouse's own first line.
 */

/** ClickHouse unreachable or failing; the HTTP API answers it with a 503 and this one line. */
export class ClickHouseError extends Error {
  readonly statusCode = 503;
}

/** The server took longer than the request's timeout (it may still be working on it). */
export class ClickHouseTimeout extends ClickHouseError {}

/** Several pooled connections may have gone stale at once (after a long pause of the event loop). */
const STALE_RETRIES = 3;

export interface ClickHouseOptions {
  url: string;
  /** Settings sent with every request (URL parameters). */
  settings?: Record<string, string>;
  timeoutMs?: number;
  /**
   * For RowBinary inserts (a flush's rows), default 5 minutes: longer, not shorter, than other requests. An
   * insert that timed out may still be applied by a server that was hung and wakes up (a SIGSTOPped server
   * reads the request from its socket buffer when it continues), and then its retry counts the rows twice:
   * test/integration/clickhouse-store-faults.test.ts measured it with a 10 s timeout. Waiting is free meanwhile,
   * because flushes keep being taken and held while one write hangs (collector.ts), and /health reports a
   * stalled write after a few intervals; the timeout is only for a connection that will never answer.
   */
  insertTimeoutMs?: number;
  /**
   * With this, reads (text, binary) are limited on the server as well (kill-query.ts), and a read cut off by
   * timeoutMs is killed there; told what became of each KILL.
   */
  onReadKilled?: (outcome: KillOutcome) => void;
}

export class ClickHouseHttp {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly insertTimeoutMs: number;

  constructor(private readonly options: ClickHouseOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.insertTimeoutMs = options.insertTimeoutMs ?? 300_000;
  }

  get url(): string {
    return this.base;
  }

  /** Runs a statement and returns its body as text (TSV, JSON, ... as the statement's FORMAT says). */
  async text(statement: SqlFragment, database?: string): Promise<string> {
    const res = await this.read(statement, database);
    return res.toString('utf8');
  }

  /** Runs a statement and returns the raw body (for FORMAT RowBinary). */
  async binary(statement: SqlFragment, database?: string): Promise<Buffer> {
    return this.read(statement, database);
  }

  /** Inserts RowBinary rows; the statement text goes in the URL, the rows in the body. */
  async insertRowBinary(table: SqlFragment, body: Uint8Array, database: string): Promise<void> {
    const query = sql`INSERT INTO ${table} FORMAT RowBinary`;
    await this.post(new URLSearchParams({ database, query: query.text }), body, this.insertTimeoutMs);
  }

  async ping(): Promise<void> {
    await this.text(sql`SELECT 1`);
  }

  private async read(statement: SqlFragment, database: string | undefined): Promise<Buffer> {
    const params = new URLSearchParams(database ? { database } : {});
    const killed = this.options.onReadKilled;
    if (!killed) return this.post(params, statement.text);
    const queryId = newReadQueryId();
    for (const [k, v] of Object.entries(readLimitSettings(queryId, this.timeoutMs))) params.set(k, v);
    try {
      return await this.post(params, statement.text);
    } catch (err) {
      // Cut off here, it would run on there (a hung shard, a slow one): cancel it, after the caller's 503.
      if (err instanceof ClickHouseTimeout) {
        void killQuery(this.base, queryId).then(killed);
      }
      throw err;
    }
  }

  private async post(params: URLSearchParams, body: string | Uint8Array, timeoutMs = this.timeoutMs): Promise<Buffer> {
    for (const [k, v] of Object.entries(this.options.settings ?? {})) params.set(k, v);
    let answer: Answer | null = null;
    for (let attempt = 1; answer === null; attempt++) {
      try {
        answer = await post(`${this.base}/?${params}`, body, timeoutMs);
      } catch (err) {
        const { code, stale, name, message } = err as PostError;
        // A pooled keep-alive connection the server had already closed fails before the request reaches it:
        // trying again on another connection is safe, even for an insert.
        if (attempt <= STALE_RETRIES && stale) continue;
        if (name === 'TimeoutError') {
          throw new ClickHouseTimeout(`ClickHouse at ${this.base} did not answer within ${timeoutMs} ms`);
        }
        throw new ClickHouseError(`ClickHouse at ${this.base} cannot be reached (${code ?? message})`);
      }
    }
    if (answer.status < 200 || answer.status > 299) {
      const first = answer.body.toString('utf8').split('\n')[0].slice(0, 500);
      throw new ClickHouseError(`ClickHouse at ${this.base} answered ${answer.status}: ${first}`);
    }
    return answer.body;
  }
}
