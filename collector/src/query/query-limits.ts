import { AsyncLocalStorage } from 'node:async_hooks';
import { QueryError } from './query-error.js';

/**
 * What one HTTP request may make the query engine read, so that one bad query (`from=0` over a thousand
 * series) answers a 4xx instead of taking the collector's memory or CPU away from everyone else.
 *
 * A budget is opened per request (see `openQueryBudget`, an `onRequest` hook) and charged wherever points are
 * about to be allocated (`chargeQueryPoints`, called by fetchLeaf before it allocates a series): every route
 * that reads series (/render, /check, /deploys/:id/impact, …) is covered without threading a parameter
 * through the evaluator, and every backend that reads through fetchLeaf is covered too.
 */

export interface QueryLimits {
  /**
   * Points (one per series per step in the range) one request may read, summed over all its series; and,
   * separately, points it may write out (after maxDataPoints consolidation).
   */
  maxPoints: number;
  /** Wall time one request may spend reading series, in milliseconds. */
  timeoutMs: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = Object.freeze({ maxPoints: 10_000_000, timeoutMs: 10_000 });

/** HTTP status for a query over its limits: the request is well-formed, but too large to answer. */
export const QUERY_LIMIT_STATUS = 422;

export class QueryBudget {
  private readonly points = { read: 0, written: 0 };
  /** Reads already charged: a backend that evaluates in passes (ClickHouse's prefetch) reads each one again. */
  private readonly seen = new Set<string>();
  private readonly deadline: number;

  constructor(
    readonly limits: QueryLimits,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.deadline = clock() + limits.timeoutMs;
  }

  /**
   * Charges `n` points about to be read or written; throws a QueryError (422) when over a limit. A read
   * with a `key` (series, step and range) already charged in this request is not charged again.
   */
  charge(n: number, kind: 'read' | 'written' = 'read', key?: string): void {
    if (key !== undefined) {
      if (this.seen.has(key)) n = 0;
      else this.seen.add(key);
    }
    this.points[kind] += n;
    const total = this.points[kind];
    if (total > this.limits.maxPoints) {
      const count = total > Number.MAX_SAFE_INTEGER ? 'more than 2^53' : String(total);
      throw new QueryError(
        `the query would ${kind === 'read' ? 'read' : 'write'} ${count} points, more than the limit of ${this.limits.maxPoints} (--max-query-points): narrow the time range, match fewer series or set maxDataPoints`,
        QUERY_LIMIT_STATUS,
      );
    }
    if (this.clock() > this.deadline) {
      throw new QueryError(
        `the query ran longer than the limit of ${this.limits.timeoutMs} ms (--query-timeout): narrow the time range or match fewer series`,
        QUERY_LIMIT_STATUS,
      );
    }
  }
}

const budgets = new AsyncLocalStorage<QueryBudget>();

/** Runs `f` (and everything it awaits) under a fresh budget. */
export function withQueryBudget<T>(limits: QueryLimits, f: () => T): T {
  return budgets.run(new QueryBudget(limits), f);
}

/** A fastify `onRequest` hook: the rest of the request (hooks, handler) runs under its own budget. */
export function openQueryBudget(limits: QueryLimits) {
  return (_req: unknown, _reply: unknown, done: () => void): void => {
    budgets.run(new QueryBudget(limits), done);
  };
}

/**
 * Called before `n` points are allocated. Outside a request (tests, tools) only the default point limit
 * applies, to the one allocation, so nothing can allocate an unbounded array.
 */
export function chargeQueryPoints(n: number, kind: 'read' | 'written' = 'read', key?: string): void {
  const budget = budgets.getStore();
  if (budget) budget.charge(n, kind, key);
  else if (n > DEFAULT_QUERY_LIMITS.maxPoints) new QueryBudget(DEFAULT_QUERY_LIMITS).charge(n, kind);
}
