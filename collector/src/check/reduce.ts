/**
 * Reducers: how a check turns a series' points over the range into the one number its thresholds judge.
 * Values are a Float64Array as the query engine returns them, NaN standing for null (Graphite's None).
 * Null is skipped, never read as 0: an expression that wants zeros says so (`transformNull(x, 0)`).
 */

export class ReducerError extends Error {
  override readonly name = 'ReducerError';
}

export type ReducerName = 'last' | 'avg' | 'min' | 'max' | 'sum' | 'median' | 'count' | 'nullcnt' | 'nullpct' | 'pct';

export interface Reducer {
  /** As written by the user, normalised: `avg`, `p95`, `p99.9`. */
  readonly text: string;
  readonly name: ReducerName;
  /** For `pNN`: 0 < percentile <= 100. */
  readonly percentile?: number;
  /**
   * True for the reducers that measure the points themselves (count, nullcnt, nullpct): a series with no
   * values is a result for them (0, or 100 %), not missing data, unless a minimum point count asks otherwise.
   */
  readonly countsPoints: boolean;
}

export const REDUCERS = ['last', 'avg', 'min', 'max', 'sum', 'median', 'pNN', 'count', 'nullcnt', 'nullpct'] as const;

const ALIASES: Record<string, ReducerName> = { average: 'avg', mean: 'avg', total: 'sum' };

/** Parses `avg`, `p95`, `p99.9` (or `p99_9`, as StatsD names it); throws ReducerError. */
export function parseReducer(input: string): Reducer {
  const text = input.trim().toLowerCase();
  const pct = /^p(\d{1,3}(?:[._]\d+)?)$/.exec(text);
  if (pct) {
    const p = Number((pct[1] as string).replace('_', '.'));
    if (!(p > 0 && p <= 100))
      throw new ReducerError(`invalid reducer "${input}": the percentile must be above 0 and at most 100`);
    return { text: `p${p}`, name: 'pct', percentile: p, countsPoints: false };
  }
  const name = (ALIASES[text] ?? text) as ReducerName;
  switch (name) {
    case 'last':
    case 'avg':
    case 'min':
    case 'max':
    case 'sum':
    case 'median':
      return { text: name, name, countsPoints: false };
    case 'count':
    case 'nullcnt':
    case 'nullpct':
      return { text: name, name, countsPoints: true };
    default:
      throw new ReducerError(`invalid reducer "${input}": use one of ${REDUCERS.join(', ')}`);
  }
}

/**
 * graphite-web's percentile (functions.py `_getPercentile`, not interpolated), so `agg=p95` over a range
 * gives what `nPercentile(x, 95)` draws: the value at rank ceil(p/100 × (n+1)), clamped to the ends.
 */
export function percentile(sorted: readonly number[], p: number): number {
  const fractional = (p / 100) * (sorted.length + 1);
  const rank = Math.ceil(fractional);
  if (rank <= 0) return sorted[0] as number;
  if (rank >= sorted.length) return sorted[sorted.length - 1] as number;
  return sorted[rank - 1] as number;
}

/** Median: the middle value, or the mean of the two middle ones. */
export function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Reduces the points; null (undefined in the result) when the reducer has nothing to work on: no non-null
 * value for the value reducers, no point at all for nullpct.
 */
export function reduce(reducer: Reducer, values: ArrayLike<number>): number | undefined {
  const present: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isNaN(v)) present.push(v);
  }
  const nulls = values.length - present.length;
  switch (reducer.name) {
    case 'count':
      return present.length;
    case 'nullcnt':
      return nulls;
    case 'nullpct':
      return values.length === 0 ? undefined : (100 * nulls) / values.length;
    default:
      break;
  }
  if (present.length === 0) return undefined;
  switch (reducer.name) {
    case 'last':
      return present[present.length - 1];
    case 'sum':
    case 'avg': {
      let sum = 0;
      for (const v of present) sum += v;
      return reducer.name === 'sum' ? sum : sum / present.length;
    }
    case 'min':
      return present.reduce((a, b) => Math.min(a, b));
    case 'max':
      return present.reduce((a, b) => Math.max(a, b));
    case 'median':
      return median(present.sort((a, b) => a - b));
    case 'pct':
      return percentile(
        present.sort((a, b) => a - b),
        reducer.percentile as number,
      );
  }
}
