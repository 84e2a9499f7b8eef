import { evaluatePath, type QueryContext } from './evaluate-path.js';
import { QueryError } from './query-error.js';
import type { TimeSeries } from './series.js';

/**
 * Evaluates /render targets in order. Each target is a path expression for now; Graphite's function
 * language (sumSeries(...), aliasByNode(...)) plugs in here.
 */
export function evaluateTargets(targets: readonly string[], ctx: QueryContext): TimeSeries[] {
  const out: TimeSeries[] = [];
  for (const raw of targets) {
    const target = raw.trim();
    if (target === '') continue;
    if (/[()"'|]/.test(target)) {
      throw new QueryError(`target "${target}": Graphite functions are not supported yet, only series paths and globs`);
    }
    out.push(...evaluatePath(target, ctx));
  }
  return out;
}
