import type { RetentionTier } from '../store/retention.js';
import { fetchLeaf, type SeriesSource, type TimeRange } from './fetch-series.js';
import { compileGlob, GlobError } from './glob.js';
import type { NameIndex } from './name-index.js';
import { QueryError } from './query-error.js';
import type { TimeSeries } from './series.js';

export interface QueryContext {
  index: NameIndex;
  source: SeriesSource;
  tiers: readonly RetentionTier[];
  range: TimeRange;
  /** Series one query may read before it is refused with a 4xx. */
  maxSeries: number;
}

/**
 * Resolves one path expression (`stats.timers.api.*.upper_99`, optionally `;tag=value` tagged) to its
 * series, sorted by name as graphite-web sorts the results of one path expression.
 */
export function evaluatePath(expression: string, ctx: QueryContext): TimeSeries[] {
  const { path, tags } = splitTags(expression);
  let glob: ReturnType<typeof compileGlob>;
  try {
    glob = compileGlob(path);
  } catch (err) {
    if (err instanceof GlobError) throw new QueryError(`invalid path "${expression}": ${err.message}`);
    throw err;
  }
  const leaves = ctx.index.leaves(glob, tags);
  if (leaves.length > ctx.maxSeries) {
    throw new QueryError(`"${expression}" matches ${leaves.length} series, more than the limit of ${ctx.maxSeries}`);
  }
  return leaves.map((leaf) => {
    const series = fetchLeaf(ctx.source, leaf, ctx.range, ctx.tiers);
    series.pathExpression = expression;
    return series;
  });
}

/** `a.b;z=1;env=prod` → path `a.b` and the canonical (sorted) suffix `;env=prod;z=1`. */
export function splitTags(expression: string): { path: string; tags: string } {
  const i = expression.indexOf(';');
  if (i === -1) return { path: expression, tags: '' };
  const pairs = expression
    .slice(i + 1)
    .split(';')
    .filter((p) => p !== '');
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1)
      throw new QueryError(`invalid tag "${pair}" in "${expression}": expected name=value`);
  }
  const byKey = new Map(pairs.map((p) => [p.slice(0, p.indexOf('=')), p] as const));
  const sorted = [...byKey.keys()].sort().map((k) => byKey.get(k));
  return { path: expression.slice(0, i), tags: sorted.length ? `;${sorted.join(';')}` : '' };
}
