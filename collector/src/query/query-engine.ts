import type { RetentionTier } from '../store/retention.js';
import type { StoredEvent } from '../store/sqlite-reader.js';
import { evaluatePath } from './evaluate-path.js';
import { Evaluator } from './evaluator.js';
import type { SeriesSource, TimeRange } from './fetch-series.js';
import type { FunctionRegistry } from './functions/registry.js';
import type { NameIndex } from './name-index.js';
import type { TimeSeries } from './series.js';

export interface EventSource {
  listEvents(from: number, until: number): StoredEvent[];
}

export interface QueryEngineDeps {
  index: NameIndex;
  source: SeriesSource;
  events: EventSource;
  tiers: readonly RetentionTier[];
  registry: FunctionRegistry;
  /** Series one path expression may read before the query is refused with a 4xx. */
  maxSeries: number;
}

/** Wires the pure evaluator to the store: paths read through the name index, events from the events table. */
export class QueryEngine {
  readonly evaluator: Evaluator;

  constructor(readonly deps: QueryEngineDeps) {
    this.evaluator = new Evaluator(deps.registry, {
      fetch: (path, range) => evaluatePath(path, { ...deps, range }),
      eventTimes: (tags, range) =>
        deps.events
          .listEvents(range.from, range.until)
          .filter((e) => tags.includes('*') || tags.every((t) => e.tags.includes(t)))
          .map((e) => e.ts),
    });
  }

  render(targets: readonly string[], range: TimeRange): TimeSeries[] {
    return this.evaluator.evaluateTargets(targets, range);
  }
}
