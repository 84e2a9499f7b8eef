import { ClickHouseError, ClickHouseHttp, type ClickHouseOptions } from './http-client.js';
import type { SqlFragment } from './sql.js';

/**
 * ClickHouse over several URLs that hold the same data (replicas of one shard): requests go to the one
 * that last answered, and move on to the next when it cannot be reached or its disk is full. A server that
 * answers with another error is not skipped: another replica would refuse the same statement. A replica out of
 * disk refuses an insert before anything of it is committed (it writes the part first, then registers it in
 * ZooKeeper), so the next replica may take it: test/integration/clickhouse-replica-full-disk.test.ts.
 */
export class FailoverHttp extends ClickHouseHttp {
  private readonly members: ClickHouseHttp[];
  private current = 0;

  constructor(
    urls: readonly string[],
    options: Omit<ClickHouseOptions, 'url'> = {},
    /** Told when a replica is left for the next one, and why. */
    private readonly onSkip: (url: string, err: Error) => void = () => undefined,
  ) {
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
        if (!unreachable(err) && !outOfDisk(err)) throw err;
        last = err as Error;
        this.onSkip(this.members[at].url, last);
      }
    }
    throw last ?? new ClickHouseError('no ClickHouse URL');
  }
}

/**
 * A server that answered that its disk is full: errno 28 (ENOSPC) writing a part, or 18.16's NOT_ENOUGH_SPACE
 * (code 243) when it cannot reserve room for one.
 */
function outOfDisk(err: unknown): boolean {
  return (
    err instanceof ClickHouseError &&
    / answered \d+: .*(errno: 28\b|No space left on device|Code: 243\b)/.test(err.message)
  );
}

/** ClickHouseHttp's own wording for a server that could not be reached (refused, reset, timed out). */
function unreachable(err: unknown): boolean {
  return err instanceof ClickHouseError && / cannot be reached /.test(err.message);
}
