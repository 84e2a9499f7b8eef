import { ClickHouseError, ClickHouseHttp, type ClickHouseOptions } from './http-client.js';
import type { SqlFragment } from './sql.js';

/**
 * ClickHouse over several URLs that hold the same data (replicas of one shard): requests go to the one
 * that last answered, and move on to the next when it cannot be reached. A server that answers with an
 * error is not skipped: another replica would refuse the same statement.
 */
export class FailoverHttp extends ClickHouseHttp {
  private readonly members: ClickHouseHttp[];
  private current = 0;

  constructor(urls: readonly string[], options: Omit<ClickHouseOptions, 'url'> = {}) {
    super({ ...options, url: urls[0] });
    this.members = urls.map((url) => new ClickHouseHttp({ ...options, url }));
  }

  override get url(): string {
    return this.members[this.current].url;
  }

  /** Every URL, for work each server needs done on its own (its schema). */
  get urls(): string[] {
    return this.members.map((m) => m.url);
  }

  override text(statement: SqlFragment, database?: string): Promise<string> {
    return this.first((m) => m.text(statement, database));
  }

  override binary(statement: SqlFragment, database?: string): Promise<Buffer> {
    return this.first((m) => m.binary(statement, database));
  }

  override insertRowBinary(table: SqlFragment, body: Uint8Array, database: string): Promise<void> {
    return this.first((m) => m.insertRowBinary(table, body, database));
  }

  private async first<T>(run: (m: ClickHouseHttp) => Promise<T>): Promise<T> {
    let last: Error | null = null;
    for (let i = 0; i < this.members.length; i++) {
      const at = (this.current + i) % this.members.length;
      try {
        const out = await run(this.members[at]);
        this.current = at;
        return out;
      } catch (err) {
        if (!unreachable(err)) throw err;
        last = err as Error;
      }
    }
    throw last ?? new ClickHouseError('no ClickHouse URL');
  }
}

/** ClickHouseHttp's own wording for a server that could not be reached (refused, reset, timed out). */
function unreachable(err: unknown): boolean {
  return err instanceof ClickHouseError && / cannot be reached /.test(err.message);
}
